package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheControlTest
{
    @Test
    void parsesDirectivesWithAndWithoutValuesCaseInsensitively()
    {
        final CacheControl control = CacheControl.parse("Public, MAX-AGE=60 , s-maxage = 30,no-transform");

        assertTrue(control.has("public"));
        assertNull(control.value("public"));
        assertEquals(60, control.seconds("max-age"));
        assertEquals(30, control.seconds("s-maxage"));
        assertTrue(control.has("no-transform"));
        assertFalse(control.has("no-store"));
        assertEquals(CacheControl.ABSENT, control.seconds("stale-if-error"));
    }

    @Test
    void quotedValuesMayHoldCommasAndEscapes()
    {
        final CacheControl control = CacheControl.parse("private=\"Set-Cookie, X-Id\", no-cache=\"a\\\"b\", max-age=5");

        assertEquals("Set-Cookie, X-Id", control.value("private"));
        assertEquals("a\"b", control.value("no-cache"));
        assertEquals(5, control.seconds("max-age"));
    }

    @Test
    void firstOccurrenceOfARepeatedDirectiveCounts()
    {
        assertEquals(10, CacheControl.parse("max-age=10, max-age=99").seconds("max-age"));
    }

    @Test
    void invalidOrMissingDeltaSecondsCountAsZeroAndHugeOnesAreCapped()
    {
        final CacheControl control = CacheControl.parse("max-age=abc, s-maxage, stale-if-error=99999999999999");

        assertEquals(0, control.seconds("max-age"));
        assertEquals(0, control.seconds("s-maxage"));
        assertEquals(CacheControl.MAX_DELTA_SECONDS, control.seconds("stale-if-error"));
        assertEquals(0, CacheControl.deltaSeconds("-5"));
        assertEquals(12, CacheControl.deltaSeconds("12"));
    }

    @Test
    void combinesEveryFieldLine()
    {
        final CacheControl control = CacheControl.of(HttpFields.of("Cache-Control", "no-cache",
            "Content-Type", "text/plain", "cache-control", "max-age=3"));

        assertTrue(control.has("no-cache"));
        assertEquals(3, control.seconds("max-age"));
        assertSame(CacheControl.NONE, CacheControl.of(HttpFields.EMPTY));
        assertTrue(CacheControl.parse(" , ,").isEmpty());
    }
}
