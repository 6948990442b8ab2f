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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.meridian.gateway.Loopback.freeUdpPort;
import static io.meridian.gateway.Loopback.udp;
import static io.meridian.gateway.ZenithTestClient.tradingFeedStatus;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two tiers in one process over loopback UDP: proxy A has the simulated exchange as its upstream and serves
 * interlink; proxy B takes A as its upstream for market data and trading. B's clients see what A's see, B's cache
 * is kept up to date by the updates A passes on, and however many of B's clients want an item, A is asked for it
 * once and the exchange once.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class ProxyTierSystemTest
{
    private static final long WAIT_MS = 20_000;
    private static final String SERVICE_TOKEN = "tier-token";
    private static MeridianServer a;
    private static MeridianServer b;
    private static int aDownstream;

    @BeforeAll
    static void start()
    {
        aDownstream = freeUdpPort();
        a = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "server.name", "Meridian-A",
            "sim.markets", "1",
            "sim.securities", "6",
            "sim.update-rate", "300",
            "sim.session-seconds", "0",
            "downstream.channel", udp(aDownstream),
            "downstream.service-token", SERVICE_TOKEN)));
        b = MeridianServer.start(MeridianConfig.of(Map.ofEntries(
            Map.entry("server.port", "0"),
            Map.entry("server.host", "127.0.0.1"),
            Map.entry("server.name", "Meridian-B"),
            Map.entry("sim.enabled", "false"),
            Map.entry("upstream.channel", udp(aDownstream)),
            Map.entry("upstream.control-stream-id", "1011"),
            // The downstream chooses the term length of the publication its upstream sends on (docs/deployment.md).
            Map.entry("upstream.response-channel", udp(freeUdpPort()) + "|term-length=1048576"),
            Map.entry("upstream.service-token", SERVICE_TOKEN),
            Map.entry("trading.channel", udp(aDownstream)),
            Map.entry("trading.control-stream-id", "1011"),
            Map.entry("trading.response-channel", udp(freeUdpPort())),
            Map.entry("trading.service-token", SERVICE_TOKEN))));
    }

    @AfterAll
    static void stop()
    {
        CloseHelper.quietCloseAll(b, a);
    }

    @Test
    void theSecondTierServesWhatTheFirstServesAndAsksForEachItemOnce() throws Exception
    {
        awaitMarkets(b);
        final String key = a.feedServer().securityKeys().get(2);
        final long aSubscribesBefore = a.engine().counters().upstreamSubscribes();
        final long bSubscribesBefore = b.engine().counters().upstreamSubscribes();
        final long servedBefore = a.engine().counters().downstreamSubscriptions();

        final List<ZenithTestClient> onB = new ArrayList<>();
        try
        {
            for (int i = 0; i < 5; i++)
            {
                final ZenithTestClient client = new ZenithTestClient(b.port(), b.demoIssuer().mint("b" + i));
                onB.add(client);
                assertTrue(subscribe(client, "Depth!" + key).isArray());
                assertTrue(subscribe(client, "Security!" + key).has("Code"));
                assertTrue(subscribe(client, "Levels!" + key).isArray());
                assertTrue(subscribe(client, "Trades!" + key).isArray());
            }
            assertEquals(4, b.engine().counters().upstreamSubscribes() - bSubscribesBefore,
                "B asks A once for each item, for five clients");
            assertEquals(4, a.engine().counters().upstreamSubscribes() - aSubscribesBefore,
                "A asks the exchange once for each");
            assertEquals(4, a.engine().counters().downstreamSubscriptions() - servedBefore,
                "A serves B the four items");

            // Let the book move for a while, so that B's copy lives on the updates A passes on, then stop the
            // exchange and compare the full state each tier has.
            Thread.sleep(1500);
            a.feedServer().pause();
            Thread.sleep(500);
            for (final String kind : new String[]{ "Depth!", "Security!", "Levels!", "Trades!" })
            {
                try (ZenithTestClient onA = new ZenithTestClient(a.port(), a.demoIssuer().mint("a"));
                    ZenithTestClient lateOnB = new ZenithTestClient(b.port(), b.demoIssuer().mint("late")))
                {
                    final String topic = kind + key;
                    final JsonNode fromA = subscribe(onA, topic);
                    final JsonNode fromB = subscribe(lateOnB, topic);
                    assertEquals(fromA, fromB, topic + " differs between the tiers");
                }
            }
            assertTrue(a.engine().counters().downstreamMessages() > 10, "updates went down the link");
        }
        finally
        {
            a.feedServer().resume();
            CloseHelper.quietCloseAll(onB);
        }
    }

    @Test
    void theSecondTierShowsTheTradingFeedImpairedWhileTheFirstHasLostItsTradingAgent() throws Exception
    {
        awaitMarkets(b);
        try (ZenithTestClient onB = new ZenithTestClient(b.port(), b.demoIssuer().mint("feeds")))
        {
            onB.send("{\"Controller\":\"Zenith\",\"Topic\":\"Feeds\",\"Action\":\"Sub\",\"Confirm\":true}");
            onB.await(tradingFeedStatus("Active"), WAIT_MS);
            a.tradingServer().pause();
            try
            {
                onB.await(tradingFeedStatus("Impaired"), WAIT_MS);
                assertTrue(b.engine().tradingUp(), "B's own link to A is up: the state is A's, passed down");
            }
            finally
            {
                a.tradingServer().resume();
            }
            onB.await(tradingFeedStatus("Active"), WAIT_MS);
        }
    }

    @Test
    void ordersPlacedOnTheSecondTierGoThroughTheFirstOnceAndTheirChangesComeBack() throws Exception
    {
        awaitMarkets(b);
        final long relayedBefore = a.engine().counters().orderRequests();
        try (ZenithTestClient onB = new ZenithTestClient(b.port(), b.demoIssuer().mint("tiered"));
            ZenithTestClient onA = new ZenithTestClient(a.port(), a.demoIssuer().mint("tiered")))
        {
            final JsonNode holdings = subscribe(onB, "Trading", "Holdings!TIERED-1");
            final JsonNode held = holdings.get(1).get("Holding");
            final String security = held.get("Code").asText() + "." + held.get("Exchange").asText();
            final long lot = subscribe(onB, "Market", "Security!" + security).get("LotSize").asLong();
            assertTrue(subscribe(onB, "Trading", "Orders!TIERED-1").isArray());

            // A buy far below the market rests; asked twice with one RequestID, it is placed once.
            final JsonNode first = place(onB, 7, "tier-1", held, lot);
            final JsonNode again = place(onB, 8, "tier-1", held, lot);
            final String orderId = first.path("Order").path("ID").asText();
            assertTrue(!orderId.isEmpty(), first.toString());
            assertEquals(orderId, again.path("Order").path("ID").asText(), "the retry is the same order");
            assertEquals(2, a.engine().counters().orderRequests() - relayedBefore, "both went through A");

            // B answers with the order from its own cache, so the change reached B before the answer did; the order
            // is in the full state on both tiers.
            try (ZenithTestClient lateOnB = new ZenithTestClient(b.port(), b.demoIssuer().mint("tiered")))
            {
                assertTrue(subscribe(lateOnB, "Trading", "Orders!TIERED-1").toString().contains(orderId));
            }
            assertTrue(subscribe(onA, "Trading", "Orders!TIERED-1").toString().contains(orderId));
        }
    }

    @Test
    void anItemTheExchangeDoesNotHaveIsRefusedThroughBothTiersWithTheExchangesCode() throws Exception
    {
        awaitMarkets(b);
        try (ZenithTestClient onB = new ZenithTestClient(b.port(), b.demoIssuer().mint("nope")))
        {
            onB.send("{\"Controller\":\"Market\",\"Topic\":\"Security!NOPE.XSX\",\"Action\":\"Sub\"}");
            final JsonNode error = onB.await(node -> "Security!NOPE.XSX".equals(node.path("Topic").asText()) &&
                "Error".equals(node.path("Action").asText()), WAIT_MS);
            assertEquals("Symbol.NotFound NOPE.XSX", error.get("Data").asText());
            onB.send("{\"Controller\":\"Market\",\"Topic\":\"Depth!NOPE.XX\",\"Action\":\"Sub\"}");
            assertEquals("Market.NotFound XX", onB.await(node -> "Depth!NOPE.XX".equals(node.path("Topic").asText()) &&
                "Error".equals(node.path("Action").asText()), WAIT_MS).get("Data").asText());
        }
    }

    @Test
    void aDownstreamProxyThatStopsReadingCostsOnlyItself() throws Exception
    {
        awaitMarkets(b);
        final List<String> keys = a.feedServer().securityKeys();
        final String key = keys.get(4);
        final EngineCounters upstream = a.engine().counters();
        try (ZenithTestClient onB = new ZenithTestClient(b.port(), b.demoIssuer().mint("reader"));
            StalledDownstream stalled = new StalledDownstream(a.engine().aeron()))
        {
            assertTrue(subscribe(onB, "Depth!" + key).isArray());
            // A link with a small term that takes the books of half the securities (not those the first test
            // counts subscriptions for), then reads nothing more: its window fills at once.
            stalled.link();
            for (final String each : keys.subList(3, keys.size()))
            {
                stalled.subscribe(io.meridian.codecs.interlink.ItemType.DEPTH, each);
                stalled.subscribe(io.meridian.codecs.interlink.ItemType.LEVELS, each);
            }
            final long owedBefore = upstream.downstreamResnapshots();
            final long gapsBefore = b.engine().counters().sequenceGaps();
            onB.takeAll();
            final int[] perSecond = new int[3];
            for (int second = 0; second < perSecond.length; second++)
            {
                final long until = System.currentTimeMillis() + 1000;
                while (System.currentTimeMillis() < until)
                {
                    stalled.heartbeat();
                    Thread.sleep(100);
                }
                perSecond[second] = (int)onB.takeAll().stream()
                    .filter(frame -> ("Depth!" + key).equals(frame.path("Topic").asText())).count();
            }
            assertTrue(upstream.downstreamResnapshots() > owedBefore, "the stalled link was back-pressured");
            assertTrue(java.util.Arrays.stream(perSecond).allMatch(count -> count > 0),
                "B's client got book changes every second: " + java.util.Arrays.toString(perSecond));
            assertEquals(gapsBefore, b.engine().counters().sequenceGaps(), "B missed nothing");
        }
    }

    /**
     * A downstream link made by hand: says Hello and subscribes like a proxy, then never reads its data.
     */
    private static final class StalledDownstream implements AutoCloseable
    {
        private final io.aeron.Subscription data;
        private final io.aeron.Publication control;
        private final org.agrona.concurrent.UnsafeBuffer buffer =
            new org.agrona.concurrent.UnsafeBuffer(new byte[512]);
        private final io.meridian.codecs.interlink.MessageHeaderEncoder header =
            new io.meridian.codecs.interlink.MessageHeaderEncoder();
        private final long linkId = System.nanoTime();
        private final String responseChannel = udp(freeUdpPort()) + "|term-length=65536";
        private long requestId;

        StalledDownstream(final io.aeron.Aeron aeron)
        {
            data = aeron.addSubscription(responseChannel, 77);
            control = aeron.addPublication(udp(aDownstream), 1011);
        }

        void link() throws InterruptedException
        {
            final boolean[] welcomed = { false };
            final long deadline = System.currentTimeMillis() + WAIT_MS;
            while (!welcomed[0])
            {
                assertTrue(System.currentTimeMillis() < deadline, "never welcomed");
                final io.meridian.codecs.interlink.HelloEncoder hello =
                    new io.meridian.codecs.interlink.HelloEncoder().wrapAndApplyHeader(buffer, 0, header)
                        .linkId(linkId)
                        .protocolVersion(io.meridian.codecs.InterlinkProtocol.PROTOCOL_VERSION)
                        .heartbeatIntervalMs(1000)
                        .responseStreamId(77)
                        .responseChannel(responseChannel)
                        .clientName("stalled")
                        .serviceToken(SERVICE_TOKEN);
                control.offer(buffer, 0, header.encodedLength() + hello.encodedLength());
                Thread.sleep(50);
                data.poll((message, offset, length, frame) -> welcomed[0] |=
                    new io.meridian.codecs.interlink.MessageHeaderDecoder().wrap(message, offset).templateId() ==
                    io.meridian.codecs.interlink.WelcomeDecoder.TEMPLATE_ID, 10);
            }
        }

        void subscribe(final io.meridian.codecs.interlink.ItemType type, final String key)
        {
            final io.meridian.codecs.interlink.SubscribeEncoder subscribe =
                new io.meridian.codecs.interlink.SubscribeEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .linkId(linkId).requestId(++requestId).itemType(type).itemKey(key);
            assertTrue(control.offer(buffer, 0, header.encodedLength() + subscribe.encodedLength()) > 0);
        }

        void heartbeat()
        {
            final io.meridian.codecs.interlink.HeartbeatEncoder heartbeat =
                new io.meridian.codecs.interlink.HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, header)
                    .linkId(linkId).timestampMs(System.currentTimeMillis());
            control.offer(buffer, 0, header.encodedLength() + heartbeat.encodedLength());
        }

        @Override
        public void close()
        {
            CloseHelper.quietCloseAll(control, data);
        }
    }

    private static JsonNode place(
        final ZenithTestClient client, final long transactionId, final String requestId, final JsonNode held,
        final long lot) throws Exception
    {
        client.send("{\"Controller\":\"Trading\",\"Topic\":\"PlaceOrder\",\"TransactionID\":" + transactionId +
            ",\"Data\":{\"Account\":\"TIERED-1\",\"RequestID\":\"" + requestId + "\",\"Details\":{" +
            "\"Exchange\":\"" + held.get("Exchange").asText() + "\",\"Code\":\"" + held.get("Code").asText() +
            "\",\"Side\":\"Bid\",\"Type\":\"Limit\",\"LimitPrice\":0.1,\"Quantity\":" + lot + "}}}");
        final JsonNode answer = client.await(node -> transactionId == node.path("TransactionID").asLong() &&
            !node.has("Action"), WAIT_MS).get("Data");
        assertEquals("Success", answer.path("Result").asText(), answer.toString());
        return answer;
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
        return subscribe(client, "Market", topic);
    }

    private static JsonNode subscribe(final ZenithTestClient client, final String controller, final String topic)
        throws Exception
    {
        client.send("{\"Controller\":\"" + controller + "\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\"}");
        final JsonNode first = client.await(node -> topic.equals(node.path("Topic").asText()) &&
            (node.has("Data") || "Error".equals(node.path("Action").asText())), WAIT_MS);
        assertTrue(first.has("Data") && !"Error".equals(first.path("Action").asText()), first.toString());
        return first.get("Data");
    }
}
