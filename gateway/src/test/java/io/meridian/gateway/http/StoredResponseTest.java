package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StoredResponseTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final byte[] TEXT = "a compressible line of text\n".repeat(100).getBytes(StandardCharsets.UTF_8);

    private static StoredResponse store(final byte[] body, final HttpFields request, final boolean compress,
        final String... headers)
    {
        return StoredResponse.of(200, HttpFields.of(headers), body, body.length, request, T0, T0, 0, compress);
    }

    @Test
    void compressibleUncodedBodyIsHeldGzipped()
    {
        final StoredResponse stored = store(TEXT, HttpFields.EMPTY, true, "Content-Type", "text/plain",
            "Content-Length", Integer.toString(TEXT.length));

        assertTrue(stored.gzipped());
        assertTrue(stored.body().length < TEXT.length / 5);
        assertEquals(TEXT.length, stored.identityLength());
        assertArrayEquals(TEXT, Compression.gunzip(stored.body(), stored.identityLength()));
        assertFalse(stored.headers().has("Content-Length"), "computed when served");
        assertTrue(stored.weight() < TEXT.length);
    }

    @Test
    void bodiesAreHeldAsSentWhenCompressionDoesNotApply()
    {
        assertFalse(store(TEXT, HttpFields.EMPTY, false, "Content-Type", "text/plain").gzipped(), "gzip off");
        assertFalse(store(TEXT, HttpFields.EMPTY, true, "Content-Type", "image/png").gzipped());
        assertFalse(store(TEXT, HttpFields.EMPTY, true, "Content-Type", "text/plain", "Content-Encoding", "br")
            .gzipped());
        assertFalse(store(TEXT, HttpFields.EMPTY, true, "Content-Type", "text/plain",
            "Cache-Control", "no-transform").gzipped());
        assertFalse(store(new byte[100], HttpFields.EMPTY, true, "Content-Type", "text/plain").gzipped(), "tiny");
        final StoredResponse asSent = store(TEXT, HttpFields.EMPTY, true, "Content-Type", "image/png");
        assertSame(TEXT, asSent.body());
    }

    @Test
    void aMissingDateIsAddedFromTheTimeOfReceipt()
    {
        assertEquals(HttpDate.format(T0), store(TEXT, HttpFields.EMPTY, false).headers().first("Date"));
    }

    @Test
    void anUncodedBodyServesEveryAcceptEncodingButAnEncodedOneOnlyItsOwn()
    {
        final HttpFields gzipClient = HttpFields.of("Accept-Encoding", "gzip", "Accept-Language", "en");
        final HttpFields plainClient = HttpFields.of("Accept-Language", "en");
        final StoredResponse uncoded = store(TEXT, gzipClient, true, "Vary", "Accept-Encoding, Accept-Language");
        final StoredResponse encoded = store(TEXT, gzipClient, true, "Vary", "Accept-Encoding, Accept-Language",
            "Content-Encoding", "gzip");

        assertTrue(uncoded.matches(plainClient));
        assertFalse(uncoded.matches(HttpFields.of("Accept-Language", "fr")));
        assertTrue(encoded.matches(gzipClient));
        assertFalse(encoded.matches(plainClient));
        assertThrows(IllegalArgumentException.class, () -> store(TEXT, HttpFields.EMPTY, false, "Vary", "*"));
    }

    @Test
    void revalidationKeepsTheBodyAndRestartsTheAge()
    {
        final StoredResponse stored = StoredResponse.of(200, HttpFields.of("Cache-Control", "max-age=10",
            "Date", HttpDate.format(T0), "Content-Type", "text/plain"), TEXT, TEXT.length, HttpFields.EMPTY, T0, T0,
            0, true);
        final long later = T0 + 60_000;

        final StoredResponse revalidated = stored.revalidated(HttpFields.of("Cache-Control", "max-age=30",
            "Date", HttpDate.format(later)), HttpFields.EMPTY, later, later, 0);

        assertSame(stored.body(), revalidated.body());
        assertTrue(revalidated.gzipped());
        assertEquals(30_000, revalidated.lifetimeMs());
        assertEquals(0, revalidated.currentAgeMs(later));
        assertEquals(60_000, stored.currentAgeMs(later));
    }
}
