package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SharedCodecTest
{
    private static final long T0 = 1_700_000_000_000L;
    private static final byte[] TEXT = "ünïcode text that compresses well\n".repeat(80)
        .getBytes(StandardCharsets.UTF_8);

    private static List<StoredResponse> twoVariants()
    {
        final StoredResponse english = StoredResponse.of(200, HttpFields.of("Content-Type", "text/plain",
            "Cache-Control", "max-age=60", "Vary", "Accept-Language", "ETag", "\"en\"", "X-Note", "wert: ä"),
            TEXT, TEXT.length, HttpFields.of("Accept-Language", "en"), T0 - 20, T0, 0, true);
        final byte[] binary = {0, 1, 2, (byte)0xFF};
        final StoredResponse french = StoredResponse.of(203, HttpFields.of("Content-Type", "image/png",
            "Vary", "Accept-Language", "Expires", HttpDate.format(T0 + 30_000)),
            binary, binary.length, HttpFields.of("Accept-Language", "fr"), T0 - 5, T0 + 1, 0, true);
        return List.of(english, french);
    }

    @Test
    void everyPartOfEveryVariantSurvivesTheTrip()
    {
        final List<StoredResponse> original = twoVariants();

        final List<StoredResponse> decoded = SharedCodec.decode(SharedCodec.encode(original), 0);

        assertEquals(2, decoded.size());
        for (int i = 0; i < 2; i++)
        {
            final StoredResponse a = original.get(i);
            final StoredResponse b = decoded.get(i);
            assertEquals(a.status(), b.status());
            assertEquals(a.headers().fields(), b.headers().fields());
            assertArrayEquals(a.body(), b.body());
            assertEquals(a.gzipped(), b.gzipped());
            assertEquals(a.identityLength(), b.identityLength());
            assertEquals(a.requestTimeMs(), b.requestTimeMs());
            assertEquals(a.responseTimeMs(), b.responseTimeMs());
            assertEquals(a.lifetimeMs(), b.lifetimeMs());
            assertEquals(a.currentAgeMs(T0 + 5_000), b.currentAgeMs(T0 + 5_000));
            assertEquals(a.varyValues(), b.varyValues());
            assertTrue(a.sameVariant(b));
        }
        assertTrue(decoded.get(0).gzipped(), "the compressed body stays compressed");
        assertTrue(decoded.get(0).matches(HttpFields.of("Accept-Language", "en")));
        assertFalse(decoded.get(0).matches(HttpFields.of("Accept-Language", "fr")));
        assertTrue(decoded.get(1).matches(HttpFields.of("Accept-Language", "fr")));
    }

    @Test
    void theReaderWorksOutLifetimesWithItsOwnDefaultTtl()
    {
        final byte[] body = "x".getBytes(StandardCharsets.UTF_8);
        final StoredResponse plain = StoredResponse.of(200, HttpFields.of("Content-Type", "text/plain"), body, 1,
            HttpFields.EMPTY, T0, T0, 0, false);

        assertEquals(90_000, SharedCodec.decode(SharedCodec.encode(List.of(plain)), 90).get(0).lifetimeMs());
    }

    @Test
    void everyCutShortValueIsRefused()
    {
        final byte[] whole = SharedCodec.encode(twoVariants());

        for (int length = 0; length < whole.length; length++)
        {
            final byte[] cut = Arrays.copyOf(whole, length);
            assertThrows(IllegalArgumentException.class, () -> SharedCodec.decode(cut, 0), "cut at " + length);
        }
    }

    @Test
    void otherVersionsTrailingBytesAndHugeLengthsAreRefused()
    {
        final byte[] whole = SharedCodec.encode(twoVariants());
        final byte[] otherVersion = whole.clone();
        otherVersion[3] = 2;
        final byte[] trailing = Arrays.copyOf(whole, whole.length + 1);
        final byte[] hugeBody = SharedCodec.encode(List.of(twoVariants().get(1)));
        ByteBuffer.wrap(hugeBody).putInt(hugeBody.length - 4 - 4, Integer.MAX_VALUE);
        final byte[] tooMany = whole.clone();
        ByteBuffer.wrap(tooMany).putInt(4, ResponseStore.MAX_VARIANTS + 1);

        final IllegalArgumentException version =
            assertThrows(IllegalArgumentException.class, () -> SharedCodec.decode(otherVersion, 0));
        assertTrue(version.getMessage().contains("version 1"), version.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SharedCodec.decode(trailing, 0));
        assertThrows(IllegalArgumentException.class, () -> SharedCodec.decode(hugeBody, 0));
        assertThrows(IllegalArgumentException.class, () -> SharedCodec.decode(tooMany, 0));
        assertThrows(IllegalArgumentException.class, () -> SharedCodec.encode(List.of()));
    }

    @Test
    void randomDamageIsRefusedOrReadNeverAnythingElse()
    {
        final byte[] whole = SharedCodec.encode(twoVariants());
        final SplittableRandom random = new SplittableRandom(7);

        for (int i = 0; i < 20_000; i++)
        {
            final byte[] damaged = whole.clone();
            for (int j = 1 + random.nextInt(4); j > 0; j--)
            {
                damaged[random.nextInt(damaged.length)] = (byte)random.nextInt(256);
            }
            try
            {
                SharedCodec.decode(damaged, 0);
            }
            catch (final IllegalArgumentException expected)
            {
                // Refused as a value of another kind: the store reads it as a miss.
            }
        }
    }

    @Test
    void aKeyLivesWhileItsResponseCanBeUsed()
    {
        final long day = 86_400_000L;
        final StoredResponse fresh30 = response("Cache-Control", "max-age=30");
        final StoredResponse grace = response("Cache-Control", "max-age=30, stale-while-revalidate=10, " +
            "stale-if-error=60");
        final StoredResponse tagged = response("Cache-Control", "max-age=30", "Last-Modified", HttpDate.format(T0));
        final StoredResponse huge = response("Cache-Control", "max-age=999999999");

        assertEquals(30_000, RedisStore.keepMs(fresh30, T0, day));
        assertEquals(10_000, RedisStore.keepMs(fresh30, T0 + 20_000, day));
        assertTrue(RedisStore.keepMs(fresh30, T0 + 31_000, day) <= 0, "expired, no validator: not kept");
        assertEquals(90_000, RedisStore.keepMs(grace, T0, day), "the longer stale extension counts");
        assertEquals(day, RedisStore.keepMs(tagged, T0 + 31_000, day), "a validator: kept to revalidate");
        assertEquals(day, RedisStore.keepMs(huge, T0, day));
    }

    private static StoredResponse response(final String... headers)
    {
        final byte[] body = "r".getBytes(StandardCharsets.UTF_8);
        return StoredResponse.of(200, HttpFields.of(headers), body, 1, HttpFields.EMPTY, T0, T0, 0, false);
    }
}
