package io.meridian.sim;

/**
 * One item subscribed on one link, as far as the link protocol goes: whether the link is owed the item's snapshot and
 * how far that snapshot has got. While queued, the link gets no deltas of the item. Each server extends it with what
 * it needs to encode the item.
 */
class LinkItem
{
    /** The snapshot starts, or starts again, with SnapshotBegin. */
    static final int PHASE_BEGIN = 0;
    /** SnapshotBegin is sent; the body follows from {@link #cursor}. */
    static final int PHASE_BODY = 1;

    final long itemId;
    boolean queued;
    /** False once unsubscribed or its link closed, so that a snapshot still queued for it is passed over. */
    boolean active = true;
    int phase;
    int cursor;
    long snapshotSeqNo;

    LinkItem(final long itemId)
    {
        this.itemId = itemId;
    }
}
