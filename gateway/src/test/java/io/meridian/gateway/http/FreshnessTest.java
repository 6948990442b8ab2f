package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FreshnessTest
{
    private static final long NOW = 1_700_000_000_000L;
    private static final String DATE = HttpDate.format(NOW);

    private static long lifetime(final int status, final long defaultTtl, final String... headers)
    {
        final HttpFields fields = HttpFields.of(headers);
        return Freshness.lifetimeMs(status, fields, CacheControl.of(fields), NOW, defaultTtl);
    }

    @Test
    void sMaxAgeWinsOverMaxAgeWhichWinsOverExpires()
    {
        final String expires = HttpDate.format(NOW + 500_000);

        assertEquals(10_000, lifetime(200, 0, "Cache-Control", "max-age=20, s-maxage=10", "Expires", expires));
        assertEquals(20_000, lifetime(200, 0, "Cache-Control", "max-age=20", "Expires", expires));
        assertEquals(500_000, lifetime(200, 0, "Date", DATE, "Expires", expires));
    }

    @Test
    void expiresCountsFromDateOrFromReceiptWithoutOne()
    {
        final String expires = HttpDate.format(NOW + 60_000);

        assertEquals(120_000, lifetime(200, 0, "Date", HttpDate.format(NOW - 60_000), "Expires", expires));
        assertEquals(60_000, lifetime(200, 0, "Expires", expires));
        assertEquals(60_000, lifetime(200, 0, "Date", "garbage", "Expires", expires));
        assertEquals(0, lifetime(200, 0, "Date", DATE, "Expires", HttpDate.format(NOW - 1000)));
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-1", "never" })
    void invalidExpiresIsAlreadyExpiredAndBlocksTheHeuristic(final String expires)
    {
        assertEquals(0, lifetime(200, 3600, "Expires", expires,
            "Last-Modified", HttpDate.format(NOW - 1_000_000)));
    }

    @Test
    void heuristicIsATenthOfTheTimeSinceLastModifiedCappedAtADay()
    {
        assertEquals(100_000, lifetime(200, 0, "Date", DATE, "Last-Modified", HttpDate.format(NOW - 1_000_000)));
        assertEquals(Freshness.HEURISTIC_MAX_MS, lifetime(404, 0, "Date", DATE,
            "Last-Modified", HttpDate.format(NOW - 30L * 86_400_000)));
        assertEquals(0, lifetime(200, 0, "Date", DATE, "Last-Modified", HttpDate.format(NOW + 1000)),
            "modified in the future");
        assertEquals(0, lifetime(200, 0, "Date", DATE));
    }

    @Test
    void defaultTtlReplacesTheHeuristicOnlyWithoutExplicitFreshness()
    {
        final String lastModified = HttpDate.format(NOW - 1_000_000);

        assertEquals(30_000, lifetime(200, 30, "Last-Modified", lastModified));
        assertEquals(30_000, lifetime(200, 30));
        assertEquals(5_000, lifetime(200, 30, "Cache-Control", "max-age=5"));
        assertEquals(0, lifetime(200, 30, "Cache-Control", "max-age=0"));
    }

    @Test
    void noHeuristicOrDefaultForOtherStatusCodesUnlessPublic()
    {
        assertEquals(0, lifetime(302, 30));
        assertEquals(0, lifetime(500, 30, "Last-Modified", HttpDate.format(NOW - 1_000_000)));
        assertEquals(30_000, lifetime(302, 30, "Cache-Control", "public"));
        assertEquals(60_000, lifetime(500, 0, "Cache-Control", "max-age=60"));
        assertTrue(Freshness.heuristicAllowed(410, CacheControl.NONE));
        assertFalse(Freshness.heuristicAllowed(206, CacheControl.NONE));
        assertFalse(Freshness.heuristicAllowed(307, CacheControl.NONE));
    }

    @Test
    void explicitLifetimeIsRecognised()
    {
        assertTrue(Freshness.hasExplicitLifetime(HttpFields.of("Expires", "0"), CacheControl.NONE, NOW));
        assertTrue(Freshness.hasExplicitLifetime(HttpFields.EMPTY, CacheControl.parse("s-maxage=1"), NOW));
        assertFalse(Freshness.hasExplicitLifetime(HttpFields.EMPTY, CacheControl.parse("public"), NOW));
    }

    @Test
    void correctedInitialAgeTakesTheLargerOfApparentAgeAndAgePlusDelay()
    {
        // Apparent age 10 s (Date 10 s before receipt) beats Age 2 s + 1 s delay.
        assertEquals(10_000, Freshness.correctedInitialAgeMs(
            HttpFields.of("Date", HttpDate.format(NOW - 10_000), "Age", "2"), NOW - 1000, NOW));
        // Age 30 s + 2 s delay beats an apparent age of 0.
        assertEquals(32_000, Freshness.correctedInitialAgeMs(
            HttpFields.of("Date", DATE, "Age", "30"), NOW - 2000, NOW));
        // A Date in the future gives no negative age; an invalid Age counts as 0.
        assertEquals(500, Freshness.correctedInitialAgeMs(
            HttpFields.of("Date", HttpDate.format(NOW + 60_000), "Age", "x"), NOW - 500, NOW));
    }

    @Test
    void currentAgeAddsTheTimeResidentInTheCache()
    {
        assertEquals(15_000, Freshness.currentAgeMs(5_000, NOW, NOW + 10_000));
        assertEquals(5_000, Freshness.currentAgeMs(5_000, NOW, NOW - 10_000), "a clock step back adds nothing");
    }
}
