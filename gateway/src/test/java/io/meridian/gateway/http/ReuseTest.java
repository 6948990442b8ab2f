package io.meridian.gateway.http;

import io.meridian.gateway.http.Reuse.Verdict;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ReuseTest
{
    private static final long T0 = 1_700_000_000_000L;

    /** A response received at T0, dated T0, with these directives. */
    private static StoredResponse stored(final String cacheControl)
    {
        return StoredResponse.of(200, HttpFields.of("Date", HttpDate.format(T0), "Cache-Control", cacheControl,
            "ETag", "\"e\""), new byte[1], 1, HttpFields.EMPTY, T0, T0, 0, false);
    }

    private static Verdict decide(final String response, final String request, final long secondsLater)
    {
        return Reuse.decide(stored(response), CacheControl.parse(request), false, T0 + secondsLater * 1000);
    }

    @Test
    void freshWithinMaxAgeAndStaleAfter()
    {
        assertEquals(Verdict.FRESH, decide("max-age=60", "", 59));
        assertEquals(Verdict.STALE, decide("max-age=60", "", 60));
    }

    @Test
    void noCacheResponseIsNeverUsedUnvalidated()
    {
        assertEquals(Verdict.STALE, decide("no-cache, max-age=60", "", 0));
        assertEquals(Verdict.STALE, decide("no-cache, max-age=60", "max-stale", 0));
    }

    @Test
    void requestNoCacheMaxAgeAndMinFreshAskForRevalidation()
    {
        assertEquals(Verdict.FORWARD_REQUESTED, decide("max-age=60", "no-cache", 1));
        assertEquals(Verdict.FORWARD_REQUESTED, decide("max-age=60", "max-age=0", 0));
        assertEquals(Verdict.FORWARD_REQUESTED, decide("max-age=60", "max-age=10", 11));
        assertEquals(Verdict.FRESH, decide("max-age=60", "max-age=10", 10));
        assertEquals(Verdict.FORWARD_REQUESTED, decide("max-age=60", "min-fresh=30", 31));
        assertEquals(Verdict.FRESH, decide("max-age=60", "min-fresh=30", 30));
        assertEquals(Verdict.FORWARD_REQUESTED,
            Reuse.decide(stored("max-age=60"), CacheControl.NONE, true, T0), "Pragma: no-cache");
    }

    @Test
    void maxStaleAcceptsStaleResponsesUnlessTheResponseForbidsIt()
    {
        assertEquals(Verdict.STALE_ALLOWED, decide("max-age=10", "max-stale", 1000));
        assertEquals(Verdict.STALE_ALLOWED, decide("max-age=10", "max-stale=5", 15));
        assertEquals(Verdict.STALE, decide("max-age=10", "max-stale=5", 16));
        assertEquals(Verdict.STALE, decide("max-age=10, must-revalidate", "max-stale", 11));
        assertEquals(Verdict.STALE, decide("max-age=10, proxy-revalidate", "max-stale", 11));
        assertEquals(Verdict.STALE, decide("s-maxage=10", "max-stale", 11));
        assertEquals(Verdict.STALE, decide("max-age=10", "max-stale, max-age=5", 11));
    }

    @Test
    void staleWhileRevalidateWithinItsWindow()
    {
        assertEquals(Verdict.STALE_WHILE_REVALIDATE, decide("max-age=10, stale-while-revalidate=30", "", 40));
        assertEquals(Verdict.STALE, decide("max-age=10, stale-while-revalidate=30", "", 41));
        assertEquals(Verdict.STALE, decide("max-age=10, stale-while-revalidate=30, must-revalidate", "", 11));
        assertEquals(Verdict.STALE, decide("max-age=10, stale-while-revalidate=30", "no-cache", 11));
    }

    @Test
    void staleIfErrorFromTheResponseOrTheRequest()
    {
        final long later = T0 + 40_000;

        assertTrue(Reuse.staleIfError(stored("max-age=10, stale-if-error=30"), CacheControl.NONE, later));
        assertFalse(Reuse.staleIfError(stored("max-age=10, stale-if-error=29"), CacheControl.NONE, later));
        assertTrue(Reuse.staleIfError(stored("max-age=10"), CacheControl.parse("stale-if-error=60"), later));
        assertFalse(Reuse.staleIfError(stored("max-age=10"), CacheControl.NONE, later));
        assertFalse(Reuse.staleIfError(stored("max-age=10, stale-if-error=60, must-revalidate"),
            CacheControl.NONE, later));
        assertFalse(Reuse.staleIfError(stored("no-cache, stale-if-error=60"), CacheControl.NONE, T0));
        assertTrue(Reuse.staleIfError(stored("max-age=100"), CacheControl.NONE, later), "still fresh");
    }
}
