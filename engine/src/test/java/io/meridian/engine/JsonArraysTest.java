package io.meridian.engine;

import org.agrona.collections.IntArrayList;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonArraysTest
{
    private final IntArrayList bounds = new IntArrayList();

    @Test
    void groupsWholeElementsIntoRunsThatFit()
    {
        final String text = "[{\"O\":\"C\"},{\"a\":[1,2,{\"b\":\"x,y]}\"}]},\"s\\\"}{,\",12345,{}]";
        final List<String> runs = split(text, 25);
        assertEquals(List.of("{\"O\":\"C\"}", "{\"a\":[1,2,{\"b\":\"x,y]}\"}]}", "\"s\\\"}{,\",12345,{}"), runs);
        for (final String run : runs)
        {
            assertTrue(run.length() <= 25, run);
        }
        assertEquals(String.join(",", runs), text.substring(1, text.length() - 1), "nothing lost or added");
    }

    @Test
    void oneRunWhenEverythingFits()
    {
        assertEquals(List.of("1,2,3"), split("[1,2,3]", 100));
    }

    @Test
    void emptyArrayAndNonArrayHaveNoRuns()
    {
        assertEquals(List.of(), split("[]", 10));
        assertEquals(0, JsonArrays.splitElements(buffer("{\"a\":1}"), 7, 10, bounds));
    }

    @Test
    void anElementLongerThanARunCannotBeSplit()
    {
        final String text = "[1,\"a long string element\",2]";
        assertEquals(-1, JsonArrays.splitElements(buffer(text), text.length(), 10, bounds));
    }

    private List<String> split(final String text, final int maxRun)
    {
        final UnsafeBuffer buffer = buffer(text);
        final int runs = JsonArrays.splitElements(buffer, text.length(), maxRun, bounds);
        final List<String> result = new ArrayList<>();
        for (int i = 0; i < runs; i++)
        {
            final int start = bounds.getInt(2 * i);
            result.add(buffer.getStringWithoutLengthAscii(start, bounds.getInt(2 * i + 1) - start));
        }
        return result;
    }

    private static UnsafeBuffer buffer(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }
}
