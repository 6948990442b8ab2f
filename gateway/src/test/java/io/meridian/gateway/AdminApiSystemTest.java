package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static io.meridian.gateway.ZenithTestClient.action;
import static io.meridian.gateway.ZenithTestClient.data;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The admin API over HTTP against a running proxy: it needs a valid token with the admin scope, lists the open
 * sessions, closes one (code 4000), and clears the cache so subscribed clients get full state again.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminApiSystemTest
{
    private static final long WAIT_MS = 10_000;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static MeridianServer server;
    private static String adminToken;
    private static java.io.File countersFile;

    @BeforeAll
    static void start() throws Exception
    {
        countersFile = new java.io.File(java.nio.file.Files.createTempDirectory("meridian-admin").toFile(),
            "counters.dat");
        server = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "counters.file", countersFile.getPath(),
            "sim.markets", "1",
            "sim.securities", "4",
            "sim.update-rate", "0",
            "sim.session-seconds", "0")));
        adminToken = server.demoIssuer().mint("operator", "zenith/admin");
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
            assertFalse(countersFile.exists(), "the counters file goes with the server");
        }
    }

    @Test
    void everyRequestNeedsAValidTokenWithTheAdminScope() throws Exception
    {
        assertEquals(401, send("GET", "/admin/sessions", null).statusCode());
        assertEquals(401, send("GET", "/admin/sessions", "not-a-token").statusCode());
        final HttpResponse<String> trader = send("GET", "/admin/sessions", server.demoIssuer().mint("trader"));
        assertEquals(403, trader.statusCode());
        assertTrue(trader.body().contains("zenith/admin"), trader.body());
        assertEquals(200, send("GET", "/admin/sessions", adminToken).statusCode());
    }

    @Test
    void wrongMethodsAndUnknownResourcesAreRefused() throws Exception
    {
        final HttpResponse<String> get = send("GET", "/admin/cache/clear", adminToken);
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElse(""));
        assertEquals(404, send("GET", "/admin/nothing", adminToken).statusCode());
        final HttpResponse<String> httpCacheOff = send("POST", "/cache/clear", adminToken);
        assertEquals(404, httpCacheOff.statusCode());
        assertTrue(httpCacheOff.body().contains("http-cache.origin"), httpCacheOff.body());
        assertEquals(400, send("POST", "/admin/sessions/abc/close", adminToken).statusCode());
        assertEquals(404, send("POST", "/admin/sessions/999999/close", adminToken).statusCode());
    }

    @Test
    void listsSessionsAndClosesOneWith4000() throws Exception
    {
        try (ZenithTestClient kept = new ZenithTestClient(server.port(), server.demoIssuer().mint("kept"));
            ZenithTestClient closed = new ZenithTestClient(server.port(), server.demoIssuer().mint("closed")))
        {
            final JsonNode list = json(send("GET", "/admin/sessions", adminToken));
            long closedId = -1;
            for (final JsonNode session : list.get("sessions"))
            {
                if ("closed".equals(session.path("user").asText()))
                {
                    closedId = session.get("id").asLong();
                    assertFalse(session.get("secure").asBoolean());
                    assertFalse(session.get("dataStopped").asBoolean());
                    assertTrue(session.get("peer").asText().contains("127.0.0.1"), session.toString());
                    assertTrue(session.has("tokenExpiresAt") && session.has("connectedAt"), session.toString());
                }
            }
            assertTrue(closedId > 0, "the session is listed: " + list);
            assertEquals(list.get("sessions").size(), list.get("count").asInt());

            final HttpResponse<String> close = send("POST", "/admin/sessions/" + closedId + "/close", adminToken);
            assertEquals(200, close.statusCode(), close.body());
            awaitTrue(() -> closed.closeCode >= 0, "closed");
            assertEquals(4000, closed.closeCode);
            assertEquals(-1, kept.closeCode, "the other session stays");
            final long id = closedId;
            awaitTrue(() -> !listed(id), "gone from the list");
        }
    }

    @Test
    void clearingTheCacheSendsSubscribedClientsFullStateAgain() throws Exception
    {
        final String topic = "Security!" + server.feedServer().securityKeys().get(1);
        try (ZenithTestClient client = new ZenithTestClient(server.port(), server.demoIssuer().mint("watcher")))
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            client.await(action(topic, "Sub"), WAIT_MS);

            final HttpResponse<String> clear = send("POST", "/admin/cache/clear", adminToken);
            assertEquals(200, clear.statusCode(), clear.body());
            assertTrue(json(clear).get("cleared").asInt() >= 1, clear.body());

            final JsonNode full = client.await(data(topic), WAIT_MS);
            assertTrue(full.path("Data").has("Code") && full.path("Data").has("Name"), "full state: " + full);
        }
    }

    @Test
    void countersMoveWithTrafficAndStatPrintsThem() throws Exception
    {
        final long subscribesBefore = counter("engine.upstream-subscribes");
        final String topic = "Security!" + server.feedServer().securityKeys().get(2);
        try (ZenithTestClient client = new ZenithTestClient(server.port(), server.demoIssuer().mint("counted")))
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            client.await(action(topic, "Sub"), WAIT_MS);
            assertTrue(counter("sessions") >= 1);
            assertTrue(counter("engine.upstream-subscribes") > subscribesBefore, "a new item was subscribed upstream");

            final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
            final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
            final int code = Meridian.stat(new String[]{ "stat", "--port", Integer.toString(server.port()),
                "--set", "server.host=127.0.0.1", "--watch", "1", "--count", "2" }, Map.of(),
                new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));
            final String printed = out.toString();
            assertEquals(0, code, err.toString());
            assertEquals(2, printed.split("Meridian at http://127.0.0.1:" + server.port(), -1).length - 1, printed);
            assertTrue(printed.matches("(?s).*engine\\.security-updates +[0-9,]+\n.*"), printed);
            assertTrue(printed.matches("(?s).*engine\\.security-updates +[0-9,]+ +[0-9,.]+/s\n.*"),
                "the second print has rates: " + printed);
            assertTrue(printed.contains("sessions") && printed.contains("log.errors"), printed);
        }
        assertEquals(403, send("GET", "/admin/counters", server.demoIssuer().mint("trader")).statusCode());
        assertEquals(405, send("POST", "/admin/counters", adminToken).statusCode());
    }

    @Test
    void metricsAreInThePrometheusFormatAndMoveWithTraffic() throws Exception
    {
        final HttpResponse<String> before = send("GET", "/metrics", null);
        assertEquals(200, before.statusCode(), before.body());
        assertTrue(before.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"));
        for (final String name : new String[]{ "meridian_engine_security_updates_total",
            "meridian_engine_upstream_subscribes_total", "meridian_sessions", "meridian_upstream_up",
            "meridian_ready", "meridian_log_errors_total", "jvm_memory_used_bytes", "jvm_gc_",
            "process_uptime_seconds" })
        {
            assertTrue(before.body().contains(name), name + " missing from:\n" + before.body());
        }
        assertEquals(1.0, metric(before.body(), "meridian_upstream_up"), before.body());
        final double subscribes = metric(before.body(), "meridian_engine_upstream_subscribes_total");

        final String topic = "Security!" + server.feedServer().securityKeys().get(3);
        try (ZenithTestClient client = new ZenithTestClient(server.port(), server.demoIssuer().mint("scraped")))
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\"," +
                "\"Confirm\":true}");
            client.await(action(topic, "Sub"), WAIT_MS);
            final String after = send("GET", "/metrics", null).body();
            assertTrue(metric(after, "meridian_engine_upstream_subscribes_total") > subscribes, after);
            assertTrue(metric(after, "meridian_sessions") >= 1, after);
        }
        assertEquals(405, send("POST", "/metrics", null).statusCode());
    }

    private static double metric(final String text, final String name)
    {
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(name.endsWith("}") ? name : name + " ") || line.startsWith(name + "{"))
            {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sample of " + name);
    }

    @Test
    void statReadsTheCountersFileWithoutAToken() throws Exception
    {
        final String topic = "Security!" + server.feedServer().securityKeys().get(1);
        try (ZenithTestClient client = new ZenithTestClient(server.port(), server.demoIssuer().mint("filed")))
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            client.await(action(topic, "Sub"), WAIT_MS);
            final long deadline = System.currentTimeMillis() + WAIT_MS;
            String printed = "";
            // The sessions gauge is sampled every second for readers of the file.
            while (System.currentTimeMillis() < deadline)
            {
                final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
                final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
                assertEquals(0, Meridian.stat(new String[]{ "stat", "--file", countersFile.getPath() }, Map.of(),
                    new java.io.PrintStream(out, true), new java.io.PrintStream(err, true)), err.toString());
                printed = out.toString();
                if (printed.matches("(?s).*\n  sessions +[1-9][0-9,]*\n.*"))
                {
                    break;
                }
                Thread.sleep(100);
            }
            assertTrue(printed.startsWith("Meridian pid " + ProcessHandle.current().pid()), printed);
            assertTrue(printed.matches("(?s).*\n  sessions +[1-9][0-9,]*\n.*"), printed);
            assertTrue(printed.matches("(?s).*\n  engine\\.upstream-subscribes +[1-9][0-9,]*\n.*"), printed);
            assertTrue(printed.contains("engine.order-results result=Success"), printed);
        }
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        final java.io.File notCounters = java.io.File.createTempFile("meridian", ".dat");
        java.nio.file.Files.write(notCounters.toPath(), new byte[4096]);
        assertEquals(1, Meridian.stat(new String[]{ "stat", "--file", notCounters.getPath() }, Map.of(),
            new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true), new java.io.PrintStream(err, true)));
        assertTrue(err.toString().contains("is not a Meridian counters file"), err.toString());
        assertTrue(notCounters.delete());
    }

    @Test
    void metricsCountItemsByStateAuthFailuresByReasonAndTheRing() throws Exception
    {
        assertEquals(401, send("GET", "/admin/sessions", "not-a-token").statusCode());
        final String topic = "Security!" + server.feedServer().securityKeys().get(0);
        try (ZenithTestClient client = new ZenithTestClient(server.port(), server.demoIssuer().mint("itemised")))
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            client.await(action(topic, "Sub"), WAIT_MS);
            final long deadline = System.currentTimeMillis() + WAIT_MS;
            String scrape = send("GET", "/metrics", null).body();
            // Items and subscriptions are counted by the engine's housekeeping, once a second; the items may have
            // been live since an earlier test, so wait for the subscription too.
            while ((metric(scrape, "meridian_engine_items{state=\"live\"}") < 2 ||
                metric(scrape, "meridian_engine_subscriptions") < 1) && System.currentTimeMillis() < deadline)
            {
                Thread.sleep(100);
                scrape = send("GET", "/metrics", null).body();
            }
            assertTrue(metric(scrape, "meridian_engine_items{state=\"live\"}") >= 2,
                "the market list and the security are live: " + scrape);
            assertTrue(metric(scrape, "meridian_engine_subscriptions") >= 1, scrape);
            assertTrue(metric(scrape, "meridian_auth_failures_total{reason=\"malformed token\"}") >= 1, scrape);
            for (final String name : new String[]{ "meridian_engine_items{state=\"stale\"}",
                "meridian_engine_ring_fill ", "meridian_engine_ring_fill_max ",
                "meridian_engine_ring_full_total{source=\"gateway\"}", "meridian_sessions_queued_bytes ",
                "meridian_sessions_queued_bytes_max ", "meridian_engine_order_results_total{result=\"Rejected\"}",
                "meridian_engine_link_ups_total{link=\"feed\"}", "meridian_engine_item_resyncs_total " })
            {
                assertTrue(scrape.contains("\n" + name), name + " missing from:\n" + scrape);
            }
            assertEquals(1.0, metric(scrape, "meridian_engine_link_ups_total{link=\"feed\"}"), scrape);
            assertTrue(metric(scrape, "meridian_sessions_frames_in_total") >= 1, "the Sub: " + scrape);
            assertTrue(metric(scrape, "meridian_sessions_frames_out_total") >= 2, "confirm and data: " + scrape);
            assertTrue(metric(scrape, "meridian_sessions_bytes_out_total") >
                metric(scrape, "meridian_sessions_frames_out_total"), scrape);
        }
    }

    @Test
    void theEmbeddedMediaDriverKeepsItsLogsInMemoryOnLinux()
    {
        final java.io.File shm = new java.io.File("/dev/shm");
        org.junit.jupiter.api.Assumptions.assumeTrue(org.agrona.SystemUtil.isLinux() && shm.isDirectory() &&
            shm.canWrite() && shm.getUsableSpace() >= (1L << 30), "Linux with a /dev/shm of at least 1 GiB free");
        final String dir = server.engine().aeron().context().aeronDirectoryName();
        assertTrue(dir.startsWith("/dev/shm/meridian-aeron-"), dir);
    }

    @Test
    void statSaysWhenNothingRunsAndRefusesBadOptions() throws Exception
    {
        final int freePort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0))
        {
            freePort = socket.getLocalPort();
        }
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream errStream = new java.io.PrintStream(err, true);
        final java.io.PrintStream quiet = new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true);
        assertEquals(1, Meridian.stat(new String[]{ "stat", "--port", Integer.toString(freePort) }, Map.of(), quiet,
            errStream));
        assertTrue(err.toString().contains("nothing answers at"), err.toString());
        err.reset();
        assertEquals(2, Meridian.stat(new String[]{ "stat", "--watch", "often" }, Map.of(), quiet, errStream));
        assertTrue(err.toString().contains("--watch and --count take whole numbers"), err.toString());
    }

    private static long counter(final String name) throws Exception
    {
        for (final JsonNode counter : json(send("GET", "/admin/counters", adminToken)).get("counters"))
        {
            if (name.equals(counter.get("name").asText()))
            {
                return counter.get("value").asLong();
            }
        }
        throw new AssertionError("no counter " + name);
    }

    private static boolean listed(final long sessionId)
    {
        try
        {
            for (final JsonNode session : json(send("GET", "/admin/sessions", adminToken)).get("sessions"))
            {
                if (session.get("id").asLong() == sessionId)
                {
                    return true;
                }
            }
            return false;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static HttpResponse<String> send(final String method, final String path, final String token)
        throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + path))
            .timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(final HttpResponse<String> response) throws Exception
    {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        return ZenithTestClient.JSON.readTree(response.body());
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("not " + what + " within " + WAIT_MS + " ms");
            }
            Thread.sleep(20);
        }
    }
}
