package io.meridian.sim;

import org.agrona.collections.LongHashSet;

/**
 * The limit order book of one security, with price-time priority matching. Each side keeps its orders and its price
 * levels in primitive arrays sorted from the worst price to the best, and, within a price, from the newest order to
 * the oldest, so the order next to match is the last one and matching never shifts the rest. The arrays grow by
 * doubling up to the side's limit; a side at its limit cancels its oldest order to make room.
 * <p>
 * Every change is reported to the {@link SimListener} as it happens; fills are recorded as trades on the security.
 * Ranks passed to and returned by the accessors count from the best: rank 0 is the order (or level) with the highest
 * priority.
 * <p>
 * Orders entered for a client of the simulated broker are marked as client orders while they rest, so the random
 * order flow can leave them alone; they match and fill like any other order.
 */
final class SimOrderBook
{
    static final int BID = 0;
    static final int ASK = 1;

    private static final int ORDER_STRIDE = 4;
    private static final int ORDER_ID = 0;
    private static final int ORDER_PRICE = 1;
    private static final int ORDER_QUANTITY = 2;
    private static final int ORDER_POSITION = 3;
    private static final int LEVEL_STRIDE = 4;
    private static final int LEVEL_PRICE = 0;
    private static final int LEVEL_VOLUME = 1;
    private static final int LEVEL_COUNT = 2;
    private static final int LEVEL_ID = 3;
    private static final int FIRST_CAPACITY = 8;

    private final SimSecurity security;
    private final SimListener listener;
    private final int maxOrdersPerSide;
    private final long[][] orders = new long[2][];
    private final int[] orderCount = new int[2];
    private final long[][] levels = new long[2][];
    private final int[] levelCount = new int[2];
    private final LongHashSet clientOrderIds = new LongHashSet();
    private long lastOrderId;
    private long lastPosition;
    private long lastLevelId;

    SimOrderBook(final SimSecurity security, final SimListener listener, final int maxOrdersPerSide)
    {
        this.security = security;
        this.listener = listener;
        this.maxOrdersPerSide = maxOrdersPerSide;
        final int capacity = Math.min(FIRST_CAPACITY, maxOrdersPerSide);
        for (int side = BID; side <= ASK; side++)
        {
            orders[side] = new long[capacity * ORDER_STRIDE];
            levels[side] = new long[capacity * LEVEL_STRIDE];
        }
    }

    int maxOrdersPerSide()
    {
        return maxOrdersPerSide;
    }

    int orderCount(final int side)
    {
        return orderCount[side];
    }

    long orderId(final int side, final int rank)
    {
        return orders[side][orderOffset(side, rank) + ORDER_ID];
    }

    long orderPrice(final int side, final int rank)
    {
        return orders[side][orderOffset(side, rank) + ORDER_PRICE];
    }

    long orderQuantity(final int side, final int rank)
    {
        return orders[side][orderOffset(side, rank) + ORDER_QUANTITY];
    }

    long orderPosition(final int side, final int rank)
    {
        return orders[side][orderOffset(side, rank) + ORDER_POSITION];
    }

    int levelCount(final int side)
    {
        return levelCount[side];
    }

    long levelPrice(final int side, final int rank)
    {
        return levels[side][levelOffset(side, rank) + LEVEL_PRICE];
    }

    long levelVolume(final int side, final int rank)
    {
        return levels[side][levelOffset(side, rank) + LEVEL_VOLUME];
    }

    int levelOrders(final int side, final int rank)
    {
        return (int)levels[side][levelOffset(side, rank) + LEVEL_COUNT];
    }

    long levelId(final int side, final int rank)
    {
        return levels[side][levelOffset(side, rank) + LEVEL_ID];
    }

    /**
     * @return the id the next submitted order will get, so a caller can recognise it in the trades of its submit.
     */
    long nextOrderId()
    {
        return lastOrderId + 1;
    }

    /**
     * @param orderId an order id.
     * @return true while the order rests in the book and was submitted as a client order.
     */
    boolean isClientOrder(final long orderId)
    {
        return !clientOrderIds.isEmpty() && clientOrderIds.contains(orderId);
    }

    boolean isEmpty()
    {
        return 0 == orderCount[BID] && 0 == orderCount[ASK];
    }

