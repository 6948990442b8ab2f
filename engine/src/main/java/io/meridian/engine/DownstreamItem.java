package io.meridian.engine;

import io.meridian.codecs.interlink.SubscribeStatus;

/**
 * One item subscribed by one downstream link: the id the downstream knows it by, the sequence numbers sent on the
 * link, and what the link is still owed. Engine thread only.
 */
final class DownstreamItem
{
    final DownstreamLink link;
    final Item item;
    /** Unique among the items of every link of this proxy. */
    final long itemId;
    final long requestId;
    /** The item's updates reach the link on the shared stream, under the item's shared id and sequence numbers. */
    final boolean shared;
    /** Sequence number of the last message about the item sent on the link (not used when shared). */
    long seqNo;
    /** The SubscribeResult has been sent. */
    boolean answered;
    /** A full snapshot must go out before any further delta. */
    boolean snapshotDue;
    /** In the link's {@link DownstreamLink#due} queue. */
    boolean queued;
    /** The upstream refused the item before the downstream was answered: the answer to send instead of OK. */
    SubscribeStatus refusal;
    String refusalReason;
    /** Subscribed still: false after an Unsubscribe, a refusal or the link's end. */
    boolean active = true;

    DownstreamItem(
        final DownstreamLink link, final Item item, final long itemId, final long requestId, final boolean shared)
    {
        this.shared = shared;
        this.link = link;
        this.item = item;
        this.itemId = itemId;
        this.requestId = requestId;
    }
}
