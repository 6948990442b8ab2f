package io.meridian.codecs.json;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.junit.jupiter.api.Assertions.assertEquals;

class JsonWriterTest
{
    private final JsonWriter writer = new JsonWriter();

    @ParameterizedTest(name = "{0}e{1} -> {2}")
    @CsvSource({
        "1012, -2, 10.12",
        "1010, -2, 10.10",
        "5, -3, 0.005",
        "-5, -3, -0.005",
        "-1012, -2, -10.12",
        "0, -2, 0.00",
        "7, 0, 7",
        "7, 2, 700",
        "0, 3, 0",
        "100, -2, 1.00",
        "-9223372036854775808, -4, -922337203685477.5808",
    })
    void printsDecimalsExactly(final long mantissa, final int exponent, final String expected)
    {
        writer.reset().decimal(mantissa, exponent);
        assertEquals(expected, writer.toString());
    }

    @Test
    void separatesMembersAndElements()
    {
        writer.reset().startObject()
            .name("A").number(1)
            .name("B").startArray().string("x").nullValue().bool(true).endArray()
            .name("C").startObject().endObject()
            .endObject();
        assertEquals("{\"A\":1,\"B\":[\"x\",null,true],\"C\":{}}", writer.toString());
    }

    @Test
    void escapesStrings()
    {
        writer.reset().string("a\"b\\c\nd\u0001é€\uD83D\uDE00");
        assertEquals("\"a\\\"b\\\\c\\nd\\u0001é€\uD83D\uDE00\"", writer.toString());
    }

    @Test
    void resetStartsOver()
    {
        writer.reset().startObject().name("A").number(1).endObject();
        writer.reset().startArray().number(2).endArray();
        assertEquals("[2]", writer.toString());
        assertEquals(3, writer.length());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "0, 1970-01-01T00:00:00.000+00:00",
        "1795342201250, 2026-11-22T10:10:01.250+00:00",
        "951782400000, 2000-02-29T00:00:00.000+00:00",
        "-1, 1969-12-31T23:59:59.999+00:00",
        "253402300799999, 9999-12-31T23:59:59.999+00:00",
    })
    void printsTimestampsAsJavaTimeDoes(final long epochMs, final String expected)
    {
        writer.reset().timestamp(epochMs);
        assertEquals('"' + expected + '"', writer.toString());
        final String javaTime = java.time.OffsetDateTime.ofInstant(
            java.time.Instant.ofEpochMilli(epochMs), java.time.ZoneOffset.UTC)
            .format(java.time.format.DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSxxx"));
        assertEquals(expected, javaTime);
    }

    @Test
    void printsTimestampsOfEveryDayOfFourHundredYears()
    {
        final long start = java.time.LocalDate.of(1900, 1, 1).toEpochDay();
        final long end = java.time.LocalDate.of(2300, 1, 1).toEpochDay();
        for (long day = start; day < end; day++)
        {
            writer.reset().timestamp(day * 86_400_000L + 43_200_123L);
            final String expected = '"' + java.time.LocalDate.ofEpochDay(day).toString() + "T12:00:00.123+00:00\"";
            assertEquals(expected, writer.toString());
        }
    }

    @Test
    void writesIdsAsStringsAndDates()
    {
        writer.reset().startArray().numberString(1024).date(20261122).endArray();
        assertEquals("[\"1024\",\"2026-11-22\"]", writer.toString());
    }
}
