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
        "9223372036854775807, -18, 9.223372036854775807",
        "9223372036854775807, -19, 0.9223372036854775807",
        "1, -20, 0.00000000000000000001",
        "-100005, -5, -1.00005",
        "123456789, -4, 12345.6789",
        "99, -1, 9.9",
        "10, -1, 1.0",
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

    @Test
    void printsLongsAtTheirLimits()
    {
        writer.reset().startArray().number(Long.MIN_VALUE).number(Long.MAX_VALUE).number(0).number(-7)
            .numberString(Long.MIN_VALUE).endArray();
        assertEquals("[-9223372036854775808,9223372036854775807,0,-7,\"-9223372036854775808\"]", writer.toString());
    }

    @Test
    void growsPastItsInitialCapacityAndKeepsEveryByte()
    {
        final JsonWriter small = new JsonWriter(64);
        final StringBuilder expected = new StringBuilder("[");
        small.reset().startArray();
        for (int i = 0; i < 5000; i++)
        {
            small.startObject().name("ID").numberString(i).name("Price").decimal(i * 7L, -2).name("Name")
                .string("n\u00e9" + i).endObject();
            expected.append(i == 0 ? "" : ",").append("{\"ID\":\"").append(i).append("\",\"Price\":")
                .append(java.math.BigDecimal.valueOf(i * 7L, 2).toPlainString()).append(",\"Name\":\"n\u00e9")
                .append(i).append("\"}");
        }
        small.endArray();
        expected.append(']');
        assertEquals(expected.toString(), small.toString());
        final byte[] utf8 = expected.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(utf8.length, small.length());
        final byte[] copied = new byte[small.length()];
        small.buffer().getBytes(0, copied, 0, copied.length);
        org.junit.jupiter.api.Assertions.assertArrayEquals(utf8, copied, "the buffer view follows the grown array");
    }

    @Test
    void copiesRawJson()
    {
        final JsonWriter inner = new JsonWriter();
        inner.reset().startObject().name("A").number(1).endObject();
        writer.reset().startObject().name("Data").raw(inner.buffer(), 0, inner.length()).name("B").bool(false)
            .endObject();
        assertEquals("{\"Data\":{\"A\":1},\"B\":false}", writer.toString());
    }

    @Test
    void printsRandomNumbersAndDecimalsAsTheJdkDoes()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(7301);
        for (int i = 0; i < 200_000; i++)
        {
            final long value = random.nextInt(4) == 0 ? random.nextLong() : random.nextLong(-1_000_000, 1_000_000);
            final int exponent = -random.nextInt(20);
            writer.reset().number(value);
            assertEquals(Long.toString(value), writer.toString());
            writer.reset().decimal(value, exponent);
            assertEquals(java.math.BigDecimal.valueOf(value, -exponent).toPlainString(), writer.toString(),
                value + "e" + exponent);
        }
    }

    @Test
    void printsIntoAnArrayAsTheWriterDoes()
    {
        final java.util.SplittableRandom random = new java.util.SplittableRandom(4127);
        final byte[] dst = new byte[64];
        for (int i = 0; i < 100_000; i++)
        {
            final long value = random.nextInt(4) == 0 ? random.nextLong() : random.nextLong(-1_000_000, 1_000_000);
            if (value == Long.MIN_VALUE)
            {
                continue;
            }
            final int exponent = -random.nextInt(19);
            final int offset = random.nextInt(8);
            int end = JsonWriter.printLong(dst, offset, value);
            assertEquals(Long.toString(value),
                new String(dst, offset, end - offset, java.nio.charset.StandardCharsets.US_ASCII));
            end = JsonWriter.printDecimal(dst, offset, value, exponent);
            writer.reset().decimal(value, exponent);
            assertEquals(writer.toString(),
                new String(dst, offset, end - offset, java.nio.charset.StandardCharsets.US_ASCII),
                value + "e" + exponent);
        }
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> JsonWriter.printDecimal(dst, 0, 1, 2));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> JsonWriter.printLong(dst, 0, Long.MIN_VALUE));
    }

    @Test
    void copiesRunsOfEveryShortLength()
    {
        final String text = "0123456789abcdefghijklmnopqrstuvwxyz";
        for (int length = 0; length <= text.length(); length++)
        {
            final byte[] dst = new byte[48];
            java.util.Arrays.fill(dst, (byte)'#');
            final int end = JsonWriter.printRaw(dst, 3, JsonWriter.ascii(text.substring(0, length)));
            assertEquals(3 + length, end);
            assertEquals("###" + text.substring(0, length) + "#".repeat(45 - length),
                new String(dst, java.nio.charset.StandardCharsets.US_ASCII));
        }
    }
}
