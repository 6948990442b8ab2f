package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.meridian.gateway.ZenithTestClient.data;
import static io.meridian.gateway.ZenithTestClient.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Readiness and the drain before a stop: {@code /ready} follows the upstream links and the drain; a drain refuses new
 * sessions, keeps serving connected clients for the grace, waits for order requests in flight, then closes every
 * client with 1001.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class DrainSystemTest
{
    private static final long WAIT_MS = 15_000;

    private final HttpClient http = HttpClient.newHttpClient();
    private MeridianServer server;

    @BeforeEach
    void start() throws Exception
    {
        server = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.markets", "2",
            "sim.securities", "20",
            "sim.update-rate", "0",
            "sim.session-seconds", "0",
            "upstream.heartbeat-interval-ms", "100",
            "upstream.liveness-timeout-ms", "1000")));
        awaitReady(true);
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void readinessFollowsTheTradingAgentAndHealthStaysUp() throws Exception
    {
        server.tradingServer().pause();
        try
        {
            final JsonNode notReady = awaitReady(false);
            assertEquals("[\"trading agent down\"]", notReady.get("reasons").toString());
            final HttpResponse<String> health = get("/health");
            assertEquals(200, health.statusCode(), "the process is up: " + health.body());
            assertEquals("CONNECTING", ZenithTestClient.JSON.readTree(health.body()).get("trading").asText());
        }
        finally
        {
            server.tradingServer().resume();
        }
        assertTrue(awaitReady(true).get("ready").asBoolean());
    }

    @Test
    void drainRefusesNewSessionsServesTheGraceThenClosesWith1001() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), server.demoIssuer().mint("drain")))
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"Markets\",\"Action\":\"Sub\",\"Confirm\":true}");
            client.await(data("Markets"), WAIT_MS);

            final List<String> log = new CopyOnWriteArrayList<>();
            final Thread drain = new Thread(() -> server.drain(1_500, 10_000, log::add), "drain");
            drain.start();
            final JsonNode ready = awaitReady(false);
            assertEquals("[\"draining\"]", ready.get("reasons").toString());
            assertTrue(ZenithTestClient.JSON.readTree(get("/health").body()).get("draining").asBoolean());

            final ExecutionException refused = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> http.newWebSocketBuilder().subprotocols("ZenithJson")
                    .buildAsync(URI.create("ws://127.0.0.1:" + server.port() + "/Zenith?version=2.0"),
                        new WebSocket.Listener()
                        {
                        }).get(10, TimeUnit.SECONDS));
            final WebSocketHandshakeException handshake =
                assertInstanceOf(WebSocketHandshakeException.class, refused.getCause());
            assertEquals(503, handshake.getResponse().statusCode());

            // Within the grace the client is still served.
            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":5}");
            client.await(transaction(5), WAIT_MS);
            assertEquals(-1, client.closeCode, "still open during the grace");

            drain.join(WAIT_MS);
            assertFalse(drain.isAlive(), "the drain ends: " + log);
            awaitClose(client);
            assertEquals(ZenithSession.CLOSE_GOING_AWAY, client.closeCode);
            assertTrue(log.stream().anyMatch(line -> line.contains("closing 1 session(s) with 1001")), log.toString());
        }
    }

    @Test
    void drainWaitsForAnOrderRequestInFlightAndItsAnswerReachesTheClientFirst() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), server.demoIssuer().mint("inflight")))
        {
            final JsonNode holdings = subscribe(client, "Trading", "Holdings!INFLIGHT-1");
            final JsonNode holding = holdings.get(1).get("Holding");
            final String exchange = holding.get("Exchange").asText();
            final String code = holding.get("Code").asText();
            final long lot = subscribe(client, "Market", "Security!" + code + "." + exchange).get("LotSize")
                .asLong();

            // The Trading Agent stops answering for a while (shorter than the link's liveness timeout).
            server.tradingServer().pause();
            final List<String> log = new CopyOnWriteArrayList<>();
            final Thread drain;
            try
            {
                client.send("{\"Controller\":\"Trading\",\"Topic\":\"PlaceOrder\",\"TransactionID\":9,\"Data\":{" +
                    "\"Account\":\"INFLIGHT-1\",\"Details\":{\"Exchange\":\"" + exchange + "\",\"Code\":\"" + code +
                    "\",\"Side\":\"Bid\",\"Type\":\"Limit\",\"LimitPrice\":0.10,\"Quantity\":" + lot +
                    ",\"Validity\":\"UntilCancel\"}}}");
                awaitOrdersInFlight(1);
                drain = new Thread(() -> server.drain(100, 10_000, log::add), "drain");
                drain.start();
                Thread.sleep(600);
                assertTrue(drain.isAlive(), "the drain waits for the order request: " + log);
                assertEquals(-1, client.closeCode, "the client stays while its order is in flight");
            }
            finally
            {
                server.tradingServer().resume();
            }
            final JsonNode answer = client.await(node -> transaction(9).test(node) && !node.has("Action"), WAIT_MS);
            assertEquals("Success", answer.get("Data").get("Result").asText(), answer.toString());
            drain.join(WAIT_MS);
            assertFalse(drain.isAlive(), "the drain ends once the order is answered: " + log);
            awaitClose(client);
            assertEquals(ZenithSession.CLOSE_GOING_AWAY, client.closeCode);
            assertTrue(log.stream().anyMatch(line -> line.contains("waiting for 1 order request(s) in flight")),
                log.toString());
        }
    }

    private JsonNode subscribe(final ZenithTestClient client, final String controller, final String topic)
        throws Exception
    {
        client.send("{\"Controller\":\"" + controller + "\",\"Topic\":\"" + topic +
            "\",\"Action\":\"Sub\",\"Confirm\":true}");
        return client.await(data(topic), WAIT_MS).get("Data");
    }

    private void awaitOrdersInFlight(final int count) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (server.engine().ordersInFlight() != count && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(count, server.engine().ordersInFlight());
    }

    private static void awaitClose(final ZenithTestClient client) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (client.closeCode == -1 && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(10);
        }
    }

    private JsonNode awaitReady(final boolean ready) throws Exception
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        HttpResponse<String> response = get("/ready");
        while ((response.statusCode() == 200) != ready && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(20);
            response = get("/ready");
        }
        assertEquals(ready ? 200 : 503, response.statusCode(), response.body());
        return ZenithTestClient.JSON.readTree(response.body());
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        try
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final CompletionException ex)
        {
            throw new AssertionError(ex);
        }
    }
}
