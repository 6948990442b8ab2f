package io.meridian.engine;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.interlink.HeartbeatDecoder;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.HelloDecoder;
import io.meridian.codecs.interlink.HelloResult;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.WelcomeEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;

/**
 * Serves the control stream downstream proxies link on. Checks each Hello (protocol version, service token, the
 * number of links) and makes the accepted link's publication here, off the engine thread, then hands the link to
 * the engine; answers a refused Hello itself. Copies every other control message of a known link into a ring slot
 * for the engine, tracks each link's liveness and tells the engine when one falls silent, and closes the
 * publications the engine has let go of. Also puts a tick on the ring every few milliseconds while links are open,
 * which is when the engine sends Welcomes, heartbeats and owed snapshots.
 */
final class DownstreamPoller implements Agent, ControlledFragmentHandler
{
    static final long TICK_INTERVAL_MS = 20;
    private static final int FRAGMENT_LIMIT = 64;
    private static final long REFUSAL_LINGER_MS = 5_000;

    /**
     * A refused Hello: its Welcome goes out once the publication connects, and the publication closes after.
     */
    private static final class Refusal
    {
        final long linkId;
        final ExclusivePublication publication;
        final String reason;
        final long deadlineMs;

        Refusal(final long linkId, final ExclusivePublication publication, final String reason, final long deadlineMs)
        {
            this.linkId = linkId;
            this.publication = publication;
            this.reason = reason;
            this.deadlineMs = deadlineMs;
        }
    }

