package io.meridian.sim;

import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.Trend;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimSecurityTest
{
    @Test
    void shouldGiveUniqueCodesGrowingFromThreeLetters()
    {
        final Set<String> codes = new HashSet<>();
        for (int i = 0; i < 20_000; i++)
        {
            final String code = SimSecurity.code(i, 42);
            assertTrue(codes.add(code), "duplicate " + code + " at " + i);
            assertTrue(code.matches("[A-Z]+"), code);
            assertEquals(i < 1_620 ? 3 : i < 1_620 + 8_100 ? 4 : 5, code.length(), code);
        }
        assertEquals(SimSecurity.code(123, 42), SimSecurity.code(123, 42));
    }

    @Test
    void shouldStartWithPricesInRangeAndNoTrades()
    {
        final SimSecurity security = new SimSecurity(2, "ALP", "XSX", new SplittableRandom(1));

        assertEquals("ALP.XSX", security.key);
        assertEquals("ALP Holdings Ltd", security.name);
        assertTrue(security.open >= 100 && security.open <= 20_000);
        assertEquals(security.open, security.close);
        assertTrue(security.bestBid < security.bestAsk);
        assertEquals(SimSecurity.NULL_UNTIL_TRADED, security.nullMask);
        assertEquals(0, security.numberOfTrades);
    }

    @Test
    void shouldRandomWalkConsistentlyAndReportExactlyTheChangedFields()
    {
        final SplittableRandom random = new SplittableRandom(5);
        final SimSecurity security = new SimSecurity(2, "ALP", "XSX", random);

        for (int i = 0; i < 20_000; i++)
        {
            final long[] before = fields(security);
            final long nullsBefore = security.nullMask;
            final int tradesBefore = security.numberOfTrades;
            final long volumeBefore = security.volume;
            final long changed = security.update(random);
            final long[] after = fields(security);

            for (int bit = 0; bit < before.length; bit++)
            {
                final long field = 1L << bit;
                final boolean differs = before[bit] != after[bit] || (0 != (nullsBefore & field) &&
                    0 == (security.nullMask & field));
                assertEquals(differs, 0 != (changed & field), "field bit " + bit + " at update " + i);
            }
            assertFalse(0 != (changed & SecurityFields.STATIC));

            assertEquals(security.numberOfTrades > tradesBefore, security.volume > volumeBefore);
            assertTrue(security.bestBid >= 1 && security.bestBid < security.bestAsk);
            if (0 == security.nullMask)
            {
                assertTrue(security.last >= 1);
                assertTrue(security.low <= security.last && security.last <= security.high);
                assertTrue(security.low <= security.vwap && security.vwap <= security.high);
                assertEquals(Math.round((double)security.valueTraded / security.volume), security.vwap);
            }
        }
        assertTrue(security.numberOfTrades > 0);
        assertEquals(0, security.nullMask);
    }

    private static long[] fields(final SimSecurity s)
    {
        return new long[]
        {
            0, s.trend == Trend.None ? 0 : s.trend == Trend.Up ? 1 : 2, s.open, s.high, s.low, s.close, s.last,
            s.bestBid, s.bidQuantity, s.bidCount, s.bestAsk, s.askQuantity, s.askCount, s.numberOfTrades, s.volume,
            s.valueTraded, s.vwap, s.lotSize,
        };
    }
}
