package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ResponseStoreTest
{
    private static final long T0 = 1_700_000_000_000L;

    private static StoredResponse response(final int bodyBytes, final long time, final HttpFields request,
        final String... headers)
    {
        return StoredResponse.of(200, HttpFields.of(headers).plus("Cache-Control", "max-age=60"),
            new byte[bodyBytes], bodyBytes, request, time, time, 0, false);
    }

    @Test
    void staysWithinItsByteBound()
    {
        final ResponseStore store = new ResponseStore(1 << 20);
        for (int i = 0; i < 100; i++)
        {
            store.put("/file" + i, response(64 * 1024, T0, HttpFields.EMPTY), HttpFields.EMPTY);
        }

        assertTrue(store.weightedSize() <= 1 << 20, "weighed " + store.weightedSize());
        assertTrue(store.responseCount() < 100 && store.responseCount() > 0, store.responseCount() + " kept");
    }

    @Test
    void mergingAnotherProxysResponsesKeepsTheNewerOfEachVariant()
    {
        final ResponseStore store = new ResponseStore(1 << 20);
        final HttpFields english = HttpFields.of("Accept-Language", "en");
        final HttpFields french = HttpFields.of("Accept-Language", "fr");
        final StoredResponse enOld = response(1, T0, english, "Vary", "Accept-Language");
        final StoredResponse enNew = response(2, T0 + 1_000, english, "Vary", "Accept-Language");
        final StoredResponse frHeld = response(3, T0 + 5_000, french, "Vary", "Accept-Language");
        final StoredResponse frOlder = response(4, T0 + 4_000, french, "Vary", "Accept-Language");
        store.put("/m", enOld, english);
        store.put("/m", frHeld, french);

        store.merge("/m", List.of(enNew, frOlder));
        store.merge("/other", List.of(enNew));

        assertSame(enNew, store.lookup("/m", english).response(), "the newer English replaces the held one");
        assertSame(frHeld, store.lookup("/m", french).response(), "the held French is newer than the other's");
        assertEquals(2, store.responses("/m").size());
        assertSame(enNew, store.lookup("/other", english).response());
        assertTrue(store.responses("/none").isEmpty());
    }

    @Test
    void aResponseLargerThanTheBoundIsNotKept()
    {
        final ResponseStore store = new ResponseStore(64 * 1024);

        store.put("/huge", response(100 * 1024, T0, HttpFields.EMPTY), HttpFields.EMPTY);

        assertEquals(0, store.responseCount());
    }

    @Test
    void keepsOneVariantPerVaryValueAndSelectsTheMatchingOne()
    {
        final ResponseStore store = new ResponseStore(1 << 20);
        final HttpFields english = HttpFields.of("Accept-Language", "en");
        final HttpFields french = HttpFields.of("Accept-Language", "fr");
        final StoredResponse en = response(1, T0, english, "Vary", "Accept-Language");
        final StoredResponse fr = response(2, T0, french, "Vary", "Accept-Language");
        store.put("/v", en, english);
        store.put("/v", fr, french);

        assertSame(en, store.lookup("/v", english).response());
        assertSame(fr, store.lookup("/v", french).response());
        final ResponseStore.Lookup german = store.lookup("/v", HttpFields.of("Accept-Language", "de"));
        assertNull(german.response());
        assertTrue(german.varyMiss());
        assertFalse(store.lookup("/other", english).varyMiss());

        final StoredResponse newer = response(3, T0 + 1000, english, "Vary", "Accept-Language");
        store.put("/v", newer, english);
        assertSame(newer, store.lookup("/v", english).response());
        assertEquals(2, store.responseCount(), "the newer English response replaced the older");
    }

    @Test
    void removesOneResponseATargetOrEverything()
    {
        final ResponseStore store = new ResponseStore(1 << 20);
        final StoredResponse a = response(1, T0, HttpFields.EMPTY);
        store.put("/a", a, HttpFields.EMPTY);
        store.put("/b", response(1, T0, HttpFields.EMPTY), HttpFields.EMPTY);
        store.put("/c", response(1, T0, HttpFields.EMPTY), HttpFields.EMPTY);

        store.remove("/a", response(1, T0, HttpFields.EMPTY));
        assertSame(a, store.lookup("/a", HttpFields.EMPTY).response(), "only that very response is removed");
        store.remove("/a", a);
        assertNull(store.lookup("/a", HttpFields.EMPTY).response());
        assertEquals(1, store.remove("/b"));
        assertEquals(0, store.remove("/b"));
        assertEquals(1, store.clear());
        assertEquals(0, store.responseCount());
    }

    @Test
    void keepsAtMostMaxVariantsPerTarget()
    {
        final ResponseStore store = new ResponseStore(16 << 20);
        for (int i = 0; i < ResponseStore.MAX_VARIANTS + 5; i++)
        {
            final HttpFields request = HttpFields.of("X-Tenant", "t" + i);
            store.put("/t", response(1, T0 + i, request, "Vary", "X-Tenant"), request);
        }

        assertEquals(ResponseStore.MAX_VARIANTS, store.responseCount());
        assertNull(store.lookup("/t", HttpFields.of("X-Tenant", "t0")).response(), "the oldest went");
        assertTrue(null != store.lookup("/t", HttpFields.of("X-Tenant", "t36")).response());
    }
}
