package io.meridian.sim;

import io.aeron.ExclusivePublication;
import io.meridian.codecs.interlink.SubscribeStatus;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayDeque;

/**
 * One downstream's link to an interlink server, as its {@link LinkTable} keeps it: the publication Hello named, why
 * Hello was refused if it was, the items subscribed, and what the link is owed of the protocol's own messages
 * (SubscribeResult replies, then snapshots). A server that owes its links more, such as answers to requests of its
 * own, extends this with its own queues.
 *
 * @param <I> the server's per-link item.
 */
class DownstreamLink<I extends LinkItem>
{
    final long linkId;
    final ExclusivePublication publication;
    /** Why Hello was refused, or null; a refused link is closed once its Welcome has gone out. */
    final String rejectReason;
    final Long2ObjectHashMap<I> items = new Long2ObjectHashMap<>();
    final ArrayDeque<Reply> replies = new ArrayDeque<>();
    final ArrayDeque<I> snapshots = new ArrayDeque<>();
    long lastHeardNs;
    long nextHeartbeatNs;
    boolean welcomed;
    boolean closed;

    DownstreamLink(
        final long linkId, final ExclusivePublication publication, final String rejectReason, final long nowNs)
    {
        this.linkId = linkId;
        this.publication = publication;
        this.rejectReason = rejectReason;
        this.lastHeardNs = nowNs;
    }

    record Reply(long requestId, long itemId, SubscribeStatus status, String reason)
    {
    }
}
