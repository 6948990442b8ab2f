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
import java.util.function.BooleanSupplier;

import static io.meridian.gateway.ZenithTestClient.action;
import static io.meridian.gateway.ZenithTestClient.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The limits that keep one client from hurting the others, over real sockets, with small settings so they trip
 * quickly: message size, time to authenticate, sessions per user, requests per second, subscriptions per session
 * and idle time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SessionLimitsSystemTest
{
    private static final long WAIT_MS = 10_000;
    private static MeridianServer server;

    @BeforeAll
    static void start()
    {
        server = MeridianServer.start(MeridianConfig.of(Map.ofEntries(
            Map.entry("server.port", "0"),
            Map.entry("server.host", "127.0.0.1"),
            Map.entry("sim.markets", "2"),
            Map.entry("sim.securities", "20"),
            Map.entry("session.max-frame-bytes", "1024"),
            Map.entry("session.auth-timeout-seconds", "1"),
            Map.entry("session.max-per-user", "2"),
            Map.entry("session.max-requests-per-second", "5"),
            Map.entry("session.max-subscriptions", "3"),
            Map.entry("session.idle-timeout-seconds", "2"),
            Map.entry("session.ping-interval-seconds", "1"))));
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
    void aMessageLargerThanAllowedClosesWith1009() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), server.demoIssuer().mint("big")))
        {
            client.send("{\"Controller\":\"Zenith\",\"Topic\":\"ServerInfo\",\"Data\":\"" + "x".repeat(2000) + "\"}");
            awaitTrue(() -> client.closeCode >= 0, "closed");
            assertEquals(1009, client.closeCode);
        }
    }

    @Test
    void aSessionThatDoesNotAuthenticateInTimeIsClosedWith1008() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), null))
        {
            awaitTrue(() -> client.closeCode >= 0, "closed");
            assertEquals(1008, client.closeCode);
            assertEquals("Not authenticated in time", client.closeReason);
        }
    }

    @Test
    void aUserBeyondItsSessionLimitIsClosedWith4000AndItsOtherSessionsGoOn() throws Exception
    {
        try (ZenithTestClient first = new ZenithTestClient(server.port(), server.demoIssuer().mint("many"));
            ZenithTestClient second = new ZenithTestClient(server.port(), server.demoIssuer().mint("many"));
            ZenithTestClient third = new ZenithTestClient(server.port(), null))
        {
            third.send("{\"Controller\":\"Auth\",\"Topic\":\"AuthToken\",\"TransactionID\":1,\"Data\":{" +
                "\"Provider\":\"Bearer\",\"AccessToken\":\"" + server.demoIssuer().mint("many") + "\"}}");
            awaitTrue(() -> third.closeCode >= 0, "the third session closed");
            assertEquals(4000, third.closeCode);
            for (final ZenithTestClient open : List.of(first, second))
            {
                open.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":2}");
                assertTrue(open.await(transaction(2), WAIT_MS).get("Data").isArray());
                assertEquals(-1, open.closeCode);
            }
        }
        // Their places are given back when they close.
        awaitTrue(() -> server.sessionCount() == 0, "sessions gone");
        try (ZenithTestClient again = new ZenithTestClient(server.port(), server.demoIssuer().mint("many")))
        {
            again.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":3}");
            assertTrue(again.await(transaction(3), WAIT_MS).get("Data").isArray());
        }
    }

    @Test
    void requestsBeyondTheRateGetLimitedAndTheSessionGoesOn() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), server.demoIssuer().mint("fast")))
        {
            for (int i = 1; i <= 20; i++)
            {
                client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":" + i + "}");
            }
            int answered = 0;
            int limited = 0;
            for (final JsonNode frame : client.drain(1500))
            {
                if ("Error".equals(frame.path("Action").asText()))
                {
                    assertEquals("Limited", frame.get("Data").asText());
                    limited++;
                }
                else if (frame.path("Data").isArray() && frame.get("Data").size() > 0)
                {
                    answered++;
                }
            }
            assertTrue(answered >= 5 && answered <= 10, "answered within the rate: " + answered);
            assertTrue(limited >= 10, "the rest were Limited: " + limited);
            Thread.sleep(1100);
            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":99}");
            assertTrue(client.await(transaction(99), WAIT_MS).get("Data").isArray(), "served again next second");
            assertEquals(-1, client.closeCode);
        }
    }

    @Test
    void aSubscriptionBeyondTheSessionsLimitGetsLimited() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), server.demoIssuer().mint("subs")))
        {
            final List<String> keys = server.feedServer().securityKeys();
            for (int i = 0; i < 3; i++)
            {
                client.send("{\"Controller\":\"Market\",\"Topic\":\"Security!" + keys.get(i) +
                    "\",\"Action\":\"Sub\",\"Confirm\":true}");
                assertTrue(client.await(action("Security!" + keys.get(i), "Sub"), WAIT_MS).get("Confirm")
                    .asBoolean());
            }
            final String fourth = "Security!" + keys.get(3);
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + fourth + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            assertEquals("Limited", client.await(action(fourth, "Error"), WAIT_MS).get("Data").asText());
            assertFalse(client.await(action(fourth, "Sub"), WAIT_MS).has("Confirm"));

            Thread.sleep(1100);
            client.send("{\"Controller\":\"Market\",\"Topic\":\"Security!" + keys.get(0) + "\",\"Action\":\"Unsub\"}");
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + fourth + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            assertTrue(client.await(action(fourth, "Sub"), WAIT_MS).get("Confirm").asBoolean(), "room again");
        }
    }

    @Test
    void aClientThatAnswersPingsStaysAndOneThatStopsReadingIsClosedAsIdle() throws Exception
    {
        try (ZenithTestClient quiet = new ZenithTestClient(server.port(), server.demoIssuer().mint("quiet"));
            ZenithTestClient stalled = new ZenithTestClient(server.port(), server.demoIssuer().mint("stalled")))
        {
            awaitTrue(() -> server.sessionsOf("stalled") == 1 && server.sessionsOf("quiet") == 1, "both counted");
            stalled.pause();
            // Three idle timeouts: the quiet client sends nothing but answers the server's pings.
            Thread.sleep(6000);
            assertEquals(-1, quiet.closeCode, "pongs keep a quiet client open");
            quiet.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":1}");
            assertTrue(quiet.await(transaction(1), WAIT_MS).get("Data").isArray());
            awaitTrue(() -> server.sessionsOf("stalled") == 0, "the stalled session was closed");
            assertEquals(1, server.sessionsOf("quiet"));
        }
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("not within " + WAIT_MS + " ms: " + what);
            }
            Thread.sleep(20);
        }
    }
}
