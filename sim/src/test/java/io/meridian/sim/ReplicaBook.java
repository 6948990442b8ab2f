package io.meridian.sim;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A book rebuilt from changes only, by order and by level, for comparing with the book that made them.
 */
final class ReplicaBook
{
    /** One resting order. */
    static final class Order
    {
        final int side;
        final long orderId;
        long position;
        long price;
        long quantity;

        Order(final int side, final long orderId, final long position, final long price, final long quantity)
        {
            this.side = side;
            this.orderId = orderId;
            this.position = position;
            this.price = price;
            this.quantity = quantity;
        }
    }

    /** One price level. */
    static final class Level
    {
        final int side;
        final long levelId;
        final long price;
        long volume;
        int count;

        Level(final int side, final long levelId, final long price, final long volume, final int count)
        {
            this.side = side;
            this.levelId = levelId;
            this.price = price;
            this.volume = volume;
            this.count = count;
        }
    }

    final Map<Long, Order> orders = new HashMap<>();
    final Map<Long, Level> levels = new HashMap<>();

    void addOrder(final int side, final long orderId, final long position, final long price, final long quantity)
    {
        assertNull(orders.put(orderId, new Order(side, orderId, position, price, quantity)), "order id reused");
    }

    void orderQuantity(final int side, final long orderId, final long quantity)
    {
        final Order order = orders.get(orderId);
        assertNotNull(order, "update of unknown order " + orderId);
        assertEquals(side, order.side);
        assertTrue(quantity > 0 && quantity < order.quantity, "quantity only goes down");
        order.quantity = quantity;
    }

    void removeOrder(final int side, final long orderId)
    {
        final Order order = orders.remove(orderId);
        assertNotNull(order, "remove of unknown order " + orderId);
        assertEquals(side, order.side);
    }

    void level(
        final boolean added,
        final int side,
        final long levelId,
        final long price,
        final long volume,
        final int count)
    {
        if (added)
        {
            assertNull(levels.put(levelId, new Level(side, levelId, price, volume, count)), "level id reused");
        }
        else
        {
            final Level level = levels.get(levelId);
            assertNotNull(level, "update of unknown level " + levelId);
            assertEquals(side, level.side);
            assertEquals(price, level.price);
            level.volume = volume;
            level.count = count;
        }
    }

    void removeLevel(final int side, final long levelId)
    {
        final Level level = levels.remove(levelId);
        assertNotNull(level, "remove of unknown level " + levelId);
        assertEquals(side, level.side);
    }

    void clear()
    {
        orders.clear();
        levels.clear();
    }

    void clearOrders()
    {
        orders.clear();
    }

    void clearLevels()
    {
        levels.clear();
    }

    /**
     * @param side which side.
     * @return its orders in priority order: best price first, then lowest position.
     */
    List<Order> orders(final int side)
    {
        final List<Order> list = new ArrayList<>();
        for (final Order order : orders.values())
        {
            if (order.side == side)
            {
                list.add(order);
            }
        }
        final Comparator<Order> byPrice = Comparator.comparingLong(o -> o.price);
        list.sort((SimOrderBook.BID == side ? byPrice.reversed() : byPrice).thenComparingLong(o -> o.position));
        return list;
    }

    /**
     * @param side which side.
     * @return its levels, best first.
     */
    List<Level> levels(final int side)
    {
        final List<Level> list = new ArrayList<>();
        for (final Level level : levels.values())
        {
            if (level.side == side)
            {
                list.add(level);
            }
        }
        final Comparator<Level> byPrice = Comparator.comparingLong(l -> l.price);
        list.sort(SimOrderBook.BID == side ? byPrice.reversed() : byPrice);
        return list;
    }

    /**
     * Orders and levels equal those of the book, in the book's priority order, and each level holds exactly the
     * volume and count of the orders at its price.
     */
    void assertSameAs(final SimOrderBook book)
    {
        assertOrdersMatch(book);
        assertLevelsMatch(book);
        assertLevelsAggregateOrders();
    }

    void assertOrdersMatch(final SimOrderBook book)
    {
        for (int side = SimOrderBook.BID; side <= SimOrderBook.ASK; side++)
        {
            final List<Order> mine = orders(side);
            assertEquals(book.orderCount(side), mine.size(), "orders on side " + side);
            for (int rank = 0; rank < mine.size(); rank++)
            {
                final Order order = mine.get(rank);
                assertEquals(book.orderId(side, rank), order.orderId, "order id at rank " + rank);
                assertEquals(book.orderPrice(side, rank), order.price);
                assertEquals(book.orderQuantity(side, rank), order.quantity);
                assertEquals(book.orderPosition(side, rank), order.position);
            }
        }
    }

    void assertLevelsMatch(final SimOrderBook book)
    {
        for (int side = SimOrderBook.BID; side <= SimOrderBook.ASK; side++)
        {
            final List<Level> mine = levels(side);
            assertEquals(book.levelCount(side), mine.size(), "levels on side " + side);
            for (int rank = 0; rank < mine.size(); rank++)
            {
                final Level level = mine.get(rank);
                assertEquals(book.levelId(side, rank), level.levelId);
                assertEquals(book.levelPrice(side, rank), level.price);
                assertEquals(book.levelVolume(side, rank), level.volume);
                assertEquals(book.levelOrders(side, rank), level.count);
            }
        }
    }

    void assertLevelsAggregateOrders()
    {
        for (int side = SimOrderBook.BID; side <= SimOrderBook.ASK; side++)
        {
            final TreeMap<Long, long[]> byPrice = new TreeMap<>();
            for (final Order order : orders(side))
            {
                final long[] sum = byPrice.computeIfAbsent(order.price, p -> new long[2]);
                sum[0] += order.quantity;
                sum[1]++;
            }
            final List<Level> mine = levels(side);
            assertEquals(byPrice.size(), mine.size(), "one level per price on side " + side);
            for (final Level level : mine)
            {
                final long[] sum = byPrice.get(level.price);
                assertNotNull(sum, "level without orders at " + level.price);
                assertEquals(sum[0], level.volume, "volume at " + level.price);
                assertEquals(sum[1], level.count, "count at " + level.price);
            }
        }
    }
}
