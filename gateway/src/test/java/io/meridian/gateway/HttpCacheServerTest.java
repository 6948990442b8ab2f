package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A whole Meridian with {@code http-cache.origin} set: the HTTP cache answers every path but Meridian's own, its
 * clear endpoint needs an operator, and {@code meridian --clear-cache} clears it from the command line.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpCacheServerTest
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Map<String, AtomicInteger> HITS = new ConcurrentHashMap<>();
    private static final AtomicLong UPLOADED = new AtomicLong();
    private static HttpServer origin;
    private static MeridianServer server;

    @BeforeAll
    static void start() throws IOException
    {
        origin = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        origin.setExecutor(Executors.newFixedThreadPool(4));
        origin.createContext("/", exchange ->
        {
            final String path = exchange.getRequestURI().getPath();
            HITS.computeIfAbsent(path, p -> new AtomicInteger()).incrementAndGet();
            try (InputStream in = exchange.getRequestBody())
            {
                UPLOADED.set(in.transferTo(OutputStream.nullOutputStream()));
            }
            final byte[] body = ("origin says " + path).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Cache-Control", "max-age=600");
            exchange.getResponseHeaders().add("Content-Type", "text/plain");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        });
        origin.start();
        server = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.markets", "1",
            "sim.securities", "4",
            "sim.update-rate", "0",
            "sim.session-seconds", "0",
            "http-cache.origin", "http://127.0.0.1:" + origin.getAddress().getPort())));
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
        if (null != origin)
        {
            origin.stop(0);
        }
    }

    @Test
    void everyPathButMeridiansOwnGoesToTheOrigin() throws Exception
    {
        final HttpResponse<String> miss = send("GET", "/page", null);
        final HttpResponse<String> hit = send("GET", "/page", null);
        final HttpResponse<String> home = send("GET", "/", null);

        assertEquals("origin says /page", miss.body());
        assertEquals("MISS", miss.headers().firstValue("X-Cache").orElse(""));
        assertEquals("HIT", hit.headers().firstValue("X-Cache").orElse(""));
        assertEquals("origin says /", home.body(), "the origin's front page, not Meridian's");
        final HttpResponse<String> console = send("GET", "/console/config.json", null);
        assertEquals(200, console.statusCode());
        assertTrue(console.body().startsWith("{\"demo\":"), "the console stays Meridian's: " + console.body());
        assertEquals(1, hits("/page"));

        assertTrue(send("GET", "/health", null).body().contains("\"status\""));
        assertEquals(401, send("GET", "/api/v1/quotes", null).statusCode(), "Meridian's market data API");
        assertEquals(401, send("GET", "/admin/sessions", null).statusCode());
        assertEquals(200, send("POST", "/demo/token?user=alice", null).statusCode());
        assertEquals(200, send("GET", "/.well-known/jwks.json", null).statusCode());
        for (final String own : new String[]{ "/health", "/api/v1/quotes", "/admin/sessions", "/demo/token",
            "/.well-known/jwks.json", "/cache/clear" })
        {
            assertEquals(0, hits(own), own + " never reaches the origin");
        }
    }

    @Test
    void metricsCountHitsMissesAndBytes() throws Exception
    {
        final String before = send("GET", "/metrics", null).body();
        assertEquals(200, send("GET", "/counted", null).statusCode());
        assertEquals(200, send("GET", "/counted", null).statusCode());
        assertEquals(200, send("GET", "/counted", null).statusCode());
        final String after = send("GET", "/metrics", null).body();
        assertEquals(1.0, metric(after, "meridian_http_cache_requests_total{result=\"miss\"}") -
            metric(before, "meridian_http_cache_requests_total{result=\"miss\"}"), after);
        assertEquals(2.0, metric(after, "meridian_http_cache_requests_total{result=\"hit\"}") -
            metric(before, "meridian_http_cache_requests_total{result=\"hit\"}"), after);
        assertEquals(2.0 * "origin says /counted".length(), metric(after, "meridian_http_cache_hit_bytes_total") -
            metric(before, "meridian_http_cache_hit_bytes_total"), after);
        assertTrue(metric(after, "meridian_http_cache_stored_bytes") > 0, after);
    }

    @Test
    void theGrafanaDashboardAsksOnlyForMetricsThatExist() throws Exception
    {
        final JsonNode dashboard = ZenithTestClient.JSON.readTree(
            java.nio.file.Files.readString(java.nio.file.Path.of("..", "docs", "grafana-dashboard.json")));
        // The server has an engine and an HTTP cache; a bad token makes the auth-failure counter appear.
        assertEquals(401, send("GET", "/admin/sessions", "not-a-token").statusCode());
        final String scrape = send("GET", "/metrics", null).body();
        final java.util.regex.Pattern names =
            java.util.regex.Pattern.compile("\\b(meridian|jvm|process|system)_[a-z_]+");
        int checked = 0;
        for (final JsonNode panel : dashboard.get("panels"))
        {
            for (final JsonNode target : panel.get("targets"))
            {
                final java.util.regex.Matcher matcher = names.matcher(target.get("expr").asText());
                while (matcher.find())
                {
                    final String name = matcher.group();
                    // GC pause timers appear with the first collection Micrometer is told of.
                    if (!name.startsWith("jvm_gc_pause"))
                    {
                        assertTrue(scrape.contains("\n" + name + " ") || scrape.contains("\n" + name + "{"),
                            panel.get("title").asText() + " asks for " + name + ", which /metrics does not have");
                        checked++;
                    }
                }
            }
        }
        assertTrue(checked >= 30, "checked " + checked);
    }

    private static double metric(final String text, final String name)
    {
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(name + " "))
            {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        throw new AssertionError("no sample of " + name + " in\n" + text);
    }

    @Test
    void bodiesOverTheListenersEntityLimitAreStreamedToTheOrigin() throws Exception
    {
        final HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(uri("/upload"))
            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[3 << 20])).build(),
            HttpResponse.BodyHandlers.ofString());

        assertEquals(200, response.statusCode());
        assertEquals(3 << 20, UPLOADED.get());
    }

    @Test
    void clearingNeedsAnOperatorToken() throws Exception
    {
        send("GET", "/cleared", null);

        assertEquals(401, send("POST", "/cache/clear", null).statusCode());
        assertEquals(403, send("POST", "/cache/clear", server.demoIssuer().mint("trader")).statusCode());
        assertEquals("HIT", send("GET", "/cleared", null).headers().firstValue("X-Cache").orElse(""));
        final HttpResponse<String> cleared = send("POST", "/cache/clear",
            server.demoIssuer().mint("operator", "zenith/admin"));
        assertEquals(200, cleared.statusCode(), cleared.body());
        assertTrue(cleared.body().matches("\\{\"cleared\":[1-9][0-9]*}"), cleared.body());
        assertEquals("MISS", send("GET", "/cleared", null).headers().firstValue("X-Cache").orElse(""));
    }

    @Test
    void clearCacheCommandClearsTheRunningInstance() throws Exception
    {
        send("GET", "/cli", null);
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();

        final int refused = Meridian.clearCache(new String[]{ "--clear-cache", "--port", port() },
            Map.of("MERIDIAN_ADMIN_TOKEN", server.demoIssuer().mint("trader")), print(out), print(err));
        final boolean keptAfterRefusal = "HIT".equals(send("GET", "/cli", null).headers().firstValue("X-Cache")
            .orElse(""));
        final int cleared = Meridian.clearCache(new String[]{ "--clear-cache", "--port", port() }, Map.of(),
            print(out), print(err));

        assertEquals(1, refused);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("HTTP 403"), err.toString(StandardCharsets.UTF_8));
        assertTrue(keptAfterRefusal);
        assertEquals(0, cleared, err.toString(StandardCharsets.UTF_8));
        assertTrue(out.toString(StandardCharsets.UTF_8).contains("HTTP cache cleared"),
            out.toString(StandardCharsets.UTF_8));
        assertEquals("MISS", send("GET", "/cli", null).headers().firstValue("X-Cache").orElse(""));
    }

    @Test
    void clearCacheCommandWithAnExplicitTokenAndWithNothingListening() throws Exception
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int withToken = Meridian.clearCache(new String[]{ "--port", port(), "--token",
            server.demoIssuer().mint("operator", "zenith/admin"), "--clear-cache" }, Map.of(),
            print(new ByteArrayOutputStream()), print(err));
        final int freePort;
        try (ServerSocket socket = new ServerSocket(0))
        {
            freePort = socket.getLocalPort();
        }
        final int nobody = Meridian.clearCache(new String[]{ "--clear-cache", "--port", Integer.toString(freePort) },
            Map.of(), print(new ByteArrayOutputStream()), print(err));
        final int badPort = Meridian.clearCache(new String[]{ "--clear-cache", "--port", "x" }, Map.of(),
            print(new ByteArrayOutputStream()), print(err));

        assertEquals(0, withToken);
        assertEquals(1, nobody);
        assertTrue(err.toString(StandardCharsets.UTF_8).contains("nothing answers"),
            err.toString(StandardCharsets.UTF_8));
        assertEquals(2, badPort);
        assertFalse(err.toString(StandardCharsets.UTF_8).isEmpty());
    }

    private static String port()
    {
        return Integer.toString(server.port());
    }

    private static int hits(final String path)
    {
        final AtomicInteger count = HITS.get(path);
        return null == count ? 0 : count.get();
    }

    private static PrintStream print(final ByteArrayOutputStream bytes)
    {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private static URI uri(final String path)
    {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> send(final String method, final String path, final String token)
        throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
