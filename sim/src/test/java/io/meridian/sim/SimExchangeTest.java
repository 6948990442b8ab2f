package io.meridian.sim;

import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static io.meridian.sim.SimOrderBook.ASK;
import static io.meridian.sim.SimOrderBook.BID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimExchangeTest
{
    private static final long EPOCH_MS = 1_710_460_800_000L;

    /** What the listener saw of one security, rebuilt independently of the exchange. */
    private static final class Seen
    {
        final ReplicaBook book = new ReplicaBook();
        final long[] fields = new long[SimSecurity.FIELD_COUNT + 1];
        long changedMask;
        int changes;
        long trades;
        long volume;
        long value;
        long open;
        long high = Long.MIN_VALUE;
        long low = Long.MAX_VALUE;
        long last;
        long lastTradeId;
    }

    private final Map<String, Seen> seen = new HashMap<>();
    private final List<SimMarket> stateChanges = new ArrayList<>();
    private final SimListener listener = new SimListener()
    {
        public void onOrderAdded(
            final SimSecurity security,
            final int side,
            final long orderId,
            final long position,
            final long price,
            final long quantity)
        {
            seen(security).book.addOrder(side, orderId, position, price, quantity);
        }

        public void onOrderQuantity(
            final SimSecurity security, final int side, final long orderId, final long quantity)
        {
            seen(security).book.orderQuantity(side, orderId, quantity);
        }

        public void onOrderRemoved(final SimSecurity security, final int side, final long orderId)
        {
            seen(security).book.removeOrder(side, orderId);
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
            seen(security).book.level(added, side, levelId, price, volume, count);
        }

        public void onLevelRemoved(final SimSecurity security, final int side, final long levelId, final long price)
        {
            seen(security).book.removeLevel(side, levelId);
        }

        public void onBookCleared(final SimSecurity security)
        {
            seen(security).book.clear();
        }

        public void onTrade(final SimSecurity security, final long tradeId)
        {
            final Seen s = seen(security);
            final SimTradeHistory history = security.trades;
            assertEquals(s.lastTradeId + 1, tradeId, "trade ids are consecutive");
            final long price = history.price(tradeId);
            final long quantity = history.quantity(tradeId);
            final long previous = 0 == s.trades ? security.closePrice : s.last;
            final int trend = SimTradeHistory.trend(history.codes(tradeId));
            assertEquals(price > previous ? Trend.Up.value() : price < previous ? Trend.Down.value() :
                Trend.None.value(), trend, "trend against the previous last");
            assertEquals(7, SimTradeHistory.affects(history.codes(tradeId)));
            assertNotEquals(history.buyOrderId(tradeId), history.sellOrderId(tradeId));
            assertEquals(0, price % security.tickSize);
            assertEquals(0, quantity % security.lotSize);
            assertTrue(quantity > 0);
            assertNotEquals(TradingState.Closed, security.market.state);

            s.lastTradeId = tradeId;
            if (0 == s.trades)
            {
                s.open = price;
            }
            s.trades++;
            s.volume += quantity;
            s.value += price * quantity;
            s.high = Math.max(s.high, price);
            s.low = Math.min(s.low, price);
            s.last = price;
        }

        public void onSecurityChanged(final SimSecurity security, final long changed)
        {
            final Seen s = seen(security);
            s.changedMask |= changed;
            s.changes++;
        }

        public void onMarketStateChanged(final SimMarket market)
        {
            stateChanges.add(market);
        }
    };

    private Seen seen(final SimSecurity security)
    {
        return seen.computeIfAbsent(security.key, k -> new Seen());
    }

    @Test
    void shouldKeepBooksAndFieldsConsistentUnderRandomEventsThroughTheCycle()
    {
        final SimExchange exchange = track(new SimExchange(List.of("XSX", "XNX"), 12, 7, 8, 50, 10, listener));
        for (final SimSecurity security : exchange.securities())
        {
            assertEquals(8, security.book.orderCount(BID), "seeded to the limit");
            assertEquals(8, security.book.orderCount(ASK), "seeded to the limit");
            assertFalse(security.book.isCrossed());
        }

        final Map<TradingState, Integer> eventsByState = new HashMap<>();
        long tradesInPreOpen = 0;
        for (int ms = 0; ms < 30_000; ms++)
        {
            final int changes = exchange.updateTradingStates(ms, EPOCH_MS + ms);
            if (changes > 0)
            {
                for (final SimSecurity security : exchange.securities())
                {
                    assertEquals(security.market.state, security.tradingState());
                    assertEquals(SecurityFields.TRADING_STATE,
                        seen(security).changedMask & SecurityFields.TRADING_STATE);
                    assertSecurity(security);
                }
            }

            final SimSecurity security = exchange.securities()[ms % 12];
            final TradingState state = security.market.state;
            final long tradesBefore = security.trades.lastTradeId();
            final boolean applied = exchange.step(security, EPOCH_MS + ms);
            assertEquals(TradingState.Closed != state, applied);
            if (applied)
            {
                eventsByState.merge(state, 1, Integer::sum);
            }
            if (TradingState.PreOpen == state)
            {
                tradesInPreOpen += security.trades.lastTradeId() - tradesBefore;
            }
            assertSecurity(security);
        }

        assertEquals(0, tradesInPreOpen, "nothing matches before the open");
        assertTrue(eventsByState.get(TradingState.Open) > 20_000, eventsByState.toString());
        assertTrue(eventsByState.get(TradingState.PreOpen) > 2_000, eventsByState.toString());
        assertFalse(eventsByState.containsKey(TradingState.Closed));
        assertEquals(8 * 2, stateChanges.size(), "changes at 8, 9, 10, 18, 19, 20, 28 and 29 s in two markets");
        long trades = 0;
        for (final SimSecurity security : exchange.securities())
        {
            trades += security.trades.lastTradeId();
            assertTrue(security.trades.held() <= 50);
        }
        assertTrue(trades > 1_000, "trades: " + trades);
    }

    @Test
    void shouldFollowTheCycleAndPassThroughEveryStateWhenTheClockJumps()
    {
        final SimExchange exchange = track(new SimExchange(List.of("XSX"), 3, 7, 8, 50, 10, listener));
        assertEquals(TradingState.Open, exchange.stateAt(0));
        assertEquals(TradingState.Open, exchange.stateAt(7_999));
        assertEquals(TradingState.Closed, exchange.stateAt(8_000));
        assertEquals(TradingState.Closed, exchange.stateAt(8_999));
        assertEquals(TradingState.PreOpen, exchange.stateAt(9_000));
        assertEquals(TradingState.PreOpen, exchange.stateAt(9_999));
        assertEquals(TradingState.Open, exchange.stateAt(10_000));
        assertEquals(TradingState.Closed, exchange.stateAt(18_500));

        assertEquals(0, exchange.updateTradingStates(5_000, EPOCH_MS));
        assertEquals(2, exchange.updateTradingStates(9_500, EPOCH_MS));
        final SimMarket market = exchange.markets()[0];
        assertEquals(TradingState.PreOpen, market.state);
        for (final SimSecurity security : market.securities)
        {
            assertTrue(security.book.isEmpty(), "cleared at the close on the way");
            assertTrue(security.isNull(SecurityFields.BEST_BID));
            assertEquals(0, security.get(SecurityFields.ASK_COUNT));
            assertEquals(TradingState.PreOpen, security.tradingState());
            seen(security).book.assertSameAs(security.book);
        }

        // Build crossed books before the open.
        for (int i = 0; i < 600; i++)
        {
            exchange.step(market.securities[i % 3], EPOCH_MS + i);
        }
        boolean anyCrossed = false;
        for (final SimSecurity security : market.securities)
        {
            anyCrossed |= security.book.isCrossed();
        }
        assertTrue(anyCrossed, "pre-open books may cross");

        assertEquals(1, exchange.updateTradingStates(10_000, EPOCH_MS + 10_000));
        for (final SimSecurity security : market.securities)
        {
            assertFalse(security.book.isCrossed(), "uncrossed at the open");
            assertSecurity(security);
        }
    }

    @Test
    void shouldStayOpenWithoutASessionCycle()
    {
        final SimExchange exchange = track(new SimExchange(List.of("XSX"), 2, 7, 8, 50, 0, listener));
        for (long ms = 0; ms < 1_000_000; ms += 997)
        {
            assertEquals(TradingState.Open, exchange.stateAt(ms));
            assertEquals(0, exchange.updateTradingStates(ms, EPOCH_MS));
        }
    }

    @Test
    void shouldBuildTenThousandSecurities()
    {
        final SimExchange exchange =
            new SimExchange(FeedServer.ALL_MARKET_CODES, 10_000, 42, 40, 1000, 300, SimListener.NONE);
        assertEquals(10_000, exchange.securities().length);
        assertEquals(1_250, exchange.markets()[7].securities.length);
        for (int i = 0; i < 200_000; i++)
        {
            assertTrue(exchange.step(EPOCH_MS));
        }
        for (final SimSecurity security : exchange.securities())
        {
            assertFalse(security.book.isCrossed());
            assertTrue(security.book.orderCount(BID) <= 40 && security.book.orderCount(ASK) <= 40);
        }
    }

    private SimExchange track(final SimExchange exchange)
    {
        for (final SimSecurity security : exchange.securities())
        {
            final Seen s = seen(security);
            s.book.assertSameAs(security.book);
            security.copyFields(s.fields);
        }
        return exchange;
    }

    private void assertSecurity(final SimSecurity security)
    {
        final Seen s = seen(security);
        final SimOrderBook book = security.book;
        s.book.assertSameAs(book);

        final TradingState state = security.market.state;
        if (TradingState.Open == state)
        {
            assertFalse(book.isCrossed(), "crossed open book of " + security.key);
        }
        if (TradingState.Closed == state)
        {
            assertTrue(book.isEmpty());
        }
        for (int side = BID; side <= ASK; side++)
        {
            assertTrue(book.orderCount(side) <= book.maxOrdersPerSide());
            for (int rank = 0; rank < book.orderCount(side); rank++)
            {
                assertTrue(book.orderPrice(side, rank) > 0);
                assertEquals(0, book.orderPrice(side, rank) % security.tickSize, "price on the tick");
                assertTrue(book.orderQuantity(side, rank) > 0);
                assertEquals(0, book.orderQuantity(side, rank) % security.lotSize, "quantity in lots");
            }
        }

        assertBest(security, BID, SecurityFields.BEST_BID, SecurityFields.BID_QUANTITY, SecurityFields.BID_COUNT);
        assertBest(security, ASK, SecurityFields.BEST_ASK, SecurityFields.ASK_QUANTITY, SecurityFields.ASK_COUNT);
        assertEquals(state, security.tradingState());
        assertEquals(security.closePrice, security.get(SecurityFields.CLOSE));
        assertEquals(security.lotSize, security.get(SecurityFields.LOT_SIZE));
        assertEquals(s.trades, security.get(SecurityFields.NUMBER_OF_TRADES));
        assertEquals(s.volume, security.get(SecurityFields.VOLUME), "volume is the sum of trade quantities");
        assertEquals(s.value, security.get(SecurityFields.VALUE_TRADED));
        if (0 == s.trades)
        {
            assertEquals(SimSecurity.NULL_UNTIL_TRADED, security.nullMask & SimSecurity.NULL_UNTIL_TRADED);
        }
        else
        {
            assertEquals(0, security.nullMask & SimSecurity.NULL_UNTIL_TRADED);
            assertEquals(s.open, security.get(SecurityFields.OPEN));
            assertEquals(s.high, security.get(SecurityFields.HIGH));
            assertEquals(s.low, security.get(SecurityFields.LOW));
            assertEquals(s.last, security.get(SecurityFields.LAST));
            final long vwap = BigDecimal.valueOf(s.value, -SimSecurity.VALUE_EXPONENT)
                .divide(BigDecimal.valueOf(s.volume), -SimSecurity.VWAP_EXPONENT, RoundingMode.HALF_UP)
                .unscaledValue().longValueExact();
            assertEquals(vwap, security.get(SecurityFields.VWAP), "vwap");
            assertTrue(s.low * 100 <= vwap && vwap <= s.high * 100);
            assertEquals(SimTradeHistory.trend(security.trades.codes(s.lastTradeId)),
                security.get(SecurityFields.TREND));
        }

        // The changes reported since the last check name exactly the fields that differ.
        long expected = 0;
        for (int bit = 0; bit < SimSecurity.FIELD_COUNT; bit++)
        {
            final long field = 1L << bit;
            final boolean wasNull = 0 != (s.fields[SimSecurity.FIELD_COUNT] & field);
            final boolean isNull = security.isNull(field);
            if (wasNull != isNull || (!isNull && s.fields[bit] != security.values[bit]))
            {
                expected |= field;
            }
        }
        if (s.changes <= 1)
        {
            assertEquals(expected, s.changedMask, "changes reported for " + security.key);
        }
        else
        {
            assertEquals(expected, s.changedMask & expected, "changes reported for " + security.key);
        }
        security.copyFields(s.fields);
        s.changedMask = 0;
        s.changes = 0;
    }

    private static void assertBest(
        final SimSecurity security, final int side, final long price, final long quantity, final long count)
    {
        final SimOrderBook book = security.book;
        if (0 == book.orderCount(side))
        {
            assertTrue(security.isNull(price));
            assertEquals(0, security.get(quantity));
            assertEquals(0, security.get(count));
            return;
        }
        final long best = book.orderPrice(side, 0);
        long sum = 0;
        int orders = 0;
        for (int rank = 0; rank < book.orderCount(side) && book.orderPrice(side, rank) == best; rank++)
        {
            sum += book.orderQuantity(side, rank);
            orders++;
        }
        assertFalse(security.isNull(price));
        assertEquals(best, security.get(price));
        assertEquals(sum, security.get(quantity));
        assertEquals(orders, security.get(count));
    }
}
