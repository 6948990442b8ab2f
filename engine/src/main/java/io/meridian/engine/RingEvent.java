package io.meridian.engine;

import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * One slot of the engine's Disruptor ring: either a copy of an upstream SBE message or a command from a gateway
 * thread. Slots are preallocated and reused; object references are cleared after the engine handles the slot.
 */
final class RingEvent
{
    static final int UPSTREAM_MESSAGE = 1;
    /**
     * A link's Welcome: the low byte of {@code length} holds the upstream's trading {@code FeedStatus} value plus
     * one (0: not said), and {@link #SHARED_LINK} is set if the upstream sends the link's updates on its shared
     * stream.
     */
    static final int LINK_UP = 2;
    /** Flag in a {@link #LINK_UP}'s {@code length}: the link takes its item updates from the shared stream. */
    static final int SHARED_LINK = 0x100;
    static final int LINK_DOWN = 3;
    /** The upstream's heartbeat said its trading feed changed; {@code length} holds the {@code FeedStatus} value. */
    static final int TRADING_STATUS = 4;
    /** An item update from the upstream's shared stream, which may be for an item this proxy does not hold. */
    static final int SHARED_MESSAGE = 5;
    static final int SUBSCRIBE = 10;
    static final int UNSUBSCRIBE = 11;
    static final int QUERY_ITEM = 12;
    static final int SESSION_CLOSED = 14;
    static final int QUERY_TRADES = 15;
    static final int QUERY_SYMBOLS = 16;
    static final int QUERY_TRADING_STATES = 17;
    static final int ORDER_REQUEST = 18;
    static final int SESSION_PAUSE = 19;
    static final int SESSION_RIGHTS = 20;
    static final int CLEAR_CACHE = 21;
    /** A control message from a downstream link, copied into the slot. */
    static final int DOWNSTREAM_MESSAGE = 30;
    /** A downstream link was accepted; {@link #request} is the {@link DownstreamLink}. */
    static final int DOWNSTREAM_LINK_OPEN = 31;
    /** A downstream link fell silent or was replaced; {@link #request} is the {@link DownstreamLink}. */
    static final int DOWNSTREAM_LINK_CLOSED = 32;
    /** Time for the engine to send Welcomes, heartbeats and owed snapshots on downstream links. */
    static final int DOWNSTREAM_TICK = 33;

    final UnsafeBuffer buffer;
    int type;
    int length;

    ClientSession session;
    String controller;
    String topic;
    String key;
    /** Trading commands: the user the session authenticated as, whose accounts decide what is allowed. */
    String user;
    int itemKind;
    /** Upstream events: which link ({@link UpstreamLink#MARKET} or {@link UpstreamLink#TRADING}). */
    int link;
    long transactionId;
    boolean confirm;
    int count;
    long firstId;
    long lastId;
    int tradingDate;
    Object request;

    RingEvent(final int slotBytes)
    {
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(slotBytes));
    }

    void clear()
    {
        type = 0;
        link = 0;
        length = 0;
        session = null;
        controller = null;
        topic = null;
        key = null;
        user = null;
        itemKind = 0;
        transactionId = 0;
        confirm = false;
        count = 0;
        firstId = 0;
        lastId = 0;
        tradingDate = 0;
        request = null;
    }
}
