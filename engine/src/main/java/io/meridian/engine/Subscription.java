package io.meridian.engine;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * One session's subscription to one item under one topic string, reference counted as Zenith requires. Holds the
 * pre-encoded head of every data message, so fan-out copies bytes and allocates nothing.
 */
final class Subscription
{
    final ClientSession session;
    final Item item;
    final String controller;
    final String topic;
    final UnsafeBuffer dataPrefix;
    final int dataPrefixLength;
    int refCount = 1;
    /** Confirmations owed once the first snapshot arrives (one per Sub that asked). */
    int pendingConfirms;

    Subscription(final ClientSession session, final Item item, final String controller, final String topic)
    {
        this.session = session;
        this.item = item;
        this.controller = controller;
        this.topic = topic;
        final io.meridian.codecs.json.JsonWriter writer = new io.meridian.codecs.json.JsonWriter();
        writer.reset().startObject().name("Controller").string(controller).name("Topic").string(topic);
        final String head = writer.toString() + ",\"Data\":";
        final byte[] bytes = head.getBytes(StandardCharsets.UTF_8);
        dataPrefix = new UnsafeBuffer(bytes);
        dataPrefixLength = bytes.length;
    }
}
