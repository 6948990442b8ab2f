package io.meridian.sim;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.interlink.HeartbeatDecoder;
import io.meridian.codecs.interlink.HelloDecoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.UnsubscribeDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The links of one interlink server, and the part of the link protocol every server speaks alike: Hello with its
 * protocol version and service token check, Welcome, heartbeats, dropping links silent for longer than the liveness
 * timeout, the bookkeeping of Subscribe and Unsubscribe with SubscribeResult replies, and the queue of snapshots each
 * link is owed. It reads the server's control stream and leaves to the server's {@link Handler} what is its own: what
 * an item key means, its other requests, the bodies of snapshots and any further queues.
 * <p>
 * Every offer goes through {@link #offer}, so messages sent and back pressure are counted in one place. Once links and
 * items are set up nothing here allocates, so a server publishes its deltas through it on the hot path.
 *
 * @param <L> the server's link.
 * @param <I> the server's per-link item.
 */
final class LinkTable<L extends DownstreamLink<I>, I extends LinkItem>
{
    static final int FRAGMENT_LIMIT = 64;
    /** Least publication window a snapshot waits for before its SnapshotBegin. */
    static final int SNAPSHOT_WINDOW_BYTES = 2048;

    /**
     * What a server does its own way. Called on the server's thread, from {@link #poll()} and
     * {@link #serviceLinks()}.
     *
     * @param <L> the server's link.
     * @param <I> the server's per-link item.
     */
    interface Handler<L extends DownstreamLink<I>, I extends LinkItem>
    {
        /**
         * @return a new link for a Hello; {@code rejectReason} is null when it was accepted.
         */
        L newLink(long linkId, ExclusivePublication publication, String rejectReason, long nowNs);

        /**
         * Answer a Subscribe on an open link: {@link LinkTable#reply} to refuse it, {@link LinkTable#subscribed} once
         * the item is the link's.
         */
        void onSubscribe(L link, long requestId, short itemType, String key);

        /**
         * Handle a control message that is not part of the link protocol itself.
         *
         * @param bodyLength the bytes of the message after its header, for {@link LinkTable#complete}, which the
         *                   server asks before reading the message.
         * @return false if the server has no such message, which then counts as malformed.
         */
        boolean onMessage(
            int templateId, DirectBuffer buffer, int offset, int blockLength, int version, int bodyLength);

        /**
         * The item is no longer subscribed on its link, because of an Unsubscribe or because the link closed.
         */
        void onUnsubscribed(I item);

        /**
         * Send what a welcomed link is owed after its SubscribeResult replies, including its snapshots through
         * {@link LinkTable#sendSnapshots}, in the server's order, until the publication takes no more.
         */
        void sendQueued(L link);

        /**
         * Send as much of the item's snapshot as the publication takes.
         *
         * @return true when it is complete.
         */
        boolean sendSnapshot(L link, I item);
    }

    private final Aeron aeron;
    private final Subscription controlSubscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final FeedEncoder encoder;
    private final Handler<L, I> handler;
    private final byte[] serviceToken;
    private final int heartbeatIntervalMs;
    private final long heartbeatIntervalNs;
    private final long livenessTimeoutNs;
    private final String serverName;

    private final Long2ObjectHashMap<L> linkById = new Long2ObjectHashMap<>();
    private final ArrayList<L> links = new ArrayList<>();

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final HelloDecoder helloDecoder = new HelloDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final SubscribeDecoder subscribeDecoder = new SubscribeDecoder();
    private final UnsubscribeDecoder unsubscribeDecoder = new UnsubscribeDecoder();

    private long nowNs;
    private long nowMs;
    private long messagesSent;
    private long unknownLinkMessages;
    private long malformedMessages;
    private long backPressureEvents;
    private long resnapshots;
    private long droppedLinks;

    /**
     * Subscribe to the control stream.
     *
     * @param aeron               client for the control subscription and the links' publications.
     * @param controlChannel      channel of the control stream.
     * @param controlStreamId     stream id of the control stream.
     * @param serviceToken        token a Hello must carry; empty accepts any.
     * @param heartbeatIntervalMs interval of the Heartbeats sent on every link, announced in Welcome.
     * @param livenessTimeoutMs   silence after which a link is dropped.
     * @param serverName          name announced in Welcome.
     * @param encoder             encoder of the server, whose buffer every offer sends from.
     * @param handler             what the server does its own way.
     */
    LinkTable(
        final Aeron aeron,
        final String controlChannel,
        final int controlStreamId,
        final String serviceToken,
        final int heartbeatIntervalMs,
        final int livenessTimeoutMs,
        final String serverName,
        final FeedEncoder encoder,
        final Handler<L, I> handler)
    {
        this.aeron = aeron;
        this.serviceToken = serviceToken.getBytes(StandardCharsets.UTF_8);
        this.heartbeatIntervalMs = heartbeatIntervalMs;
        this.heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(heartbeatIntervalMs);
        this.livenessTimeoutNs = TimeUnit.MILLISECONDS.toNanos(livenessTimeoutMs);
        this.serverName = serverName;
        this.encoder = encoder;
        this.handler = handler;
        controlSubscription = aeron.addSubscription(controlChannel, controlStreamId);
    }

    /**
     * Set the time of this duty cycle, which everything up to the next tick goes by.
     *
     * @param nowNs monotonic time.
     * @param nowMs wall clock time, for heartbeat timestamps.
     */
    void tick(final long nowNs, final long nowMs)
    {
        this.nowNs = nowNs;
        this.nowMs = nowMs;
    }

    /**
     * Read the control stream.
     *
     * @return fragments read.
     */
    int poll()
    {
        return controlSubscription.poll(assembler, FRAGMENT_LIMIT);
    }

    /**
     * Drop silent links, then send every link what it is owed, closing those refused once their Welcome is out.
     *
     * @return links dropped or closed.
     */
    int serviceLinks()
    {
        int workCount = dropSilentLinks();
        for (int i = links.size() - 1; i >= 0; i--)
        {
            final L link = links.get(i);
            serviceLink(link);
            if (link.closed)
            {
                remove(i, link);
                workCount++;
            }
        }
        return workCount;
    }

    /**
     * Drop the links that have been silent for longer than the liveness timeout.
     *
     * @return links dropped.
     */
    int dropSilentLinks()
    {
        int dropped = 0;
        for (int i = links.size() - 1; i >= 0; i--)
        {
            final L link = links.get(i);
            if (nowNs - link.lastHeardNs > livenessTimeoutNs)
            {
                if (null == link.rejectReason)
                {
                    droppedLinks++;
                }
                remove(i, link);
                dropped++;
            }
        }
        return dropped;
    }

    /**
     * Close the control subscription and every link's publication.
     */
    void close()
    {
        for (int i = 0, size = links.size(); i < size; i++)
        {
            CloseHelper.quietClose(links.get(i).publication);
        }
        links.clear();
        linkById.clear();
        CloseHelper.quietClose(controlSubscription);
    }

    /**
     * @return links open or awaiting connection.
     */
    int linkCount()
    {
        return links.size();
    }

    /**
     * @param index from 0 to {@link #linkCount()} exclusive.
     * @return the link at that place.
     */
    L link(final int index)
    {
        return links.get(index);
    }

    /**
     * Find the open link a request names and note that it was heard from.
     *
     * @return the link, or null, counted as an unknown link message, if it is not open.
     */
    L openLink(final long linkId)
    {
        final L link = linkById.get(linkId);
        if (null == link || null != link.rejectReason)
        {
            unknownLinkMessages++;
            return null;
        }
        link.lastHeardNs = nowNs;
        return link;
    }

    /**
     * @return the link's item if the link is welcomed and still open and the item is live on it: subscribed, with no
     * snapshot under way. Null otherwise.
     */
    I liveItem(final L link, final long itemId)
    {
        if (!link.welcomed || link.closed)
        {
            return null;
        }

        final I item = link.items.get(itemId);
        return null == item || item.queued ? null : item;
    }

    /**
     * Offer the delta now in the encoder's buffer to every link that has the item live; a link that cannot take it
     * gets the item's snapshot again.
     *
     * @param send false when nothing may be sent now, so every link that has the item live gets its snapshot again.
     */
    void publish(final long itemId, final int length, final boolean send)
    {
        for (int i = 0, size = links.size(); i < size; i++)
        {
            final L link = links.get(i);
            final I item = liveItem(link, itemId);
            if (null != item && (!send || !offer(link, length)))
            {
                resnapshot(link, item);
            }
        }
    }

    /**
     * Offer the message now in the encoder's buffer on the link.
     *
     * @return true if the publication took it; false, counted as back pressure, if not.
     */
    boolean offer(final L link, final int length)
    {
        long result = link.publication.offer(encoder.buffer, 0, length);
        // ADMIN_ACTION is the log rotating to its next term: the offer goes through when made again.
        for (int retries = 2; result == Publication.ADMIN_ACTION && retries > 0; retries--)
        {
            result = link.publication.offer(encoder.buffer, 0, length);
        }
        if (result > 0)
        {
            messagesSent++;
            return true;
        }
        backPressureEvents++;
        return false;
    }

    /**
     * Queue a SubscribeResult on the link.
     */
    void reply(
        final L link, final long requestId, final long itemId, final SubscribeStatus status, final String reason)
    {
        link.replies.add(new DownstreamLink.Reply(requestId, itemId, status, reason));
    }

    /**
     * Answer a Subscribe with OK and queue the item's snapshot.
     */
    void subscribed(final L link, final long requestId, final I item)
    {
        reply(link, requestId, item.itemId, SubscribeStatus.OK, "");
        // Queued behind the reply, since replies are drained before snapshots; no deltas go out until it is sent.
        requestSnapshot(link, item);
    }

    /**
     * Send the item's snapshot on the link, from the start even if one is under way.
     */
    void requestSnapshot(final L link, final I item)
    {
        item.phase = LinkItem.PHASE_BEGIN;
        if (!item.queued)
        {
            item.queued = true;
            link.snapshots.add(item);
        }
    }

    /**
     * Send the item's snapshot on the link again because the link missed some of it, counted as a resnapshot.
     */
    void resnapshot(final L link, final I item)
    {
        resnapshots++;
        requestSnapshot(link, item);
    }

    /**
     * Send SnapshotBegin once the publication has room for the snapshot, or a quarter term if it is larger.
     *
     * @param seqNo sequence number of the item the snapshot is of.
     * @param bytes room the whole snapshot takes, framed.
     * @return true once SnapshotBegin is sent and the body may follow.
     */
    boolean beginSnapshot(final L link, final I item, final long seqNo, final int bytes)
    {
        final int window = Math.min(bytes, link.publication.termBufferLength() / 4);
        if (link.publication.availableWindow() < Math.max(SNAPSHOT_WINDOW_BYTES, window))
        {
            backPressureEvents++;
            return false;
        }
        // A snapshot cut short is sent again from SnapshotBegin, which restarts it downstream.
        if (!offer(link, encoder.snapshotBegin(item.itemId, seqNo)))
        {
            return false;
        }
        item.snapshotSeqNo = seqNo;
        item.cursor = 0;
        item.phase = LinkItem.PHASE_BODY;
        return true;
    }

    /**
     * @return true once the item's SnapshotEnd is sent.
     */
    boolean endSnapshot(final L link, final I item)
    {
        return offer(link, encoder.snapshotEnd(item.itemId, item.snapshotSeqNo));
    }

    /**
     * Send the snapshots the link is owed, in order, through the handler.
     *
     * @return true when all are sent.
     */
    boolean sendSnapshots(final L link)
    {
        I item;
        while (null != (item = link.snapshots.peek()))
        {
            if (item.active && !handler.sendSnapshot(link, item))
            {
                return false;
            }
            link.snapshots.poll();
            item.queued = false;
        }
        return true;
    }

    /**
     * @return messages offered successfully on every link since start.
     */
    long messagesSent()
    {
        return messagesSent;
    }

    /**
     * @return control messages naming no open link; they are ignored.
     */
    long unknownLinkMessages()
    {
        return unknownLinkMessages;
    }

    /**
     * @return control messages that could not be decoded or whose Hello named an unusable channel.
     */
    long malformedMessages()
    {
        return malformedMessages;
    }

    /**
     * @return offers that failed, and snapshots that waited for a window.
     */
    long backPressureEvents()
    {
        return backPressureEvents;
    }

    /**
     * @return items resnapshotted on a link because a delta could not be sent.
     */
    long resnapshots()
    {
        return resnapshots;
    }

    /**
     * @return links dropped because they fell silent for longer than the liveness timeout.
     */
    long droppedLinks()
    {
        return droppedLinks;
    }

    private void onFragment(final DirectBuffer msgBuffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            malformedMessages++;
            return;
        }

        headerDecoder.wrap(msgBuffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            malformedMessages++;
            return;
        }

        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int bodyLength = length - MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        try
        {
            final int templateId = headerDecoder.templateId();
            switch (templateId)
            {
                case HelloDecoder.TEMPLATE_ID:
                    helloDecoder.wrap(msgBuffer, bodyOffset, blockLength, version);
                    if (complete(helloDecoder.sbeDecodedLength(), bodyLength))
                    {
                        onHello(helloDecoder);
                    }
                    break;
                case HeartbeatDecoder.TEMPLATE_ID:
                    heartbeatDecoder.wrap(msgBuffer, bodyOffset, blockLength, version);
                    if (complete(heartbeatDecoder.sbeDecodedLength(), bodyLength))
                    {
                        onHeartbeat(heartbeatDecoder);
                    }
                    break;
                case SubscribeDecoder.TEMPLATE_ID:
                    subscribeDecoder.wrap(msgBuffer, bodyOffset, blockLength, version);
                    if (complete(subscribeDecoder.sbeDecodedLength(), bodyLength))
                    {
                        onSubscribe(subscribeDecoder);
                    }
                    break;
                case UnsubscribeDecoder.TEMPLATE_ID:
                    unsubscribeDecoder.wrap(msgBuffer, bodyOffset, blockLength, version);
                    if (complete(unsubscribeDecoder.sbeDecodedLength(), bodyLength))
                    {
                        onUnsubscribe(unsubscribeDecoder);
                    }
                    break;
                default:
                    if (!handler.onMessage(templateId, msgBuffer, bodyOffset, blockLength, version, bodyLength))
                    {
                        malformedMessages++;
                    }
                    break;
            }
        }
        catch (final RuntimeException ex)
        {
            // Out of bounds, or a length field past 2 GiB read as a negative array size: the message is malformed.
            malformedMessages++;
        }
    }

    /**
     * Check that a message's block and variable-length fields end within it, before they are read: a length field
     * read from a malformed message could otherwise make a decoder allocate up to 2 GiB for one string, or read past
     * the message into the ones after it. A message that fails is counted as malformed.
     *
     * @param decodedLength the body's length as its block and length fields give it ({@code sbeDecodedLength()}).
     * @param bodyLength    the bytes the message has after its header.
     * @return true if the message is whole.
     */
    boolean complete(final int decodedLength, final int bodyLength)
    {
        if (decodedLength < 0 || decodedLength > bodyLength)
        {
            malformedMessages++;
            return false;
        }
        return true;
    }

    private void onHello(final HelloDecoder hello)
    {
        final long linkId = hello.linkId();
        final int protocolVersion = hello.protocolVersion();
        final int responseStreamId = hello.responseStreamId();
        final String responseChannel = hello.responseChannel();
        hello.skipClientName();
        final byte[] token = new byte[hello.serviceTokenLength()];
        hello.getServiceToken(token, 0, token.length);

        String rejectReason = null;
        if (InterlinkProtocol.PROTOCOL_VERSION != protocolVersion)
        {
            rejectReason = "Unsupported protocol version " + protocolVersion + ", this server speaks " +
                InterlinkProtocol.PROTOCOL_VERSION;
        }
        else if (serviceToken.length > 0 && !MessageDigest.isEqual(serviceToken, token))
        {
            rejectReason = "Invalid service token";
        }

        final L old = linkById.remove(linkId);
        if (null != old)
        {
            links.remove(old);
            close(old);
        }

        final ExclusivePublication publication;
        try
        {
            publication = aeron.addExclusivePublication(responseChannel, responseStreamId);
        }
        catch (final RuntimeException ex)
        {
            malformedMessages++;
            return;
        }

        final L link = handler.newLink(linkId, publication, rejectReason, nowNs);
        linkById.put(linkId, link);
        links.add(link);
    }

    private void onHeartbeat(final HeartbeatDecoder heartbeat)
    {
        final L link = linkById.get(heartbeat.linkId());
        if (null == link)
        {
            unknownLinkMessages++;
            return;
        }
        link.lastHeardNs = nowNs;
    }

    private void onSubscribe(final SubscribeDecoder subscribe)
    {
        final L link = openLink(subscribe.linkId());
        if (null == link)
        {
            return;
        }

        final long requestId = subscribe.requestId();
        final short itemType = subscribe.itemTypeRaw();
        final String key = subscribe.itemKey();
        handler.onSubscribe(link, requestId, itemType, key);
    }

    private void onUnsubscribe(final UnsubscribeDecoder unsubscribe)
    {
        final L link = openLink(unsubscribe.linkId());
        if (null == link)
        {
            return;
        }

        final I item = link.items.remove(unsubscribe.itemId());
        if (null != item)
        {
            item.active = false;
            handler.onUnsubscribed(item);
        }
    }

    private void serviceLink(final L link)
    {
        if (!link.welcomed)
        {
            if (!link.publication.isConnected() ||
                !offer(link, encoder.welcome(link.linkId, link.rejectReason, heartbeatIntervalMs, serverName)))
            {
                return;
            }
            link.welcomed = true;
            link.closed = null != link.rejectReason;
            link.nextHeartbeatNs = nowNs + heartbeatIntervalNs;
            return;
        }

        if (nowNs - link.nextHeartbeatNs >= 0 && offer(link, encoder.heartbeat(link.linkId, nowMs)))
        {
            link.nextHeartbeatNs = nowNs + heartbeatIntervalNs;
        }

        DownstreamLink.Reply reply;
        while (null != (reply = link.replies.peek()))
        {
            if (!offer(link, encoder.subscribeResult(link.linkId, reply.requestId(), reply.itemId(), reply.status(),
                reply.reason())))
            {
                return;
            }
            link.replies.poll();
        }

        handler.sendQueued(link);
    }

    private void remove(final int index, final L link)
    {
        links.remove(index);
        linkById.remove(link.linkId, link);
        close(link);
    }

    private void close(final L link)
    {
        for (final I item : link.items.values())
        {
            item.active = false;
            handler.onUnsubscribed(item);
        }
        link.items.clear();
        CloseHelper.quietClose(link.publication);
    }
}
