package io.meridian.bench;

import java.nio.ByteBuffer;
import java.util.function.IntUnaryOperator;

/**
 * Reads the stamp the simulated exchange (or the harness, publishing to another server) puts in ValueTraded: the
 * {@code System.nanoTime()} at which the update was due, over 100 with two decimals.
 */
final class Stamps
{
    private static final String FIELD = "\"ValueTraded\":";

    private Stamps()
    {
    }

    /**
     * The due time a frame carries, or 0 if it has none.
     */
    static long due(final CharSequence text)
    {
        return due(text::charAt, 0, text.length());
    }

    /**
     * The due time the ASCII text between from and to carries, or 0 if it has none.
     */
    static long due(final ByteBuffer buffer, final int from, final int to)
    {
        return due(buffer::get, from, to);
    }

    private static long due(final IntUnaryOperator text, final int from, final int to)
    {
        final int at = indexOf(text, from, to);
        if (at < 0)
        {
            return 0;
        }
        long digits = 0;
        int decimals = -1;
        for (int i = at + FIELD.length(); i < to; i++)
        {
            final int c = text.applyAsInt(i);
            if (c >= '0' && c <= '9')
            {
                digits = digits * 10 + (c - '0');
                decimals += decimals >= 0 ? 1 : 0;
            }
            else if (c == '.' && decimals < 0)
            {
                decimals = 0;
            }
            else
            {
                break;
            }
        }
        long nanos = digits;
        for (int d = Math.max(0, decimals); d < 2; d++)
        {
            nanos *= 10;
        }
        return nanos;
    }

    private static int indexOf(final IntUnaryOperator text, final int from, final int to)
    {
        final int last = to - FIELD.length();
        outer:
        for (int i = from; i <= last; i++)
        {
            for (int j = 0; j < FIELD.length(); j++)
            {
                if (text.applyAsInt(i + j) != FIELD.charAt(j))
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
