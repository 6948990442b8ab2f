package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.meridian.config.MeridianConfig;
import io.meridian.sim.FeedServer;
import io.meridian.sim.TradingServer;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static io.meridian.gateway.ZenithTestClient.transaction;
import static io.meridian.gateway.Loopback.freeUdpPort;
import static io.meridian.gateway.Loopback.udp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two Meridian processes, from the distribution, active/active on one Feed Server and Trading Agent over loopback UDP,
 * restarted one after the other as an operator rolls a new version out: SIGTERM drains one (its clients get 1001),
 * the client reconnects to the other at once and gets full state, a retried order request (same RequestID) is placed
 * once, and the restarted proxy takes clients again.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ActiveActiveIT
{
    private static final long WAIT_MS = 30_000;
    private static final String AUDIENCE = "meridian";
    private static final String SERVICE_TOKEN = "pair-token";

    @TempDir
    static Path dir;
    private static Distribution distribution;
    private static MockIdentityProvider idp;
    private static MediaDriver driver;
    private static Aeron aeron;
    private static AgentRunner sim;
    private static int feedPort;
    private static int tradingPort;

    @BeforeAll
    static void start() throws Exception
    {
        distribution = Distribution.unpack(dir);
        idp = new MockIdentityProvider();
        feedPort = freeUdpPort();
        tradingPort = freeUdpPort();
        final String aeronDir = new File(System.getProperty("java.io.tmpdir"), "meridian-pair-" + UUID.randomUUID())
            .getPath();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(aeronDir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .threadingMode(ThreadingMode.SHARED));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        // A market that does not move: the orders placed rest, so every one can be found afterwards.
        final MeridianConfig simConfig = MeridianConfig.of(Map.of(
            "upstream.channel", udp(feedPort),
            "trading.channel", udp(tradingPort),
            "sim.service-token", SERVICE_TOKEN,
            "sim.markets", "1",
            "sim.securities", "10",
            "sim.update-rate", "0",
            "sim.session-seconds", "0",
            "upstream.heartbeat-interval-ms", "200",
            "upstream.liveness-timeout-ms", "2000"));
        final FeedServer feedServer = new FeedServer(FeedServer.Context.fromConfig(simConfig, aeron).conclude());
        final TradingServer tradingServer =
            new TradingServer(TradingServer.Context.fromConfig(simConfig, aeron).conclude(), feedServer);
        sim = new AgentRunner(new SleepingMillisIdleStrategy(1), Throwable::printStackTrace, null,
            new CompositeAgent(feedServer, tradingServer));
        AgentRunner.startOnThread(sim);
    }

    @AfterAll
    static void stop()
    {
        CloseHelper.quietCloseAll(sim, aeron, driver, idp);
    }

    @Test
    void aRollingRestartLosesNoOrderAndNoClientForLongerThanAReconnect() throws Exception
    {
        final Proxy a = new Proxy("a");
        final Proxy b = new Proxy("b");
        final List<Proxy> started = new ArrayList<>(List.of(a, b));
        try
        {
            a.start();
            b.start();
            a.awaitReady();
            b.awaitReady();
            final String token = idp.token("roller", AUDIENCE,
                Map.of("scope", "openid zenith/market zenith/trading zenith/orderpad"));

            // On A: find a security the account may buy, and place an order that rests.
            final ZenithTestClient onA = new ZenithTestClient(a.port, token);
            final JsonNode holdings = subscribe(onA, "Trading", "Holdings!ROLLER-1");
            final JsonNode held = holdings.get(1).get("Holding");
            final String security = held.get("Code").asText() + "." + held.get("Exchange").asText();
            final long lot = subscribe(onA, "Market", "Security!" + security).get("LotSize").asLong();
            subscribe(onA, "Trading", "Orders!ROLLER-1");
            final String first = orderId(place(onA, 1, "roll-1", held, lot));

            // Roll A: a second order goes in as the drain begins; the client is told to go elsewhere.
            onA.send(placeRequest(2, "roll-2", held, lot));
            a.process.destroy();
            awaitClose(onA);
            assertEquals(ZenithSession.CLOSE_GOING_AWAY, onA.closeCode, a.log());
            final JsonNode answeredOnA = answered(onA, 2);
            assertTrue(a.process.waitFor(60, TimeUnit.SECONDS), "A exits after its drain: " + a.log());

            // The client reconnects to B and gets full state, with the first order in it.
            final ZenithTestClient onB = new ZenithTestClient(b.port, token);
            final JsonNode ordersOnB = subscribe(onB, "Trading", "Orders!ROLLER-1");
            assertTrue(orderIds(ordersOnB).contains(first), "full state on B has the order placed on A: " +
                ordersOnB);
            // The request A may or may not have passed on is sent again with the same RequestID: one order.
            final JsonNode retried = place(onB, 3, "roll-2", held, lot);
            final String second = orderId(retried);
            if (null != answeredOnA)
            {
                assertEquals(orderId(answeredOnA), second, "the retry is answered with the first placing's order");
            }
            assertEquals(Set.of(first, second), orderIds(query(onB, 4, "QueryOrders", "{\"Account\":\"ROLLER-1\"}")),
                "two orders, not three");

            // A comes back; then B is rolled, and the client moves back to A.
            final Proxy restarted = new Proxy("a");
            started.add(restarted);
            restarted.start();
            restarted.awaitReady();
            b.process.destroy();
            awaitClose(onB);
            assertEquals(ZenithSession.CLOSE_GOING_AWAY, onB.closeCode, b.log());
            assertTrue(b.process.waitFor(60, TimeUnit.SECONDS), "B exits after its drain: " + b.log());

            final ZenithTestClient back = new ZenithTestClient(restarted.port, token);
            assertEquals(Set.of(first, second), orderIds(subscribe(back, "Trading", "Orders!ROLLER-1")),
                "full state on the restarted A has both orders");
            final String third = orderId(place(back, 5, "roll-3", held, lot));
            assertEquals(Set.of(first, second, third),
                orderIds(query(back, 6, "QueryOrders", "{\"Account\":\"ROLLER-1\"}")));
            CloseHelper.quietCloseAll(onA, onB, back);
        }
        finally
        {
            for (final Proxy proxy : started)
            {
                proxy.process.destroyForcibly();
            }
        }
    }

    @Test
    void aClientWhoseServerIsKilledRetriesOnTheOtherAndItsOrderIsPlacedOnce() throws Exception
    {
        final Proxy a = new Proxy("killed-a");
        final Proxy b = new Proxy("killed-b");
        try
        {
            a.start();
            b.start();
            a.awaitReady();
            b.awaitReady();
            final String token = idp.token("crasher", AUDIENCE,
                Map.of("scope", "openid zenith/market zenith/trading zenith/orderpad"));

            final ZenithTestClient onA = new ZenithTestClient(a.port, token);
            final JsonNode holdings = subscribe(onA, "Trading", "Holdings!CRASHER-1");
            final JsonNode held = holdings.get(1).get("Holding");
            final long lot = subscribe(onA, "Market", "Security!" + held.get("Code").asText() + "." +
                held.get("Exchange").asText()).get("LotSize").asLong();
            final String first = orderId(place(onA, "CRASHER-1", 1, "crash-1", held, lot));

            // A dies with SIGKILL just as a second request goes in: no drain, no close frame.
            onA.send(placeRequest("CRASHER-1", 2, "crash-2", held, lot));
            a.process.destroyForcibly();
            assertTrue(a.process.waitFor(30, TimeUnit.SECONDS));
            final long deadline = System.currentTimeMillis() + WAIT_MS;
            while (onA.closeCode < 0 && null == onA.error && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(10);
            }
            assertTrue(onA.closeCode >= 0 || null != onA.error, "the client sees its connection end");

            // On B: full state has the first order; the second, retried with its RequestID, is placed at most once
            // whether or not A had passed it on.
            final ZenithTestClient onB = new ZenithTestClient(b.port, token);
            assertTrue(orderIds(subscribe(onB, "Trading", "Orders!CRASHER-1")).contains(first));
            final String second = orderId(place(onB, "CRASHER-1", 3, "crash-2", held, lot));
            assertEquals(second, orderId(place(onB, "CRASHER-1", 4, "crash-2", held, lot)), "the same order again");
            assertEquals(Set.of(first, second),
                orderIds(query(onB, 5, "QueryOrders", "{\"Account\":\"CRASHER-1\"}")), "two orders, not three");
            CloseHelper.quietCloseAll(onA, onB);
        }
        finally
        {
            a.process.destroyForcibly();
            b.process.destroyForcibly();
        }
    }

    /**
     * One Meridian process of the pair; a restart is a new one with the same name, ports and settings.
     */
    private static final class Proxy
    {
        private static final Map<String, int[]> RESPONSE_PORTS = new java.util.concurrent.ConcurrentHashMap<>();
        private final String name;
        private final Path logFile;
        Process process;
        int port;

        Proxy(final String name) throws Exception
        {
            this.name = name;
            this.logFile = Files.createTempFile(dir, "proxy-" + name, ".log");
        }

        void start() throws Exception
        {
            final int[] ports = RESPONSE_PORTS.computeIfAbsent(name, n -> new int[]{ freeUdpPort(), freeUdpPort() });
            process = distribution.command("--port", "0",
                "--set", "server.host=127.0.0.1",
                "--set", "server.name=Meridian-" + name,
                "--set", "server.drain-grace-seconds=1",
                "--set", "sim.enabled=false",
                "--set", "upstream.channel=" + udp(feedPort),
                "--set", "upstream.response-channel=" + udp(ports[0]),
                "--set", "upstream.service-token=" + SERVICE_TOKEN,
                "--set", "upstream.heartbeat-interval-ms=200",
                "--set", "upstream.liveness-timeout-ms=2000",
                "--set", "trading.channel=" + udp(tradingPort),
                "--set", "trading.response-channel=" + udp(ports[1]),
                "--set", "trading.service-token=" + SERVICE_TOKEN,
                "--set", "trading.allow-plain-connections=true",
                "--set", "auth.jwks-url=" + idp.jwksUrl(),
                "--set", "auth.issuer=" + idp.issuer(),
                "--set", "auth.audience=" + AUDIENCE)
                .redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
            port = Distribution.awaitPort(logFile, process);
        }

        void awaitReady() throws Exception
        {
            try
            {
                Loopback.awaitReady(port, name, WAIT_MS);
            }
            catch (final AssertionError notReady)
            {
                throw new AssertionError(notReady.getMessage() + "\n" + log(), notReady);
            }
        }

        String log()
        {
            try
            {
                return Files.readString(logFile);
            }
            catch (final java.io.IOException ex)
            {
                return ex.toString();
            }
        }
    }

    private static JsonNode subscribe(final ZenithTestClient client, final String controller, final String topic)
        throws Exception
    {
        client.send("{\"Controller\":\"" + controller + "\",\"Topic\":\"" + topic +
            "\",\"Action\":\"Sub\",\"Confirm\":true}");
        final JsonNode first = client.await(node -> topic.equals(node.path("Topic").asText()) &&
            (node.has("Data") || "Error".equals(node.path("Action").asText())), WAIT_MS);
        assertTrue(first.has("Data") && !"Error".equals(first.path("Action").asText()), first.toString());
        return first.get("Data");
    }

    private static String placeRequest(
        final long transactionId, final String requestId, final JsonNode held, final long lot)
    {
        return placeRequest("ROLLER-1", transactionId, requestId, held, lot);
    }

    private static String placeRequest(
        final String account, final long transactionId, final String requestId, final JsonNode held, final long lot)
    {
        // A buy at the lowest price on every tick size rests: nothing sells that low in a market that does not move.
        return "{\"Controller\":\"Trading\",\"Topic\":\"PlaceOrder\",\"TransactionID\":" + transactionId +
            ",\"Data\":{\"Account\":\"" + account + "\",\"RequestID\":\"" + requestId +
            "\",\"Details\":{\"Exchange\":\"" + held.get("Exchange").asText() + "\",\"Code\":\"" +
            held.get("Code").asText() + "\",\"Side\":\"Bid\",\"Type\":\"Limit\",\"LimitPrice\":0.1,\"Quantity\":" +
            lot + "}}}";
    }

    private static JsonNode place(
        final ZenithTestClient client, final long transactionId, final String requestId, final JsonNode held,
        final long lot) throws Exception
    {
        return place(client, "ROLLER-1", transactionId, requestId, held, lot);
    }

    private static JsonNode place(
        final ZenithTestClient client, final String account, final long transactionId, final String requestId,
        final JsonNode held, final long lot) throws Exception
    {
        client.send(placeRequest(account, transactionId, requestId, held, lot));
        final JsonNode answer =
            client.await(node -> transaction(transactionId).test(node) && !node.has("Action"), WAIT_MS).get("Data");
        assertEquals("Success", answer.path("Result").asText(), answer.toString());
        assertEquals(requestId, answer.path("RequestID").asText());
        return answer;
    }

    private static JsonNode query(
        final ZenithTestClient client, final long transactionId, final String topic, final String data)
        throws Exception
    {
        client.send("{\"Controller\":\"Trading\",\"Topic\":\"" + topic + "\",\"TransactionID\":" + transactionId +
            ",\"Data\":" + data + "}");
        return client.await(node -> transaction(transactionId).test(node) && !node.has("Action"), WAIT_MS)
            .get("Data");
    }

    /**
     * @return the answer to a request that reached the proxy before it closed the session, or null if none came.
     */
    private static JsonNode answered(final ZenithTestClient client, final long transactionId)
    {
        for (final JsonNode frame : client.takeAll())
        {
            if (transaction(transactionId).test(frame) && !frame.has("Action"))
            {
                final JsonNode answer = frame.get("Data");
                assertEquals("Success", answer.path("Result").asText(), answer.toString());
                return answer;
            }
        }
        return null;
    }

    private static String orderId(final JsonNode answer)
    {
        final String id = answer.path("Order").path("ID").asText();
        assertTrue(!id.isEmpty(), "the answer carries the order: " + answer);
        return id;
    }

    /**
     * @return the ids of the orders in a full state (change records) or a query answer (orders).
     */
    private static Set<String> orderIds(final JsonNode orders)
    {
        final Set<String> ids = new HashSet<>();
        for (final JsonNode entry : orders)
        {
            final JsonNode order = entry.has("Order") ? entry.get("Order") : entry;
            if (order.has("ID"))
            {
                ids.add(order.get("ID").asText());
            }
        }
        return ids;
    }

    private static void awaitClose(final ZenithTestClient client) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (client.closeCode < 0 && System.currentTimeMillis() < deadline)
        {
            Thread.sleep(20);
        }
    }
}
