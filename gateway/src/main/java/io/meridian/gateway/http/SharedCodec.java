package io.meridian.gateway.http;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The binary form of one target's stored responses in the shared store. Every proxy sharing a store must read what
 * any other wrote, so the form is versioned: a reader drops a value with another version (a miss, not an error), and
 * a change of layout takes a new version.
 * <pre>
 *   int    magic 'M','H','C' and the version (1)
 *   int    number of responses, 1 to {@link ResponseStore#MAX_VARIANTS}
 *   then per response:
 *     short  status
 *     byte   flags: bit 0 set when the body is held gzip-compressed
 *     long   request time, epoch ms
 *     long   response time, epoch ms
 *     int    length of the body as the origin sent it
 *     int    number of header fields, then per field: string name, string value
 *     int    number of Vary values, then each as a string
 *     int    body length, then the body as held
 *   string: int byte length, then UTF-8 bytes
 * </pre>
 * Big-endian throughout. Freshness lifetime and age are not written: the reader works them out from the header and
 * the times, with its own {@code http-cache.default-ttl-seconds}.
 */
final class SharedCodec
{
    /** 'M' 'H' 'C' then the layout version. */
    static final int MAGIC = 0x4D484301;

    private static final int MAX_HEADER_FIELDS = 1_000;

    private SharedCodec()
    {
    }

    /**
     * @param responses one target's responses, at least one.
     * @return the encoded form.
     */
    static byte[] encode(final List<StoredResponse> responses)
    {
        if (responses.isEmpty() || responses.size() > ResponseStore.MAX_VARIANTS)
        {
            throw new IllegalArgumentException("encode 1 to " + ResponseStore.MAX_VARIANTS + " responses, not " +
                responses.size());
        }
        final List<byte[]> strings = new ArrayList<>();
        int length = 8;
        for (final StoredResponse response : responses)
        {
            length += 2 + 1 + 8 + 8 + 4 + 4 + 4 + 4 + response.body().length;
            for (final HttpFields.Field field : response.headers().fields())
            {
                length += add(strings, field.name()) + add(strings, field.value());
            }
            for (final String value : response.varyValues())
            {
                length += add(strings, value);
            }
        }
        final ByteBuffer out = ByteBuffer.allocate(length);
        out.putInt(MAGIC).putInt(responses.size());
        int next = 0;
        for (final StoredResponse response : responses)
        {
            out.putShort((short)response.status())
                .put((byte)(response.gzipped() ? 1 : 0))
                .putLong(response.requestTimeMs())
                .putLong(response.responseTimeMs())
                .putInt(response.identityLength())
                .putInt(response.headers().size());
            for (int i = 0; i < 2 * response.headers().size(); i++)
            {
                putString(out, strings.get(next++));
            }
            out.putInt(response.varyValues().size());
            for (int i = 0; i < response.varyValues().size(); i++)
            {
                putString(out, strings.get(next++));
            }
            out.putInt(response.body().length).put(response.body());
        }
        return out.array();
    }

    /**
     * @param bytes             an encoded value.
     * @param defaultTtlSeconds the configured default TTL, for the lifetimes worked out again.
     * @return the responses.
     * @throws IllegalArgumentException when the value is not a complete value of this version.
     */
    static List<StoredResponse> decode(final byte[] bytes, final long defaultTtlSeconds)
    {
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        try
        {
            final int magic = in.getInt();
            if (magic != MAGIC)
            {
                throw new IllegalArgumentException(String.format("not a stored response of version %d (%08x)",
                    MAGIC & 0xFF, magic));
            }
            final int count = in.getInt();
            if (count < 1 || count > ResponseStore.MAX_VARIANTS)
            {
                throw new IllegalArgumentException("a value with " + count + " responses");
            }
            final List<StoredResponse> responses = new ArrayList<>(count);
            for (int r = 0; r < count; r++)
            {
                final int status = in.getShort();
                final boolean gzipped = (in.get() & 1) != 0;
                final long requestTime = in.getLong();
                final long responseTime = in.getLong();
                final int identityLength = in.getInt();
                final int fields = in.getInt();
                if (fields < 0 || fields > MAX_HEADER_FIELDS || status < 100 || status > 599 || identityLength < 0)
                {
                    throw new IllegalArgumentException("a response with status " + status + ", " + fields +
                        " header fields and length " + identityLength);
                }
                final HttpFields.Builder headers = HttpFields.builder();
                for (int i = 0; i < fields; i++)
                {
                    headers.add(getString(in), getString(in));
                }
                final int varyCount = in.getInt();
                if (varyCount < 0 || varyCount > fields)
                {
                    throw new IllegalArgumentException("a response with " + varyCount + " Vary values");
                }
                final List<String> varyValues = new ArrayList<>(varyCount);
                for (int i = 0; i < varyCount; i++)
                {
                    varyValues.add(getString(in));
                }
                final byte[] body = new byte[checkedLength(in, in.getInt())];
                in.get(body);
                responses.add(StoredResponse.restored(status, headers.build(), body, gzipped, identityLength,
                    requestTime, responseTime, defaultTtlSeconds, varyValues));
            }
            if (in.hasRemaining())
            {
                throw new IllegalArgumentException(in.remaining() + " bytes after the last response");
            }
            return responses;
        }
        catch (final BufferUnderflowException ex)
        {
            throw new IllegalArgumentException("a value cut short at byte " + in.position(), ex);
        }
    }

    private static int add(final List<byte[]> strings, final String value)
    {
        final byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
        strings.add(bytes);
        return 4 + bytes.length;
    }

    private static void putString(final ByteBuffer out, final byte[] bytes)
    {
        out.putInt(bytes.length).put(bytes);
    }

    private static String getString(final ByteBuffer in)
    {
        final int length = checkedLength(in, in.getInt());
        final String value = new String(in.array(), in.position(), length, StandardCharsets.UTF_8);
        in.position(in.position() + length);
        return value;
    }

    /**
     * A length read from the value, checked against what is left of it before anything is allocated for it.
     */
    private static int checkedLength(final ByteBuffer in, final int length)
    {
        if (length < 0 || length > in.remaining())
        {
            throw new IllegalArgumentException("a length of " + length + " with " + in.remaining() +
                " bytes left");
        }
        return length;
    }
}