    /**
     * @return true when both sides have orders and the best bid is at or above the best ask.
     */
    boolean isCrossed()
    {
        return 0 != orderCount[BID] && 0 != orderCount[ASK] && orderPrice(BID, 0) >= orderPrice(ASK, 0);
    }

    /**
     * Enter a limit order: when matching, it first trades against the other side at the resting orders' prices, best
     * first, while they are at or better than its limit; what is left rests at its limit.
     *
     * @param side     its side.
     * @param price    its limit price.
     * @param quantity its quantity, more than 0.
     * @param match    whether it may trade (false while the market is pre-open).
     * @param timeMs   epoch milliseconds, for trades.
     * @return the order's id.
     */
    long submit(final int side, final long price, final long quantity, final boolean match, final long timeMs)
    {
        return submit(side, price, quantity, match, timeMs, false);
    }

    /**
     * Enter a limit order as {@link #submit(int, long, long, boolean, long)} does, marking what rests of it as a
     * client order when {@code client} is true.
     *
     * @param side     its side.
     * @param price    its limit price.
     * @param quantity its quantity, more than 0.
     * @param match    whether it may trade (false while the market is pre-open).
     * @param timeMs   epoch milliseconds, for trades.
     * @param client   whether it is a client order.
     * @return the order's id.
     */
    long submit(
        final int side,
        final long price,
        final long quantity,
        final boolean match,
        final long timeMs,
        final boolean client)
    {
        final long orderId = ++lastOrderId;
        long remaining = quantity;
        if (match)
        {
            final int other = 1 - side;
            while (remaining > 0 && 0 != orderCount[other])
            {
                final int top = orderCount[other] - 1;
                final int offset = top * ORDER_STRIDE;
                final long[] resting = orders[other];
                final long restingPrice = resting[offset + ORDER_PRICE];
                if (BID == side ? restingPrice > price : restingPrice < price)
                {
                    break;
                }
                final long restingId = resting[offset + ORDER_ID];
                final long fill = Math.min(remaining, resting[offset + ORDER_QUANTITY]);
                fillAt(other, top, fill);
                remaining -= fill;
                trade(timeMs, restingPrice, fill, BID == side ? orderId : restingId,
                    BID == side ? restingId : orderId, side);
            }
        }

        if (remaining > 0)
        {
            if (client)
            {
                clientOrderIds.add(orderId);
            }
            rest(side, orderId, price, remaining);
        }
        return orderId;
    }

    /**
     * Lower a resting order's quantity, keeping its priority.
     *
     * @param side     its side.
     * @param rank     its rank.
     * @param quantity the new quantity, more than 0 and less than the current one.
     */
    void amend(final int side, final int rank, final long quantity)
    {
        final int index = orderCount[side] - 1 - rank;
        final long current = orders[side][index * ORDER_STRIDE + ORDER_QUANTITY];
        if (quantity <= 0 || quantity >= current)
        {
            throw new IllegalArgumentException("amend must lower the quantity: " + current + " to " + quantity);
        }
        reduceAt(side, index, quantity);
    }

    /**
     * Cancel a resting order.
     *
     * @param side its side.
     * @param rank its rank.
     */
    void cancel(final int side, final int rank)
    {
        removeAt(side, orderCount[side] - 1 - rank);
    }

    /**
     * Remove every order at once, as at the close.
     *
     * @return true if there was any.
     */
    boolean clear()
    {
        if (isEmpty())
        {
            return false;
        }
        for (int side = BID; side <= ASK; side++)
        {
            orderCount[side] = 0;
            levelCount[side] = 0;
        }
        clientOrderIds.clear();
        listener.onBookCleared(security);
        return true;
    }

    /**
     * Trade away a crossed book, as at the open: the best bid and best ask trade at the price of the older of the
     * two, the newer being the aggressor, until the book no longer crosses.
     *
     * @param timeMs epoch milliseconds, for trades.
     * @return trades made.
     */
    int uncross(final long timeMs)
    {
        int trades = 0;
        while (isCrossed())
        {
            final int bidIndex = orderCount[BID] - 1;
            final int askIndex = orderCount[ASK] - 1;
            final int bidOffset = bidIndex * ORDER_STRIDE;
            final int askOffset = askIndex * ORDER_STRIDE;
            final long bidId = orders[BID][bidOffset + ORDER_ID];
            final long askId = orders[ASK][askOffset + ORDER_ID];
            final boolean bidOlder = bidId < askId;
            final long price = bidOlder ? orders[BID][bidOffset + ORDER_PRICE] : orders[ASK][askOffset + ORDER_PRICE];
            final long fill =
                Math.min(orders[BID][bidOffset + ORDER_QUANTITY], orders[ASK][askOffset + ORDER_QUANTITY]);
            fillAt(BID, bidIndex, fill);
            fillAt(ASK, askIndex, fill);
            trade(timeMs, price, fill, bidId, askId, bidOlder ? ASK : BID);
            trades++;
        }
        return trades;
    }

