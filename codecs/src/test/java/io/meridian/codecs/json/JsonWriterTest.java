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
}
