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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Clients that stop reading, over real sockets: one that falls behind and catches up gets full state again; one
 * that never reads again is closed; a client that keeps reading is served throughout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowConsumerSystemTest
{
    private static final long WAIT_MS = 30_000;
    private static MeridianServer server;

    @BeforeAll
    static void start()
    {
        server = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.markets", "2",
            "sim.securities", "10",
            "sim.update-rate", "20000",
            "session.send-buffer-bytes", "65536",
            "session.slow-consumer-timeout-ms", "5000")));
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
    void aClientThatStopsReadingIsResyncedWhenItCatchesUpAndClosedIfItNeverDoes() throws Exception
    {
        final List<String> keys = server.feedServer().securityKeys();
        final EngineCounters counters = server.engine().counters();
        try (ZenithTestClient healthy = subscribed("healthy", keys);
            ZenithTestClient laggard = subscribed("laggard", keys);
            ZenithTestClient stalled = subscribed("stalled", keys))
        {
            laggard.pause();
            awaitAtLeast(counters::slowConsumerResyncs, 1);
            laggard.resume();
            assertTrue(awaitFullState(laggard), "once it caught up the laggard got full state again");
            assertEquals(-1, laggard.closeCode, "and was not closed");

            final long sessions = server.sessionCount();
            stalled.pause();
            awaitAtLeast(counters::overflowedSessions, 1);
            assertEquals(sessions - 1, awaitSessions(sessions - 1), "the stalled session was closed");

            final List<JsonNode> after = healthy.drain(500);
            assertTrue(after.size() > 10, "the healthy client is still served: " + after.size());
            assertFalse(laggard.drain(500).isEmpty(), "so is the laggard");
        }
    }

    private static boolean awaitFullState(final ZenithTestClient client) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            for (final JsonNode frame : client.drain(200))
            {
                if (frame.path("Data").has("Code"))
                {
                    return true;
                }
            }
        }
        return false;
    }

    private static void awaitAtLeast(final LongSupplier value, final long atLeast) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (value.getAsLong() < atLeast)
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("still " + value.getAsLong() + " after " + WAIT_MS + " ms");
            }
            Thread.sleep(10);
        }
    }

    private static long awaitSessions(final long expected) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (server.sessionCount() != expected && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        return server.sessionCount();
    }

    private static ZenithTestClient subscribed(final String user, final List<String> keys) throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/demo/token?user=" + user))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        final String token = ZenithTestClient.JSON.readTree(response.body()).get("access_token").asText();
        final ZenithTestClient client = new ZenithTestClient(server.port(), token);
        for (final String key : keys)
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"Security!" + key + "\",\"Action\":\"Sub\"," +
                "\"Confirm\":true}");
        }
        // Confirmations come as each item's state is ready, not necessarily in the order asked.
        final java.util.Set<String> unconfirmed = new java.util.HashSet<>();
        for (final String key : keys)
        {
            unconfirmed.add("Security!" + key);
        }
        while (!unconfirmed.isEmpty())
        {
            final JsonNode confirm = client.await(node -> "Sub".equals(node.path("Action").asText()) &&
                unconfirmed.contains(node.path("Topic").asText()), WAIT_MS);
            unconfirmed.remove(confirm.get("Topic").asText());
        }
        client.drain(100);
        return client;
    }
}
