package io.meridian.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.gateway.http.TestOrigin.Reply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

import static io.meridian.gateway.http.CacheHarness.awaitTrue;
import static io.meridian.gateway.http.CacheHarness.header;
import static io.meridian.gateway.http.CacheHarness.text;
import static io.meridian.gateway.http.RedisTestServer.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two proxies in front of one origin sharing one real redis-server: what one fetched is a hit on the other; variants,
 * compressed bodies and validators survive the trip; keys expire with their responses; purge and clear reach every
 * proxy; and the proxies go on serving from memory and the origin while Redis is down, and use it again when it is
 * back.
 */
class SharedStoreSystemTest
{
    private static final String PREFIX = "meridian:http:";

    private final ObjectMapper json = new ObjectMapper();
    private final List<CacheHarness> harnesses = new ArrayList<>();
    private RedisTestServer redis;
    private TestOrigin origin;

    @BeforeEach
    void start() throws Exception
    {
        redis = new RedisTestServer().start();
    }

    @AfterEach
    void stop() throws Exception
    {
        for (int i = harnesses.size() - 1; i >= 0; i--)
        {
            harnesses.get(i).close();
        }
        redis.close();
    }

    private CacheHarness proxy()
    {
        final Map<String, String> settings = new HashMap<>();
        settings.put("http-cache.redis-host", "127.0.0.1");
        settings.put("http-cache.redis-port", Integer.toString(redis.port()));
        // Generous for a loaded test machine: a lookup that times out would be a miss and fail the test.
        settings.put("http-cache.redis-timeout-ms", "3000");
        final CacheHarness harness = new CacheHarness(settings, origin);
        if (null == origin)
        {
            origin = harness.origin;
        }
        harnesses.add(harness);
        return harness;
    }

    private CacheHarness connectedProxy() throws InterruptedException
    {
        final CacheHarness harness = proxy();
        awaitTrue(harness.cache::sharedUp, "the proxy connects to Redis");
        return harness;
    }

    @Test
    void whatOneProxyFetchedIsAHitOnTheOther() throws Exception
    {
        final CacheHarness a = connectedProxy();
        final CacheHarness b = connectedProxy();
        origin.on("/s", request -> Reply.ok("shared body").header("Cache-Control", "max-age=60")
            .header("Content-Type", "application/octet-stream"));

        final HttpResponse<byte[]> first = a.get("/s?q=1");
        awaitTrue(() -> redis.commands().exists(bytes(PREFIX + "/s?q=1")) == 1, "A writes the response to Redis");
        final HttpResponse<byte[]> second = b.get("/s?q=1");
        final HttpResponse<byte[]> third = b.get("/s?q=1");

        assertEquals("MISS", header(first, "X-Cache"));
        assertEquals(200, second.statusCode());
        assertEquals("shared body", text(second));
        assertEquals("HIT", header(second, "X-Cache"));
        assertTrue(header(second, "Cache-Status").startsWith("Meridian; hit; ttl="), header(second, "Cache-Status"));
        assertTrue(header(second, "Cache-Status").endsWith("; detail=shared"), header(second, "Cache-Status"));
        assertEquals("HIT", header(third, "X-Cache"));
        assertFalse(header(third, "Cache-Status").contains("shared"), "B now holds it in memory");
        assertEquals(1, origin.hits("/s"), "one origin request for both proxies");
        assertEquals(1, b.cache.store().responseCount());
    }

    @Test
    void variantsAndCompressedBodiesSurviveTheTrip() throws Exception
    {
        final CacheHarness a = connectedProxy();
        final CacheHarness b = connectedProxy();
        final String english = "hello ".repeat(500);
        final String french = "bonjour ".repeat(500);
        origin.on("/v", request -> Reply.ok("fr".equals(request.headers().first("Accept-Language")) ? french :
            english).header("Cache-Control", "max-age=60").header("Vary", "Accept-Language")
            .header("Content-Type", "text/plain; charset=utf-8"));

        a.get("/v", "Accept-Language", "en");
        a.get("/v", "Accept-Language", "fr");
        awaitTrue(() -> null != valueOf("/v") && SharedCodec.decode(valueOf("/v"), 0).size() == 2,
            "both variants in Redis");
        final HttpResponse<byte[]> fr = b.get("/v", "Accept-Language", "fr");
        final HttpResponse<byte[]> en = b.get("/v", "Accept-Language", "en", "Accept-Encoding", "gzip");

        assertEquals(french, text(fr));
        assertEquals("HIT", header(fr, "X-Cache"));
        assertEquals("HIT", header(en, "X-Cache"));
        assertEquals("gzip", header(en, "Content-Encoding"));
        assertEquals(english, new String(new GZIPInputStream(new ByteArrayInputStream(en.body())).readAllBytes(),
            StandardCharsets.UTF_8));
        assertTrue(SharedCodec.decode(valueOf("/v"), 0).get(0).gzipped(), "held compressed in Redis too");
        assertEquals(2, origin.hits("/v"));
    }

