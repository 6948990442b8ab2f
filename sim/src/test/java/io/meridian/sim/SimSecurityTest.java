package io.meridian.sim;

import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
    void shouldStartWithStaticFieldsAndNoTrades()
    {
        final SimSecurity security = new SimSecurity(0, "ALP", new SimMarket(0, "XSX"), 2_003, 10, 10,
            SimListener.NONE);

        assertEquals("ALP.XSX", security.key);
        assertEquals("ALP Holdings Ltd", security.name);
        assertEquals(5, security.tickSize);
        assertEquals(10, security.lotSize);
        assertEquals(2_000, security.closePrice, "aligned to the tick");
        assertEquals(2_000, security.get(SecurityFields.CLOSE));
        assertEquals(10, security.get(SecurityFields.LOT_SIZE));
        assertEquals(TradingState.Open, security.tradingState());
        assertEquals(Trend.None.value(), security.get(SecurityFields.TREND));
        assertEquals(SimSecurity.NULL_UNTIL_TRADED | SecurityFields.BEST_BID | SecurityFields.BEST_ASK,
            security.nullMask);
        assertEquals(0, security.get(SecurityFields.BID_QUANTITY));
        assertEquals(0, security.get(SecurityFields.NUMBER_OF_TRADES));
    }

    @Test
    void shouldChooseTickAndLotByPrice()
    {
        assertEquals(1, SimSecurity.tickSize(999));
        assertEquals(5, SimSecurity.tickSize(1_000));
        assertEquals(10, SimSecurity.tickSize(5_000));
        assertEquals(100, SimSecurity.lotSize(499));
        assertEquals(10, SimSecurity.lotSize(500));
        assertEquals(1, SimSecurity.lotSize(5_000));
    }

    @Test
    void shouldRoundVwapHalfUpToFourDecimals()
    {
        // 1.00 x 1 + 1.01 x 2 = 3.02 over 3 = 1.006666.. -> 1.0067
        assertEquals(10_067, SimSecurity.vwap(302, 3));
        // 0.01 over 8 = 0.00125 -> 0.0013
        assertEquals(13, SimSecurity.vwap(1, 8));
        assertEquals(11, SimSecurity.vwap(1, 9));
    }

    @Test
    void shouldReportExactlyTheChangedFields()
    {
        final SimSecurity security = new SimSecurity(0, "ALP", new SimMarket(0, "XSX"), 10_000, 10, 10,
            SimListener.NONE);
        final long[] before = new long[SimSecurity.FIELD_COUNT + 1];

        security.copyFields(before);
        assertEquals(0, security.changedSince(before));

        security.book.submit(SimOrderBook.BID, 9_990, 5, true, 0);
        security.refreshBest();
        assertEquals(SecurityFields.BEST_BID | SecurityFields.BID_QUANTITY | SecurityFields.BID_COUNT,
            security.changedSince(before));

        security.copyFields(before);
        security.book.submit(SimOrderBook.ASK, 9_990, 2, true, 1_000);
        security.refreshBest();
        assertEquals(SecurityFields.OPEN | SecurityFields.HIGH | SecurityFields.LOW | SecurityFields.LAST |
            SecurityFields.VWAP | SecurityFields.TREND | SecurityFields.NUMBER_OF_TRADES | SecurityFields.VOLUME |
            SecurityFields.VALUE_TRADED | SecurityFields.BID_QUANTITY, security.changedSince(before));
        assertEquals(Trend.Down.value(), security.get(SecurityFields.TREND));

        security.copyFields(before);
        security.book.submit(SimOrderBook.ASK, 9_990, 3, true, 1_000);
        security.refreshBest();
        assertEquals(SecurityFields.TREND | SecurityFields.NUMBER_OF_TRADES | SecurityFields.VOLUME |
            SecurityFields.VALUE_TRADED | SecurityFields.BEST_BID | SecurityFields.BID_QUANTITY |
            SecurityFields.BID_COUNT, security.changedSince(before), "VWAP, last, high, low unchanged");
        assertTrue(security.isNull(SecurityFields.BEST_BID));
        assertEquals(0, security.get(SecurityFields.BID_COUNT));
    }
}