    private final Aeron aeron;
    private final RingBuffer<RingEvent> ring;
    private final Subscription controlSubscription;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final EpochClock clock;
    private final byte[] serviceToken;
    private final int maxLinks;
    /** A shared publication is served: a Hello that asks for it gets it. */
    private final boolean sharedServed;
    private final long livenessTimeoutMs;
    private final int heartbeatIntervalMs;
    private final String serverName;
    private final int slotBytes;
    private final EngineCounters counters;

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final HelloDecoder helloDecoder = new HelloDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final WelcomeEncoder welcomeEncoder = new WelcomeEncoder();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));

    private final Long2ObjectHashMap<DownstreamLink> linkById = new Long2ObjectHashMap<>();
    private final ArrayList<DownstreamLink> links = new ArrayList<>();
    /** Links the engine has been told about, or is to be told about, as open or closed: in order. */
    private final ArrayDeque<DownstreamLink> pendingOpen = new ArrayDeque<>();
    private final ArrayDeque<DownstreamLink> pendingClosed = new ArrayDeque<>();
    /** Links handed back to the engine as closed, whose publications close once the engine releases them. */
    private final ArrayList<DownstreamLink> closing = new ArrayList<>();
    private final ArrayList<Refusal> refusals = new ArrayList<>();
    private long nextTickMs;
    private long malformedMessages;

    /**
     * @param aeron    client for the control subscription and the links' publications.
     * @param ring     the engine's ring.
     * @param settings the downstream settings, heartbeat interval, liveness timeout, slot size and server name.
     * @param clock    time for liveness and ticks.
     * @param counters where refused links are counted.
     */
    DownstreamPoller(
        final Aeron aeron,
        final RingBuffer<RingEvent> ring,
        final EngineSettings settings,
        final EpochClock clock,
        final EngineCounters counters)
    {
        this.aeron = aeron;
        this.ring = ring;
        this.clock = clock;
        this.counters = counters;
        this.serviceToken = settings.downstreamServiceToken.getBytes(StandardCharsets.UTF_8);
        this.maxLinks = settings.downstreamMaxLinks;
        this.livenessTimeoutMs = settings.livenessTimeoutMs;
        this.heartbeatIntervalMs = (int)settings.heartbeatIntervalMs;
        this.serverName = settings.clientName;
        this.slotBytes = settings.slotBytes;
        this.sharedServed = !settings.downstreamSharedChannel.isEmpty();
        this.controlSubscription = aeron.addSubscription(settings.downstreamChannel, settings.downstreamStreamId);
    }

    @Override
    public String roleName()
    {
        return "downstream-poller";
    }

    @Override
    public int doWork()
    {
        final long nowMs = clock.time();
        int work = flushLinkEvents();
        if (pendingOpen.isEmpty() && pendingClosed.isEmpty())
        {
            work += controlSubscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        }
        work += dropSilentLinks(nowMs);
        work += closeReleased();
        work += answerRefusals(nowMs);
        if (!links.isEmpty() && nowMs >= nextTickMs && publish(RingEvent.DOWNSTREAM_TICK, null))
        {
            nextTickMs = nowMs + TICK_INTERVAL_MS;
            work++;
        }
        return work;
    }

    @Override
    public void onClose()
    {
        for (int i = 0; i < refusals.size(); i++)
        {
            CloseHelper.quietClose(refusals.get(i).publication);
        }
        // The links' publications are left to the Aeron client's close, which comes after the engine thread has
        // stopped: the engine may be sending on them until then.
        CloseHelper.quietClose(controlSubscription);
    }

    /**
     * @return links open now, as this poller sees them.
     */
    int linkCount()
    {
        return links.size();
    }

    /**
     * @return control messages that could not be read: too short, another schema, a Hello cut short, or larger
     * than a ring slot.
     */
    long malformedMessages()
    {
        return malformedMessages;
    }

    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!pendingOpen.isEmpty() || !pendingClosed.isEmpty())
        {
            return Action.ABORT;
        }
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            malformedMessages++;
            return Action.CONTINUE;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID ||
            MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength() > length ||
            headerDecoder.blockLength() < Long.BYTES)
        {
            malformedMessages++;
            return Action.CONTINUE;
        }
        final int templateId = headerDecoder.templateId();
        if (templateId == HelloDecoder.TEMPLATE_ID)
        {
            onHello(buffer, offset, length);
            return Action.CONTINUE;
        }

        // Every other control message starts with the link id.
        final long linkId = buffer.getLong(offset + MessageHeaderDecoder.ENCODED_LENGTH,
            MessageHeaderDecoder.BYTE_ORDER);
        final DownstreamLink link = linkById.get(linkId);
        if (null == link)
        {
            return Action.CONTINUE;
        }
        link.lastHeardMs = clock.time();
        if (templateId == HeartbeatDecoder.TEMPLATE_ID)
        {
            return Action.CONTINUE;
        }
        if (length > slotBytes)
        {
            malformedMessages++;
            return Action.CONTINUE;
        }
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            // Taken again on the next duty cycle.
            return Action.ABORT;
        }
        final RingEvent event = ring.get(sequence);
        event.type = RingEvent.DOWNSTREAM_MESSAGE;
        event.buffer.putBytes(0, buffer, offset, length);
        event.length = length;
        ring.publish(sequence);
        return Action.CONTINUE;
    }

    private void onHello(final DirectBuffer buffer, final int offset, final int length)
    {
        helloDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final int decodedLength;
        final String responseChannel;
        final String clientName;
        final byte[] token;
        try
        {
            decodedLength = helloDecoder.sbeDecodedLength();
            if (decodedLength < 0 || decodedLength > length - MessageHeaderDecoder.ENCODED_LENGTH)
            {
                malformedMessages++;
                return;
            }
            responseChannel = helloDecoder.responseChannel();
            clientName = helloDecoder.clientName();
            token = new byte[helloDecoder.serviceTokenLength()];
            helloDecoder.getServiceToken(token, 0, token.length);
        }
        catch (final RuntimeException ex)
        {
            malformedMessages++;
            return;
        }
        final long linkId = helloDecoder.linkId();
        final int protocolVersion = helloDecoder.protocolVersion();
        final int responseStreamId = helloDecoder.responseStreamId();
        final boolean shared = sharedServed &&
            headerDecoder.blockLength() >= HelloDecoder.sharedEncodingOffset() + 1 &&
            helloDecoder.shared() == BooleanType.TRUE;
        final long nowMs = clock.time();

        final DownstreamLink known = linkById.get(linkId);
        if (null != known && !known.welcomed && known.responseChannel.equals(responseChannel) &&
            known.responseStreamId == responseStreamId)
        {
            // The downstream repeats its Hello until the Welcome arrives: this is the same link, still connecting.
            known.lastHeardMs = nowMs;
            return;
        }

        String refusal = null;
        if (InterlinkProtocol.PROTOCOL_VERSION != protocolVersion)
        {
            refusal = "Unsupported protocol version " + protocolVersion + ", this server speaks " +
                InterlinkProtocol.PROTOCOL_VERSION;
        }
        else if (serviceToken.length > 0 && !MessageDigest.isEqual(serviceToken, token))
        {
            refusal = "Invalid service token";
        }
        else if (null == known && links.size() >= maxLinks)
        {
            refusal = "Too many links: this server takes " + maxLinks;
        }

        if (null != known)
        {
            // A welcomed link says Hello again after it lost this server: the old incarnation ends first.
            removeLink(known);
        }

        final ExclusivePublication publication;
        try
        {
            publication = aeron.addExclusivePublication(responseChannel, responseStreamId);
        }
        catch (final RuntimeException ex)
        {
            malformedMessages++;
            counters.downstreamLinksRefused.incrementRelease();
            return;
        }
        if (null != refusal)
        {
            counters.downstreamLinksRefused.incrementRelease();
            refusals.add(new Refusal(linkId, publication, refusal, nowMs + REFUSAL_LINGER_MS));
            return;
        }
        final DownstreamLink link =
            new DownstreamLink(linkId, publication, clientName, responseChannel, responseStreamId, shared, nowMs);
        linkById.put(linkId, link);
        links.add(link);
        pendingOpen.add(link);
        flushLinkEvents();
    }

    private int dropSilentLinks(final long nowMs)
    {
        int dropped = 0;
        for (int i = links.size() - 1; i >= 0; i--)
        {
            final DownstreamLink link = links.get(i);
            if (nowMs - link.lastHeardMs > livenessTimeoutMs)
            {
                removeLink(link);
                dropped++;
            }
        }
        return dropped;
    }

    private void removeLink(final DownstreamLink link)
    {
        links.remove(link);
        linkById.remove(link.linkId, link);
        if (pendingOpen.remove(link))
        {
            // The engine never heard of it.
            CloseHelper.quietClose(link.publication);
            return;
        }
        pendingClosed.add(link);
        closing.add(link);
        flushLinkEvents();
    }

    private int flushLinkEvents()
    {
        int work = 0;
        // Closes first: a replaced link's end must reach the engine before its successor.
        while (!pendingClosed.isEmpty() && publish(RingEvent.DOWNSTREAM_LINK_CLOSED, pendingClosed.peek()))
        {
            pendingClosed.poll();
            work++;
        }
        while (pendingClosed.isEmpty() && !pendingOpen.isEmpty() &&
            publish(RingEvent.DOWNSTREAM_LINK_OPEN, pendingOpen.peek()))
        {
            pendingOpen.poll();
            work++;
        }
        return work;
    }

    private int closeReleased()
    {
        int work = 0;
        for (int i = closing.size() - 1; i >= 0; i--)
        {
            final DownstreamLink link = closing.get(i);
            if (link.released)
            {
                closing.remove(i);
                CloseHelper.quietClose(link.publication);
                work++;
            }
        }
        return work;
    }

    private int answerRefusals(final long nowMs)
    {
        int work = 0;
        for (int i = refusals.size() - 1; i >= 0; i--)
        {
            final Refusal refusal = refusals.get(i);
            boolean done = nowMs >= refusal.deadlineMs;
            if (!done && refusal.publication.isConnected())
            {
                welcomeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                    .linkId(refusal.linkId)
                    .result(HelloResult.REJECTED)
                    .protocolVersion(InterlinkProtocol.PROTOCOL_VERSION)
                    .heartbeatIntervalMs(heartbeatIntervalMs)
                    .tradingStatus(FeedStatus.NULL_VAL)
                    .shared(BooleanType.FALSE)
                    .serverName(serverName)
                    .reason(refusal.reason);
                done = refusal.publication.offer(
                    sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + welcomeEncoder.encodedLength()) > 0;
            }
            if (done)
            {
                refusals.remove(i);
                CloseHelper.quietClose(refusal.publication);
                work++;
            }
        }
        return work;
    }

    private boolean publish(final int type, final DownstreamLink link)
    {
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            return false;
        }
        final RingEvent event = ring.get(sequence);
        event.type = type;
        event.request = link;
        ring.publish(sequence);
        return true;
    }
}