    @Test
    void aStaleSharedCopyIsRevalidatedWithItsValidator() throws Exception
    {
        final CacheHarness a = connectedProxy();
        final CacheHarness b = connectedProxy();
        final AtomicInteger full = new AtomicInteger();
        origin.on("/e", request ->
        {
            if ("\"e1\"".equals(request.headers().first("If-None-Match")))
            {
                return Reply.status(304, "").header("ETag", "\"e1\"").header("Cache-Control", "max-age=10");
            }
            full.incrementAndGet();
            return Reply.ok("tagged").header("ETag", "\"e1\"").header("Cache-Control", "max-age=10");
        });

        a.get("/e");
        awaitTrue(() -> redis.commands().exists(bytes(PREFIX + "/e")) == 1, "written");
        a.advance(30);
        b.advance(30);
        final HttpResponse<byte[]> answer = b.get("/e");

        assertEquals(200, answer.statusCode());
        assertEquals("tagged", text(answer));
        assertEquals(1, full.get(), "B revalidated A's copy instead of fetching it again");
        assertEquals("\"e1\"", origin.last("/e").headers().first("If-None-Match"));
        assertTrue(header(answer, "Cache-Status").contains("fwd=stale; fwd-status=304"),
            header(answer, "Cache-Status"));
    }

    @Test
    void keysExpireWhenTheirResponsesCanNoLongerBeUsed() throws Exception
    {
        final CacheHarness a = connectedProxy();
        origin.on("/short", request -> Reply.ok("x").header("Cache-Control", "max-age=30"));
        origin.on("/grace", request -> Reply.ok("x").header("Cache-Control", "max-age=30, stale-if-error=60"));
        origin.on("/tagged", request -> Reply.ok("x").header("Cache-Control", "max-age=30").header("ETag", "\"t\""));

        a.get("/short");
        a.get("/grace");
        a.get("/tagged");
        awaitTrue(() -> redis.commands().exists(bytes(PREFIX + "/short"), bytes(PREFIX + "/grace"),
            bytes(PREFIX + "/tagged")) == 3, "all three written");
        final long shortTtl = redis.commands().pttl(bytes(PREFIX + "/short"));
        final long graceTtl = redis.commands().pttl(bytes(PREFIX + "/grace"));
        final long taggedTtl = redis.commands().pttl(bytes(PREFIX + "/tagged"));

        assertTrue(shortTtl > 20_000 && shortTtl <= 30_000, "fresh for 30 s: " + shortTtl);
        assertTrue(graceTtl > 80_000 && graceTtl <= 90_000, "30 s fresh and 60 s stale-if-error: " + graceTtl);
        assertTrue(taggedTtl > 86_000_000 && taggedTtl <= 86_400_000, "a validator keeps it a day: " + taggedTtl);
    }

    @Test
    void purgeAndClearReachEveryProxy() throws Exception
    {
        final CacheHarness a = connectedProxy();
        final CacheHarness b = connectedProxy();
        origin.on("/p", request -> Reply.ok("p").header("Cache-Control", "max-age=600"));
        origin.on("/q", request -> Reply.ok("q").header("Cache-Control", "max-age=600"));
        for (final String target : List.of("/p", "/q"))
        {
            a.get(target);
            awaitTrue(() -> redis.commands().exists(bytes(PREFIX + target)) == 1, "written");
            assertEquals("HIT", header(b.get(target), "X-Cache"));
        }
        final String admin = "Bearer " + CacheHarness.ISSUER.mint("operator", "zenith/admin");

        assertEquals(200, a.send("PURGE", "/p", null, "Authorization", admin).statusCode());
        awaitTrue(() -> b.cache.store().responses("/p").isEmpty(), "B drops /p from memory");
        assertEquals(0, redis.commands().exists(bytes(PREFIX + "/p")));
        assertEquals(1, b.cache.store().responses("/q").size(), "only /p");
        assertEquals("MISS", header(b.get("/p"), "X-Cache"));
        awaitTrue(() -> redis.commands().exists(bytes(PREFIX + "/p")) == 1, "B writes /p again");

        final HttpResponse<byte[]> cleared = a.send("POST", HttpCacheHandler.CLEAR_PATH, null, "Authorization", admin);
        final JsonNode body = json.readTree(cleared.body());
        assertEquals(200, cleared.statusCode(), text(cleared));
        assertEquals(2, body.path("sharedCleared").asLong(), text(cleared));
        awaitTrue(() -> b.cache.store().responseCount() == 0, "B clears its memory");
        assertEquals(0, a.cache.store().responseCount());
        assertTrue(redis.commands().keys(PREFIX + "*").isEmpty());
        assertEquals(2, origin.hits("/p"));
    }

