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
