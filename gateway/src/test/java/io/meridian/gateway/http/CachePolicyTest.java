package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CachePolicyTest
{
    private static final long NOW = 1_700_000_000_000L;

    private static String why(final String method, final HttpFields request, final int status, final String... response)
    {
        final HttpFields fields = HttpFields.of(response);
        final CacheControl control = CacheControl.of(fields);
        return CachePolicy.notStorable(method, request, CacheControl.of(request), status, fields, control, NOW,
            Freshness.lifetimeMs(status, fields, control, NOW, 0));
    }

    private static String why(final int status, final String... response)
    {
        return why("GET", HttpFields.EMPTY, status, response);
    }

    @Test
    void storesAFreshGetResponse()
    {
        assertNull(why(200, "Cache-Control", "max-age=60"));
        assertNull(why(404, "Cache-Control", "max-age=60"));
        assertNull(why(500, "Cache-Control", "max-age=60"), "explicit freshness makes any final status storable");
        assertNull(why(302, "Expires", HttpDate.format(NOW + 1000)));
        assertNull(why(200, "ETag", "\"v\""), "no lifetime, but it can be revalidated");
        assertNull(why(200, "Cache-Control", "no-cache", "ETag", "\"v\""));
    }

    @Test
    void onlyGetResponsesAreStored()
    {
        assertEquals("method", why("HEAD", HttpFields.EMPTY, 200, "Cache-Control", "max-age=60"));
        assertEquals("method", why("POST", HttpFields.EMPTY, 200, "Cache-Control", "max-age=60"));
    }

    @ParameterizedTest
    @ValueSource(ints = { 206, 304, 100 })
    void partialNotModifiedAndInterimResponsesAreNotStored(final int status)
    {
        assertEquals("status", why(status, "Cache-Control", "max-age=60"));
    }

    @Test
    void directivesThatForbidStoring()
    {
        assertEquals("no-store", why(200, "Cache-Control", "no-store, max-age=60"));
        assertEquals("private", why(200, "Cache-Control", "private, max-age=60"));
        assertEquals("private", why(200, "Cache-Control", "private=\"X-User\", max-age=60"));
        assertEquals("request-no-store",
            why("GET", HttpFields.of("Cache-Control", "no-store"), 200, "Cache-Control", "max-age=60"));
    }

    @Test
    void authorizationNeedsPublicSMaxAgeOrMustRevalidate()
    {
        final HttpFields authorized = HttpFields.of("Authorization", "Bearer t");

        assertEquals("authorization", why("GET", authorized, 200, "Cache-Control", "max-age=60"));
        assertNull(why("GET", authorized, 200, "Cache-Control", "public, max-age=60"));
        assertNull(why("GET", authorized, 200, "Cache-Control", "s-maxage=60"));
        assertNull(why("GET", authorized, 200, "Cache-Control", "max-age=60, must-revalidate"));
    }

    @Test
    void varyStarSetCookieAndUnreusableResponsesAreNotStored()
    {
        assertEquals("vary-star", why(200, "Cache-Control", "max-age=60", "Vary", "Accept, *"));
        assertEquals("set-cookie", why(200, "Cache-Control", "max-age=60", "Set-Cookie", "a=b"));
        assertEquals("not-reusable", why(200));
        assertEquals("not-reusable", why(200, "Cache-Control", "max-age=0"));
        assertEquals("not-reusable", why(200, "Cache-Control", "no-cache, max-age=60"));
        assertNull(why(200, "Cache-Control", "max-age=0, stale-while-revalidate=30"));
    }

    @Test
    void statusCodesWithoutHeuristicNeedExplicitFreshnessOrPublic()
    {
        assertEquals("status", why(302, "ETag", "\"v\""));
        assertEquals("status", why(500, "Last-Modified", HttpDate.format(NOW - 100_000)));
        assertNull(why(302, "Cache-Control", "public", "ETag", "\"v\""));
    }
}
