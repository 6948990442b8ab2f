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

    @BeforeAll
    static void start()
    {
        final int aDownstream = freeUdpPort();
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
