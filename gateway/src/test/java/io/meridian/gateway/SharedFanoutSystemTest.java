package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.config.MeridianConfig;
import io.meridian.engine.EngineCounters;
import org.agrona.CloseHelper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.meridian.gateway.Loopback.freeUdpPort;
import static io.meridian.gateway.Loopback.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Proxy A serves its market data to two downstream proxies, B1 and B2, over one multi-destination-cast publication
 * with max flow control: each update goes out once for both, snapshots and answers go on each link. B1's and B2's
 * clients see what A's see, and a reader of the shared stream that stops reading holds nobody back.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SharedFanoutSystemTest
{
    private static final long WAIT_MS = 20_000;
    private static final String SERVICE_TOKEN = "shared-token";
    private static MeridianServer a;
    private static MeridianServer b1;
    private static MeridianServer b2;
    private static String sharedControl;
    private static int aDownstream;

    @BeforeAll
    static void start()
    {
        aDownstream = freeUdpPort();
        sharedControl = "127.0.0.1:" + freeUdpPort();
        a = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "server.name", "Meridian-A",
            "sim.markets", "1",
            "sim.securities", "6",
            "sim.update-rate", "300",
            "sim.session-seconds", "0",
            "downstream.channel", udp(aDownstream),
            "downstream.service-token", SERVICE_TOKEN,
            "downstream.shared-channel", "aeron:udp?control=" + sharedControl + "|control-mode=dynamic|fc=max")));
        b1 = downstream("Meridian-B1", aDownstream);
        b2 = downstream("Meridian-B2", aDownstream);
    }

    private static MeridianServer downstream(final String name, final int aDownstream)
    {
        return MeridianServer.start(MeridianConfig.of(Map.ofEntries(
            Map.entry("server.port", "0"),
            Map.entry("server.host", "127.0.0.1"),
            Map.entry("server.name", name),
            Map.entry("sim.enabled", "false"),
            Map.entry("trading.enabled", "false"),
            Map.entry("upstream.channel", udp(aDownstream)),
            Map.entry("upstream.control-stream-id", "1011"),
            Map.entry("upstream.response-channel", udp(freeUdpPort())),
            Map.entry("upstream.service-token", SERVICE_TOKEN),
            Map.entry("upstream.shared-channel", udp(freeUdpPort()) + "|control=" + sharedControl))));
    }

    @AfterAll
    static void stop()
    {
        CloseHelper.quietCloseAll(b2, b1, a);
    }

    @Test
    void bothDownstreamProxiesServeWhatTheUpstreamServesFromUpdatesSentOnce() throws Exception
    {
        awaitMarkets(b1);
        awaitMarkets(b2);
        final String key = a.feedServer().securityKeys().get(1);
        final String[] kinds = { "Depth!", "Security!", "Levels!", "Trades!" };
        final List<ZenithTestClient> clients = new ArrayList<>();
        try
        {
            for (final MeridianServer b : new MeridianServer[]{ b1, b2 })
            {
                final ZenithTestClient client = new ZenithTestClient(b.port(), b.demoIssuer().mint("reader"));
                clients.add(client);
                for (final String kind : kinds)
                {
                    subscribe(client, kind + key);
                }
            }
            final EngineCounters upstream = a.engine().counters();
            final long sharedBefore = upstream.downstreamSharedMessages();
            final long onLinksBefore = upstream.downstreamMessages();
            final long takenBefore = b1.engine().counters().upstreamSharedMessages();
            Thread.sleep(2000);
            final long shared = upstream.downstreamSharedMessages() - sharedBefore;
            final long onLinks = upstream.downstreamMessages() - onLinksBefore;
            assertTrue(shared > 50, "updates went on the shared stream: " + shared);
            assertTrue(onLinks < shared / 4, "the links carried heartbeats, not the updates again: " + onLinks +
                " on the links against " + shared + " shared");
            assertTrue(b1.engine().counters().upstreamSharedMessages() - takenBefore > 50,
                "B1 took its updates from the shared stream");

            // The books moved for a while on shared updates alone: stop the exchange and compare full state.
            a.feedServer().pause();
            Thread.sleep(500);
            for (final String kind : kinds)
            {
                final String topic = kind + key;
                try (ZenithTestClient onA = new ZenithTestClient(a.port(), a.demoIssuer().mint("a"));
                    ZenithTestClient onB1 = new ZenithTestClient(b1.port(), b1.demoIssuer().mint("late"));
                    ZenithTestClient onB2 = new ZenithTestClient(b2.port(), b2.demoIssuer().mint("late")))
                {
                    final JsonNode fromA = subscribe(onA, topic);
                    assertEquals(fromA, subscribe(onB1, topic), topic + " differs between A and B1");
                    assertEquals(fromA, subscribe(onB2, topic), topic + " differs between A and B2");
                }
            }
        }
        finally
        {
            a.feedServer().resume();
            CloseHelper.quietCloseAll(clients);
        }
    }

    @Test
    void aReaderOfTheSharedStreamThatStopsReadingHoldsNobodyBack() throws Exception
    {
        awaitMarkets(b1);
        final List<String> keys = a.feedServer().securityKeys();
        final String key = keys.get(3);
        // A reader that joins the shared stream and never reads. With min flow control the publication could not
        // send past the reader's position plus its window (at most 128 KiB here); with max it goes on at the
        // fastest reader's pace, and the reader that stopped is left behind.
        try (io.aeron.Subscription stalled = a.engine().aeron().addSubscription(
            udp(freeUdpPort()) + "|control=" + sharedControl, 1012);
            ZenithTestClient onB1 = new ZenithTestClient(b1.port(), b1.demoIssuer().mint("reader")))
        {
            for (final String each : keys)
            {
                // More of the book on the stream, so that it outruns the stalled reader's window sooner.
                subscribe(onB1, "Depth!" + each);
            }
            final long deadline = System.currentTimeMillis() + 60_000;
            while (stalled.imageCount() == 0 || sentOnSharedStream() - stalled.imageAtIndex(0).position() < 512 * 1024)
            {
                assertTrue(System.currentTimeMillis() < deadline, "the shared stream never got past the stalled " +
                    "reader's window: " + (stalled.imageCount() == 0 ? "it never joined" :
                    sentOnSharedStream() + " sent, " + stalled.imageAtIndex(0).position() + " read"));
                Thread.sleep(100);
            }
            final long gapsBefore = b1.engine().counters().sequenceGaps();
            onB1.takeAll();
            final int[] perSecond = new int[3];
            for (int second = 0; second < perSecond.length; second++)
            {
                Thread.sleep(1000);
                perSecond[second] = (int)onB1.takeAll().stream()
                    .filter(frame -> ("Depth!" + key).equals(frame.path("Topic").asText())).count();
            }
            assertTrue(Arrays.stream(perSecond).allMatch(count -> count > 0),
                "B1's client got book changes every second: " + Arrays.toString(perSecond));
            assertEquals(gapsBefore, b1.engine().counters().sequenceGaps(), "B1 missed nothing");
        }
    }

    @Test
    void aLinkOnTheSharedStreamGetsOneIdPerItemSnapshotsOnTheLinkAndUpdatesOnTheStream() throws Exception
    {
        final String key = a.feedServer().securityKeys().get(5);
        try (RawLink link = new RawLink())
        {
            assertEquals(io.meridian.codecs.interlink.BooleanType.TRUE, link.welcomeShared(),
                "the Welcome says the link's updates come on the shared stream");
            link.subscribe(1, key);
            final long itemId = link.awaitSubscribeResult(1);
            final long snapshotSeqNo = link.awaitSnapshotEnd(itemId);

            // Updates follow on the shared stream, numbered on from the snapshot, and none on the link.
            final List<Long> seqNos = link.sharedUpdates(itemId, 5);
            assertTrue(seqNos.get(0) > snapshotSeqNo, seqNos + " after " + snapshotSeqNo);
            for (int i = 1; i < seqNos.size(); i++)
            {
                assertEquals(seqNos.get(i - 1) + 1, seqNos.get(i), "one sequence, no gaps: " + seqNos);
            }
            assertEquals(0, link.updatesOnTheLink, "no update came on the link itself");

            // Asked again (as a proxy that saw a gap does), the item keeps its id and gets a fresh snapshot.
            link.subscribe(2, key);
            assertEquals(itemId, link.awaitSubscribeResult(2));
            assertTrue(link.awaitSnapshotEnd(itemId) >= seqNos.get(seqNos.size() - 1));
        }
    }

    /**
     * A downstream link made by hand that asks for the shared stream, to see what goes where.
     */
    private static final class RawLink implements AutoCloseable
    {
        private final io.aeron.Aeron aeron = a.engine().aeron();
        private final String responseChannel = udp(freeUdpPort());
        private final io.aeron.Subscription data = aeron.addSubscription(responseChannel, 78);
        private final io.aeron.Subscription shared =
            aeron.addSubscription(udp(freeUdpPort()) + "|control=" + sharedControl, 1012);
        private final io.aeron.Publication control = aeron.addPublication(udp(aDownstream), 1011);
        private final org.agrona.concurrent.UnsafeBuffer buffer =
            new org.agrona.concurrent.UnsafeBuffer(new byte[512]);
        private final io.meridian.codecs.interlink.MessageHeaderEncoder header =
            new io.meridian.codecs.interlink.MessageHeaderEncoder();
        private final io.meridian.codecs.interlink.MessageHeaderDecoder headerDecoder =
            new io.meridian.codecs.interlink.MessageHeaderDecoder();
        private final long linkId = System.nanoTime();
        private final List<long[]> linkMessages = new ArrayList<>();
        /** What the Welcome said of the shared stream; null until it came. */
        private io.meridian.codecs.interlink.BooleanType welcome;
        private boolean inSnapshot;
        private long lastHeartbeatMs;
        int updatesOnTheLink;

        io.meridian.codecs.interlink.BooleanType welcomeShared() throws InterruptedException
        {
            final long deadline = System.currentTimeMillis() + WAIT_MS;
            while (null == welcome)
            {
                assertTrue(System.currentTimeMillis() < deadline, "never welcomed");
                final io.meridian.codecs.interlink.HelloEncoder hello =
                    new io.meridian.codecs.interlink.HelloEncoder().wrapAndApplyHeader(buffer, 0, header)
                        .linkId(linkId)
                        .protocolVersion(io.meridian.codecs.InterlinkProtocol.PROTOCOL_VERSION)
                        .heartbeatIntervalMs(1000)
                        .responseStreamId(78)
                        .shared(io.meridian.codecs.interlink.BooleanType.TRUE)
                        .responseChannel(responseChannel)
                        .clientName("raw")
                        .serviceToken(SERVICE_TOKEN);
                control.offer(buffer, 0, header.encodedLength() + hello.encodedLength());
                Thread.sleep(50);
                pollLink();
            }
            return welcome;
        }

        void subscribe(final long requestId, final String key)
        {
            final io.meridian.codecs.interlink.SubscribeEncoder subscribe =
                new io.meridian.codecs.interlink.SubscribeEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .linkId(linkId).requestId(requestId).itemType(io.meridian.codecs.interlink.ItemType.SECURITY)
                    .itemKey(key);
            assertTrue(control.offer(buffer, 0, header.encodedLength() + subscribe.encodedLength()) > 0);
        }

        long awaitSubscribeResult(final long requestId) throws InterruptedException
        {
            return awaitOnLink(io.meridian.codecs.interlink.SubscribeResultDecoder.TEMPLATE_ID, requestId)[2];
        }

        /**
         * @return the sequence number the snapshot ends at.
         */
        long awaitSnapshotEnd(final long itemId) throws InterruptedException
        {
            return awaitOnLink(io.meridian.codecs.interlink.SnapshotEndDecoder.TEMPLATE_ID, itemId)[2];
        }

        List<Long> sharedUpdates(final long itemId, final int count) throws InterruptedException
        {
            final List<Long> seqNos = new ArrayList<>();
            final long deadline = System.currentTimeMillis() + WAIT_MS;
            while (seqNos.size() < count)
            {
                assertTrue(System.currentTimeMillis() < deadline, "only " + seqNos + " on the shared stream");
                shared.poll((message, offset, length, frame) ->
                {
                    headerDecoder.wrap(message, offset);
                    if (headerDecoder.templateId() == io.meridian.codecs.interlink.SecurityUpdateDecoder.TEMPLATE_ID &&
                        message.getLong(offset + headerDecoder.encodedLength(),
                            java.nio.ByteOrder.LITTLE_ENDIAN) == itemId)
                    {
                        seqNos.add(message.getLong(offset + headerDecoder.encodedLength() + Long.BYTES,
                            java.nio.ByteOrder.LITTLE_ENDIAN));
                    }
                }, 10);
                pollLink();
                Thread.sleep(1);
            }
            return seqNos;
        }

        /**
         * @return {templateId, first field, second field} of the first message on the link of that template whose
         * first field (link id skipped for SubscribeResult) is the one given.
         */
        private long[] awaitOnLink(final int templateId, final long first) throws InterruptedException
        {
            final long deadline = System.currentTimeMillis() + WAIT_MS;
            while (true)
            {
                for (int i = 0; i < linkMessages.size(); i++)
                {
                    final long[] message = linkMessages.get(i);
                    if (message[0] == templateId && message[1] == first)
                    {
                        linkMessages.remove(i);
                        return message;
                    }
                }
                assertTrue(System.currentTimeMillis() < deadline, "no message " + templateId + " for " + first);
                pollLink();
                Thread.sleep(1);
            }
        }

        private void pollLink()
        {
            final long nowMs = System.currentTimeMillis();
            if (null != welcome && nowMs - lastHeartbeatMs >= 500)
            {
                // Heard from, the link stays open however long the test takes.
                lastHeartbeatMs = nowMs;
                final int length = new io.meridian.codecs.interlink.HeartbeatEncoder()
                    .wrapAndApplyHeader(buffer, 0, header).linkId(linkId).timestampMs(nowMs).encodedLength();
                control.offer(buffer, 0, header.encodedLength() + length);
            }
            data.poll((message, offset, length, frame) ->
            {
                headerDecoder.wrap(message, offset);
                final int body = offset + headerDecoder.encodedLength();
                final java.nio.ByteOrder order = java.nio.ByteOrder.LITTLE_ENDIAN;
                switch (headerDecoder.templateId())
                {
                    case io.meridian.codecs.interlink.WelcomeDecoder.TEMPLATE_ID:
                        welcome = new io.meridian.codecs.interlink.WelcomeDecoder()
                            .wrapAndApplyHeader(message, offset, headerDecoder).shared();
                        break;
                    case io.meridian.codecs.interlink.SubscribeResultDecoder.TEMPLATE_ID:
                        // linkId, requestId, itemId
                        linkMessages.add(new long[]{ headerDecoder.templateId(),
                            message.getLong(body + Long.BYTES, order), message.getLong(body + 2 * Long.BYTES, order) });
                        break;
                    case io.meridian.codecs.interlink.SnapshotBeginDecoder.TEMPLATE_ID:
                        inSnapshot = true;
                        break;
                    case io.meridian.codecs.interlink.SnapshotEndDecoder.TEMPLATE_ID:
                        inSnapshot = false;
                        linkMessages.add(new long[]{ headerDecoder.templateId(), message.getLong(body, order),
                            message.getLong(body + Long.BYTES, order) });
                        break;
                    case io.meridian.codecs.interlink.SecurityUpdateDecoder.TEMPLATE_ID:
                        updatesOnTheLink += inSnapshot ? 0 : 1;
                        break;
                    default:
                        break;
                }
            }, 10);
        }

        @Override
        public void close()
        {
            CloseHelper.quietCloseAll(control, shared, data);
        }
    }

    /**
     * @return how far A's media driver has sent the shared stream, from its sender position counter.
     */
    private static long sentOnSharedStream()
    {
        final long[] position = { -1 };
        a.engine().aeron().countersReader().forEach((value, counterId, label) ->
        {
            if (label.startsWith("snd-pos") && label.contains("control=" + sharedControl))
            {
                position[0] = value;
            }
        });
        return position[0];
    }

    private static void awaitMarkets(final MeridianServer server) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!server.engine().marketsLive())
        {
            assertTrue(System.currentTimeMillis() < deadline, "the market list never reached the proxy");
            Thread.sleep(20);
        }
    }

    private static JsonNode subscribe(final ZenithTestClient client, final String topic) throws Exception
    {
        client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\"}");
        final JsonNode first = client.await(node -> topic.equals(node.path("Topic").asText()) &&
            (node.has("Data") || "Error".equals(node.path("Action").asText())), WAIT_MS);
        assertTrue(first.has("Data") && !"Error".equals(first.path("Action").asText()), first.toString());
        return first.get("Data");
    }
}
