package io.meridian.engine;

import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.ControlledFragmentHandler;
import io.aeron.logbuffer.Header;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.HeartbeatDecoder;
import io.meridian.codecs.interlink.HeartbeatEncoder;
import io.meridian.codecs.interlink.HelloEncoder;
import io.meridian.codecs.interlink.HelloResult;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.WelcomeDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Polls the upstream link and copies each message into a slot of the engine's ring (claim, copy, publish). Owns the
 * link's life: Hello until Welcome, heartbeats both ways, and declaring the link lost after a silence. When the ring
 * is full it stops polling and leaves the messages in Aeron's log buffer, so nothing is dropped.
 * <p>
 * With {@code upstream.shared-channel} set it also reads the upstream proxy's shared stream, asks for it in Hello,
 * and if the Welcome says yes passes its item updates to the engine; the shared stream's heartbeats keep it alive
 * as the link's keep the link.
 */
final class UpstreamPoller implements Agent, ControlledFragmentHandler
{
    enum LinkState
    {
        CONNECTING, UP, REJECTED
    }

    private static final int FRAGMENT_LIMIT = 64;
    private static final long REJECTED_RETRY_MS = 5_000;
    /** How long a link goes without the shared stream after the stream was never heard from on a try. */
    static final long SHARED_RETRY_MS = 60_000;
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(UpstreamPoller.class);

