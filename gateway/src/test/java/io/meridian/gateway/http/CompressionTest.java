package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CompressionTest
{
    @ParameterizedTest
    @ValueSource(strings = { "gzip", "GZIP", "deflate, gzip;q=0.1", "x-gzip", "*", "br;q=1, *;q=0.5",
        "gzip ; q=1.0" })
    void acceptsGzip(final String acceptEncoding)
    {
        assertTrue(Compression.acceptsGzip(acceptEncoding));
    }

    @ParameterizedTest
    @ValueSource(strings = { "", "br", "identity", "gzip;q=0", "*, gzip;q=0", "gzip;q=0.000", "*;q=0",
        "gzip;q=bad" })
    void refusesGzip(final String acceptEncoding)
    {
        assertFalse(Compression.acceptsGzip(acceptEncoding));
    }

    @Test
    void noAcceptEncodingMeansNoGzip()
    {
        assertFalse(Compression.acceptsGzip(null));
    }

    @ParameterizedTest
    @ValueSource(strings = { "text/html; charset=utf-8", "text/css", "application/json", "application/ld+json",
        "application/javascript", "application/xml", "application/atom+xml", "image/svg+xml", "TEXT/PLAIN" })
    void compressibleTypes(final String contentType)
    {
        assertTrue(Compression.compressible(contentType));
    }

    @ParameterizedTest
    @ValueSource(strings = { "image/png", "application/octet-stream", "video/mp4", "application/zip" })
    void incompressibleTypes(final String contentType)
    {
        assertFalse(Compression.compressible(contentType));
    }

    @Test
    void gzipRoundTripsAndShrinksText()
    {
        final byte[] text = "abcdefghij".repeat(500).getBytes(StandardCharsets.US_ASCII);

        final byte[] gzipped = Compression.gzip(text, text.length);

        assertTrue(gzipped.length < text.length / 10, "compressed to " + gzipped.length);
        assertArrayEquals(text, Compression.gunzip(gzipped, text.length));
        assertArrayEquals("abc".getBytes(StandardCharsets.US_ASCII),
            Compression.gunzip(Compression.gzip(text, 3), 3), "only the given length");
    }

    @Test
    void encodingWeakensAStrongEntityTag()
    {
        assertEquals("W/\"a\"", Compression.weakETag("\"a\""));
        assertEquals("W/\"a\"", Compression.weakETag("W/\"a\""));
    }
}
