package io.meridian.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class SimTradeHistoryTest
{
    private final SimTradeHistory history = new SimTradeHistory(40);
    private final long[] range = new long[2];

    @Test
    void shouldKeepTheNewestTradesWithConsecutiveIds()
    {
        assertEquals(0, history.held());
        assertEquals(1, history.firstTradeId());
        for (int i = 1; i <= 100; i++)
        {
            assertEquals(i, history.add(1_000 + i, 10 * i, i, 2L * i, 2L * i + 1, i & 1, 1, 7));
        }
        assertEquals(40, history.held());
        assertEquals(61, history.firstTradeId());
        assertEquals(100, history.lastTradeId());
        assertEquals(1_075, history.timeMs(75));
        assertEquals(750, history.price(75));
        assertEquals(75, history.quantity(75));
        assertEquals(150, history.buyOrderId(75));
        assertEquals(151, history.sellOrderId(75));
        assertEquals(1, SimTradeHistory.side(history.codes(75)));
        assertEquals(1, SimTradeHistory.trend(history.codes(75)));
        assertEquals(7, SimTradeHistory.affects(history.codes(75)));
        assertThrows(IllegalArgumentException.class, () -> history.price(60));
        assertThrows(IllegalArgumentException.class, () -> history.price(101));

        final long[] rows = new long[3 * SimTradeHistory.ROW_STRIDE];
        assertEquals(3, history.copy(98, 100, rows));
        assertEquals(98, rows[SimTradeHistory.ROW_TRADE_ID]);
        assertEquals(100, rows[2 * SimTradeHistory.ROW_STRIDE + SimTradeHistory.ROW_TRADE_ID]);
        assertEquals(990, rows[SimTradeHistory.ROW_STRIDE + SimTradeHistory.ROW_PRICE]);
    }

    @Test
    void shouldSelectLikeQueryTrades()
    {
        for (int i = 1; i <= 100; i++)
        {
            history.add(i, i, 1, 1, 2, 0, 0, 7);
        }
        // Held: 61 to 100.
        assertRange(61, 100, 0, 0, 0);
        assertRange(96, 100, 5, 0, 0);
        assertRange(61, 100, 500, 0, 0);
        assertRange(76, 80, 5, 0, 80);
        assertRange(61, 80, 0, 0, 80);
        assertRange(61, 62, 5, 0, 62);
        assertRange(70, 74, 5, 70, 0);
        assertRange(70, 100, 0, 70, 0);
        assertRange(61, 65, 5, 10, 0);
        assertRange(70, 74, 5, 70, 90);
        assertRange(70, 90, 0, 70, 90);
        assertRange(70, 90, 50, 70, 90);
        assertRange(61, 63, 0, 1, 63);
        assertEmpty(3, 0, 50);
        assertEmpty(3, 101, 0);
        assertEmpty(0, 90, 80);
    }

    @Test
    void shouldSelectNothingFromAnEmptyHistory()
    {
        assertEmpty(0, 0, 0);
        assertEmpty(10, 1, 5);
    }

    private void assertRange(final long from, final long to, final int count, final long first, final long last)
    {
        history.select(count, first, last, range);
        assertEquals(from, range[0], "first id for count " + count + " first " + first + " last " + last);
        assertEquals(to, range[1], "last id for count " + count + " first " + first + " last " + last);
    }

    private void assertEmpty(final int count, final long first, final long last)
    {
        history.select(count, first, last, range);
        assertEquals(true, range[0] > range[1], "expected none: " + range[0] + " to " + range[1]);
    }
}
