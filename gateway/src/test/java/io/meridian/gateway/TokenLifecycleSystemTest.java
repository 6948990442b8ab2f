package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.meridian.gateway.ZenithTestClient.action;
import static io.meridian.gateway.ZenithTestClient.data;
import static io.meridian.gateway.ZenithTestClient.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A token's life on one socket, over real sockets with a live simulated market: at expiry (no grace here) data stops
 * while another client's goes on, requests get {@code Authority}; an {@code AuthToken} renewal resumes every
 * subscription with full state; a renewal whose token no longer grants a controller ends that controller's
 * subscriptions with an {@code Error}, then a server {@code Unsub} with {@code Confirm:true}.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TokenLifecycleSystemTest
{
    private static final long WAIT_MS = 10_000;
    private static final String ALL = "zenith/market zenith/trading zenith/orderpad";
    private static MeridianServer server;
    private static String topic;

    @BeforeAll
    static void start()
    {
        server = MeridianServer.start(MeridianConfig.of(Map.ofEntries(
            Map.entry("server.port", "0"),
            Map.entry("server.host", "127.0.0.1"),
            Map.entry("sim.markets", "1"),
            Map.entry("sim.securities", "4"),
            Map.entry("sim.update-rate", "400"),
            Map.entry("sim.session-seconds", "0"),
            Map.entry("auth.expiry-grace-seconds", "0"))));
        topic = "Security!" + server.feedServer().securityKeys().get(0);
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
    void dataStopsAtExpiryAndARenewalResumesItWithFullState() throws Exception
    {
        try (ZenithTestClient expiring = new ZenithTestClient(server.port(), null);
            ZenithTestClient steady = new ZenithTestClient(server.port(), server.demoIssuer().mint("steady")))
        {
            final long lifetimeSeconds = 3;
            authenticate(expiring, 1, server.demoIssuer().mint("expiring", ALL, lifetimeSeconds));
            final long expiresAtMs = System.currentTimeMillis() + lifetimeSeconds * 1000;
            subscribe(expiring, topic);
            subscribe(steady, topic);
            expiring.await(data(topic), WAIT_MS);

            // The token's exp is whole seconds from when it was minted: by now it has run out.
            Thread.sleep(Math.max(0, expiresAtMs - System.currentTimeMillis()) + 500);
            expiring.drain(300);
            steady.drain(100);
            final List<JsonNode> whileExpired = expiring.drain(1500);
            final long steadyData = steady.drain(100).stream().filter(data(topic)).count();
            assertTrue(steadyData > 0, "the market moved meanwhile");
            assertEquals(0, whileExpired.stream().filter(data(topic)).count(), "no data after expiry: " +
                whileExpired);

            expiring.send("{\"Controller\":\"Market\",\"Topic\":\"QuerySecurity\",\"TransactionID\":5," +
                "\"Data\":{\"Code\":\"X\",\"Market\":\"Y\"}}");
            final JsonNode refused = expiring.await(transaction(5), WAIT_MS);
            assertEquals("Authority", refused.path("Data").asText(), refused.toString());

            authenticate(expiring, 2, server.demoIssuer().mint("expiring", ALL, 60));
            final JsonNode full = expiring.await(data(topic), WAIT_MS);
            assertTrue(full.path("Data").has("Code"), "full state on resume: " + full);
            assertTrue(full.path("Data").has("Name"), "full state on resume: " + full);
            final JsonNode delta = expiring.await(data(topic), WAIT_MS);
            assertFalse(delta.path("Data").has("Name"), "then deltas: " + delta);
        }
    }

    @Test
    void aRenewalWithoutARightEndsThatControllersSubscriptions() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), null))
        {
            authenticate(client, 1, server.demoIssuer().mint("narrowing", ALL, 60));
            subscribe(client, topic);
            client.send("{\"Controller\":\"Trading\",\"Topic\":\"Accounts\",\"Action\":\"Sub\",\"Confirm\":true}");
            client.await(data("Accounts"), WAIT_MS);
            client.await(data(topic), WAIT_MS);

            authenticate(client, 2, server.demoIssuer().mint("narrowing", "zenith/market", 60));
            final JsonNode error = client.await(action("Accounts", "Error"), WAIT_MS);
            assertEquals("Trading", error.path("Controller").asText());
            assertEquals("Authority", error.path("Data").asText());
            final JsonNode unsub = client.await(action("Accounts", "Unsub"), WAIT_MS);
            assertTrue(unsub.path("Confirm").asBoolean(), unsub.toString());
            client.await(data(topic), WAIT_MS);

            authenticate(client, 3, server.demoIssuer().mint("narrowing", "zenith/trading", 60));
            final JsonNode marketError = client.await(action(topic, "Error"), WAIT_MS);
            assertEquals("Authority", marketError.path("Data").asText());
            assertTrue(client.await(action(topic, "Unsub"), WAIT_MS).path("Confirm").asBoolean());
            client.drain(300);
            assertEquals(0, client.drain(1000).stream().filter(data(topic)).count(), "no market data any more");

            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            final JsonNode refused = client.await(action(topic, "Error"), WAIT_MS);
            assertEquals("Authority", refused.path("Data").asText(), "a new Sub needs the right too");
        }
    }

    private static void authenticate(final ZenithTestClient client, final long transactionId, final String token)
        throws Exception
    {
        client.send("{\"Controller\":\"Auth\",\"Topic\":\"AuthToken\",\"TransactionID\":" + transactionId +
            ",\"Data\":{\"Provider\":\"Bearer\",\"AccessToken\":\"" + token + "\"}}");
        final JsonNode reply = client.await(transaction(transactionId), WAIT_MS);
        assertEquals("Success", reply.path("Data").path("Result").asText(), reply.toString());
    }

    private static void subscribe(final ZenithTestClient client, final String topic) throws Exception
    {
        client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
        client.await(action(topic, "Sub"), WAIT_MS);
    }
}
