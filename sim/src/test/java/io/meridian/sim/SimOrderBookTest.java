package io.meridian.sim;

import io.meridian.codecs.SecurityFields;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.meridian.sim.SimOrderBook.ASK;
import static io.meridian.sim.SimOrderBook.BID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimOrderBookTest
{
    private final List<String> events = new ArrayList<>();
    private final ReplicaBook replica = new ReplicaBook();
    private final SimListener recorder = new SimListener()
    {
        public void onOrderAdded(
            final SimSecurity security,
            final int side,
            final long orderId,
            final long position,
            final long price,
            final long quantity)
        {
            events.add("add " + side + " " + orderId + " " + price + " " + quantity);
            replica.addOrder(side, orderId, position, price, quantity);
        }

        public void onOrderQuantity(
            final SimSecurity security, final int side, final long orderId, final long quantity)
        {
            events.add("quantity " + side + " " + orderId + " " + quantity);
            replica.orderQuantity(side, orderId, quantity);
        }

        public void onOrderRemoved(final SimSecurity security, final int side, final long orderId)
        {
            events.add("remove " + side + " " + orderId);
            replica.removeOrder(side, orderId);
        }

        public void onLevel(
            final SimSecurity security,
            final boolean added,
            final int side,
            final long levelId,
            final long price,
            final long volume,
            final int count)
        {
            replica.level(added, side, levelId, price, volume, count);
        }

        public void onLevelRemoved(final SimSecurity security, final int side, final long levelId, final long price)
        {
            replica.removeLevel(side, levelId);
        }

        public void onBookCleared(final SimSecurity security)
        {
            events.add("clear");
            replica.clear();
        }

        public void onTrade(final SimSecurity security, final long tradeId)
        {
            final SimTradeHistory trades = security.trades;
            events.add("trade " + tradeId + " " + trades.price(tradeId) + " " + trades.quantity(tradeId) + " buy " +
                trades.buyOrderId(tradeId) + " sell " + trades.sellOrderId(tradeId) + " aggressor " +
                SimTradeHistory.side(trades.codes(tradeId)));
        }
    };

    // Previous close 100.00: tick 0.10, lot 1.
    private final SimSecurity security =
        new SimSecurity(0, "ALP", new SimMarket(0, "XSX"), 10_000, 3, 100, recorder);
    private final SimOrderBook book = security.book;

    @Test
    void shouldMatchPriceTimeWithPartialAndFullFills()
    {
        final long a1 = book.submit(ASK, 10_010, 5, true, 0);
        final long a2 = book.submit(ASK, 10_010, 7, true, 0);
        final long a3 = book.submit(ASK, 10_020, 4, true, 0);
        final long b1 = book.submit(BID, 9_990, 3, true, 0);
        assertTrue(book.orderPosition(ASK, 0) < book.orderPosition(ASK, 1), "later order at a price ranks behind");
        assertEquals(a1, book.orderId(ASK, 0));
        assertEquals(a2, book.orderId(ASK, 1));
        assertEquals(2, book.levelCount(ASK));
        assertEquals(12, book.levelVolume(ASK, 0));
        assertEquals(2, book.levelOrders(ASK, 0));
        events.clear();

        final long buyer = book.submit(BID, 10_020, 14, true, 1_000);

        assertEquals(List.of(
            "remove 1 " + a1, "trade 1 10010 5 buy " + buyer + " sell " + a1 + " aggressor 0",
            "remove 1 " + a2, "trade 2 10010 7 buy " + buyer + " sell " + a2 + " aggressor 0",
            "quantity 1 " + a3 + " 2", "trade 3 10020 2 buy " + buyer + " sell " + a3 + " aggressor 0"), events);
        assertEquals(1, book.orderCount(ASK));
        assertEquals(2, book.orderQuantity(ASK, 0));
        assertEquals(b1, book.orderId(BID, 0), "a filled aggressor does not rest");
        assertEquals(1, book.orderCount(BID));

        security.refreshBest();
        assertEquals(10_020, security.get(SecurityFields.LAST));
        assertEquals(10_010, security.get(SecurityFields.OPEN));
        assertEquals(10_020, security.get(SecurityFields.HIGH));
        assertEquals(10_010, security.get(SecurityFields.LOW));
        assertEquals(14, security.get(SecurityFields.VOLUME));
        assertEquals(3, security.get(SecurityFields.NUMBER_OF_TRADES));
        assertEquals(12 * 10_010 + 2 * 10_020, security.get(SecurityFields.VALUE_TRADED));
        assertEquals(SimSecurity.vwap(12 * 10_010 + 2 * 10_020, 14), security.get(SecurityFields.VWAP));
        assertEquals(10_020, security.get(SecurityFields.BEST_ASK));
        assertEquals(2, security.get(SecurityFields.ASK_QUANTITY));
        assertEquals(1, security.get(SecurityFields.ASK_COUNT));
        replica.assertSameAs(book);

        // What a sweep leaves rests at its limit, below the next ask.
        final long sweeper = book.submit(BID, 10_030, 5, true, 2_000);
        assertEquals(0, book.orderCount(ASK));
        assertEquals(sweeper, book.orderId(BID, 0));
        assertEquals(3, book.orderQuantity(BID, 0));
        assertEquals(10_030, book.orderPrice(BID, 0));
        assertFalse(book.isCrossed());
        replica.assertSameAs(book);
    }

    @Test
    void shouldAmendDownKeepingPriorityAndCancel()
    {
        final long first = book.submit(BID, 9_990, 10, true, 0);
        final long second = book.submit(BID, 9_990, 10, true, 0);
        final long position = book.orderPosition(BID, 0);

        book.amend(BID, 0, 4);
        assertEquals(first, book.orderId(BID, 0));
        assertEquals(position, book.orderPosition(BID, 0));
        assertEquals(4, book.orderQuantity(BID, 0));
        assertEquals(14, book.levelVolume(BID, 0));
        assertThrows(IllegalArgumentException.class, () -> book.amend(BID, 0, 4));
        assertThrows(IllegalArgumentException.class, () -> book.amend(BID, 0, 0));

        book.cancel(BID, 0);
        assertEquals(second, book.orderId(BID, 0));
        assertEquals(1, book.levelOrders(BID, 0));
        book.cancel(BID, 0);
        assertEquals(0, book.levelCount(BID));
        replica.assertSameAs(book);
    }

    @Test
    void shouldCancelTheOldestOrderOfAFullSide()
    {
        final long oldest = book.submit(BID, 9_950, 1, true, 0);
        book.submit(BID, 9_990, 1, true, 0);
        book.submit(BID, 9_970, 1, true, 0);
        events.clear();

        final long newest = book.submit(BID, 9_960, 1, true, 0);

        assertEquals("remove 0 " + oldest, events.get(0));
        assertEquals(3, book.orderCount(BID));
        assertEquals(newest, book.orderId(BID, 2));
        replica.assertSameAs(book);
    }

    @Test
    void shouldRestCrossingOrdersWithoutMatchingThenUncrossAtTheOlderPrice()
    {
        final long bid = book.submit(BID, 10_050, 5, false, 0);
        final long ask = book.submit(ASK, 10_040, 3, false, 0);
        final long ask2 = book.submit(ASK, 10_060, 3, false, 0);
        assertTrue(book.isCrossed());
        events.clear();

        assertEquals(1, book.uncross(5_000));

        assertEquals(List.of("quantity 0 " + bid + " 2", "remove 1 " + ask,
            "trade 1 10050 3 buy " + bid + " sell " + ask + " aggressor 1"), events);
        assertFalse(book.isCrossed());
        assertEquals(ask2, book.orderId(ASK, 0));
        assertEquals(5_000, security.trades.timeMs(1));
        replica.assertSameAs(book);

        assertTrue(book.clear());
        assertEquals("clear", events.get(events.size() - 1));
        assertTrue(book.isEmpty());
        assertFalse(book.clear(), "nothing left to clear");
        replica.assertSameAs(book);
    }
}