    private void trade(
        final long timeMs,
        final long price,
        final long quantity,
        final long buyOrderId,
        final long sellOrderId,
        final int aggressor)
    {
        final long tradeId = security.recordTrade(timeMs, price, quantity, buyOrderId, sellOrderId, aggressor);
        listener.onTrade(security, tradeId);
    }

    private void fillAt(final int side, final int index, final long fill)
    {
        final long quantity = orders[side][index * ORDER_STRIDE + ORDER_QUANTITY];
        if (fill == quantity)
        {
            removeAt(side, index);
        }
        else
        {
            reduceAt(side, index, quantity - fill);
        }
    }

    private void rest(final int side, final long orderId, final long price, final long quantity)
    {
        if (orderCount[side] == maxOrdersPerSide)
        {
            final int oldest = oldestIndex(side);
            listener.onOrderEvicted(security, side, orders[side][oldest * ORDER_STRIDE + ORDER_ID]);
            removeAt(side, oldest);
        }

        final int count = orderCount[side];
        if ((count + 1) * ORDER_STRIDE > orders[side].length)
        {
            orders[side] = grow(orders[side], ORDER_STRIDE);
        }
        final long[] sideOrders = orders[side];

        // The newest order at a price goes below the older ones: behind them in priority.
        int index = count;
        while (index > 0 && !isWorse(side, sideOrders[(index - 1) * ORDER_STRIDE + ORDER_PRICE], price))
        {
            index--;
        }
        final int offset = index * ORDER_STRIDE;
        System.arraycopy(sideOrders, offset, sideOrders, offset + ORDER_STRIDE, (count - index) * ORDER_STRIDE);
        final long position = ++lastPosition;
        sideOrders[offset + ORDER_ID] = orderId;
        sideOrders[offset + ORDER_PRICE] = price;
        sideOrders[offset + ORDER_QUANTITY] = quantity;
        sideOrders[offset + ORDER_POSITION] = position;
        orderCount[side] = count + 1;

        listener.onOrderAdded(security, side, orderId, position, price, quantity);
        addToLevel(side, price, quantity);
    }

    private void removeAt(final int side, final int index)
    {
        final long[] sideOrders = orders[side];
        final int offset = index * ORDER_STRIDE;
        final long orderId = sideOrders[offset + ORDER_ID];
        final long price = sideOrders[offset + ORDER_PRICE];
        final long quantity = sideOrders[offset + ORDER_QUANTITY];
        final int count = orderCount[side] - 1;
        System.arraycopy(sideOrders, offset + ORDER_STRIDE, sideOrders, offset, (count - index) * ORDER_STRIDE);
        orderCount[side] = count;
        if (!clientOrderIds.isEmpty())
        {
            clientOrderIds.remove(orderId);
        }

        listener.onOrderRemoved(security, side, orderId);
        takeFromLevel(side, price, quantity, true);
    }

    private void reduceAt(final int side, final int index, final long quantity)
    {
        final long[] sideOrders = orders[side];
        final int offset = index * ORDER_STRIDE;
        final long removed = sideOrders[offset + ORDER_QUANTITY] - quantity;
        sideOrders[offset + ORDER_QUANTITY] = quantity;

        listener.onOrderQuantity(security, side, sideOrders[offset + ORDER_ID], quantity);
        takeFromLevel(side, sideOrders[offset + ORDER_PRICE], removed, false);
    }

    private int oldestIndex(final int side)
    {
        final long[] sideOrders = orders[side];
        int oldest = 0;
        for (int i = 1, count = orderCount[side]; i < count; i++)
        {
            if (sideOrders[i * ORDER_STRIDE + ORDER_ID] < sideOrders[oldest * ORDER_STRIDE + ORDER_ID])
            {
                oldest = i;
            }
        }
        return oldest;
    }

