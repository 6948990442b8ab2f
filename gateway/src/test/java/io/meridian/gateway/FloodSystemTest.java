package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.config.MeridianConfig;
import io.meridian.engine.EngineCounters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static io.meridian.gateway.ZenithTestClient.action;
import static io.meridian.gateway.ZenithTestClient.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One hostile client floods a running Meridian over a real socket with malformed JSON, wrong types, unknown topics,
 * binary frames, frames just under {@code session.max-frame-bytes} and frames over it (each of which closes its
 * connection with 1009, after which it connects again and goes on), while normal clients hold subscriptions. The
 * normal clients must get data in every one-second window and no error, the engine must drop nothing for anyone, the
 * hostile client must get protocol errors, {@code Limited} beyond the request rate and 1009 for each frame too
 * large, and the server must be healthy afterwards.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FloodSystemTest
{
    private static final int MAX_FRAME_BYTES = 16 * 1024;
    private static final int NORMAL_CLIENTS = 4;
    private static final int TOPICS_PER_CLIENT = 3;
    private static final int WINDOWS = 8;
    private static final long WINDOW_MS = 1000;
    private static final long WAIT_MS = 10_000;
    /** Every this many rounds the hostile client sends a frame just under the limit, and a frame over it. */
    private static final int LARGE_EVERY = 10;
    private static final int OVERSIZED_EVERY = 150;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static MeridianServer server;

    @BeforeAll
    static void start()
    {
        server = MeridianServer.start(MeridianConfig.of(Map.ofEntries(
            Map.entry("server.port", "0"),
            Map.entry("server.host", "127.0.0.1"),
            Map.entry("sim.markets", "2"),
            Map.entry("sim.securities", "20"),
            Map.entry("session.max-frame-bytes", Integer.toString(MAX_FRAME_BYTES)))));
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void normalClientsKeepTheirDataWhileOneClientFloodsTheServer() throws Exception
    {
        final List<String> keys = server.feedServer().securityKeys();
        final List<ZenithTestClient> normal = new ArrayList<>();
        final List<Set<String>> topics = new ArrayList<>();
        final ExecutorService executor = Executors.newSingleThreadExecutor();
        try
        {
            for (int i = 0; i < NORMAL_CLIENTS; i++)
            {
                final ZenithTestClient client = new ZenithTestClient(server.port(),
                    server.demoIssuer().mint("normal" + i));
                normal.add(client);
                final Set<String> subscribed = new HashSet<>();
                for (int k = 0; k < TOPICS_PER_CLIENT; k++)
                {
                    final String key = keys.get((i * TOPICS_PER_CLIENT + k) % keys.size());
                    for (final String topic : List.of("Depth!" + key, "Security!" + key))
                    {
                        client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic +
                            "\",\"Action\":\"Sub\",\"Confirm\":true}");
                        assertTrue(client.await(action(topic, "Sub"), WAIT_MS).path("Confirm").asBoolean(), topic);
                        subscribed.add(topic);
                    }
                }
                topics.add(subscribed);
            }
            for (final ZenithTestClient client : normal)
            {
                client.takeAll();
            }

            final EngineCounters counters = server.engine().counters();
            final long overflowedBefore = counters.overflowedSessions();
            final long resyncsBefore = counters.slowConsumerResyncs();
            final long errorsBefore = counters.errors();

            final Hostile hostile = new Hostile(WINDOWS * WINDOW_MS);
            final Future<Void> flood = executor.submit(hostile);
            final int[][] dataPerWindow = new int[NORMAL_CLIENTS][WINDOWS];
            final long start = System.currentTimeMillis();
            for (int w = 0; w < WINDOWS; w++)
            {
                Thread.sleep(Math.max(0, start + (w + 1) * WINDOW_MS - System.currentTimeMillis()));
                for (int i = 0; i < NORMAL_CLIENTS; i++)
                {
                    dataPerWindow[i][w] = countData(normal.get(i), topics.get(i));
                }
            }
            flood.get(WAIT_MS * 3, TimeUnit.MILLISECONDS);

            for (int i = 0; i < NORMAL_CLIENTS; i++)
            {
                final int[] windows = dataPerWindow[i];
                assertTrue(Arrays.stream(windows).allMatch(count -> count > 0),
                    "normal client " + i + " got data in every window: " + Arrays.toString(windows));
                assertEquals(-1, normal.get(i).closeCode, "normal client " + i + " stays connected");
            }
            assertEquals(overflowedBefore, counters.overflowedSessions(), "no session closed for falling behind");
            assertEquals(resyncsBefore, counters.slowConsumerResyncs(), "no deltas dropped for a resync");
            assertEquals(errorsBefore, counters.errors(), "no engine errors: " + counters.errorReport());

            assertTrue(hostile.rounds > 0);
            assertTrue(hostile.errorsByCode.keySet().stream().anyMatch(code -> !"Limited".equals(code)),
                "protocol errors: " + hostile.errorsByCode);
            assertTrue(hostile.errorsByCode.getOrDefault("Limited", 0) > 0,
                "Limited beyond the request rate: " + hostile.errorsByCode);
            assertTrue(hostile.oversized > 0);
            assertEquals(List.of(1009), hostile.closeCodes.stream().distinct().toList(),
                "each frame over the limit closed its connection with 1009");
            assertEquals(hostile.oversized, hostile.closeCodes.size() + hostile.resets,
                "every frame over the limit ended its connection");
            assertTrue(hostile.resets * 10 <= hostile.oversized, "the 1009 is seen, but for a rare reset: " +
                hostile.resets + " of " + hostile.oversized);
            assertEquals(0, hostile.unparseable, "every reply is JSON");
            System.out.println("flood: " + hostile.rounds + " rounds, " + hostile.framesSent + " frames (" +
                hostile.large + " of " + (MAX_FRAME_BYTES - 100) + " bytes, " + hostile.oversized + " over the " +
                "limit), errors by code " + hostile.errorsByCode + ", " + hostile.closeCodes.size() + " closes " +
                hostile.closeCodes.stream().distinct().toList() + ", " + hostile.resets + " resets" +
                "; normal clients' data frames per window " + Arrays.deepToString(dataPerWindow));

            assertHealthy();
            for (int i = 0; i < NORMAL_CLIENTS; i++)
            {
                Thread.sleep(i == 0 ? WINDOW_MS : 0);
                assertTrue(countData(normal.get(i), topics.get(i)) > 0, "normal client " + i + " still gets data");
            }
        }
        finally
        {
            executor.shutdownNow();
            normal.forEach(ZenithTestClient::close);
        }
    }

    /**
     * @return the data frames of the client's subscriptions received since the last call; fails on any error.
     */
    private static int countData(final ZenithTestClient client, final Set<String> topics)
    {
        int data = 0;
        for (final JsonNode frame : client.takeAll())
        {
            assertFalse("Error".equals(frame.path("Action").asText()), "a normal client got an error: " + frame);
            if (topics.contains(frame.path("Topic").asText()) && frame.has("Data") && !frame.has("Action"))
            {
                data++;
            }
        }
        return data;
    }

    private static void assertHealthy() throws Exception
    {
        final HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("UP", ZenithTestClient.JSON.readTree(health.body()).get("status").asText());
        try (ZenithTestClient fresh = new ZenithTestClient(server.port(), server.demoIssuer().mint("after")))
        {
            fresh.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":1}");
            assertEquals(2, fresh.await(transaction(1), WAIT_MS).get("Data").size(), "served after the flood");
        }
    }

    /**
     * The hostile client: sends bad frames as fast as the socket takes them, for a bounded time, connecting again
     * whenever a frame too large gets its connection closed.
     */
    private static final class Hostile implements Callable<Void>
    {
        private final long durationMs;
        private final String token = server.demoIssuer().mint("hostile");
        final Map<String, Integer> errorsByCode = new TreeMap<>();
        final List<Integer> closeCodes = new ArrayList<>();
        int rounds;
        int framesSent;
        int large;
        int oversized;
        int unparseable;
        int resets;

        Hostile(final long durationMs)
        {
            this.durationMs = durationMs;
        }

        @Override
        public Void call() throws Exception
        {
            final long end = System.currentTimeMillis() + durationMs;
            ZenithTestClient client = new ZenithTestClient(server.port(), token);
            try
            {
                while (System.currentTimeMillis() < end)
                {
                    rounds++;
                    for (final String frame : List.of(
                        "{",
                        "not json at all",
                        "[1,2,3]",
                        "{\"Controller\":7,\"Topic\":[\"x\"],\"TransactionID\":1.5}",
                        "{\"Controller\":\"Market\",\"Topic\":\"Nope!ALP.XSX\",\"Action\":\"Sub\",\"Confirm\":true}",
                        "{\"Controller\":\"Market\",\"Topic\":\"QuerySecurity\",\"TransactionID\":" + rounds +
                            ",\"Data\":{\"Code\":5,\"Market\":[]}}",
                        "{\"Controller\":\"Nobody\",\"Topic\":\"Anything\",\"TransactionID\":" + rounds + "}",
                        "{\"Controller\":\"Trading\",\"Topic\":\"PlaceOrder\",\"TransactionID\":" + rounds +
                            ",\"Data\":{\"Account\":\"NOT-MINE\",\"Details\":\"wrong\"}}"))
                    {
                        client.send(frame);
                        framesSent++;
                    }
                    client.sendBinary(new byte[]{ 1, 2, 3 });
                    framesSent++;
                    if (rounds % LARGE_EVERY == 0)
                    {
                        client.send("{\"Controller\":\"Zenith\",\"Topic\":\"" + "x".repeat(MAX_FRAME_BYTES - 100) +
                            "\",\"TransactionID\":" + rounds + "}");
                        framesSent++;
                        large++;
                    }
                    if (rounds % OVERSIZED_EVERY == 0)
                    {
                        client.send("{\"Controller\":\"Zenith\",\"Topic\":\"ServerInfo\",\"Data\":\"" +
                            "y".repeat(MAX_FRAME_BYTES + 1000) + "\"}");
                        framesSent++;
                        oversized++;
                        client = reconnect(client);
                    }
                    tally(client);
                }
            }
            finally
            {
                tally(client);
                client.close();
            }
            return null;
        }

        private ZenithTestClient reconnect(final ZenithTestClient closing) throws Exception
        {
            final long deadline = System.currentTimeMillis() + WAIT_MS;
            while (closing.closeCode < 0 && null == closing.error && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(5);
            }
            if (closing.closeCode >= 0)
            {
                closeCodes.add(closing.closeCode);
            }
            else if (null != closing.error)
            {
                // The server sent its close and ended the connection while this client was still writing the
                // oversized frame: the unread rest makes the server's TCP reset the connection, which can discard
                // the close frame before this client reads it.
                resets++;
            }
            else
            {
                closeCodes.add(closing.closeCode);
            }
            tally(closing);
            closing.close();
            return new ZenithTestClient(server.port(), token);
        }

        private void tally(final ZenithTestClient client)
        {
            for (final JsonNode frame : client.takeAll())
            {
                if (frame.has("__unparseable"))
                {
                    unparseable++;
                }
                else if ("Error".equals(frame.path("Action").asText()))
                {
                    errorsByCode.merge(frame.path("Data").asText().split(" ")[0], 1, Integer::sum);
                }
            }
        }
    }
}
