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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code GET /api/v1/...} against a running proxy: the same bearer-token rules as the WebSocket, answers from the
 * cache marked {@code X-Cache: HIT}, items fetched upstream first marked {@code MISS}, and clear errors.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MarketApiSystemTest
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static MeridianServer server;
    private static String token;

    @BeforeAll
    static void start()
    {
        server = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.markets", "1",
            "sim.securities", "6",
            "sim.update-rate", "200",
            "sim.session-seconds", "0")));
        token = server.demoIssuer().mint("reader");
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
    void theTokenRulesAreTheWebSocketsRules() throws Exception
    {
        final HttpResponse<String> none = get("/api/v1/markets", null);
        assertEquals(401, none.statusCode(), none.body());
        assertTrue(none.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
        final HttpResponse<String> bad = get("/api/v1/markets", "not-a-token");
        assertEquals(401, bad.statusCode());
        assertTrue(bad.body().contains("invalid token"), bad.body());
        final HttpResponse<String> adminOnly = get("/api/v1/markets", server.demoIssuer().mint("op", "zenith/admin"));
        assertEquals(403, adminOnly.statusCode());
        assertTrue(adminOnly.body().contains("zenith/market"), adminOnly.body());
    }

    @Test
    void aSecurityIsAMissFirstThenAHitFromTheCache() throws Exception
    {
        // No other test asks for this one.
        final String key = server.feedServer().securityKeys().get(5);
        final HttpResponse<String> first = get("/api/v1/securities/" + key, token);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("MISS", first.headers().firstValue("X-Cache").orElse(""));
        assertEquals("application/json", first.headers().firstValue("Content-Type").orElse(""));
        final JsonNode security = ZenithTestClient.JSON.readTree(first.body());
        assertEquals(key.substring(0, key.indexOf('.')), security.get("Code").asText(), first.body());

        final HttpResponse<String> second = get("/api/v1/securities/" + key, token);
        assertEquals(200, second.statusCode(), second.body());
        assertEquals("HIT", second.headers().firstValue("X-Cache").orElse(""));
        assertEquals(security.get("Code"), ZenithTestClient.JSON.readTree(second.body()).get("Code"));

        final HttpResponse<String> head = HTTP.send(request("/api/v1/securities/" + key, token)
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, head.statusCode());
        assertEquals("", head.body());
        assertEquals("HIT", head.headers().firstValue("X-Cache").orElse(""));
    }

    @Test
    void marketsBooksAndTradesAnswerWithTheirZenithData() throws Exception
    {
        final HttpResponse<String> markets = get("/api/v1/markets", token);
        assertEquals(200, markets.statusCode(), markets.body());
        final JsonNode list = ZenithTestClient.JSON.readTree(markets.body());
        assertTrue(list.isArray() && list.size() >= 1, markets.body());
        assertEquals("HIT", markets.headers().firstValue("X-Cache").orElse(""), "the market list is kept from start");

        final String key = server.feedServer().securityKeys().get(1);
        for (final String resource : new String[]{ "depth", "levels", "trades" })
        {
            final HttpResponse<String> answer = get("/api/v1/" + resource + "/" + key, token);
            assertEquals(200, answer.statusCode(), resource + ": " + answer.body());
            assertTrue(ZenithTestClient.JSON.readTree(answer.body()).isArray(), resource + ": " + answer.body());
        }
        final HttpResponse<String> levels = get("/api/v1/levels/" + key, token);
        assertEquals("HIT", levels.headers().firstValue("X-Cache").orElse(""), "asked for before");

        final HttpResponse<String> twoTrades = get("/api/v1/trades/" + key + "?count=2", token);
        assertEquals(200, twoTrades.statusCode(), twoTrades.body());
        assertTrue(ZenithTestClient.JSON.readTree(twoTrades.body()).size() <= 2, twoTrades.body());
    }

    @Test
    void badRequestsGetClearErrors() throws Exception
    {
        final String missing = server.feedServer().securityKeys().get(0).replaceFirst("^[^.]+", "NOPE");
        final HttpResponse<String> unknown = get("/api/v1/securities/" + missing, token);
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(unknown.body().contains("NotFound"), unknown.body());

        final HttpResponse<String> malformed = get("/api/v1/securities/no-market", token);
        assertEquals(400, malformed.statusCode());
        assertTrue(malformed.body().contains("CODE.MARKET"), malformed.body());

        final HttpResponse<String> resource = get("/api/v1/quotes", token);
        assertEquals(404, resource.statusCode());
        assertTrue(resource.body().contains("/api/v1/markets"), resource.body());

        assertEquals(400, get("/api/v1/trades/" + server.feedServer().securityKeys().get(0) + "?count=many", token)
            .statusCode());
        assertEquals(400, get("/api/v1/depth/" + server.feedServer().securityKeys().get(0) + "?count=2", token)
            .statusCode());
        final HttpResponse<String> post = HTTP.send(request("/api/v1/markets", token)
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
    }

    @Test
    void manyRequestsAtOnceAreAllAnswered() throws Exception
    {
        final java.util.List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> answers =
            new java.util.ArrayList<>();
        for (int i = 0; i < 200; i++)
        {
            final String key = server.feedServer().securityKeys().get(i % 4);
            answers.add(HTTP.sendAsync(request("/api/v1/securities/" + key, token).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
        }
        int ok = 0;
        for (final java.util.concurrent.CompletableFuture<HttpResponse<String>> answer : answers)
        {
            final HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
            assertTrue(200 == response.statusCode() || 503 == response.statusCode(), response.body());
            ok += 200 == response.statusCode() ? 1 : 0;
        }
        assertTrue(ok >= 16, ok + " of 200 answered 200; the rest 503 with Retry-After");
    }

    private static HttpRequest.Builder request(final String path, final String bearer)
    {
        final HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() +
            path)).timeout(Duration.ofSeconds(20));
        return null == bearer ? builder : builder.header("Authorization", "Bearer " + bearer);
    }

    private static HttpResponse<String> get(final String path, final String bearer) throws Exception
    {
        return HTTP.send(request(path, bearer).GET().build(), HttpResponse.BodyHandlers.ofString());
    }
}
