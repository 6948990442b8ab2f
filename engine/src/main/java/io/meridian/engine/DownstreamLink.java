package io.meridian.engine;

import io.aeron.ExclusivePublication;
import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayDeque;

/**
 * One downstream proxy's link to this one: made by the {@link DownstreamPoller} when a Hello is accepted (with the
 * exclusive publication the link's data goes out on), then owned by the engine thread, which sends everything on
 * it. The poller keeps hearing the link's control messages; the two share only the volatile fields.
 */
final class DownstreamLink
{
    final long linkId;
    final ExclusivePublication publication;
    final String clientName;
    final String responseChannel;
    final int responseStreamId;
    /** The downstream reads this server's shared stream: market-data updates go there, not on the link. */
    final boolean shared;

    /** When the downstream was last heard from, written by the poller. */
    volatile long lastHeardMs;
    /** Set by the engine once the Welcome is out, so that a Hello repeated before it is not taken as a new link. */
    volatile boolean welcomed;
    /** Set by the engine once it has let go of the link; the poller then closes the publication. */
    volatile boolean released;

    // Engine thread only.
    final Long2ObjectHashMap<DownstreamItem> items = new Long2ObjectHashMap<>();
    /** Items owed a SubscribeResult or a snapshot, in the order they became due. */
    final ArrayDeque<DownstreamItem> due = new ArrayDeque<>();
    /** Answers to relayed requests the publication could not take yet, in order; copied only under back pressure. */
    final ArrayDeque<byte[]> answers = new ArrayDeque<>();
    long nextHeartbeatMs;
    boolean closed;

    DownstreamLink(
        final long linkId,
        final ExclusivePublication publication,
        final String clientName,
        final String responseChannel,
        final int responseStreamId,
        final boolean shared,
        final long nowMs)
    {
        this.shared = shared;
        this.linkId = linkId;
        this.publication = publication;
        this.clientName = clientName;
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
        this.lastHeardMs = nowMs;
    }
}
