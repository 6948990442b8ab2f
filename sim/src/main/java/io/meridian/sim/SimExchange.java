package io.meridian.sim;

import io.meridian.codecs.interlink.TradingState;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The simulated exchange: markets, their securities and order books, the trading cycle, and the random order flow
 * that drives the books. Everything it changes is reported to its {@link SimListener}, and after each event a
 * security's changed fields are reported once with {@link SimListener#onSecurityChanged}.
 * <p>
 * The trading cycle is {@code sessionSeconds} long and starts at the open: markets are Open for the first 80%, then
 * Closed for 10% (every book is cleared), then PreOpen for 10% (orders are added, amended and cancelled but nothing
 * matches), then Open again, where a crossed book is first traded down with {@link SimOrderBook#uncross}. Day fields
 * (open, high, low, volume, trades) build up over the whole run; the previous close never changes.
 * <p>
 * An observer may be added with {@link #observer}: it is told of every change after the listener, as the simulated
 * broker is to learn of fills of its clients' orders. The random flow never amends or cancels a client order; those
 * change only at their owner's request, by trading, by a full side making room, or by the close.
 */
final class SimExchange
{
    /** Per cent of events that add an order. */
    static final int ADD_PERCENT = 45;
    /** Per cent of events that lower an order's quantity. */
    static final int AMEND_PERCENT = 10;
    /** Per cent of events that cancel an order, when the side is at its target depth; fewer below it. */
    static final int CANCEL_PERCENT = 25;
    /** Orders per side each book starts with. */
    static final int SEED_ORDERS = 10;

    private static final int OPEN_PER_MILLE = 800;
    private static final int CLOSED_PER_MILLE = 100;
    private static final int MAX_LOTS = 50;
    private static final int MAX_DISTANCE_TICKS = 8;

    private final Listeners listener;
    private final SplittableRandom random;
    private final SimMarket[] markets;
    private final SimSecurity[] securities;
    private final Map<String, SimSecurity> securityByKey = new HashMap<>();
    private final Map<String, SimMarket> marketByCode = new HashMap<>();
    private final long cycleMs;
    private final int targetOrdersPerSide;
    private final long[] before = new long[SimSecurity.FIELD_COUNT + 1];

    /**
     * Build the universe: security {@code i} gets a deterministic code from the seed and is listed on market
     * {@code i % marketCodes.size()}; every book starts with {@link #SEED_ORDERS} orders a side around the previous
     * close.
     *
     * @param marketCodes      codes of the markets.
     * @param securityCount    number of securities.
     * @param seed             seed of the codes, prices and order flow.
     * @param maxOrdersPerSide most resting orders per book side.
     * @param tradeHistory     most trades each security keeps.
     * @param sessionSeconds   length of the trading cycle; 0 keeps every market Open.
     * @param listener         told of every change, including those of the seeding.
     */
    SimExchange(
        final List<String> marketCodes,
        final int securityCount,
        final long seed,
        final int maxOrdersPerSide,
        final int tradeHistory,
        final int sessionSeconds,
        final SimListener listener)
    {
        this.listener = new Listeners(listener);
        this.random = new SplittableRandom(seed);
        this.cycleMs = sessionSeconds * 1000L;
        this.targetOrdersPerSide = Math.max(1, maxOrdersPerSide / 2);

        markets = new SimMarket[marketCodes.size()];
        final List<List<SimSecurity>> listed = new ArrayList<>();
        for (int m = 0; m < markets.length; m++)
        {
            markets[m] = new SimMarket(m, marketCodes.get(m));
            marketByCode.put(markets[m].code, markets[m]);
            listed.add(new ArrayList<>());
        }

        securities = new SimSecurity[securityCount];
        for (int i = 0; i < securityCount; i++)
        {
            final SimMarket market = markets[i % markets.length];
            final long closePrice = 100 + random.nextInt(19_901);
            final SimSecurity security = new SimSecurity(
                i, SimSecurity.code(i, seed), market, closePrice, maxOrdersPerSide, tradeHistory, this.listener);
            securities[i] = security;
            securityByKey.put(security.key, security);
            listed.get(market.index).add(security);
            seed(security);
        }

        for (final SimMarket market : markets)
        {
            market.securities = listed.get(market.index).toArray(new SimSecurity[0]);
        }
    }

    /**
     * Add the one observer: it is told of every change after the listener given at construction.
     *
     * @param observer the observer.
     * @throws IllegalStateException if there is one already.
     */
    void observer(final SimListener observer)
    {
        if (SimListener.NONE != listener.observer)
        {
            throw new IllegalStateException("the exchange has an observer already");
        }
        listener.observer = observer;
    }

    SimMarket[] markets()
    {
        return markets;
    }

    SimSecurity[] securities()
    {
        return securities;
    }

    /**
     * @param key {@code CODE.MARKET}.
     * @return the security, or null.
     */
    SimSecurity security(final String key)
    {
        return securityByKey.get(key);
    }

    /**
     * @param code market code.
     * @return the market, or null.
     */
    SimMarket market(final String code)
    {
        return marketByCode.get(code);
    }

    /**
     * @param elapsedMs time since the start of the run.
     * @return the trading state the cycle gives at that time.
     */
    TradingState stateAt(final long elapsedMs)
    {
        if (0 == cycleMs)
        {
            return TradingState.Open;
        }
        final long intoCycle = Math.floorMod(elapsedMs, cycleMs);
        if (intoCycle < cycleMs * OPEN_PER_MILLE / 1000)
        {
            return TradingState.Open;
        }
        if (intoCycle < cycleMs * (OPEN_PER_MILLE + CLOSED_PER_MILLE) / 1000)
        {
            return TradingState.Closed;
        }
        return TradingState.PreOpen;
    }

    /**
     * Move every market to the state the cycle gives for the time, through each state in between, so a clock that
     * jumps still gives every close its clearing and every open its uncrossing.
     *
     * @param elapsedMs time since the start of the run.
     * @param timeMs    epoch milliseconds, for trades at the open.
     * @return state changes made.
     */
    int updateTradingStates(final long elapsedMs, final long timeMs)
    {
        final TradingState target = stateAt(elapsedMs);
        int changes = 0;
        for (final SimMarket market : markets)
        {
            while (market.state != target)
            {
                changeState(market, next(market.state), timeMs);
                changes++;
            }
        }
        return changes;
    }

    /**
     * Apply one random event to one security chosen at random.
     *
     * @param timeMs epoch milliseconds, for trades.
     * @return true if the security's market allowed an event.
     */
    boolean step(final long timeMs)
    {
        return step(securities[random.nextInt(securities.length)], timeMs);
    }

    /**
     * Apply one random event to a security: add an order, lower one's quantity, cancel one, or (when Open) enter an
     * aggressive order that trades. Nothing happens while its market is Closed.
     *
     * @param security the security.
     * @param timeMs   epoch milliseconds, for trades.
     * @return true if the market allowed an event.
     */
    boolean step(final SimSecurity security, final long timeMs)
    {
        final TradingState state = security.market.state;
        if (TradingState.Closed == state)
        {
            return false;
        }

        security.copyFields(before);
        final SimOrderBook book = security.book;
        final boolean open = TradingState.Open == state;
        final int side = random.nextInt(2);
        final int count = book.orderCount(side);
        final int roll = random.nextInt(100);

        if (0 == count || roll < ADD_PERCENT)
        {
            addPassive(security, side, open, timeMs);
        }
        else if (roll < ADD_PERCENT + AMEND_PERCENT)
        {
            final int rank = random.nextInt(count);
            final long lots = book.orderQuantity(side, rank) / security.lotSize;
            if (book.isClientOrder(book.orderId(side, rank)))
            {
                addPassive(security, side, open, timeMs);
            }
            else if (lots > 1)
            {
                book.amend(side, rank, security.lotSize * (1 + random.nextInt((int)Math.min(lots - 1, MAX_LOTS))));
            }
            else
            {
                book.cancel(side, rank);
            }
        }
        else if (roll < ADD_PERCENT + AMEND_PERCENT + CANCEL_PERCENT)
        {
            // Cancel less as the side thins, so books hover around their target depth.
            if (random.nextInt(targetOrdersPerSide) < count)
            {
                final int rank = random.nextInt(count);
                if (book.isClientOrder(book.orderId(side, rank)))
                {
                    addPassive(security, side, open, timeMs);
                }
                else
                {
                    book.cancel(side, rank);
                }
            }
            else
            {
                addPassive(security, side, open, timeMs);
            }
        }
        else if (open && 0 != book.orderCount(1 - side))
        {
            addAggressive(security, side, timeMs);
        }
        else
        {
            addPassive(security, side, open, timeMs);
        }

        publishFields(security);
        return true;
    }

    private void changeState(final SimMarket market, final TradingState state, final long timeMs)
    {
        final TradingState from = market.state;
        market.state = state;
        listener.onMarketStateChanged(market);
        for (final SimSecurity security : market.securities)
        {
            security.copyFields(before);
            security.tradingState(state);
            if (TradingState.Closed == state)
            {
                security.book.clear();
            }
            else if (TradingState.Open == state && TradingState.PreOpen == from)
            {
                security.book.uncross(timeMs);
            }
            publishFields(security);
        }
    }

    private void publishFields(final SimSecurity security)
    {
        security.refreshBest();
        final long changed = security.changedSince(before);
        if (0 != changed)
        {
            listener.onSecurityChanged(security, changed);
        }
    }

    private void seed(final SimSecurity security)
    {
        final long reference = security.closePrice;
        for (int i = 0; i < SEED_ORDERS; i++)
        {
            final long distance = security.tickSize * (1 + random.nextInt(MAX_DISTANCE_TICKS));
            security.book.submit(SimOrderBook.BID, Math.max(security.tickSize, reference - distance), lots(security),
                false, 0);
            security.book.submit(SimOrderBook.ASK, reference + distance, lots(security), false, 0);
        }
        security.refreshBest();
    }

    /**
     * An order near the reference price. When Open it never crosses; when PreOpen one in eight may, by up to three
     * ticks, as pre-open books do.
     */
    private void addPassive(final SimSecurity security, final int side, final boolean open, final long timeMs)
    {
        final SimOrderBook book = security.book;
        final long tick = security.tickSize;
        final long reference = security.referencePrice();
        final long distance = tick * random.nextInt(1 + random.nextInt(MAX_DISTANCE_TICKS));
        long price;
        if (SimOrderBook.BID == side)
        {
            price = reference - distance;
            if (open && 0 != book.orderCount(SimOrderBook.ASK))
            {
                price = Math.min(price, book.orderPrice(SimOrderBook.ASK, 0) - tick);
            }
            else if (!open && 0 == random.nextInt(8))
            {
                price += tick * (1 + random.nextInt(3));
            }
        }
        else
        {
            price = reference + distance;
            if (open && 0 != book.orderCount(SimOrderBook.BID))
            {
                price = Math.max(price, book.orderPrice(SimOrderBook.BID, 0) + tick);
            }
            else if (!open && 0 == random.nextInt(8))
            {
                price -= tick * (1 + random.nextInt(3));
            }
        }
        // Priced not to cross when Open, but entered as any Open order is, so a book can never stay crossed.
        book.submit(side, Math.max(tick, price), lots(security), open, timeMs);
    }

    /**
     * An order priced up to two ticks through the other side's best, for up to one and a half times the quantity
     * there, so it sometimes takes more than one level; what it does not fill rests.
     */
    private void addAggressive(final SimSecurity security, final int side, final long timeMs)
    {
        final SimOrderBook book = security.book;
        final int other = 1 - side;
        final long tick = security.tickSize;
        final long through = tick * random.nextInt(3);
        final long best = book.orderPrice(other, 0);
        final long price = SimOrderBook.BID == side ? best + through : Math.max(tick, best - through);
        final long bestLots = book.levelVolume(other, 0) / security.lotSize;
        final long lots = 1 + random.nextInt((int)Math.min(Integer.MAX_VALUE - 1, Math.max(1, bestLots * 3 / 2)));
        book.submit(side, price, lots * security.lotSize, true, timeMs);
    }

    private long lots(final SimSecurity security)
    {
        return security.lotSize * (1 + random.nextInt(MAX_LOTS));
    }

    /**
     * Tells the listener, then the observer, of every change.
     */
    private static final class Listeners implements SimListener
    {
        private final SimListener listener;
        private SimListener observer = SimListener.NONE;

        Listeners(final SimListener listener)
        {
            this.listener = listener;
        }

        public void onOrderAdded(
            final SimSecurity security,
            final int side,
            final long orderId,
            final long position,
            final long price,
            final long quantity)
        {
            listener.onOrderAdded(security, side, orderId, position, price, quantity);
            observer.onOrderAdded(security, side, orderId, position, price, quantity);
        }

        public void onOrderQuantity(final SimSecurity security, final int side, final long orderId, final long quantity)
        {
            listener.onOrderQuantity(security, side, orderId, quantity);
            observer.onOrderQuantity(security, side, orderId, quantity);
        }

        public void onOrderRemoved(final SimSecurity security, final int side, final long orderId)
        {
            listener.onOrderRemoved(security, side, orderId);
            observer.onOrderRemoved(security, side, orderId);
        }

        public void onOrderEvicted(final SimSecurity security, final int side, final long orderId)
        {
            listener.onOrderEvicted(security, side, orderId);
            observer.onOrderEvicted(security, side, orderId);
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
            listener.onLevel(security, added, side, levelId, price, volume, count);
            observer.onLevel(security, added, side, levelId, price, volume, count);
        }

        public void onLevelRemoved(final SimSecurity security, final int side, final long levelId, final long price)
        {
            listener.onLevelRemoved(security, side, levelId, price);
            observer.onLevelRemoved(security, side, levelId, price);
        }

        public void onBookCleared(final SimSecurity security)
        {
            listener.onBookCleared(security);
            observer.onBookCleared(security);
        }

        public void onTrade(final SimSecurity security, final long tradeId)
        {
            listener.onTrade(security, tradeId);
            observer.onTrade(security, tradeId);
        }

        public void onSecurityChanged(final SimSecurity security, final long changed)
        {
            listener.onSecurityChanged(security, changed);
            observer.onSecurityChanged(security, changed);
        }

        public void onMarketStateChanged(final SimMarket market)
        {
            listener.onMarketStateChanged(market);
            observer.onMarketStateChanged(market);
        }
    }

    private static TradingState next(final TradingState state)
    {
        switch (state)
        {
            case Open:
                return TradingState.Closed;
            case Closed:
                return TradingState.PreOpen;
            default:
                return TradingState.Open;
        }
    }
}