    private final RingBuffer<RingEvent> ring;
    private final Publication controlPublication;
    private final Subscription dataSubscription;
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this);
    private final Aeron aeron;
    private final String sharedChannel;
    private final int sharedStreamId;
    /** The upstream's shared stream, or null when not read. */
    private Subscription sharedSubscription;
    private final ControlledFragmentAssembler sharedAssembler = new ControlledFragmentAssembler(this::onSharedFragment);
    /** The Welcome said this link's updates come on the shared stream. */
    private boolean sharedUp;
    private long lastSharedMs;
    /** Something came on the shared stream since the Welcome. */
    private boolean sharedHeard;
    /** Hello asks for the shared stream only from this time: it was never heard on the last try. */
    private long sharedRetryAtMs;
    /** When a Hello began waiting for the shared stream to connect; 0 when not waiting. */
    private long sharedWaitSinceMs;
    private org.agrona.concurrent.status.AtomicCounter sharedLostCounter;
    private final EpochClock clock;
    private final String responseChannel;
    private final int responseStreamId;
    private final String clientName;
    private final String serviceToken;
    private final long heartbeatIntervalMs;
    private final long livenessTimeoutMs;
    private final int slotBytes;
    private final int linkIndex;

    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final HelloEncoder helloEncoder = new HelloEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final WelcomeDecoder welcomeDecoder = new WelcomeDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();

    private final AtomicReference<LinkState> linkState = new AtomicReference<>(LinkState.CONNECTING);
    private final AtomicReference<String> lastRejectReason = new AtomicReference<>("");
    private final AtomicLong droppedMessages = new AtomicLong();
    private final AtomicLong sharedLost = new AtomicLong();
    private final long linkId;
    private long lastReceivedMs;
    private long lastHeartbeatSentMs;
    /** The upstream's trading feed as its Welcome or heartbeats last said since the link came up; null: not said. */
    private FeedStatus lastTradingStatus;
    private static final FeedStatus[] FEED_STATUSES = FeedStatus.values();
    private long lastHelloSentMs;
    private long rejectedAtMs;
    private int pendingLinkEvent;
    private org.agrona.concurrent.status.AtomicCounter ringFull;

    /**
     * The poller of the market-data upstream (the Feed Server).
     */
    UpstreamPoller(
        final Aeron aeron,
        final RingBuffer<RingEvent> ring,
        final EngineSettings settings,
        final EpochClock clock)
    {
        this(aeron, ring, settings, settings.market, UpstreamLink.MARKET, clock);
    }

    /**
     * @param aeron     client to add the publication and subscription with.
     * @param ring      where messages and link events go.
     * @param settings  engine settings: client name, timers, slot size.
     * @param link      channels, streams and service token of this upstream.
     * @param linkIndex {@link UpstreamLink#MARKET} or {@link UpstreamLink#TRADING}, stamped on every ring event.
     * @param clock     time for heartbeats and liveness.
     */
    UpstreamPoller(
        final Aeron aeron,
        final RingBuffer<RingEvent> ring,
        final EngineSettings settings,
        final EngineSettings.Link link,
        final int linkIndex,
        final EpochClock clock)
    {
        this.ring = ring;
        this.clock = clock;
        this.linkIndex = linkIndex;
        this.responseChannel = link.responseChannel;
        this.responseStreamId = link.responseStreamId;
        this.clientName = settings.clientName;
        this.serviceToken = link.serviceToken;
        this.heartbeatIntervalMs = settings.heartbeatIntervalMs;
        this.livenessTimeoutMs = settings.livenessTimeoutMs;
        this.slotBytes = settings.slotBytes;
        this.aeron = aeron;
        this.sharedChannel = link.sharedChannel;
        this.sharedStreamId = link.sharedStreamId;
        this.controlPublication = aeron.addPublication(link.controlChannel, link.controlStreamId);
        this.dataSubscription = aeron.addSubscription(link.responseChannel, link.responseStreamId);
        if (!sharedChannel.isEmpty())
        {
            this.sharedSubscription = aeron.addSubscription(sharedChannel, sharedStreamId);
        }
        this.linkId = newLinkId();
    }

    /**
     * @param ringFull counts the times an upstream message had to wait because the ring was full; only this
     *                 poller's thread may write it.
     */
    void ringFullCounter(final org.agrona.concurrent.status.AtomicCounter ringFull)
    {
        this.ringFull = ringFull;
    }

    /**
     * @param sharedLost counts the times the shared stream fell silent while the link lived; only this poller's
     *                   thread may write it.
     */
    void sharedLostCounter(final org.agrona.concurrent.status.AtomicCounter sharedLost)
    {
        this.sharedLostCounter = sharedLost;
    }

    @Override
    public String roleName()
    {
        return linkIndex == UpstreamLink.MARKET ? "upstream-poller" : "trading-poller";
    }

    @Override
    public int doWork()
    {
        final long nowMs = clock.time();
        int work = 0;
        if (pendingLinkEvent != 0)
        {
            if (!publishLinkEvent(pendingLinkEvent))
            {
                return 0;
            }
            pendingLinkEvent = 0;
            work++;
        }
        work += dataSubscription.controlledPoll(assembler, FRAGMENT_LIMIT);
        if (null != sharedSubscription)
        {
            work += sharedSubscription.controlledPoll(sharedAssembler, FRAGMENT_LIMIT);
        }
        work += checkLink(nowMs);
        return work;
    }

    @Override
    public void onClose()
    {
        CloseHelper.closeAll(sharedSubscription, dataSubscription, controlPublication);
    }

    LinkState linkState()
    {
        return linkState.get();
    }

    String lastRejectReason()
    {
        return lastRejectReason.get();
    }

    long droppedMessages()
    {
        return droppedMessages.get();
    }

    /**
     * @return the times the shared stream fell silent while the link lived, each ending the link.
     */
    long sharedLost()
    {
        return sharedLost.get();
    }

    private int checkLink(final long nowMs)
    {
        switch (linkState.get())
        {
            case CONNECTING:
                if (nowMs - lastHelloSentMs >= Math.min(250, heartbeatIntervalMs) && controlPublication.isConnected() &&
                    sharedReady(nowMs))
                {
                    lastHelloSentMs = nowMs;
                    lastReceivedMs = nowMs;
                    sendHello();
                    return 1;
                }
                return 0;
            case REJECTED:
                if (nowMs - rejectedAtMs >= REJECTED_RETRY_MS)
                {
                    linkState.set(LinkState.CONNECTING);
                    return 1;
                }
                return 0;
            default:
                int work = 0;
                if (nowMs - lastHeartbeatSentMs >= heartbeatIntervalMs)
                {
                    lastHeartbeatSentMs = nowMs;
                    sendHeartbeat(nowMs);
                    work++;
                }
                if (nowMs - lastReceivedMs > livenessTimeoutMs)
                {
                    linkLost();
                    work++;
                }
                else if (sharedUp && nowMs - lastSharedMs > livenessTimeoutMs)
                {
                    // The link is alive but the shared stream is not: this proxy's image of it has stopped (loss it
                    // could not repair, having fallen too far behind) or never joined. The link starts again, and
                    // the stream is joined afresh, at the upstream's current position.
                    sharedLost.incrementAndGet();
                    if (null != sharedLostCounter)
                    {
                        sharedLostCounter.incrementRelease();
                    }
                    if (!sharedHeard)
                    {
                        // Nothing ever came on it: the channel is wrong or unreachable. The link goes on without
                        // it for a while rather than starting again every liveness timeout.
                        sharedRetryAtMs = nowMs + SHARED_RETRY_MS;
                        LOG.warn("nothing came on the upstream's shared stream {} stream {} in {} ms; the link " +
                            "takes its updates itself until it next starts again, and asks for the stream again " +
                            "from {} s on", sharedChannel, sharedStreamId, livenessTimeoutMs, SHARED_RETRY_MS / 1000);
                    }
                    else
                    {
                        LOG.warn("the upstream's shared stream went silent for {} ms while the link lived; " +
                            "starting the link again and joining the stream afresh", livenessTimeoutMs);
                    }
                    linkLost();
                    CloseHelper.quietClose(sharedSubscription);
                    sharedSubscription = aeron.addSubscription(sharedChannel, sharedStreamId);
                    work++;
                }
                return work;
        }
    }

    private void linkLost()
    {
        // The link id stays: a Hello with the same id makes the upstream replace the old link (and its
        // publication), so data from the lost incarnation cannot interleave with the new one.
        linkState.set(LinkState.CONNECTING);
        sharedUp = false;
        if (!publishLinkEvent(RingEvent.LINK_DOWN))
        {
            pendingLinkEvent = RingEvent.LINK_DOWN;
        }
    }

    @Override
    public Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            droppedMessages.incrementAndGet();
            return Action.CONTINUE;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            droppedMessages.incrementAndGet();
            return Action.CONTINUE;
        }
        lastReceivedMs = clock.time();

        final int templateId = headerDecoder.templateId();
        if (templateId == WelcomeDecoder.TEMPLATE_ID)
        {
            return onWelcome(buffer, offset, length);
        }
        if (templateId == HeartbeatDecoder.TEMPLATE_ID)
        {
            return onHeartbeat(buffer, offset, length);
        }
        if (linkState.get() != LinkState.UP)
        {
            return Action.CONTINUE;
        }
        if (length > slotBytes)
        {
            droppedMessages.incrementAndGet();
            return Action.CONTINUE;
        }
        return publishMessage(RingEvent.UPSTREAM_MESSAGE, buffer, offset, length);
    }

    /**
     * Copy a message into a ring slot (claim, copy, publish).
     *
     * @return ABORT when the ring is full: the message stays in the Aeron log and is taken again on the next duty
     * cycle.
     */
    private Action publishMessage(final int type, final DirectBuffer buffer, final int offset, final int length)
    {
        final long sequence;
        try
        {
            sequence = ring.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            if (null != ringFull)
            {
                ringFull.incrementRelease();
            }
            return Action.ABORT;
        }
        final RingEvent event = ring.get(sequence);
        event.type = type;
        event.link = linkIndex;
        event.buffer.putBytes(0, buffer, offset, length);
        event.length = length;
        ring.publish(sequence);
        return Action.CONTINUE;
    }

    /**
     * A fragment of the upstream's shared stream: heartbeats keep it alive, item updates go to the engine (which
     * passes over those of items it does not hold). Nothing is taken before the Welcome says the link reads it.
     */
    private Action onSharedFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        if (!sharedUp || linkState.get() != LinkState.UP)
        {
            return Action.CONTINUE;
        }
        if (length < MessageHeaderDecoder.ENCODED_LENGTH || length > slotBytes)
        {
            droppedMessages.incrementAndGet();
            return Action.CONTINUE;
        }
        headerDecoder.wrap(buffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            droppedMessages.incrementAndGet();
            return Action.CONTINUE;
        }
        lastSharedMs = clock.time();
        sharedHeard = true;
        if (headerDecoder.templateId() == HeartbeatDecoder.TEMPLATE_ID)
        {
            return Action.CONTINUE;
        }
        return publishMessage(RingEvent.SHARED_MESSAGE, buffer, offset, length);
    }

    /**
     * A heartbeat from upstream may say how the upstream's own trading feed is; a change goes to the engine, which
     * shows it as this proxy's trading feed when this is the trading link.
     */
    private Action onHeartbeat(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength())
        {
            droppedMessages.incrementAndGet();
            return Action.CONTINUE;
        }
        heartbeatDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        // A block too short for the field (an older sender) or a value this build does not know says nothing.
        final FeedStatus status = headerDecoder.blockLength() < HeartbeatDecoder.BLOCK_LENGTH ? null :
            knownStatus(heartbeatDecoder.tradingStatusRaw());
        if (linkState.get() != LinkState.UP || null == status || status == lastTradingStatus)
        {
            return Action.CONTINUE;
        }
        if (!publishLinkEvent(RingEvent.TRADING_STATUS, status.value()))
        {
            return Action.ABORT;
        }
        lastTradingStatus = status;
        return Action.CONTINUE;
    }

    /**
     * @param raw a {@code FeedStatus} value off the wire.
     * @return the status, or null for the null value or a value this schema does not know.
     */
    static FeedStatus knownStatus(final short raw)
    {
        for (final FeedStatus status : FEED_STATUSES)
        {
            if (status.value() == raw && status != FeedStatus.NULL_VAL)
            {
                return status;
            }
        }
        return null;
    }

    private Action onWelcome(final DirectBuffer buffer, final int offset, final int length)
    {
        welcomeDecoder.wrapAndApplyHeader(buffer, offset, headerDecoder);
        final String reason;
        final FeedStatus welcomeStatus;
        final boolean welcomeShared;
        try
        {
            // Length fields past the message's end would make the decoder allocate up to 2 GiB for the reason, or
            // throw (a length past 2 GiB reads as negative): such a Welcome is dropped.
            final int decodedLength = welcomeDecoder.sbeDecodedLength();
            if (decodedLength < 0 || decodedLength > length - MessageHeaderDecoder.ENCODED_LENGTH)
            {
                droppedMessages.incrementAndGet();
                return Action.CONTINUE;
            }
            // Fixed fields first: reading the names moves past the block.
            welcomeStatus = headerDecoder.blockLength() < WelcomeDecoder.tradingStatusEncodingOffset() + 1 ? null :
                knownStatus(welcomeDecoder.tradingStatusRaw());
            welcomeShared = askShared() &&
                headerDecoder.blockLength() >= WelcomeDecoder.sharedEncodingOffset() + 1 &&
                welcomeDecoder.sharedRaw() == BooleanType.TRUE.value();
            welcomeDecoder.skipServerName();
            reason = welcomeDecoder.reason();
        }
        catch (final RuntimeException ex)
        {
            droppedMessages.incrementAndGet();
            return Action.CONTINUE;
        }
        if (welcomeDecoder.linkId() != linkId || linkState.get() == LinkState.UP)
        {
            return Action.CONTINUE;
        }
        if (welcomeDecoder.result() == HelloResult.ACCEPTED)
        {
            // The engine takes the upstream's trading feed with the link, so it never shows Active in between.
            if (!publishLinkEvent(RingEvent.LINK_UP, (null == welcomeStatus ? 0 : welcomeStatus.value() + 1) |
                (welcomeShared ? RingEvent.SHARED_LINK : 0)))
            {
                return Action.ABORT;
            }
            sharedUp = welcomeShared;
            sharedHeard = false;
            lastSharedMs = clock.time();
            linkState.set(LinkState.UP);
            lastHeartbeatSentMs = 0;
            lastTradingStatus = welcomeStatus;
        }
        else
        {
            lastRejectReason.set(reason);
            linkState.set(LinkState.REJECTED);
            rejectedAtMs = clock.time();
        }
        return Action.CONTINUE;
    }

    private boolean publishLinkEvent(final int type)
    {
        return publishLinkEvent(type, 0);
    }

    private boolean publishLinkEvent(final int type, final int value)
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
        event.link = linkIndex;
        event.transactionId = linkId;
        event.length = value;
        ring.publish(sequence);
        return true;
    }

    private void sendHello()
    {
        helloEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .linkId(linkId)
            .protocolVersion(InterlinkProtocol.PROTOCOL_VERSION)
            .heartbeatIntervalMs((int)heartbeatIntervalMs)
            .responseStreamId(responseStreamId)
            .shared(askShared() ? BooleanType.TRUE : BooleanType.FALSE)
            .responseChannel(responseChannel)
            .clientName(clientName)
            .serviceToken(serviceToken);
        controlPublication.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + helloEncoder.encodedLength());
    }

    /**
     * A Hello that asks for the shared stream waits until this proxy's image of it is connected: updates the
     * upstream sends on it before then would never reach this proxy, and nothing would show they were missed. After
     * a liveness timeout of waiting, the Hello goes without it, and asks again after {@link #SHARED_RETRY_MS}.
     *
     * @return true if a Hello may go now.
     */
    private boolean sharedReady(final long nowMs)
    {
        if (!askShared() || sharedSubscription.isConnected())
        {
            sharedWaitSinceMs = 0;
            return true;
        }
        if (sharedWaitSinceMs == 0)
        {
            sharedWaitSinceMs = nowMs;
            return false;
        }
        if (nowMs - sharedWaitSinceMs <= livenessTimeoutMs)
        {
            return false;
        }
        sharedWaitSinceMs = 0;
        sharedRetryAtMs = nowMs + SHARED_RETRY_MS;
        if (null != sharedLostCounter)
        {
            sharedLostCounter.incrementRelease();
        }
        LOG.warn("the upstream's shared stream {} stream {} did not connect in {} ms; the link takes its updates " +
            "itself until it next starts again, and asks for the stream again from {} s on", sharedChannel,
            sharedStreamId, livenessTimeoutMs, SHARED_RETRY_MS / 1000);
        return true;
    }

    private boolean askShared()
    {
        return null != sharedSubscription && clock.time() >= sharedRetryAtMs;
    }

    private void sendHeartbeat(final long nowMs)
    {
        heartbeatEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).linkId(linkId).timestampMs(nowMs)
            .tradingStatus(FeedStatus.NULL_VAL);
        controlPublication.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength());
    }

    Publication controlPublication()
    {
        return controlPublication;
    }

    private static long newLinkId()
    {
        long id;
        do
        {
            id = ThreadLocalRandom.current().nextLong();
        }
        while (id == 0);
        return id;
    }
}
