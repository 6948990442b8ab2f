package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Instant;

import static org.junit.jupiter.api.Assertions.assertEquals;

class HttpDateTest
{
    private static final long NOV_6_1994 = Instant.parse("1994-11-06T08:49:37Z").toEpochMilli();

    @ParameterizedTest
    @ValueSource(strings = { "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994", " Sun, 06 Nov 1994 08:49:37 GMT " })
    void parsesTheThreeFormsOfRfc9110(final String value)
    {
        assertEquals(NOV_6_1994, HttpDate.parse(value, Instant.parse("2026-01-01T00:00:00Z").toEpochMilli()));
    }

    @Test
    void twoDigitYearMoreThanFiftyYearsAheadIsInThePastCentury()
    {
        final long now = Instant.parse("2026-01-01T00:00:00Z").toEpochMilli();

        assertEquals(Instant.parse("2030-01-01T00:00:00Z").toEpochMilli(),
            HttpDate.parse("Tuesday, 01-Jan-30 00:00:00 GMT", now));
        assertEquals(Instant.parse("1980-01-01T00:00:00Z").toEpochMilli(),
            HttpDate.parse("Tuesday, 01-Jan-80 00:00:00 GMT", now));
    }

    @ParameterizedTest
    @ValueSource(strings = { "0", "-1", "", "tomorrow", "Sun, 32 Nov 1994 08:49:37 GMT",
        "Sun, 06 Foo 1994 08:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 PST", "Sun, 06 Nov 1994 25:00:00 GMT" })
    void anythingElseIsInvalid(final String value)
    {
        assertEquals(HttpDate.INVALID, HttpDate.parse(value));
    }

    @Test
    void formatsImfFixdateAndReadsItBack()
    {
        assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", HttpDate.format(NOV_6_1994 + 999));
        assertEquals(NOV_6_1994, HttpDate.parse(HttpDate.format(NOV_6_1994)));
        assertEquals(HttpDate.INVALID, HttpDate.parse(null));
    }
}