    private void addToLevel(final int side, final long price, final long quantity)
    {
        final int found = findLevel(side, price);
        if (found >= 0)
        {
            final long[] sideLevels = levels[side];
            final int offset = found * LEVEL_STRIDE;
            final long volume = sideLevels[offset + LEVEL_VOLUME] + quantity;
            final long count = sideLevels[offset + LEVEL_COUNT] + 1;
            sideLevels[offset + LEVEL_VOLUME] = volume;
            sideLevels[offset + LEVEL_COUNT] = count;
            listener.onLevel(security, false, side, sideLevels[offset + LEVEL_ID], price, volume, (int)count);
            return;
        }

        final int count = levelCount[side];
        if ((count + 1) * LEVEL_STRIDE > levels[side].length)
        {
            levels[side] = grow(levels[side], LEVEL_STRIDE);
        }
        final long[] sideLevels = levels[side];
        final int index = -found - 1;
        final int offset = index * LEVEL_STRIDE;
        System.arraycopy(sideLevels, offset, sideLevels, offset + LEVEL_STRIDE, (count - index) * LEVEL_STRIDE);
        final long levelId = ++lastLevelId;
        sideLevels[offset + LEVEL_PRICE] = price;
        sideLevels[offset + LEVEL_VOLUME] = quantity;
        sideLevels[offset + LEVEL_COUNT] = 1;
        sideLevels[offset + LEVEL_ID] = levelId;
        levelCount[side] = count + 1;
        listener.onLevel(security, true, side, levelId, price, quantity, 1);
    }

    private void takeFromLevel(final int side, final long price, final long quantity, final boolean orderGone)
    {
        final int index = findLevel(side, price);
        if (index < 0)
        {
            throw new IllegalStateException("no level at " + price + " for a resting order");
        }
        final long[] sideLevels = levels[side];
        final int offset = index * LEVEL_STRIDE;
        final long volume = sideLevels[offset + LEVEL_VOLUME] - quantity;
        final long count = sideLevels[offset + LEVEL_COUNT] - (orderGone ? 1 : 0);
        final long levelId = sideLevels[offset + LEVEL_ID];
        if (0 == count)
        {
            final int remaining = levelCount[side] - 1;
            System.arraycopy(sideLevels, offset + LEVEL_STRIDE, sideLevels, offset, (remaining - index) * LEVEL_STRIDE);
            levelCount[side] = remaining;
            listener.onLevelRemoved(security, side, levelId, price);
        }
        else
        {
            sideLevels[offset + LEVEL_VOLUME] = volume;
            sideLevels[offset + LEVEL_COUNT] = count;
            listener.onLevel(security, false, side, levelId, price, volume, (int)count);
        }
    }

    /**
     * @return the index of the level at the price, or {@code -(insertion index) - 1} when there is none.
     */
    private int findLevel(final int side, final long price)
    {
        final long[] sideLevels = levels[side];
        int index = levelCount[side];
        while (index > 0)
        {
            final long levelPrice = sideLevels[(index - 1) * LEVEL_STRIDE + LEVEL_PRICE];
            if (levelPrice == price)
            {
                return index - 1;
            }
            if (isWorse(side, levelPrice, price))
            {
                break;
            }
            index--;
        }
        return -index - 1;
    }

    private long[] grow(final long[] array, final int stride)
    {
        final int capacity = Math.min(maxOrdersPerSide, 2 * (array.length / stride));
        final long[] grown = new long[capacity * stride];
        System.arraycopy(array, 0, grown, 0, array.length);
        return grown;
    }

    private int orderOffset(final int side, final int rank)
    {
        if (rank < 0 || rank >= orderCount[side])
        {
            throw new IndexOutOfBoundsException("rank " + rank + " of " + orderCount[side] + " orders");
        }
        return (orderCount[side] - 1 - rank) * ORDER_STRIDE;
    }

    private int levelOffset(final int side, final int rank)
    {
        if (rank < 0 || rank >= levelCount[side])
        {
            throw new IndexOutOfBoundsException("rank " + rank + " of " + levelCount[side] + " levels");
        }
        return (levelCount[side] - 1 - rank) * LEVEL_STRIDE;
    }

    private static boolean isWorse(final int side, final long price, final long than)
    {
        return BID == side ? price < than : price > than;
    }
}
