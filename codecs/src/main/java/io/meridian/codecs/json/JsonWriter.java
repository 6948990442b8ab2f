package io.meridian.codecs.json;

import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Writes JSON text into a reusable, growable buffer without allocating: numbers and fixed-point decimals are printed
 * digit by digit, strings are escaped and UTF-8 encoded in place. Commas between members and elements are inserted
 * automatically. One instance per thread; {@link #reset()} before each message.
 */
public final class JsonWriter
{
    private static final int MAX_DEPTH = 32;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final MutableDirectBuffer buffer;
    private final boolean[] needsComma = new boolean[MAX_DEPTH];
    private final byte[] digits = new byte[20];
    private int depth;
    private boolean valuePending;
    private int position;

    public JsonWriter()
    {
        this(new ExpandableArrayBuffer(1024));
    }

    /**
     * @param buffer where the text goes; an {@link ExpandableArrayBuffer} grows as needed.
     */
    public JsonWriter(final MutableDirectBuffer buffer)
    {
        this.buffer = buffer;
    }

    /**
     * Start a new message at offset 0.
     *
     * @return this.
     */
    public JsonWriter reset()
    {
        position = 0;
        depth = 0;
        needsComma[0] = false;
        return this;
    }

    public MutableDirectBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return bytes written since {@link #reset()}.
     */
    public int length()
    {
        return position;
    }

    public JsonWriter startObject()
    {
        beforeValue();
        putByte('{');
        push();
        return this;
    }

    public JsonWriter endObject()
    {
        depth--;
        putByte('}');
        return this;
    }

    public JsonWriter startArray()
    {
        beforeValue();
        putByte('[');
        push();
        return this;
    }

    public JsonWriter endArray()
    {
        depth--;
        putByte(']');
        return this;
    }

    /**
     * Write a member name; the value must follow.
     *
     * @param name ASCII name, written as is (member names are constants, never client text).
     * @return this.
     */
    public JsonWriter name(final String name)
    {
        if (needsComma[depth])
        {
            putByte(',');
        }
        needsComma[depth] = true;
        putByte('"');
        position += buffer.putStringWithoutLengthAscii(position, name);
        putByte('"');
        putByte(':');
        valuePending = true;
        return this;
    }

    public JsonWriter string(final CharSequence value)
    {
        if (null == value)
        {
            return nullValue();
        }
        beforeValue();
        putByte('"');
        final int length = value.length();
        for (int i = 0; i < length; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                if (c == '"' || c == '\\')
                {
                    putByte('\\');
                    putByte(c);
                }
                else if (c < 0x20)
                {
                    escapeControl(c);
                }
                else
                {
                    putByte(c);
                }
            }
            else if (c < 0x800)
            {
                putByte(0xC0 | (c >> 6));
                putByte(0x80 | (c & 0x3F));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                final int cp = Character.toCodePoint(c, value.charAt(++i));
                putByte(0xF0 | (cp >> 18));
                putByte(0x80 | ((cp >> 12) & 0x3F));
                putByte(0x80 | ((cp >> 6) & 0x3F));
                putByte(0x80 | (cp & 0x3F));
            }
            else if (Character.isSurrogate(c))
            {
                putByte('?');
            }
            else
            {
                putByte(0xE0 | (c >> 12));
                putByte(0x80 | ((c >> 6) & 0x3F));
                putByte(0x80 | (c & 0x3F));
            }
        }
        putByte('"');
        return this;
    }

    private void escapeControl(final char c)
    {
        switch (c)
        {
            case '\n':
                putByte('\\');
                putByte('n');
                break;
            case '\r':
                putByte('\\');
                putByte('r');
                break;
            case '\t':
                putByte('\\');
                putByte('t');
                break;
            default:
                putByte('\\');
                putByte('u');
                putByte('0');
                putByte('0');
                putByte(HEX[(c >> 4) & 0xF]);
                putByte(HEX[c & 0xF]);
                break;
        }
    }

    public JsonWriter number(final long value)
    {
        beforeValue();
        position += buffer.putLongAscii(position, value);
        return this;
    }

    /**
     * Write an integer as a JSON string, e.g. {@code "1024"}: Zenith carries order and level ids as strings.
     *
     * @param value the integer.
     * @return this.
     */
    public JsonWriter numberString(final long value)
    {
        beforeValue();
        putByte('"');
        position += buffer.putLongAscii(position, value);
        putByte('"');
        return this;
    }

    /**
     * Write a UTC instant as an ISO-8601 string with milliseconds and an explicit offset, e.g.
     * {@code "2026-11-22T10:00:01.250+00:00"}, without allocating.
     *
     * @param epochMs milliseconds since 1970-01-01T00:00:00Z.
     * @return this.
     */
    public JsonWriter timestamp(final long epochMs)
    {
        beforeValue();
        final long days = Math.floorDiv(epochMs, 86_400_000L);
        final long msOfDay = Math.floorMod(epochMs, 86_400_000L);
        putByte('"');
        putDate(days);
        putByte('T');
        putDigits(msOfDay / 3_600_000L, 2);
        putByte(':');
        putDigits(msOfDay / 60_000L % 60, 2);
        putByte(':');
        putDigits(msOfDay / 1000 % 60, 2);
        putByte('.');
        putDigits(msOfDay % 1000, 3);
        position += buffer.putStringWithoutLengthAscii(position, "+00:00\"");
        return this;
    }

    /**
     * Write a date as {@code "yyyy-MM-dd"}.
     *
     * @param yyyymmdd the date as the integer yyyymmdd.
     * @return this.
     */
    public JsonWriter date(final int yyyymmdd)
    {
        beforeValue();
        putByte('"');
        putDigits(yyyymmdd / 10000, 4);
        putByte('-');
        putDigits(yyyymmdd / 100 % 100, 2);
        putByte('-');
        putDigits(yyyymmdd % 100, 2);
        putByte('"');
        return this;
    }

    private void putDate(final long epochDay)
    {
        // Civil date from days since the epoch (proleptic Gregorian), as in java.time.LocalDate.ofEpochDay.
        long zeroDay = epochDay + 719_528 - 60;
        long adjust = 0;
        if (zeroDay < 0)
        {
            final long adjustCycles = (zeroDay + 1) / 146_097 - 1;
            adjust = adjustCycles * 400;
            zeroDay += -adjustCycles * 146_097;
        }
        long yearEst = (400 * zeroDay + 591) / 146_097;
        long doyEst = zeroDay - (365 * yearEst + yearEst / 4 - yearEst / 100 + yearEst / 400);
        if (doyEst < 0)
        {
            yearEst--;
            doyEst = zeroDay - (365 * yearEst + yearEst / 4 - yearEst / 100 + yearEst / 400);
        }
        yearEst += adjust;
        final int marchDoy0 = (int)doyEst;
        final int marchMonth0 = (marchDoy0 * 5 + 2) / 153;
        final int month = (marchMonth0 + 2) % 12 + 1;
        final int dom = marchDoy0 - (marchMonth0 * 306 + 5) / 10 + 1;
        yearEst += marchMonth0 / 10;
        putDigits(yearEst, 4);
        putByte('-');
        putDigits(month, 2);
        putByte('-');
        putDigits(dom, 2);
    }

    private void putDigits(final long value, final int width)
    {
        long divisor = 1;
        for (int i = 1; i < width; i++)
        {
            divisor *= 10;
        }
        for (long d = divisor; d > 0; d /= 10)
        {
            putByte('0' + (int)(value / d % 10));
        }
    }

    /**
     * Write the exact decimal {@code mantissa * 10^exponent}, e.g. (1012, -2) as {@code 10.12}.
     *
     * @param mantissa unscaled value.
     * @param exponent power of ten, -18 to 18.
     * @return this.
     */
    public JsonWriter decimal(final long mantissa, final int exponent)
    {
        beforeValue();
        if (exponent >= 0)
        {
            position += buffer.putLongAscii(position, mantissa);
            for (int i = 0; i < exponent && mantissa != 0; i++)
            {
                putByte('0');
            }
            return this;
        }

        if (mantissa < 0)
        {
            putByte('-');
        }
        // Collect digits of |mantissa| least significant first; Long.MIN_VALUE handled by working with negatives.
        long remaining = mantissa < 0 ? mantissa : -mantissa;
        int count = 0;
        do
        {
            digits[count++] = (byte)('0' - (remaining % 10));
            remaining /= 10;
        }
        while (remaining != 0);

        final int scale = -exponent;
        if (count <= scale)
        {
            putByte('0');
            putByte('.');
            for (int i = count; i < scale; i++)
            {
                putByte('0');
            }
            for (int i = count - 1; i >= 0; i--)
            {
                putByte(digits[i]);
            }
        }
        else
        {
            for (int i = count - 1; i >= 0; i--)
            {
                if (i == scale - 1)
                {
                    putByte('.');
                }
                putByte(digits[i]);
            }
        }
        return this;
    }

    public JsonWriter bool(final boolean value)
    {
        beforeValue();
        position += buffer.putStringWithoutLengthAscii(position, value ? "true" : "false");
        return this;
    }

    public JsonWriter nullValue()
    {
        beforeValue();
        position += buffer.putStringWithoutLengthAscii(position, "null");
        return this;
    }

    /**
     * Copy already-encoded JSON (a value) into the output.
     *
     * @param src    buffer holding the JSON text.
     * @param offset where it starts.
     * @param length its length.
     * @return this.
     */
    public JsonWriter raw(final org.agrona.DirectBuffer src, final int offset, final int length)
    {
        beforeValue();
        buffer.putBytes(position, src, offset, length);
        position += length;
        return this;
    }

    private void beforeValue()
    {
        if (valuePending)
        {
            valuePending = false;
            return;
        }
        if (needsComma[depth])
        {
            putByte(',');
        }
        needsComma[depth] = true;
    }

    private void push()
    {
        depth++;
        if (depth >= MAX_DEPTH)
        {
            throw new IllegalStateException("JSON nesting deeper than " + MAX_DEPTH);
        }
        needsComma[depth] = false;
    }

    private void putByte(final int b)
    {
        buffer.putByte(position++, (byte)b);
    }

    /**
     * @return the text written so far; allocates, for tests and logs only.
     */
    @Override
    public String toString()
    {
        return buffer.getStringWithoutLengthUtf8(0, position);
    }
}
