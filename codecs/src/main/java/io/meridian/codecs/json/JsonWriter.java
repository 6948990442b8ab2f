package io.meridian.codecs.json;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * Writes JSON text into a reusable, growable byte array without allocating: numbers and fixed-point decimals are
 * printed digit by digit, strings are escaped and UTF-8 encoded in place. Commas between members and elements are
 * inserted automatically. Each token checks capacity once and then stores bytes straight into the array, which is
 * what makes a large snapshot (thousands of orders) cheap to encode. One instance per thread; {@link #reset()}
 * before each message.
 */
public final class JsonWriter
{
    private static final int MAX_DEPTH = 32;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Longest text of one long: 19 digits and a sign. */
    private static final int MAX_LONG_LENGTH = 20;
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    /** Powers of ten that fit a long, 10^0 to 10^18. */
    private static final long[] POW10 = new long[19];
    private static final VarHandle SHORTS =
        MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    /** "00" to "99" as little-endian shorts (tens digit first): two digits per division, and per store. */
    private static final short[] DIGIT_PAIRS = new short[100];

    static
    {
        long power = 1;
        for (int i = 0; i < POW10.length; i++)
        {
            POW10[i] = power;
            power *= 10;
        }
        for (int i = 0; i < 100; i++)
        {
            DIGIT_PAIRS[i] = (short)(('0' + i / 10) | ('0' + i % 10) << 8);
        }
    }

    private final UnsafeBuffer view;
    private final boolean[] needsComma = new boolean[MAX_DEPTH];
    private final byte[] digits = new byte[MAX_LONG_LENGTH];
    private byte[] array;
    private int depth;
    private boolean valuePending;
    private int position;

    public JsonWriter()
    {
        this(1024);
    }

    /**
     * @param initialCapacity bytes to start with; the array doubles when a message needs more.
     */
    public JsonWriter(final int initialCapacity)
    {
        array = new byte[Math.max(64, initialCapacity)];
        view = new UnsafeBuffer(array);
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

    /**
     * @return a view of the text written, from offset 0 to {@link #length()}; valid until the next write.
     */
    public MutableDirectBuffer buffer()
    {
        return view;
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
        ensure(1);
        putByte('{');
        push();
        return this;
    }

    public JsonWriter endObject()
    {
        depth--;
        ensure(1);
        putByte('}');
        return this;
    }

    public JsonWriter startArray()
    {
        beforeValue();
        ensure(1);
        putByte('[');
        push();
        return this;
    }

    public JsonWriter endArray()
    {
        depth--;
        ensure(1);
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
        final int length = name.length();
        ensure(length + 4);
        final byte[] a = array;
        int p = position;
        if (needsComma[depth])
        {
            a[p++] = ',';
        }
        needsComma[depth] = true;
        a[p++] = '"';
        for (int i = 0; i < length; i++)
        {
            a[p++] = (byte)name.charAt(i);
        }
        a[p++] = '"';
        a[p++] = ':';
        position = p;
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
        final int length = value.length();
        // At most six bytes per char (a control character escaped as \\u00XX), and the quotes.
        ensure(6 * length + 2);
        putByte('"');
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
        ensure(MAX_LONG_LENGTH);
        putLong(value);
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
        ensure(MAX_LONG_LENGTH + 2);
        putByte('"');
        putLong(value);
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
        ensure(40);
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
        putByte('+');
        putDigits(0, 2);
        putByte(':');
        putDigits(0, 2);
        putByte('"');
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
        ensure(16);
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
        return appendDecimal(mantissa, exponent);
    }

    /**
     * Append pre-encoded JSON text verbatim, outside the comma bookkeeping: the caller keeps the text well formed.
     * Meant for the repeated entries of a large snapshot, where a few constant runs replace many member names.
     *
     * @param text ASCII JSON text, e.g. from {@link #ascii(String)}.
     * @return this.
     */
    public JsonWriter appendRaw(final byte[] text)
    {
        putBytes(text);
        return this;
    }

    /**
     * Append a range of pre-encoded JSON text verbatim, outside the comma bookkeeping (see
     * {@link #appendRaw(byte[])}).
     *
     * @param text   ASCII JSON text.
     * @param offset where the range starts.
     * @param length its length.
     * @return this.
     */
    public JsonWriter appendRaw(final byte[] text, final int offset, final int length)
    {
        ensure(length);
        System.arraycopy(text, offset, array, position, length);
        position += length;
        return this;
    }

    /**
     * Append the digits of a long verbatim, outside the comma bookkeeping (see {@link #appendRaw(byte[])}).
     *
     * @param value the integer.
     * @return this.
     */
    public JsonWriter appendLong(final long value)
    {
        ensure(MAX_LONG_LENGTH);
        putLong(value);
        return this;
    }

    /**
     * Append an exact decimal verbatim, outside the comma bookkeeping (see {@link #appendRaw(byte[])} and
     * {@link #decimal(long, int)}).
     *
     * @param mantissa unscaled value.
     * @param exponent power of ten.
     * @return this.
     */
    public JsonWriter appendDecimal(final long mantissa, final int exponent)
    {
        // Sign, 19 digits, point and leading zeros (or trailing zeros for a positive exponent).
        ensure(MAX_LONG_LENGTH + 2 + Math.abs(exponent));
        if (exponent >= 0)
        {
            putLong(mantissa);
            for (int i = 0; i < exponent && mantissa != 0; i++)
            {
                putByte('0');
            }
            return this;
        }

        final int scale = -exponent;
        if (mantissa == Long.MIN_VALUE || scale >= POW10.length)
        {
            decimalByDigits(mantissa, scale);
            return this;
        }
        final long magnitude = magnitude(mantissa);
        position = printScaled(array, position, magnitude, scale);
        return this;
    }

    /**
     * Print a non-negative value divided by 10^scale, with exactly {@code scale} decimals and at least one digit
     * before the point. Digits are peeled off by constant divisions (which compile to multiplications), never by a
     * division by 10^scale; the caller has made room.
     *
     * @return the offset after the text.
     */
    private static int printScaled(final byte[] a, final int start, final long value, final int scale)
    {
        final int count = digitCount(value);
        final int wholeDigits = count > scale ? count - scale : 1;
        final int end = start + wholeDigits + 1 + scale;
        int p = end;
        long v = value;
        int k = scale;
        for (; k > 0 && v > Integer.MAX_VALUE; k--)
        {
            final long q = v / 10;
            a[--p] = (byte)('0' + (v - q * 10));
            v = q;
        }
        if (k > 0)
        {
            // Most prices and quantities fit an int, and int division by a constant is the cheaper one.
            int i = (int)v;
            for (; k >= 2; k -= 2)
            {
                final int q = i / 100;
                p -= 2;
                SHORTS.set(a, p, DIGIT_PAIRS[i - q * 100]);
                i = q;
            }
            if (k == 1)
            {
                final int q = i / 10;
                a[--p] = (byte)('0' + (i - q * 10));
                i = q;
            }
            v = i;
        }
        a[--p] = '.';
        printUnsigned(a, start, v, wholeDigits);
        return end;
    }

    /**
     * The general case of {@link #decimal(long, int)} for a negative exponent: any mantissa, any scale.
     */
    private void decimalByDigits(final long mantissa, final int scale)
    {
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
    }

    /**
     * Print a non-negative value as exactly {@code width} digits, zero-padded on the left, two digits per division;
     * the caller has made room and {@code width} is at least the value's digit count.
     *
     * @return the offset after the digits.
     */
    private static int printUnsigned(final byte[] a, final int start, final long value, final int width)
    {
        final int end = start + width;
        int p = end;
        long v = value;
        while (v > Integer.MAX_VALUE)
        {
            final long q = v / 100;
            p -= 2;
            SHORTS.set(a, p, DIGIT_PAIRS[(int)(v - q * 100)]);
            v = q;
        }
        // Most values fit an int, and int division by a constant is cheaper than long division.
        int i = (int)v;
        while (i >= 100)
        {
            final int q = i / 100;
            p -= 2;
            SHORTS.set(a, p, DIGIT_PAIRS[i - q * 100]);
            i = q;
        }
        if (i >= 10)
        {
            p -= 2;
            SHORTS.set(a, p, DIGIT_PAIRS[i]);
        }
        else if (i > 0 || p == end)
        {
            a[--p] = (byte)('0' + i);
        }
        while (p > start)
        {
            a[--p] = '0';
        }
        return end;
    }

    /**
     * @return digits in a non-negative value; 1 for zero.
     */
    private static int digitCount(final long value)
    {
        if (value < 100_000)
        {
            return value < 100 ? (value < 10 ? 1 : 2) : (value < 1000 ? 3 : (value < 10_000 ? 4 : 5));
        }
        int count = 6;
        while (count < POW10.length && value >= POW10[count])
        {
            count++;
        }
        return count;
    }

    public JsonWriter bool(final boolean value)
    {
        beforeValue();
        putBytes(value ? TRUE : FALSE);
        return this;
    }

    public JsonWriter nullValue()
    {
        beforeValue();
        putBytes(NULL);
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
        ensure(length);
        src.getBytes(offset, array, position, length);
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
            ensure(1);
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

    /**
     * Print a long in decimal straight into an array, for callers that assemble text of their own (kept snapshot
     * rows) and want no bookkeeping per number.
     *
     * @param dst    where to print; the caller guarantees 20 bytes of room from {@code offset}.
     * @param offset where the text starts.
     * @param value  any value other than {@link Long#MIN_VALUE}.
     * @return the offset after the text.
     */
    public static int printLong(final byte[] dst, final int offset, final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            throw new IllegalArgumentException("Long.MIN_VALUE");
        }
        if (value < 0)
        {
            dst[offset] = '-';
            return printUnsigned(dst, offset + 1, -value, digitCount(-value));
        }
        return printUnsigned(dst, offset, value, digitCount(value));
    }

    /**
     * Print the exact decimal {@code mantissa * 10^exponent} straight into an array, as {@link #decimal(long, int)}
     * would write it (see {@link #printLong(byte[], int, long)}).
     *
     * @param dst      where to print; the caller guarantees {@code 22 - exponent} bytes of room from {@code offset}.
     * @param offset   where the text starts.
     * @param mantissa unscaled value, other than {@link Long#MIN_VALUE}.
     * @param exponent power of ten, -18 to 0.
     * @return the offset after the text.
     */
    public static int printDecimal(final byte[] dst, final int offset, final long mantissa, final int exponent)
    {
        if (exponent > 0 || -exponent >= POW10.length)
        {
            throw new IllegalArgumentException("exponent " + exponent + " outside -18..0");
        }
        if (0 == exponent)
        {
            return printLong(dst, offset, mantissa);
        }
        if (mantissa == Long.MIN_VALUE)
        {
            throw new IllegalArgumentException("Long.MIN_VALUE");
        }
        if (mantissa < 0)
        {
            dst[offset] = '-';
            return printScaled(dst, offset + 1, -mantissa, -exponent);
        }
        return printScaled(dst, offset, mantissa, -exponent);
    }

    /**
     * @param text ASCII text.
     * @return its bytes, for {@link #appendRaw(byte[])}.
     */
    public static byte[] ascii(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }

    /**
     * Store one byte; the caller has made room with {@link #ensure(int)}.
     */
    private void putByte(final int b)
    {
        array[position++] = (byte)b;
    }

    private void putBytes(final byte[] bytes)
    {
        ensure(bytes.length);
        position = printRaw(array, position, bytes);
    }

    /**
     * Copy a short run of constant text straight into an array (see {@link #printLong(byte[], int, long)}).
     *
     * @param dst    where to copy; the caller guarantees room for the run from {@code offset}.
     * @param offset where the run goes.
     * @param run    the text.
     * @return the offset after the run.
     */
    public static int printRaw(final byte[] dst, final int offset, final byte[] run)
    {
        final int length = run.length;
        if (length < Long.BYTES)
        {
            for (int i = 0; i < length; i++)
            {
                dst[offset + i] = run[i];
            }
            return offset + length;
        }
        // The runs are short (a few dozen bytes): eight bytes a move beats both a byte loop and System.arraycopy, and
        // the last move overlaps the one before rather than finishing byte by byte.
        for (int i = 0; i < length - Long.BYTES; i += Long.BYTES)
        {
            LONGS.set(dst, offset + i, (long)LONGS.get(run, i));
        }
        LONGS.set(dst, offset + length - Long.BYTES, (long)LONGS.get(run, length - Long.BYTES));
        return offset + length;
    }

    /**
     * Write the sign of a value other than {@link Long#MIN_VALUE} if it is negative.
     *
     * @return its absolute value.
     */
    private long magnitude(final long value)
    {
        if (value < 0)
        {
            putByte('-');
            return -value;
        }
        return value;
    }

    /**
     * Print a long in decimal; the caller has made room for {@link #MAX_LONG_LENGTH} bytes.
     */
    private void putLong(final long value)
    {
        if (value == Long.MIN_VALUE)
        {
            decimalByDigits(value, 0);
            return;
        }
        final long magnitude = magnitude(value);
        position = printUnsigned(array, position, magnitude, digitCount(magnitude));
    }

    /**
     * Make room for {@code bytes} more bytes, doubling the array if needed.
     */
    private void ensure(final int bytes)
    {
        final int needed = position + bytes;
        if (needed > array.length)
        {
            grow(needed);
        }
    }

    private void grow(final int needed)
    {
        if (needed < 0)
        {
            throw new IllegalStateException("JSON message larger than 2 GiB");
        }
        final int doubled = array.length << 1;
        array = Arrays.copyOf(array, doubled > needed ? doubled : needed);
        view.wrap(array);
    }

    /**
     * @return the text written so far; allocates, for tests and logs only.
     */
    @Override
    public String toString()
    {
        return new String(array, 0, position, java.nio.charset.StandardCharsets.UTF_8);
    }
}
