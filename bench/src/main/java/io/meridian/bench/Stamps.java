package io.meridian.bench;

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
     * The due time a frame carries in ValueTraded (nanoseconds over 100, two decimals), or 0 if it has none.
     */
    static long due(final CharSequence text)
    {
        final int at = indexOf(text, FIELD);
        if (at < 0)
        {
            return 0;
        }
        long digits = 0;
        int decimals = -1;
        for (int i = at + FIELD.length(); i < text.length(); i++)
        {
            final char c = text.charAt(i);
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

    private static int indexOf(final CharSequence text, final String what)
    {
        final int last = text.length() - what.length();
        outer:
        for (int i = 0; i <= last; i++)
        {
            for (int j = 0; j < what.length(); j++)
            {
                if (text.charAt(i + j) != what.charAt(j))
                {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
