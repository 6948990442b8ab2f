package io.meridian.gateway.http;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Compression at rest: which bodies are worth storing gzip-compressed, the compression itself, and which clients
 * take gzip ({@code Accept-Encoding}, RFC 9110 section 12.5.3).
 */
final class Compression
{
    /**
     * Bodies shorter than this are stored as they are: gzip's own header and trailer eat most of the gain.
     */
    static final int MIN_BYTES = 256;

    private Compression()
    {
    }

    /**
     * @param acceptEncoding a request's combined {@code Accept-Encoding}, or null.
     * @return true when gzip is acceptable: listed (or {@code x-gzip}, or {@code *} with gzip not listed) with a
     *         quality above 0.
     */
    static boolean acceptsGzip(final String acceptEncoding)
    {
        if (null == acceptEncoding)
        {
            return false;
        }
        Boolean star = null;
        for (final String member : acceptEncoding.split(","))
        {
            final String[] parts = member.split(";");
            final String coding = parts[0].trim().toLowerCase(Locale.ROOT);
            boolean acceptable = true;
            for (int i = 1; i < parts.length; i++)
            {
                final String parameter = parts[i].trim().toLowerCase(Locale.ROOT);
                if (parameter.startsWith("q="))
                {
                    acceptable = positiveQuality(parameter.substring(2).trim());
                }
            }
            if ("gzip".equals(coding) || "x-gzip".equals(coding))
            {
                return acceptable;
            }
            if ("*".equals(coding))
            {
                star = acceptable;
            }
        }
        return Boolean.TRUE.equals(star);
    }

    private static boolean positiveQuality(final String q)
    {
        try
        {
            return Double.parseDouble(q) > 0;
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
    }

    /**
     * @param contentType a response's {@code Content-Type}, or null.
     * @return true for text, JSON, JavaScript, XML and SVG.
     */
    static boolean compressible(final String contentType)
    {
        if (null == contentType)
        {
            return false;
        }
        final int semicolon = contentType.indexOf(';');
        final String type = (semicolon < 0 ? contentType : contentType.substring(0, semicolon))
            .trim().toLowerCase(Locale.ROOT);
        return type.startsWith("text/") ||
            type.equals("application/json") || type.endsWith("+json") ||
            type.equals("application/javascript") || type.equals("application/x-javascript") ||
            type.equals("application/ecmascript") ||
            type.equals("application/xml") || type.endsWith("+xml");
    }

    /**
     * @param data   bytes.
     * @param length how many of them, from the start.
     * @return them gzip-compressed.
     */
    static byte[] gzip(final byte[] data, final int length)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(Math.max(64, length / 4));
        try (GZIPOutputStream gzip = new GZIPOutputStream(out, 8192))
        {
            gzip.write(data, 0, length);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }

    /**
     * @param gzipped        gzip data made by {@link #gzip}.
     * @param originalLength the length it decompresses to.
     * @return the original bytes.
     */
    static byte[] gunzip(final byte[] gzipped, final int originalLength)
    {
        final byte[] result = new byte[originalLength];
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzipped), 8192))
        {
            int offset = 0;
            while (offset < originalLength)
            {
                final int read = in.read(result, offset, originalLength - offset);
                if (read < 0)
                {
                    throw new IOException("gzip data ended after " + offset + " of " + originalLength + " bytes");
                }
                offset += read;
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return result;
    }

    /**
     * A content coding changes the representation, so its strong entity tag no longer identifies it.
     *
     * @param etag an entity tag or null.
     * @return the tag made weak.
     */
    static String weakETag(final String etag)
    {
        if (null == etag || etag.startsWith("W/"))
        {
            return etag;
        }
        return "W/" + etag;
    }
}
