package io.meridian.sim;

import io.meridian.codecs.SecurityFields;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What a downstream holds after applying the messages of one link: snapshots, then deltas in sequence. Every delta
 * must carry its item's previous sequence number plus one; a snapshot may come again at any time and replaces what
 * the item held.
 */
final class Downstream
{
    /** Fields of a security item as far as the tests follow them. */
    static final class Security
    {
        long nullMask;
        String tradingState;
        long last;
        long bestBid;
        long bestAsk;
        long volume;
        long numberOfTrades;
    }

    final Map<Long, Long> seqNos = new HashMap<>();
    final Set<Long> inSnapshot = new HashSet<>();
    final Map<Long, ReplicaBook> books = new HashMap<>();
    final Set<Long> depthItems = new HashSet<>();
    final Set<Long> levelItems = new HashSet<>();
    final Map<Long, List<TestLink.Received>> trades = new HashMap<>();
    final Map<Long, Security> securities = new HashMap<>();
    final Map<String, String> marketStates = new HashMap<>();
    final Map<Long, List<TestLink.Received>> symbols = new HashMap<>();
    final Map<Long, Integer> snapshots = new HashMap<>();
    final List<String> marketChanges = new ArrayList<>();
    int orderUpdates;
    int orderClears;
    int levelClears;

    /**
     * @param depthItemId  item id of a depth item.
     * @param levelsItemId item id of the levels item of the same security.
     */
    void sameBook(final long depthItemId, final long levelsItemId)
    {
        final ReplicaBook book = new ReplicaBook();
        books.put(depthItemId, book);
        books.put(levelsItemId, book);
        depthItems.add(depthItemId);
        levelItems.add(levelsItemId);
    }

    void apply(final TestLink.Received m)
    {
        final long itemId = m.itemId();
        switch (m.type())
        {
            case "SnapshotBegin":
                inSnapshot.add(itemId);
                if (depthItems.contains(itemId))
                {
                    books.get(itemId).clearOrders();
                }
                if (levelItems.contains(itemId))
                {
                    books.get(itemId).clearLevels();
                }
                if (trades.containsKey(itemId))
                {
                    trades.get(itemId).clear();
                }
                if (symbols.containsKey(itemId))
                {
                    symbols.get(itemId).clear();
                }
                break;
            case "SnapshotEnd":
                assertTrue(inSnapshot.remove(itemId), "SnapshotEnd without SnapshotBegin");
                seqNos.put(itemId, m.seqNo());
                snapshots.merge(itemId, 1, Integer::sum);
                break;
            case "DepthOrderUpdate":
                onDepthOrder(m);
                break;
            case "DepthLevelUpdate":
                onDepthLevel(m);
                break;
            case "TradeUpdate":
                onTrade(m);
                break;
            case "SecurityUpdate":
                onSecurity(m);
                break;
            case "MarketUpdate":
                sequence(m);
                marketStates.put(m.code(), m.text());
                if (!inSnapshot.contains(itemId))
                {
                    marketChanges.add(m.code() + " " + m.text());
                }
                break;
            case "SymbolUpdate":
                assertTrue(inSnapshot.contains(itemId), "symbols change only in snapshots");
                symbols.computeIfAbsent(itemId, id -> new ArrayList<>()).add(m);
                break;
            default:
                break;
        }
    }

    /**
     * A delta must follow its predecessor; a snapshot message carries the snapshot's sequence number.
     */
    private void sequence(final TestLink.Received m)
    {
        final long itemId = m.itemId();
        if (inSnapshot.contains(itemId))
        {
            return;
        }
        final Long previous = seqNos.get(itemId);
        assertNotNull(previous, "delta before any snapshot: " + m);
        assertEquals(previous + 1, m.seqNo(), "gap in deltas of item " + itemId + ": " + m);
        seqNos.put(itemId, m.seqNo());
    }

    private ReplicaBook book(final long itemId)
    {
        final ReplicaBook book = books.get(itemId);
        assertNotNull(book, "register depth and levels items with sameBook first");
        return book;
    }

    private void onDepthOrder(final TestLink.Received m)
    {
        final ReplicaBook book = book(m.itemId());
        if (inSnapshot.contains(m.itemId()) && !m.action.equals("ADD"))
        {
            fail("snapshot order not an ADD: " + m);
        }
        sequence(m);
        switch (m.action)
        {
            case "ADD":
                assertEquals(FeedEncoder.ALL_ORDER_FIELDS, m.fields, "an added order carries every field");
                assertEquals(SimSecurity.PRICE_EXPONENT, m.priceExponent);
                book.addOrder(side(m.side), m.orderId, m.position, m.price, m.quantity);
                break;
            case "UPDATE":
                assertEquals(FeedEncoder.FIELD_QUANTITY, m.fields, "only the quantity changes");
                book.orderQuantity(side(m.side), m.orderId, m.quantity);
                orderUpdates++;
                break;
            case "REMOVE":
                assertEquals(0, m.fields);
                book.removeOrder(side(m.side), m.orderId);
                break;
            default:
                assertEquals("CLEAR", m.action);
                assertEquals("NONE", m.side);
                book.clearOrders();
                orderClears++;
                break;
        }
    }

