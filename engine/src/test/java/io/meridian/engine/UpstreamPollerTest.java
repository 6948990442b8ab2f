package io.meridian.engine;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.HeartbeatDecoder;
import io.meridian.codecs.interlink.HeartbeatEncoder;
import io.meridian.codecs.interlink.HelloDecoder;
import io.meridian.codecs.interlink.HelloResult;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SnapshotBeginDecoder;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.WelcomeEncoder;
import io.meridian.config.MeridianConfig;
import org.agrona.CloseHelper;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The upstream poller driven on the test thread against a scripted upstream over a real embedded media driver.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UpstreamPollerTest
{
    private static final int HEARTBEAT_MS = 100;
    private static final int LIVENESS_MS = 500;

    private final CachedEpochClock clock = new CachedEpochClock();
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final List<Long> helloLinkIds = new ArrayList<>();
    private BooleanType lastHelloShared;
    private int heartbeatsReceived;
    private MediaDriver driver;
    private Aeron aeron;
    private RingBuffer<RingEvent> ring;
    private final Sequence consumed = new Sequence();
    private UpstreamPoller poller;
    private Subscription upstreamControl;
    private Publication upstreamData;

    @BeforeEach
    void setUp()
    {
        final String dir = new File(System.getProperty("java.io.tmpdir"), "poller-test-" + UUID.randomUUID())
            .getAbsolutePath();
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        ring = RingBuffer.createMultiProducer(() -> new RingEvent(512), 64);
        ring.addGatingSequences(consumed);

        final MeridianConfig config = MeridianConfig.of(Map.of(
            "upstream.heartbeat-interval-ms", Integer.toString(HEARTBEAT_MS),
            "upstream.liveness-timeout-ms", Integer.toString(LIVENESS_MS),
            "engine.slot-bytes", "512"));
        upstreamControl = aeron.addSubscription(config.upstreamChannel(), config.upstreamControlStreamId());
        upstreamData = aeron.addPublication(config.upstreamResponseChannel(), config.upstreamResponseStreamId());
        clock.update(1_000_000);
        poller = new UpstreamPoller(aeron, ring, new EngineSettings(config), clock);
    }

    @AfterEach
    void tearDown()
    {
        if (null != poller)
        {
            poller.onClose();
        }
        CloseHelper.quietCloseAll(upstreamControl, upstreamData, aeron, driver);
    }

    @Test
    void theUpstreamsTradingFeedComesWithTheWelcomeAndEachChangeInItsHeartbeats()
    {
        awaitHello();
        final long linkId = helloLinkIds.get(0);
        sendWelcome(linkId, HelloResult.ACCEPTED, FeedStatus.Impaired);
        work(() -> poller.linkState() == UpstreamPoller.LinkState.UP, 1000);
        final RingEvent up = next();
        assertEquals(RingEvent.LINK_UP, up.type);
        assertEquals(FeedStatus.Impaired.value() + 1, up.length, "the Welcome's status goes with the link");

        sendHeartbeat(linkId, FeedStatus.Impaired);
        sendHeartbeat(linkId, FeedStatus.NULL_VAL);
        sendHeartbeat(linkId, FeedStatus.Active);
        work(() -> ring.getCursor() > consumed.get(), 1000);
        final RingEvent change = next();
        assertEquals(RingEvent.TRADING_STATUS, change.type, "the same status again and a null one say nothing");
        assertEquals(FeedStatus.Active.value(), change.length);

        sendHeartbeat(linkId, FeedStatus.Active);
        sendSnapshotBegin(7);
        work(() -> ring.getCursor() > consumed.get(), 1000);
        assertEquals(RingEvent.UPSTREAM_MESSAGE, next().type, "no event for a status that did not change");
        assertNull(UpstreamPoller.knownStatus((short)99), "a value this build does not know says nothing");
    }

    @Test
    void saysHelloForwardsDataAfterWelcomeAndDeclaresTheLinkLostAfterSilence()
    {
        awaitHello();
        final long linkId = helloLinkIds.get(0);

        sendSnapshotBegin(5);
        work(() -> false, 20);
        assertEquals(-1, ring.getCursor(), "nothing is forwarded before Welcome");

        sendWelcome(linkId + 1, HelloResult.ACCEPTED);
        work(() -> false, 20);
        assertEquals(UpstreamPoller.LinkState.CONNECTING, poller.linkState(), "a Welcome for another link is ignored");

        sendWelcome(linkId, HelloResult.ACCEPTED);
        work(() -> poller.linkState() == UpstreamPoller.LinkState.UP, 1000);
        final RingEvent up = next();
        assertEquals(RingEvent.LINK_UP, up.type);
        assertEquals(linkId, up.transactionId);

        sendSnapshotBegin(42);
        work(() -> ring.getCursor() > consumed.get(), 1000);
        final RingEvent data = next();
        assertEquals(RingEvent.UPSTREAM_MESSAGE, data.type);
        headerDecoder.wrap(data.buffer, 0);
        assertEquals(SnapshotBeginDecoder.TEMPLATE_ID, headerDecoder.templateId());
        assertEquals(42, new SnapshotBeginDecoder().wrapAndApplyHeader(data.buffer, 0, headerDecoder).itemId());

        clock.advance(HEARTBEAT_MS + 1);
        work(() -> heartbeatsReceived > 0, 1000);
        assertTrue(heartbeatsReceived > 0, "the poller heartbeats while the link is up");

        clock.advance(LIVENESS_MS + 1);
        work(() -> poller.linkState() == UpstreamPoller.LinkState.CONNECTING, 1000);
        assertEquals(RingEvent.LINK_DOWN, next().type);

        clock.advance(HEARTBEAT_MS + 1);
        final int hellosBefore = helloLinkIds.size();
        work(() -> helloLinkIds.size() > hellosBefore, 1000);
        assertEquals(linkId, helloLinkIds.get(helloLinkIds.size() - 1), "the same link id says Hello again");
    }

    @Test
    void aSharedStreamIsAskedForTakenOnlyWhenWelcomedAndItsSilenceEndsTheLink()
    {
        final int sharedPort;
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            sharedPort = socket.getLocalPort();
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
        final String sharedChannel = "aeron:udp?endpoint=127.0.0.1:" + sharedPort;
        poller.onClose();
        poller = new UpstreamPoller(aeron, ring, new EngineSettings(MeridianConfig.of(Map.of(
            "upstream.heartbeat-interval-ms", Integer.toString(HEARTBEAT_MS),
            "upstream.liveness-timeout-ms", Integer.toString(LIVENESS_MS),
            "upstream.shared-channel", sharedChannel,
            "engine.slot-bytes", "512"))), clock);
        try (Publication shared = aeron.addPublication(sharedChannel, 1012))
        {
            awaitHello();
            assertEquals(BooleanType.TRUE, lastHelloShared, "the Hello asks for the shared stream");
            final long linkId = helloLinkIds.get(helloLinkIds.size() - 1);

            // Welcomed without it: the link is up, and the shared stream is read but not taken.
            sendWelcome(linkId, HelloResult.ACCEPTED, FeedStatus.NULL_VAL, BooleanType.FALSE);
            work(() -> poller.linkState() == UpstreamPoller.LinkState.UP, 1000);
            assertEquals(0, next().length & RingEvent.SHARED_LINK);
            awaitConnected(shared);
            offerOn(shared, snapshotBegin(9));
            work(() -> false, 200);
            assertEquals(consumed.get(), ring.getCursor(), "nothing taken from a stream the Welcome did not give");

            // The link is lost and welcomed again, now with the shared stream.
            clock.advance(LIVENESS_MS + 1);
            work(() -> poller.linkState() == UpstreamPoller.LinkState.CONNECTING, 1000);
            assertEquals(RingEvent.LINK_DOWN, next().type);
            clock.advance(HEARTBEAT_MS + 1);
            work(() -> false, 20);
            sendWelcome(linkId, HelloResult.ACCEPTED, FeedStatus.NULL_VAL, BooleanType.TRUE);
            work(() -> poller.linkState() == UpstreamPoller.LinkState.UP, 1000);
            assertEquals(RingEvent.SHARED_LINK, next().length & RingEvent.SHARED_LINK);
            offerOn(shared, snapshotBegin(11));
            work(() -> ring.getCursor() > consumed.get(), 1000);
            final RingEvent update = next();
            assertEquals(RingEvent.SHARED_MESSAGE, update.type);
            assertEquals(11, update.buffer.getLong(MessageHeaderEncoder.ENCODED_LENGTH,
                MessageHeaderEncoder.BYTE_ORDER));

            // The link keeps talking, the shared stream does not: the link ends, to be joined afresh.
            for (int i = 0; i < 3; i++)
            {
                clock.advance(LIVENESS_MS / 2);
                sendHeartbeat(linkId, FeedStatus.NULL_VAL);
                work(() -> poller.linkState() == UpstreamPoller.LinkState.CONNECTING, 200);
            }
            assertEquals(UpstreamPoller.LinkState.CONNECTING, poller.linkState());
            assertEquals(1, poller.sharedLost());
            assertEquals(RingEvent.LINK_DOWN, next().type);

            // The stream was heard before it fell silent: the next Hello asks for it again. Welcomed to it, and
            // nothing ever comes on it: the link goes on without it for a while.
            clock.advance(HEARTBEAT_MS + 1);
            final int hellos = helloLinkIds.size();
            work(() -> helloLinkIds.size() > hellos, 1000);
            assertEquals(BooleanType.TRUE, lastHelloShared);
            sendWelcome(linkId, HelloResult.ACCEPTED, FeedStatus.NULL_VAL, BooleanType.TRUE);
            work(() -> poller.linkState() == UpstreamPoller.LinkState.UP, 1000);
            assertEquals(RingEvent.SHARED_LINK, next().length & RingEvent.SHARED_LINK);
            for (int i = 0; i < 3; i++)
            {
                clock.advance(LIVENESS_MS / 2);
                sendHeartbeat(linkId, FeedStatus.NULL_VAL);
                work(() -> poller.linkState() == UpstreamPoller.LinkState.CONNECTING, 200);
            }
            assertEquals(2, poller.sharedLost());
            assertEquals(RingEvent.LINK_DOWN, next().type);
            clock.advance(HEARTBEAT_MS + 1);
            final int hellosAfter = helloLinkIds.size();
            work(() -> helloLinkIds.size() > hellosAfter, 1000);
            assertEquals(BooleanType.FALSE, lastHelloShared, "not asked for until " +
                UpstreamPoller.SHARED_RETRY_MS + " ms have passed");
            clock.advance(UpstreamPoller.SHARED_RETRY_MS);
            final int hellosLater = helloLinkIds.size();
            work(() -> helloLinkIds.size() > hellosLater, 1000);
            assertEquals(BooleanType.TRUE, lastHelloShared, "asked for again after");
        }
    }

    @Test
    void aHelloWaitsForTheSharedStreamToConnectThenGoesWithoutIt()
    {
        poller.onClose();
        poller = new UpstreamPoller(aeron, ring, new EngineSettings(MeridianConfig.of(Map.of(
            "upstream.heartbeat-interval-ms", Integer.toString(HEARTBEAT_MS),
            "upstream.liveness-timeout-ms", Integer.toString(LIVENESS_MS),
            "upstream.shared-channel", "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort(),
            "engine.slot-bytes", "512"))), clock);
        // Nothing publishes the shared stream: the Hello waits for it.
        work(() -> false, 300);
        clock.advance(LIVENESS_MS / 2);
        work(() -> false, 100);
        assertTrue(helloLinkIds.isEmpty(), "no Hello while the shared stream may still connect");

        clock.advance(LIVENESS_MS);
        work(() -> !helloLinkIds.isEmpty(), 1000);
        work(() -> !helloLinkIds.isEmpty(), 1000);
        assertEquals(BooleanType.FALSE, lastHelloShared, "after the liveness timeout, a Hello without it");
    }

    private static int freeUdpPort()
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final java.io.IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private int snapshotBegin(final long itemId)
    {
        return MessageHeaderEncoder.ENCODED_LENGTH + new SnapshotBeginEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).itemId(itemId).seqNo(1).encodedLength();
    }

    private void awaitConnected(final Publication publication)
    {
        final long deadline = System.currentTimeMillis() + 5000;
        while (!publication.isConnected())
        {
            assertTrue(System.currentTimeMillis() < deadline, "the shared stream never connected");
            poller.doWork();
            Thread.yield();
        }
    }

    private void offerOn(final Publication publication, final int length)
    {
        final long deadline = System.currentTimeMillis() + 5000;
        while (publication.offer(buffer, 0, length) < 0)
        {
            assertTrue(System.currentTimeMillis() < deadline, "the shared stream could not send");
            Thread.yield();
        }
    }

    @Test
    void rejectedLinkWaitsAndSaysHelloAgain()
    {
        awaitHello();
        sendWelcome(helloLinkIds.get(0), HelloResult.REJECTED);
        work(() -> poller.linkState() == UpstreamPoller.LinkState.REJECTED, 1000);
        assertEquals("bad token", poller.lastRejectReason());
        assertEquals(-1, ring.getCursor(), "a rejected link publishes no link event");

        clock.advance(5_001);
        final int hellosBefore = helloLinkIds.size();
        work(() -> helloLinkIds.size() > hellosBefore, 2000);
        assertTrue(helloLinkIds.size() > hellosBefore);
    }

    @Test
    void aWelcomeWhoseReasonRunsPastItsEndIsDropped()
    {
        awaitHello();
        final long linkId = helloLinkIds.get(0);
        final int bodyLength = new WelcomeEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId).result(HelloResult.REJECTED).protocolVersion(1).heartbeatIntervalMs(HEARTBEAT_MS)
            .serverName("x").reason("bad token").encodedLength();
        // The reason's length field says 2 GiB: reading it as it stands would try to allocate that much.
        buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + WelcomeEncoder.BLOCK_LENGTH + 4 + 1, Integer.MAX_VALUE);
        offer(MessageHeaderEncoder.ENCODED_LENGTH + bodyLength);
        work(() -> poller.droppedMessages() == 1, 2000);
        assertEquals(1, poller.droppedMessages());
        assertEquals(UpstreamPoller.LinkState.CONNECTING, poller.linkState());

        sendWelcome(linkId, HelloResult.REJECTED);
        work(() -> poller.linkState() == UpstreamPoller.LinkState.REJECTED, 1000);
        assertEquals("bad token", poller.lastRejectReason(), "the next Welcome is read");
    }

    private void awaitHello()
    {
        work(() -> !helloLinkIds.isEmpty(), 5000);
        assertTrue(!helloLinkIds.isEmpty(), "Hello was sent");
        final long deadline = System.currentTimeMillis() + 5000;
        while (!upstreamData.isConnected() && System.currentTimeMillis() < deadline)
        {
            Thread.yield();
        }
    }

    private RingEvent next()
    {
        final long sequence = consumed.get() + 1;
        assertTrue(ring.getCursor() >= sequence, "an event was published");
        final RingEvent event = ring.get(sequence);
        consumed.set(sequence);
        return event;
    }

    private void work(final BooleanSupplier done, final int maxMs)
    {
        final long deadline = System.currentTimeMillis() + maxMs;
        do
        {
            poller.doWork();
            upstreamControl.poll((buf, offset, length, header) ->
            {
                headerDecoder.wrap(buf, offset);
                if (headerDecoder.templateId() == HelloDecoder.TEMPLATE_ID)
                {
                    final HelloDecoder hello = new HelloDecoder().wrapAndApplyHeader(buf, offset, headerDecoder);
                    helloLinkIds.add(hello.linkId());
                    lastHelloShared = hello.shared();
                }
                else if (headerDecoder.templateId() == HeartbeatDecoder.TEMPLATE_ID)
                {
                    heartbeatsReceived++;
                }
            }, 10);
            if (done.getAsBoolean())
            {
                return;
            }
            Thread.yield();
        }
        while (System.currentTimeMillis() < deadline);
    }

    private void sendWelcome(final long linkId, final HelloResult result)
    {
        sendWelcome(linkId, result, FeedStatus.NULL_VAL);
    }

    private void sendWelcome(final long linkId, final HelloResult result, final FeedStatus tradingStatus)
    {
        sendWelcome(linkId, result, tradingStatus, BooleanType.FALSE);
    }

    private void sendWelcome(
        final long linkId, final HelloResult result, final FeedStatus tradingStatus, final BooleanType shared)
    {
        final WelcomeEncoder welcome = new WelcomeEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId).result(result).protocolVersion(1).heartbeatIntervalMs(HEARTBEAT_MS)
            .tradingStatus(tradingStatus).shared(shared)
            .serverName("test-upstream").reason(result == HelloResult.REJECTED ? "bad token" : "");
        offer(MessageHeaderEncoder.ENCODED_LENGTH + welcome.encodedLength());
    }

    private void sendHeartbeat(final long linkId, final FeedStatus tradingStatus)
    {
        offer(MessageHeaderEncoder.ENCODED_LENGTH + new HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId).timestampMs(1).tradingStatus(tradingStatus).encodedLength());
    }

    private void sendSnapshotBegin(final long itemId)
    {
        offer(MessageHeaderEncoder.ENCODED_LENGTH + new SnapshotBeginEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder).itemId(itemId).seqNo(1).encodedLength());
    }

    private void offer(final int length)
    {
        final long deadline = System.currentTimeMillis() + 5000;
        while (upstreamData.offer(buffer, 0, length) < 0)
        {
            assertTrue(System.currentTimeMillis() < deadline, "upstream could not send");
            Thread.yield();
        }
    }
}
