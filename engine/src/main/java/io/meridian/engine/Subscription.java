package io.meridian.engine;

import io.meridian.codecs.json.JsonWriter;
import org.agrona.concurrent.UnsafeBuffer;

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
    /** The key of this subscription in its session's map: controller|topic, and |account for a bare trading topic. */
    String mapKey;
    /** Write an account list as TradingAccounts Operation records instead of Accounts objects. */
    boolean operations;
    /** Confirmations owed once the first snapshot arrives (one per Sub that asked). */
    int pendingConfirms;

    /**
     * @param scratch a writer to build the data head in; its contents are overwritten.
     */
    Subscription(
        final ClientSession session,
        final Item item,
        final String controller,
        final String topic,
        final JsonWriter scratch)
    {
        this.session = session;
        this.item = item;
        this.controller = controller;
        this.topic = topic;
        scratch.reset().startObject().name("Controller").string(controller).name("Topic").string(topic).name("Data");
        final int length = scratch.length();
        final byte[] bytes = new byte[length];
        scratch.buffer().getBytes(0, bytes, 0, length);
        dataPrefix = new UnsafeBuffer(bytes);
        dataPrefixLength = length;
    }
}
