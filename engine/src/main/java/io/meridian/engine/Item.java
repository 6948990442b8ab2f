package io.meridian.engine;

import io.meridian.codecs.json.JsonWriter;

import java.util.ArrayList;

/**
 * A cached, subscribable thing: the market list, a security, an order book, a trade stream or a symbol
 * directory. Holds the state last received from upstream, the
 * sessions subscribed to it, and those waiting for its first snapshot. Only the engine thread touches it.
 */
abstract class Item
{
    enum State
    {
        /** Asked for upstream, no data yet. */
        PENDING,
        /** Snapshot received, updates flowing. */
        LIVE,
        /** Upstream lost or resynchronising; the data may be old. */
        STALE
    }

    static final long NO_UPSTREAM_ID = -1;

    final String key;
    /** The upstream that serves the item. */
    UpstreamLink link;
    State state = State.PENDING;
    long upstreamItemId = NO_UPSTREAM_ID;
    long requestId;
    long upstreamSeqNo;
    long seqNo;
    boolean hasData;
    boolean inSnapshot;
    /** The upstream said the item is stale and subscribers were warned; cleared when it is live again. */
    boolean unavailable;
    /** When the item last lost its final client, or 0 while a client holds it. */
    long idleSinceMs;
    final ArrayList<Subscription> subscribers = new ArrayList<>();
    final ArrayList<Subscription> awaitingSnapshot = new ArrayList<>();
    final ArrayList<PendingQuery> pendingQueries = new ArrayList<>();
    /** Downstream links subscribed to the item. */
    final ArrayList<DownstreamItem> downstream = new ArrayList<>();
    /** The item's id on this proxy's shared stream, the same for every link that reads it; 0 until first needed. */
    long sharedId;
    /** Sequence number of the item's last update on the shared stream. */
    long sharedSeqNo;
    /** Links subscribed to the item that take its updates from the shared stream. */
    int sharedSubscribers;
    /** An update the shared publication did not take has yet to be told to its readers. */
    boolean sharedGapPending;
    /**
     * Updates from the upstream's shared stream that came while the item waited for its snapshot on the link, each
     * as {@code [int length][message]}; applied after the snapshot, those it already holds skipped. Null until used.
     */
    org.agrona.ExpandableArrayBuffer held;
    int heldBytes;
    /** A snapshot older than the item's live state is being passed over (shared stream links only). */
    boolean ignoringSnapshot;
    /** A Subscribe has gone upstream (or waits to) and its snapshot has not ended yet. */
    boolean snapshotPending;
    /** Dropped from the cache: an answer to a Subscribe still in flight is for nobody. */
    boolean forgotten;

    Item(final String key)
    {
        this.key = key;
    }

    /**
     * @return the interlink item type code.
     */
    abstract short itemTypeCode();

    /**
     * Write the full state as the Data of a Zenith message.
     *
     * @param writer where to write.
     */
    abstract void writeFull(JsonWriter writer);

    /**
     * Write the answer of the item's query topic ({@code QueryOrders} for orders, and so on) for one query, which
     * may name a filter; the full state unless the query answers with something else.
     *
     * @param writer where to write.
     * @param filter what the query narrows the answer to, or null.
     */
    void writeQueryAnswer(final JsonWriter writer, final String[] filter)
    {
        writeFull(writer);
    }

    /**
     * @return true if the item's data is an array of changes applied in order (a book), so a full state too large
     * for one frame may go out as several consecutive frames, each an array of some of the changes.
     */
    boolean changesSplit()
    {
        return false;
    }

    /**
     * Forget the state before a fresh snapshot.
     */
    abstract void clearState();

    /**
     * Write the cached state as the messages of an interlink snapshot, between the writer's begin and end, so that
     * a downstream proxy applying them to an empty item of the same type holds the same state as this one.
     *
     * @param writer the writer, begun for this item.
     */
    void writeSnapshot(final SnapshotWriter writer)
    {
        throw new UnsupportedOperationException("no interlink snapshot for item type " + itemTypeCode());
    }

    /**
     * A query waiting for this item's first snapshot.
     */
    static final class PendingQuery
    {
        final ClientSession session;
        final long transactionId;
        final String topic;
        /** The controller the answer goes back under; Market unless set. */
        String controller = "Market";
        /** Trading queries: the entries the answer is narrowed to, or null. */
        String[] filter;
        /** What the query names: a security key or a market code. */
        String key;
        /** QueryTrades parameters; 0 when absent. */
        int count;
        long firstId;
        long lastId;
        int tradingDate;
        /** When the client gets {@code Operation.Timeout} if no answer has come; set when the query starts waiting. */
        long deadlineMs = Long.MAX_VALUE;

        PendingQuery(final ClientSession session, final long transactionId, final String topic)
        {
            this.session = session;
            this.transactionId = transactionId;
            this.topic = topic;
        }
    }
}