    @Test
    void redisDownAtStartThenUpThenDownAgainNeverStopsTheProxy() throws Exception
    {
        redis.kill();
        final CacheHarness a = proxy();
        origin.on("/d", request -> Reply.ok("d").header("Cache-Control", "max-age=600"));
        origin.on("/e", request -> Reply.ok("e").header("Cache-Control", "max-age=600"));
        origin.on("/f", request -> Reply.ok("f").header("Cache-Control", "max-age=600"));

        assertEquals("MISS", header(a.get("/d"), "X-Cache"));
        assertEquals("HIT", header(a.get("/d"), "X-Cache"), "memory works without Redis");
        assertFalse(a.cache.sharedUp());

        redis.start();
        awaitTrue(a.cache::sharedUp, "the proxy connects once Redis is there");
        assertEquals("MISS", header(a.get("/e"), "X-Cache"));
        awaitTrue(() -> redis.commands().exists(bytes(PREFIX + "/e")) == 1, "writes once connected");

        redis.kill();
        awaitTrue(() -> !a.cache.sharedUp(), "the proxy sees Redis gone");
        final HttpResponse<byte[]> whileDown = a.get("/f");
        assertEquals(200, whileDown.statusCode());
        assertEquals("f", text(whileDown));
        assertEquals("HIT", header(a.get("/e"), "X-Cache"));

        redis.start();
        awaitTrue(a.cache::sharedUp, "the proxy reconnects by itself");
        origin.on("/g", request -> Reply.ok("g").header("Cache-Control", "max-age=600"));
        a.get("/g");
        awaitTrue(() -> redis.commands().exists(bytes(PREFIX + "/g")) == 1, "writes again after the restart");
        final CacheHarness b = connectedProxy();
        assertEquals("HIT", header(b.get("/g"), "X-Cache"));
        assertEquals(1, origin.hits("/g"));
    }

    @Test
    void anUnreadableValueIsAMissAndIsReplaced() throws Exception
    {
        final CacheHarness a = connectedProxy();
        origin.on("/u", request -> Reply.ok("fine").header("Cache-Control", "max-age=600"));
        redis.commands().set(bytes(PREFIX + "/u"), bytes("not a stored response"));

        final HttpResponse<byte[]> answer = a.get("/u");

        assertEquals(200, answer.statusCode());
        assertEquals("fine", text(answer));
        assertEquals("MISS", header(answer, "X-Cache"));
        // The write is asynchronous: until it lands, the old unreadable value is still there.
        awaitTrue(() ->
        {
            final byte[] value = redis.commands().get(bytes(PREFIX + "/u"));
            try
            {
                return null != value && SharedCodec.decode(value, 0).size() == 1;
            }
            catch (final IllegalArgumentException notYet)
            {
                return false;
            }
        }, "the proxy writes a readable value over it");
        assertArrayEquals(bytes("fine"), SharedCodec.decode(valueOf("/u"), 0).get(0).body());
    }

    @Test
    void aRequestThatAsksForTheOriginDoesNotTakeTheSharedCopy() throws Exception
    {
        final CacheHarness a = connectedProxy();
        final CacheHarness b = connectedProxy();
        final AtomicInteger version = new AtomicInteger();
        origin.on("/n", request -> Reply.ok("v" + version.incrementAndGet()).header("Cache-Control", "max-age=600"));

        a.get("/n");
        awaitTrue(() -> redis.commands().exists(bytes(PREFIX + "/n")) == 1, "written");
        final HttpResponse<byte[]> fresh = b.get("/n", "Cache-Control", "no-cache");

        assertEquals("v2", text(fresh));
        assertEquals("MISS", header(fresh, "X-Cache"));
        awaitTrue(() -> "v2".equals(new String(SharedCodec.decode(valueOf("/n"), 0).get(0).body(),
            StandardCharsets.UTF_8)), "B's newer copy replaces A's in Redis");
    }

    private byte[] valueOf(final String target)
    {
        return redis.commands().get(bytes(PREFIX + target));
    }
}
