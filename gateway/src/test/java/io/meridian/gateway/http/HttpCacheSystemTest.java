package io.meridian.gateway.http;

import io.meridian.gateway.http.TestOrigin.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

import static io.meridian.gateway.http.CacheHarness.awaitTrue;
import static io.meridian.gateway.http.CacheHarness.header;
import static io.meridian.gateway.http.CacheHarness.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The HTTP cache against a real origin server: what is stored and reused, revalidated, varied, invalidated,
 * coalesced, served stale, purged, compressed and streamed. The cache's clock is moved forward instead of waiting for
 * responses to age.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HttpCacheSystemTest
{
    private static final long WAIT_MS = 10_000;

    private CacheHarness harness;
    private TestOrigin origin;

    @BeforeEach
    void start()
    {
        harness = new CacheHarness();
        origin = harness.origin;
    }

    @AfterEach
    void stop()
    {
        harness.close();
    }

    @Test
    void missThenHitWithCacheHeaders() throws Exception
    {
        origin.on("/a", request -> Reply.ok("hello").header("Cache-Control", "max-age=60")
            .header("Content-Type", "application/octet-stream").header("ETag", "\"v1\""));

        final HttpResponse<byte[]> first = harness.get("/a?x=1");
        final HttpResponse<byte[]> second = harness.get("/a?x=1");

        assertEquals(200, first.statusCode());
        assertEquals("hello", text(first));
        assertEquals("MISS", header(first, "X-Cache"));
        assertEquals("Meridian; fwd=uri-miss; fwd-status=200; stored; ttl=60", header(first, "Cache-Status"));
        assertEquals("1.1 meridian", header(first, "Via"));
        assertEquals(200, second.statusCode());
        assertEquals("hello", text(second));
        assertEquals("HIT", header(second, "X-Cache"));
        assertTrue(header(second, "Cache-Status").startsWith("Meridian; hit; ttl="), header(second, "Cache-Status"));
        assertEquals("\"v1\"", header(second, "ETag"));
        assertNotNull(header(second, "Age"));
        assertEquals(1, second.headers().allValues("Date").size());
        assertEquals("5", header(second, "Content-Length"));
        assertEquals(1, origin.hits("/a"));
        assertEquals("MISS", header(harness.get("/a?x=2"), "X-Cache"), "the query is part of the key");
    }

    @Test
    void aTargetThatMakesNoValidUriIsRefusedAndNeverReachesTheOrigin() throws Exception
    {
        origin.on("/q", request -> Reply.ok("never"));

        for (final String method : List.of("GET", "HEAD", "DELETE", "PURGE"))
        {
            for (final String target : List.of("/q?x=%zz", "/q?x=a|b", "/q%zz"))
            {
                final String answer = harness.raw(method + " " + target + " HTTP/1.1\r\nHost: localhost\r\n" +
                    "Connection: close\r\n\r\n");
                assertTrue(answer.startsWith("HTTP/1.1 400"), method + " " + target + ": " + answer);
            }
        }
        assertEquals(0, origin.hits("/q"));
        assertEquals(0, origin.hits("/q%zz"));
    }

    @Test
    void connectionSpecificFieldsAreRemovedBothWaysAndViaAdded() throws Exception
    {
        origin.on("/hop", request -> Reply.ok("x").header("Cache-Control", "max-age=60")
            .header("Connection", "X-Origin-Hop").header("X-Origin-Hop", "1").header("Keep-Alive", "timeout=5")
            .header("Proxy-Authenticate", "Basic").header("X-End", "kept"));

        final String response = harness.raw("GET /hop HTTP/1.1\r\nHost: localhost\r\n" +
            "Connection: close, X-Client-Hop\r\nX-Client-Hop: 1\r\nProxy-Authorization: Basic abc\r\n" +
            "TE: trailers\r\nX-Client-End: kept\r\nX-Forwarded-Host: evil.example\r\n\r\n")
            .toLowerCase(Locale.ROOT);

        assertTrue(response.startsWith("http/1.1 200"), response);
        assertFalse(response.contains("x-origin-hop"), response);
        assertFalse(response.contains("proxy-authenticate"), response);
        assertFalse(response.contains("keep-alive: timeout=5"), response);
        assertTrue(response.contains("x-end: kept"), response);
        final HttpFields seen = origin.last("/hop").headers();
        assertFalse(seen.has("X-Client-Hop"));
        assertFalse(seen.has("Proxy-Authorization"));
        assertFalse(seen.has("TE"));
        assertEquals("kept", seen.first("X-Client-End"));
        assertEquals("1.1 meridian", seen.first("Via"));
        assertEquals("127.0.0.1", seen.first("X-Forwarded-For"));
        assertEquals("http", seen.first("X-Forwarded-Proto"));
        assertFalse(seen.has("X-Forwarded-Host"), "a client cannot steer links in a shared response");
    }

    @Test
    void expiredResponseIsRevalidatedWithItsETagAnd304UpdatesIt() throws Exception
    {
        final AtomicInteger version = new AtomicInteger();
        origin.on("/r", request ->
        {
            if ("\"e1\"".equals(request.headers().first("If-None-Match")))
            {
                return Reply.status(304, "").header("ETag", "\"e1\"").header("Cache-Control", "max-age=10")
                    .header("X-Version", "revalidated-" + version.incrementAndGet());
            }
            return Reply.ok("body-1").header("ETag", "\"e1\"").header("Cache-Control", "max-age=10")
                .header("X-Version", "original");
        });

        assertEquals("MISS", header(harness.get("/r"), "X-Cache"));
        harness.advance(11);
        final HttpResponse<byte[]> revalidated = harness.get("/r");
        final HttpResponse<byte[]> after = harness.get("/r");

        assertEquals(200, revalidated.statusCode());
        assertEquals("body-1", text(revalidated));
        assertEquals("HIT", header(revalidated, "X-Cache"));
        assertEquals("Meridian; fwd=stale; fwd-status=304; stored; ttl=10", header(revalidated, "Cache-Status"));
        assertEquals("revalidated-1", header(revalidated, "X-Version"), "the 304's fields replace the stored ones");
        assertEquals("\"e1\"", origin.last("/r").headers().first("If-None-Match"));
        assertEquals("HIT", header(after, "X-Cache"));
        assertTrue(header(after, "Cache-Status").startsWith("Meridian; hit"), header(after, "Cache-Status"));
        assertEquals("revalidated-1", header(after, "X-Version"));
        assertEquals(2, origin.hits("/r"));
    }

    @Test
    void lastModifiedValidatesWithIfModifiedSince() throws Exception
    {
        final String lastModified = HttpDate.format(harness.clock.getAsLong() - 3_600_000);
        origin.on("/lm", request -> null != request.headers().first("If-Modified-Since") ?
            Reply.status(304, "") : Reply.ok("dated").header("Last-Modified", lastModified)
            .header("Cache-Control", "max-age=5"));

        harness.get("/lm");
        harness.advance(6);
        final HttpResponse<byte[]> revalidated = harness.get("/lm");

        assertEquals("dated", text(revalidated));
        assertEquals(lastModified, origin.last("/lm").headers().first("If-Modified-Since"));
        assertTrue(header(revalidated, "Cache-Status").contains("fwd-status=304"), header(revalidated,
            "Cache-Status"));
    }

    @Test
    void clientConditionalGetsA304FromTheCache() throws Exception
    {
        origin.on("/c", request -> Reply.ok("etagged").header("ETag", "\"c1\"").header("Cache-Control", "max-age=60"));

        harness.get("/c");
        final HttpResponse<byte[]> notModified = harness.get("/c", "If-None-Match", "\"other\", \"c1\"");
        final HttpResponse<byte[]> modified = harness.get("/c", "If-None-Match", "\"other\"");
        final HttpResponse<byte[]> conditionalMiss = harness.get("/c?first", "If-None-Match", "\"c1\"");

        assertEquals(304, notModified.statusCode());
        assertEquals(0, notModified.body().length);
        assertEquals("\"c1\"", header(notModified, "ETag"));
        assertEquals("HIT", header(notModified, "X-Cache"));
        assertEquals(200, modified.statusCode());
        assertEquals(304, conditionalMiss.statusCode(), "the cache fetches in full, stores, then answers 304");
        assertNull(origin.last("/c?first").headers().first("If-None-Match"));
        assertEquals(2, origin.hits("/c"));
    }

    @Test
    void requestNoCacheOrMaxAgeZeroForcesRevalidation() throws Exception
    {
        origin.on("/nc", request -> "\"n1\"".equals(request.headers().first("If-None-Match")) ?
            Reply.status(304, "") : Reply.ok("fresh").header("ETag", "\"n1\"").header("Cache-Control", "max-age=600"));

        harness.get("/nc");
        final HttpResponse<byte[]> noCache = harness.get("/nc", "Cache-Control", "no-cache");
        final HttpResponse<byte[]> maxAgeZero = harness.get("/nc", "Cache-Control", "max-age=0");
        final HttpResponse<byte[]> pragma = harness.get("/nc", "Pragma", "no-cache");

        assertEquals("fresh", text(noCache));
        assertTrue(header(noCache, "Cache-Status").contains("fwd=request; fwd-status=304"),
            header(noCache, "Cache-Status"));
        assertTrue(header(maxAgeZero, "Cache-Status").contains("fwd=request"), header(maxAgeZero, "Cache-Status"));
        assertTrue(header(pragma, "Cache-Status").contains("fwd=request"), header(pragma, "Cache-Status"));
        assertEquals(4, origin.hits("/nc"));
    }

    @Test
    void varyOnAcceptLanguageKeepsOneResponsePerLanguage() throws Exception
    {
        origin.on("/v", request -> Reply.ok("lang=" + request.headers().first("Accept-Language"))
            .header("Vary", "Accept-Language").header("Cache-Control", "max-age=60"));

        final HttpResponse<byte[]> en = harness.get("/v", "Accept-Language", "en");
        final HttpResponse<byte[]> fr = harness.get("/v", "Accept-Language", "fr");
        final HttpResponse<byte[]> enAgain = harness.get("/v", "Accept-Language", "EN");
        final HttpResponse<byte[]> frAgain = harness.get("/v", "Accept-Language", "fr");

        assertEquals("lang=en", text(en));
        assertEquals("MISS", header(en, "X-Cache"));
        assertEquals("lang=fr", text(fr));
        assertTrue(header(fr, "Cache-Status").contains("fwd=vary-miss"), header(fr, "Cache-Status"));
        assertEquals("lang=en", text(enAgain), "language tags compare case-insensitively");
        assertEquals("HIT", header(enAgain, "X-Cache"));
        assertEquals("lang=fr", text(frAgain));
        assertEquals("HIT", header(frAgain, "X-Cache"));
        assertEquals(2, origin.hits("/v"));
    }

    @Test
    void varyStarNoStorePrivateAndSetCookieAreNeverStored() throws Exception
    {
        origin.on("/no-store", request -> Reply.ok("a").header("Cache-Control", "no-store, max-age=60"));
        origin.on("/private", request -> Reply.ok("b").header("Cache-Control", "private, max-age=60"));
        origin.on("/cookie", request -> Reply.ok("c").header("Cache-Control", "max-age=60")
            .header("Set-Cookie", "session=secret"));
        origin.on("/star", request -> Reply.ok("d").header("Cache-Control", "max-age=60").header("Vary", "*"));

        for (final String path : List.of("/no-store", "/private", "/cookie", "/star"))
        {
            final HttpResponse<byte[]> first = harness.get(path);
            final HttpResponse<byte[]> second = harness.get(path);
            assertEquals("MISS", header(first, "X-Cache"), path);
            assertEquals("MISS", header(second, "X-Cache"), path);
            assertEquals(2, origin.hits(path), path);
        }
        assertTrue(header(harness.get("/private"), "Cache-Status").contains("detail=private"));
        final HttpResponse<byte[]> cookie = harness.get("/cookie");
        assertEquals("session=secret", header(cookie, "Set-Cookie"), "the client that asked still gets its cookie");
        assertTrue(header(cookie, "Cache-Status").contains("detail=set-cookie"));
        assertEquals(0, harness.cache.store().responseCount());
    }

    @Test
    void requestWithAuthorizationIsStoredOnlyWhenTheResponseAllowsIt() throws Exception
    {
        origin.on("/auth", request -> Reply.ok("mine").header("Cache-Control", "max-age=60"));
        origin.on("/auth-public", request -> Reply.ok("ours").header("Cache-Control", "public, max-age=60"));

        harness.get("/auth", "Authorization", "Bearer a");
        harness.get("/auth", "Authorization", "Bearer a");
        harness.get("/auth-public", "Authorization", "Bearer a");
        final HttpResponse<byte[]> shared = harness.get("/auth-public");

        assertEquals(2, origin.hits("/auth"));
        assertEquals(1, origin.hits("/auth-public"));
        assertEquals("HIT", header(shared, "X-Cache"));
    }

    @Test
    void requestNoStoreIsForwardedAndNotStored() throws Exception
    {
        origin.on("/rns", request -> Reply.ok("x").header("Cache-Control", "max-age=60"));

        harness.get("/rns", "Cache-Control", "no-store");

        assertEquals(0, harness.cache.store().responseCount());
        assertEquals("MISS", header(harness.get("/rns"), "X-Cache"));
    }

    @Test
    void defaultTtlAppliesOnlyWithoutExplicitFreshness() throws Exception
    {
        harness.close();
        harness = new CacheHarness(Map.of("http-cache.default-ttl-seconds", "30"));
        origin = harness.origin;
        origin.on("/plain", request -> Reply.ok("no freshness"));
        origin.on("/zero", request -> Reply.ok("explicit").header("Cache-Control", "max-age=0"));
        origin.on("/error", request -> Reply.status(500, "broken"));

        harness.get("/plain");
        final HttpResponse<byte[]> hit = harness.get("/plain");
        harness.get("/zero");
        harness.get("/zero");
        harness.get("/error");
        harness.get("/error");
        harness.advance(31);
        final HttpResponse<byte[]> expired = harness.get("/plain");

        assertEquals("HIT", header(hit, "X-Cache"));
        assertEquals(2, origin.hits("/zero"), "an explicit max-age=0 wins over the default");
        assertEquals(2, origin.hits("/error"), "500 is not heuristically cacheable");
        assertEquals("MISS", header(expired, "X-Cache"));
        assertEquals(2, origin.hits("/plain"));
    }

    @Test
    void successfulUnsafeMethodInvalidatesTargetAndLocation() throws Exception
    {
        origin.on("/item", request -> "POST".equals(request.method()) ?
            Reply.status(201, "created").header("Location", "/other") :
            Reply.ok("item").header("Cache-Control", "max-age=60"));
        origin.on("/other", request -> Reply.ok("other").header("Cache-Control", "max-age=60"));
        origin.on("/failing", request -> "DELETE".equals(request.method()) ? Reply.status(500, "no") :
            Reply.ok("kept").header("Cache-Control", "max-age=60"));

        harness.get("/item");
        harness.get("/other");
        harness.get("/failing");
        final HttpResponse<byte[]> post = harness.send("POST", "/item", "payload".getBytes(StandardCharsets.UTF_8),
            "Content-Type", "text/plain");
        harness.send("DELETE", "/failing", null);

        assertEquals(201, post.statusCode());
        assertEquals("MISS", header(post, "X-Cache"));
        assertEquals("Meridian; fwd=method; fwd-status=201", header(post, "Cache-Status"));
        assertEquals("payload", new String(origin.last("/item").body(), StandardCharsets.UTF_8));
        assertEquals("MISS", header(harness.get("/item"), "X-Cache"));
        assertEquals("MISS", header(harness.get("/other"), "X-Cache"), "Location on the same origin");
        assertEquals("HIT", header(harness.get("/failing"), "X-Cache"), "an error does not invalidate");
    }

    @Test
    void concurrentMissesMakeOneOriginRequest() throws Exception
    {
        final CountDownLatch gate = new CountDownLatch(1);
        origin.on("/slow", request -> Reply.ok("shared").header("Cache-Control", "max-age=60").after(gate));

        final List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        for (int i = 0; i < 20; i++)
        {
            responses.add(harness.getAsync("/slow"));
        }
        awaitTrue(() -> origin.hits("/slow") == 1 && harness.cache.waiting() == 19, "19 requests waiting");
        gate.countDown();

        int collapsed = 0;
        for (final CompletableFuture<HttpResponse<byte[]>> future : responses)
        {
            final HttpResponse<byte[]> response = future.get(WAIT_MS, TimeUnit.MILLISECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("shared", text(response));
            collapsed += header(response, "Cache-Status").contains("collapsed") ? 1 : 0;
        }
        assertEquals(1, origin.hits("/slow"));
        assertEquals(19, collapsed);
    }

    @Test
    void waitersForwardThemselvesWhenTheResponseIsNotStorable() throws Exception
    {
        final CountDownLatch gate = new CountDownLatch(1);
        final AtomicInteger served = new AtomicInteger();
        origin.on("/personal", request -> Reply.ok("for " + served.incrementAndGet())
            .header("Cache-Control", "private").after(gate));

        final List<CompletableFuture<HttpResponse<byte[]>>> responses = new ArrayList<>();
        for (int i = 0; i < 5; i++)
        {
            responses.add(harness.getAsync("/personal"));
        }
        awaitTrue(() -> harness.cache.waiting() == 4, "4 requests waiting");
        gate.countDown();

        for (final CompletableFuture<HttpResponse<byte[]>> future : responses)
        {
            final HttpResponse<byte[]> response = future.get(WAIT_MS, TimeUnit.MILLISECONDS);
            assertEquals(200, response.statusCode());
            assertEquals("MISS", header(response, "X-Cache"));
        }
        assertEquals(5, origin.hits("/personal"));
    }

    @Test
    void staleIfErrorServesTheStoredResponseWhenTheOriginAnswers5xx() throws Exception
    {
        final AtomicInteger calls = new AtomicInteger();
        origin.on("/sie", request -> calls.incrementAndGet() == 1 ?
            Reply.ok("good").header("Cache-Control", "max-age=1, stale-if-error=60") :
            Reply.status(500, "broken"));
        origin.on("/strict", request -> request.headers().has("If-None-Match") ? Reply.status(503, "down") :
            Reply.ok("good").header("Cache-Control", "max-age=1").header("ETag", "\"s\""));

        harness.get("/sie");
        harness.get("/strict");
        harness.advance(5);
        final HttpResponse<byte[]> stale = harness.get("/sie");
        final HttpResponse<byte[]> error = harness.get("/strict");
        final HttpResponse<byte[]> requestAllows = harness.get("/strict", "Cache-Control", "stale-if-error=60");

        assertEquals(200, stale.statusCode());
        assertEquals("good", text(stale));
        assertEquals("HIT", header(stale, "X-Cache"));
        assertEquals("Meridian; fwd=stale; fwd-status=500; detail=stale-if-error", header(stale, "Cache-Status"));
        assertEquals(503, error.statusCode(), "without stale-if-error the error goes through");
        assertEquals(200, requestAllows.statusCode(), "the request's stale-if-error allows it too");
        assertEquals("good", text(requestAllows));
    }

    @Test
    void staleIfErrorServesTheStoredResponseWhenTheOriginIsDown() throws Exception
    {
        origin.on("/down", request -> Reply.ok("remembered").header("Cache-Control", "max-age=1, stale-if-error=60"));
        origin.on("/gone", request -> Reply.ok("forgotten").header("Cache-Control", "max-age=1"));

        harness.get("/down");
        harness.get("/gone");
        origin.close();
        harness.advance(5);
        final HttpResponse<byte[]> stale = harness.get("/down");
        final HttpResponse<byte[]> error = harness.get("/gone");
        final HttpResponse<byte[]> never = harness.get("/never");

        assertEquals(200, stale.statusCode());
        assertEquals("remembered", text(stale));
        assertEquals("Meridian; fwd=stale; detail=stale-if-error", header(stale, "Cache-Status"));
        assertEquals(502, error.statusCode());
        assertTrue(header(error, "Cache-Status").contains("detail=origin-unreachable"),
            header(error, "Cache-Status"));
        assertEquals(502, never.statusCode());
    }

    @Test
    void staleWhileRevalidateServesStaleAndRefreshesOnceInTheBackground() throws Exception
    {
        final AtomicInteger version = new AtomicInteger();
        origin.on("/swr", request -> Reply.ok("v" + version.incrementAndGet())
            .header("Cache-Control", "max-age=1, stale-while-revalidate=60"));

        harness.get("/swr");
        harness.advance(5);
        final HttpResponse<byte[]> stale = harness.get("/swr");
        awaitTrue(() -> origin.hits("/swr") == 2 && harness.cache.store().lookup("/swr", HttpFields.EMPTY)
            .response().currentAgeMs(harness.clock.getAsLong()) < 1000, "the background refresh is stored");
        final HttpResponse<byte[]> refreshed = harness.get("/swr");

        assertEquals("v1", text(stale));
        assertEquals("HIT", header(stale, "X-Cache"));
        assertTrue(header(stale, "Cache-Status").contains("detail=stale-while-revalidate"),
            header(stale, "Cache-Status"));
        assertEquals("v2", text(refreshed));
        assertEquals("HIT", header(refreshed, "X-Cache"));
        assertEquals(2, origin.hits("/swr"));
    }

    @Test
    void purgeAndClearNeedAnAdminToken() throws Exception
    {
        origin.on("/p", request -> Reply.ok("purge me").header("Cache-Control", "max-age=60"));
        origin.on("/q", request -> Reply.ok("clear me").header("Cache-Control", "max-age=60"));
        final String admin = CacheHarness.ISSUER.mint("operator", "zenith/admin");
        final String trader = CacheHarness.ISSUER.mint("trader");
        harness.get("/p");
        harness.get("/q");

        assertEquals(401, harness.send("PURGE", "/p", null).statusCode());
        assertEquals(401, harness.send("PURGE", "/p", null, "Authorization", "Bearer nonsense").statusCode());
        assertEquals(403, harness.send("PURGE", "/p", null, "Authorization", "Bearer " + trader).statusCode());
        assertEquals(2, harness.cache.store().responseCount());
        final HttpResponse<byte[]> purged = harness.send("PURGE", "/p", null, "Authorization", "Bearer " + admin);
        assertEquals(200, purged.statusCode());
        assertTrue(text(purged).contains("\"purged\":1"), text(purged));
        assertEquals("MISS", header(harness.get("/p"), "X-Cache"));
        assertEquals("HIT", header(harness.get("/q"), "X-Cache"));
        assertEquals(2, origin.hits("/p"), "the purges were not forwarded");

        assertEquals(401, harness.send("POST", "/cache/clear", null).statusCode());
        assertEquals(403, harness.send("POST", "/cache/clear", null, "Authorization", "Bearer " + trader)
            .statusCode());
        assertEquals(405, harness.send("GET", "/cache/clear", null, "Authorization", "Bearer " + admin)
            .statusCode());
        final HttpResponse<byte[]> cleared = harness.send("POST", "/cache/clear", null,
            "Authorization", "Bearer " + admin);
        assertEquals(200, cleared.statusCode());
        assertTrue(text(cleared).contains("\"cleared\":2"), text(cleared));
        assertEquals(0, harness.cache.store().responseCount());
        assertEquals("MISS", header(harness.get("/q"), "X-Cache"));
    }

    @Test
    void compressibleBodiesAreStoredGzippedAndServedAsEachClientAccepts() throws Exception
    {
        final String json = "{\"values\":[" + "1234567890,".repeat(1000) + "0]}";
        origin.on("/json", request -> Reply.ok(json).header("Content-Type", "application/json")
            .header("Cache-Control", "max-age=60").header("ETag", "\"j\""));

        final HttpResponse<byte[]> plainMiss = harness.get("/json");
        final HttpResponse<byte[]> gzipped = harness.get("/json", "Accept-Encoding", "gzip, deflate");
        final HttpResponse<byte[]> plain = harness.get("/json");
        final HttpResponse<byte[]> head = harness.send("HEAD", "/json", null, "Accept-Encoding", "gzip");

        assertEquals(json, text(plainMiss));
        assertNull(header(plainMiss, "Content-Encoding"));
        assertEquals("HIT", header(gzipped, "X-Cache"));
        assertEquals("gzip", header(gzipped, "Content-Encoding"));
        assertEquals("Accept-Encoding", header(gzipped, "Vary"));
        assertEquals("W/\"j\"", header(gzipped, "ETag"), "an encoded body is another representation");
        assertTrue(gzipped.body().length < json.length() / 10, "compressed: " + gzipped.body().length);
        assertEquals(Integer.toString(gzipped.body().length), header(gzipped, "Content-Length"));
        assertEquals(json, new String(gunzip(gzipped.body()), StandardCharsets.UTF_8));
        assertEquals("HIT", header(plain, "X-Cache"));
        assertNull(header(plain, "Content-Encoding"));
        assertEquals("Accept-Encoding", header(plain, "Vary"));
        assertEquals(json, text(plain));
        assertEquals(200, head.statusCode());
        assertEquals(0, head.body().length);
        assertEquals(header(gzipped, "Content-Length"), header(head, "Content-Length"));
        assertEquals(1, origin.hits("/json"));
        assertNull(origin.last("/json").headers().first("Accept-Encoding"), "the first client did not take gzip");
        assertTrue(harness.cache.store().weightedSize() < json.length() / 2, "held compressed");
    }

    @Test
    void bodyLargerThanTheMaximumObjectIsStreamedAndNotStored() throws Exception
    {
        harness.close();
        harness = new CacheHarness(Map.of("http-cache.max-object-bytes", "65536"));
        origin = harness.origin;
        final byte[] big = new byte[300_000];
        for (int i = 0; i < big.length; i++)
        {
            big[i] = (byte)(i * 31);
        }
        origin.on("/big", request -> Reply.ok("").body(big).header("Cache-Control", "max-age=60"));
        origin.on("/grows", request -> Reply.ok("").body(big).chunked().header("Cache-Control", "max-age=60"));
        origin.on("/small", request -> Reply.ok("").body(new byte[60_000]).chunked()
            .header("Cache-Control", "max-age=60"));

        for (final String path : List.of("/big", "/grows"))
        {
            final HttpResponse<byte[]> first = harness.get(path);
            final HttpResponse<byte[]> second = harness.get(path);
            assertArrayEquals(big, first.body(), path);
            assertArrayEquals(big, second.body(), path);
            assertEquals("MISS", header(second, "X-Cache"), path);
            assertTrue(header(second, "Cache-Status").contains("detail=too-big"), header(second, "Cache-Status"));
            assertEquals(2, origin.hits(path), path);
        }
        harness.get("/small");
        assertEquals("HIT", header(harness.get("/small"), "X-Cache"), "a chunked body within the limit is stored");
        assertEquals(1, harness.cache.store().responseCount());
    }

    @Test
    void anOriginSilentInTheMiddleOfABodyTimesOutAndNothingIsStored() throws Exception
    {
        harness.close();
        harness = new CacheHarness(Map.of("http-cache.origin-timeout-ms", "300"));
        origin = harness.origin;
        final CountDownLatch stall = new CountDownLatch(1);
        origin.on("/stall", request -> Reply.ok("0123456789".repeat(100)).header("Cache-Control", "max-age=60")
            .stallUntil(stall));

        try
        {
            final HttpResponse<byte[]> response = harness.get("/stall");

            assertEquals(504, response.statusCode());
            assertTrue(header(response, "Cache-Status").contains("detail=origin-timeout"),
                header(response, "Cache-Status"));
            assertEquals(0, harness.cache.store().responseCount());
        }
        finally
        {
            stall.countDown();
        }
    }

    @Test
    void headIsAnsweredFromAStoredGetAndForwardedOnAMiss() throws Exception
    {
        origin.on("/h", request -> Reply.ok("twelve bytes").header("Cache-Control", "max-age=60"));

        final HttpResponse<byte[]> headMiss = harness.send("HEAD", "/h", null);
        final String forwardedAs = origin.last("/h").method();
        harness.get("/h");
        final HttpResponse<byte[]> headHit = harness.send("HEAD", "/h", null);

        assertEquals("MISS", header(headMiss, "X-Cache"));
        assertEquals("HEAD", forwardedAs);
        assertEquals("HIT", header(headHit, "X-Cache"));
        assertEquals("12", header(headHit, "Content-Length"));
        assertEquals(0, headHit.body().length);
        assertEquals(2, origin.hits("/h"));
    }

    @Test
    void onlyIfCachedAnswers504OnAMiss() throws Exception
    {
        origin.on("/oic", request -> Reply.ok("x").header("Cache-Control", "max-age=60"));

        assertEquals(504, harness.get("/oic", "Cache-Control", "only-if-cached").statusCode());
        harness.get("/oic");
        assertEquals(200, harness.get("/oic", "Cache-Control", "only-if-cached").statusCode());
        assertEquals(1, origin.hits("/oic"));
    }

    @Test
    void rangeRequestsBypassTheCache() throws Exception
    {
        origin.on("/range", request -> Reply.ok("0123456789").header("Cache-Control", "max-age=60"));

        harness.get("/range");
        final HttpResponse<byte[]> ranged = harness.get("/range", "Range", "bytes=0-3");

        assertTrue(header(ranged, "Cache-Status").contains("fwd=bypass"), header(ranged, "Cache-Status"));
        assertEquals("bytes=0-3", origin.last("/range").headers().first("Range"));
    }

    @Test
    void originRedirectsKeepTheClientOnTheProxy() throws Exception
    {
        origin.on("/moved", request -> Reply.status(301, "").header("Location", origin.url() + "/new")
            .header("Cache-Control", "max-age=60"));

        final HttpResponse<byte[]> moved = harness.get("/moved");

        assertEquals(301, moved.statusCode());
        assertEquals("http://127.0.0.1:" + harness.port + "/new", header(moved, "Location"));
        assertEquals("HIT", header(harness.get("/moved"), "X-Cache"), "301 is heuristically cacheable");
    }

    @Test
    void largeRequestBodiesAreStreamedToTheOrigin() throws Exception
    {
        origin.on("/upload", request -> Reply.status(204, ""));
        final byte[] upload = new byte[3 * 1024 * 1024];
        upload[upload.length - 1] = 7;

        final HttpResponse<byte[]> response = harness.send("PUT", "/upload", upload);

        assertEquals(204, response.statusCode(), header(response, "Cache-Status") + " " + text(response));
        assertArrayEquals(upload, origin.last("/upload").body());
    }

    private static byte[] gunzip(final byte[] gzipped) throws Exception
    {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped)))
        {
            return in.readAllBytes();
        }
    }
}