    private void onDepthLevel(final TestLink.Received m)
    {
        final ReplicaBook book = book(m.itemId());
        if (inSnapshot.contains(m.itemId()) && !m.action.equals("ADD"))
        {
            fail("snapshot level not an ADD: " + m);
        }
        sequence(m);
        switch (m.action)
        {
            case "ADD":
                book.level(true, side(m.side), m.levelId, m.price, m.volume, m.count);
                break;
            case "UPDATE":
                book.level(false, side(m.side), m.levelId, m.price, m.volume, m.count);
                break;
            case "REMOVE":
                book.removeLevel(side(m.side), m.levelId);
                break;
            default:
                assertEquals("CLEAR", m.action);
                book.clearLevels();
                levelClears++;
                break;
        }
    }

    private void onTrade(final TestLink.Received m)
    {
        final List<TestLink.Received> list = trades.computeIfAbsent(m.itemId(), id -> new ArrayList<>());
        assertEquals("ADD", m.action);
        assertEquals(0, m.flags);
        assertEquals(FeedEncoder.AFFECTS_PRICE | FeedEncoder.AFFECTS_VOLUME | FeedEncoder.AFFECTS_VWAP, m.affects);
        assertEquals(0, m.relatedTradeId);
        assertTrue(m.side.equals("BID") || m.side.equals("ASK"), m.side);
        if (!list.isEmpty())
        {
            assertEquals(list.get(list.size() - 1).tradeId + 1, m.tradeId, "trades oldest first, none missing");
        }
        sequence(m);
        list.add(m);
    }

    private void onSecurity(final TestLink.Received m)
    {
        final Security security = securities.computeIfAbsent(m.itemId(), id -> new Security());
        if (inSnapshot.contains(m.itemId()))
        {
            assertEquals(SecurityFields.ALL, m.presence() | m.cleared());
            security.nullMask = 0;
        }
        sequence(m);
        security.nullMask = (security.nullMask | m.cleared()) & ~m.presence();
        if (0 != (m.presence() & SecurityFields.TRADING_STATE))
        {
            security.tradingState = m.status();
        }
        if (0 != (m.presence() & SecurityFields.LAST))
        {
            security.last = m.last();
        }
        if (0 != (m.presence() & SecurityFields.BEST_BID))
        {
            security.bestBid = m.bestBid();
        }
        if (0 != (m.presence() & SecurityFields.BEST_ASK))
        {
            security.bestAsk = m.bestAsk();
        }
        if (0 != (m.presence() & SecurityFields.VOLUME))
        {
            security.volume = m.volume;
        }
        if (0 != (m.presence() & SecurityFields.NUMBER_OF_TRADES))
        {
            security.numberOfTrades = m.count;
        }
    }

    /**
     * What the downstream holds of a security equals the security.
     */
    void assertSecurity(final long itemId, final SimSecurity security)
    {
        final Security mine = securities.get(itemId);
        assertNotNull(mine);
        assertEquals(security.nullMask, mine.nullMask, "null fields");
        assertEquals(security.tradingState().name(), mine.tradingState);
        assertEquals(security.get(SecurityFields.VOLUME), mine.volume);
        assertEquals(security.get(SecurityFields.NUMBER_OF_TRADES), mine.numberOfTrades);
        if (!security.isNull(SecurityFields.LAST))
        {
            assertEquals(security.get(SecurityFields.LAST), mine.last);
        }
        if (!security.isNull(SecurityFields.BEST_BID))
        {
            assertEquals(security.get(SecurityFields.BEST_BID), mine.bestBid);
        }
        if (!security.isNull(SecurityFields.BEST_ASK))
        {
            assertEquals(security.get(SecurityFields.BEST_ASK), mine.bestAsk);
        }
    }

    /**
     * The trades the downstream holds end with every trade the security holds, equal field by field.
     */
    void assertTrades(final long itemId, final SimSecurity security)
    {
        final List<TestLink.Received> mine = trades.get(itemId);
        assertNotNull(mine);
        final SimTradeHistory history = security.trades;
        assertTrue(mine.size() >= history.held(), "downstream holds " + mine.size() + " of " + history.held());
        for (int i = 0; i < history.held(); i++)
        {
            final long tradeId = history.firstTradeId() + i;
            final TestLink.Received trade = mine.get(mine.size() - history.held() + i);
            assertEquals(tradeId, trade.tradeId);
            assertEquals(history.price(tradeId), trade.price);
            assertEquals(history.quantity(tradeId), trade.quantity);
            assertEquals(history.buyOrderId(tradeId), trade.buyOrderId);
            assertEquals(history.sellOrderId(tradeId), trade.sellOrderId);
            assertEquals(history.timeMs(tradeId), trade.timeMs);
            assertEquals(SimTradeHistory.side(history.codes(tradeId)), side(trade.side));
        }
        if (0 == history.held())
        {
            assertTrue(mine.isEmpty());
        }
    }

    static int side(final String side)
    {
        return "BID".equals(side) ? SimOrderBook.BID : "ASK".equals(side) ? SimOrderBook.ASK : -1;
    }
}
