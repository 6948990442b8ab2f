package io.meridian.sim;

/**
 * The newest trades of one security, oldest evicted first. Trade ids are consecutive from 1, so a trade is found by
 * id without storing it. The ring grows by doubling up to its capacity and is reused from then on.
 */
final class SimTradeHistory
{
    /** Longs per trade in {@link #copy}: id, time, price, quantity, buy order id, sell order id, codes. */
    static final int ROW_STRIDE = 7;
    static final int ROW_TRADE_ID = 0;
    static final int ROW_TIME_MS = 1;
    static final int ROW_PRICE = 2;
    static final int ROW_QUANTITY = 3;
    static final int ROW_BUY_ORDER_ID = 4;
    static final int ROW_SELL_ORDER_ID = 5;
    /** Side in bits 0-7, trend in bits 8-15, affects in bits 16-23. */
    static final int ROW_CODES = 6;

    private static final int STRIDE = 6;
    private static final int TIME_MS = 0;
    private static final int PRICE = 1;
    private static final int QUANTITY = 2;
    private static final int BUY_ORDER_ID = 3;
    private static final int SELL_ORDER_ID = 4;
    private static final int CODES = 5;
    private static final int FIRST_RING_TRADES = 16;

    private final int capacity;
    private long[] ring = new long[0];
    private int ringTrades;
    private int head;
    private int held;
    private long lastTradeId;

    /**
     * @param capacity most trades held.
     */
    SimTradeHistory(final int capacity)
    {
        this.capacity = capacity;
    }

    /**
     * Add a trade, evicting the oldest when full.
     *
     * @param timeMs      epoch milliseconds.
     * @param price       price mantissa.
     * @param quantity    quantity mantissa.
     * @param buyOrderId  id of the buy order.
     * @param sellOrderId id of the sell order.
     * @param side        the aggressor's side.
     * @param trend       {@link io.meridian.codecs.interlink.Trend} value.
     * @param affects     {@link io.meridian.codecs.interlink.TradeAffectsEncoder} bits.
     * @return the new trade's id.
     */
    long add(
        final long timeMs,
        final long price,
        final long quantity,
        final long buyOrderId,
        final long sellOrderId,
        final int side,
        final int trend,
        final int affects)
    {
        final long tradeId = ++lastTradeId;
        if (0 == capacity)
        {
            return tradeId;
        }

        if (held == ringTrades && ringTrades < capacity)
        {
            grow();
        }

        final int slot;
        if (held < ringTrades)
        {
            slot = (head + held) % ringTrades;
            held++;
        }
        else
        {
            slot = head;
            head = (head + 1) % ringTrades;
        }

        final int offset = slot * STRIDE;
        ring[offset + TIME_MS] = timeMs;
        ring[offset + PRICE] = price;
        ring[offset + QUANTITY] = quantity;
        ring[offset + BUY_ORDER_ID] = buyOrderId;
        ring[offset + SELL_ORDER_ID] = sellOrderId;
        ring[offset + CODES] = side | (trend << 8) | (affects << 16);
        return tradeId;
    }

    /**
     * @return trades held.
     */
    int held()
    {
        return held;
    }

    /**
     * @return id of the oldest trade held; {@link #lastTradeId()} + 1 when none is.
     */
    long firstTradeId()
    {
        return lastTradeId - held + 1;
    }

    /**
     * @return id of the newest trade, held or not; 0 before the first.
     */
    long lastTradeId()
    {
        return lastTradeId;
    }

    long timeMs(final long tradeId)
    {
        return ring[offset(tradeId) + TIME_MS];
    }

    long price(final long tradeId)
    {
        return ring[offset(tradeId) + PRICE];
    }

    long quantity(final long tradeId)
    {
        return ring[offset(tradeId) + QUANTITY];
    }

    long buyOrderId(final long tradeId)
    {
        return ring[offset(tradeId) + BUY_ORDER_ID];
    }

    long sellOrderId(final long tradeId)
    {
        return ring[offset(tradeId) + SELL_ORDER_ID];
    }

    /**
     * @return side, trend and affects of the trade, packed as in {@link #ROW_CODES}.
     */
    long codes(final long tradeId)
    {
        return ring[offset(tradeId) + CODES];
    }

    /**
     * The trades a history request selects, with the Zenith {@code QueryTrades} meaning of its fields; 0 means
     * absent for each. No ids: the newest {@code count}. Last id only: the newest {@code count} up to it. First id
     * only: the oldest {@code count} from it. Both: those between them, at most {@code count} from the oldest.
     * A count of 0 is no limit.
     *
     * @param count        most trades, 0 for all.
     * @param firstTradeId lowest id wanted, 0 for none.
     * @param lastTradeId  highest id wanted, 0 for none.
     * @param range        receives the first and last id selected; the first exceeds the last when none is.
     */
    void select(final int count, final long firstTradeId, final long lastTradeId, final long[] range)
    {
        final long low = firstTradeId();
        final long high = this.lastTradeId;
        long from;
        long to;
        if (0 == firstTradeId)
        {
            to = 0 == lastTradeId ? high : Math.min(high, lastTradeId);
            from = 0 == count ? low : Math.max(low, to - count + 1);
        }
        else
        {
            from = Math.max(low, firstTradeId);
            to = 0 == lastTradeId ? high : Math.min(high, lastTradeId);
            if (0 != count)
            {
                to = Math.min(to, from + count - 1);
            }
        }
        range[0] = from;
        range[1] = to;
    }

    /**
     * Copy held trades, oldest first, as rows of {@link #ROW_STRIDE} longs.
     *
     * @param fromTradeId first id, held.
     * @param toTradeId   last id, held; less than the first for none.
     * @param into        receives the rows; room for them all.
     * @return trades copied.
     */
    int copy(final long fromTradeId, final long toTradeId, final long[] into)
    {
        int rows = 0;
        for (long tradeId = fromTradeId; tradeId <= toTradeId; tradeId++)
        {
            final int offset = offset(tradeId);
            final int row = rows++ * ROW_STRIDE;
            into[row + ROW_TRADE_ID] = tradeId;
            into[row + ROW_TIME_MS] = ring[offset + TIME_MS];
            into[row + ROW_PRICE] = ring[offset + PRICE];
            into[row + ROW_QUANTITY] = ring[offset + QUANTITY];
            into[row + ROW_BUY_ORDER_ID] = ring[offset + BUY_ORDER_ID];
            into[row + ROW_SELL_ORDER_ID] = ring[offset + SELL_ORDER_ID];
            into[row + ROW_CODES] = ring[offset + CODES];
        }
        return rows;
    }

    static int side(final long codes)
    {
        return (int)(codes & 0xFF);
    }

    static int trend(final long codes)
    {
        return (int)((codes >>> 8) & 0xFF);
    }

    static int affects(final long codes)
    {
        return (int)((codes >>> 16) & 0xFF);
    }

    private int offset(final long tradeId)
    {
        final long index = tradeId - firstTradeId();
        if (index < 0 || index >= held)
        {
            throw new IllegalArgumentException("trade " + tradeId + " is not held");
        }
        return (int)((head + index) % ringTrades) * STRIDE;
    }

    private void grow()
    {
        final int newTrades = Math.min(capacity, Math.max(FIRST_RING_TRADES, ringTrades * 2));
        final long[] newRing = new long[newTrades * STRIDE];
        for (int i = 0; i < held; i++)
        {
            System.arraycopy(ring, ((head + i) % ringTrades) * STRIDE, newRing, i * STRIDE, STRIDE);
        }
        ring = newRing;
        ringTrades = newTrades;
        head = 0;
    }
}
