package io.meridian.sim;

import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.TradingState;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.meridian.sim.SimTestBed.EPOCH_MS;
import static io.meridian.sim.SimTestBed.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The depth, levels, trades and symbols items, trade history requests and the trading cycle, as a downstream sees
 * them on a link.
 */
class FeedServerItemsTest
{
    private static final int TODAY = 20240315;

    private SimTestBed bed;
    private FeedServer server;

    @BeforeEach
    void setUp()
    {
        bed = new SimTestBed("meridian-sim-");
    }

    @AfterEach
    void tearDown()
    {
        bed.close(server);
    }

    @Test
    void shouldReplayDepthLevelsTradesAndFieldsToTheSimulatedBookThroughTheCycle()
    {
        startServer(ctx -> ctx.securities(4).markets(2).updateRate(20_000).sessionSeconds(2).maxOrdersPerSide(10)
            .tradeHistory(100).livenessTimeoutMs(600_000));
        final TestLink link = openLink(20);
        final String key = server.securityKeys().get(1);

        final long depthId = subscribe(link, 1, ItemType.DEPTH, key);
        final long levelsId = subscribe(link, 2, ItemType.LEVELS, key);
        final long tradesId = subscribe(link, 3, ItemType.TRADES, key);
        final long securityId = subscribe(link, 4, ItemType.SECURITY, key);
        final long marketsId = subscribe(link, 5, ItemType.MARKETS, InterlinkProtocol.MARKETS_KEY);
        assertEquals(5, new HashSet<>(List.of(depthId, levelsId, tradesId, securityId, marketsId)).size());
        assertEquals(server.securityItemId(key), securityId);

        final Downstream downstream = new Downstream();
        downstream.sameBook(depthId, levelsId);
        final SimSecurity security = server.exchange().security(key);
        settle(link, downstream);
        assertEquals(security.book.orderCount(SimOrderBook.BID) + security.book.orderCount(SimOrderBook.ASK),
            downstream.books.get(depthId).orders.size(), "one ADD per resting order in the snapshot");
        downstream.books.get(depthId).assertSameAs(security.book);

        for (int i = 0; i < 5_000; i++)
        {
            bed.nanoClock.advance(MS);
            bed.epochClock.advance(1);
            link.drive();
            drain(link, downstream);
        }
        settle(link, downstream);

        assertTrue(downstream.inSnapshot.isEmpty());
        downstream.books.get(depthId).assertSameAs(security.book);
        downstream.assertTrades(tradesId, security);
        downstream.assertSecurity(securityId, security);
        assertEquals(security.trades.lastTradeId(), last(downstream.trades.get(tradesId)).tradeId);
        assertTrue(security.trades.lastTradeId() > 100, "trades: " + security.trades.lastTradeId());
        assertTrue(downstream.orderUpdates > 0, "amends and partial fills");
        assertTrue(downstream.orderClears >= 2 && downstream.levelClears >= 2, "cleared at each close");
        assertTrue(downstream.marketChanges.containsAll(List.of("XSX Closed", "XSX PreOpen", "XSX Open",
            "XNX Closed", "XNX PreOpen", "XNX Open")), downstream.marketChanges.toString());
    }

    @Test
    void shouldSnapshotTheNewestTradesOldestFirst()
    {
        startServer(ctx -> ctx.securities(2).updateRate(0).tradeHistory(30));
        final String key = server.securityKeys().get(0);
        final SimSecurity security = makeTrades(key, 50);
        final TestLink link = openLink(21);

        final long tradesId = subscribe(link, 1, ItemType.TRADES, key);
        final TestLink.Received begin = link.next();
        assertEquals("SnapshotBegin", begin.type());
        final List<Long> ids = new ArrayList<>();
        TestLink.Received message;
        while ((message = link.next()).is("TradeUpdate"))
        {
            assertEquals(tradesId, message.itemId());
            assertEquals(begin.seqNo(), message.seqNo());
            ids.add(message.tradeId);
        }
        assertEquals("SnapshotEnd", message.type());
        assertEquals(begin.seqNo(), message.seqNo());
        assertEquals(30, ids.size());
        for (int i = 0; i < ids.size(); i++)
        {
            assertEquals(security.trades.firstTradeId() + i, ids.get(i));
        }
        assertEquals(security.trades.lastTradeId(), ids.get(29));
        assertEquals(1 + security.trades.lastTradeId(), begin.seqNo(), "one sequence number per trade");
    }

    @Test
    void shouldServeSymbolDirectoriesAndDistinctItemIds()
    {
        startServer(ctx -> ctx.securities(9).markets(4).updateRate(0));
        final TestLink link = openLink(22);

        final long symbolsId = subscribe(link, 1, ItemType.SYMBOLS, "XSX");
        final TestLink.Received begin = link.next();
        assertEquals("SnapshotBegin", begin.type());
        final List<String> codes = new ArrayList<>();
        TestLink.Received message;
        while ((message = link.next()).is("SymbolUpdate"))
        {
            assertEquals(symbolsId, message.itemId());
            assertEquals("ADD", message.action);
            assertEquals("Market", message.symbolClass);
            final SimSecurity security = server.exchange().security(message.code() + ".XSX");
            assertEquals(security.name, message.name);
            assertEquals(SimSecurity.CFI, message.cfi);
            assertEquals(SimSecurity.CURRENCY, message.currency);
            assertEquals(security.lotSize, message.lotSize);
            codes.add(message.code() + ".XSX");
        }
        assertEquals("SnapshotEnd", message.type());
        final List<String> keys = server.securityKeys();
        assertEquals(List.of(keys.get(0), keys.get(4), keys.get(8)), codes);

        final List<Long> itemIds = new ArrayList<>(List.of(symbolsId));
        long requestId = 10;
        itemIds.add(subscribe(link, requestId++, ItemType.SYMBOLS, "XNX"));
        itemIds.add(subscribe(link, requestId++, ItemType.MARKETS, InterlinkProtocol.MARKETS_KEY));
        for (final ItemType type : List.of(ItemType.SECURITY, ItemType.DEPTH, ItemType.LEVELS, ItemType.TRADES))
        {
            itemIds.add(subscribe(link, requestId++, type, keys.get(0)));
            itemIds.add(subscribe(link, requestId++, type, keys.get(8)));
        }
        assertEquals(itemIds.size(), new HashSet<>(itemIds).size(), "item ids " + itemIds);

        assertRefused(link, ItemType.SYMBOLS, "XZZ", "NOT_FOUND");
        assertRefused(link, ItemType.SYMBOLS, "", "INVALID");
        assertRefused(link, ItemType.SYMBOLS, "XSX.A", "INVALID");
        assertRefused(link, ItemType.DEPTH, "ZZZZZZ.XSX", "NOT_FOUND");
        assertRefused(link, ItemType.LEVELS, keys.get(0).substring(0, keys.get(0).indexOf('.')) + ".XZZ",
            "NOT_FOUND");
        assertRefused(link, ItemType.TRADES, "NODOT", "INVALID");
        assertRefused(link, ItemType.LEVELS, ".XSX", "INVALID");
    }

    @Test
    void shouldAnswerTradeHistoryRequestsWithQueryTradesRanges()
    {
        startServer(ctx -> ctx.securities(2).updateRate(0).tradeHistory(40));
        final String key = server.securityKeys().get(1);
        final SimSecurity security = makeTrades(key, 60);
        final long first = security.trades.firstTradeId();
        final long last = security.trades.lastTradeId();
        assertEquals(40, last - first + 1);
        final TestLink link = openLink(23);

        final List<TestLink.Received> all = history(link, 1, key, 0, 0, 0, 0, "OK");
        assertEquals(ids(first, last), tradeIds(all));
        assertEquals(List.of(8, 8, 8, 8, 8), sizes(all));
        for (final TestLink.Received message : all)
        {
            for (final TestLink.Received trade : message.trades)
            {
                final long tradeId = trade.tradeId;
                assertEquals(security.trades.price(tradeId), trade.price);
                assertEquals(security.trades.quantity(tradeId), trade.quantity);
                assertEquals(security.trades.buyOrderId(tradeId), trade.buyOrderId);
                assertEquals(security.trades.sellOrderId(tradeId), trade.sellOrderId);
                assertEquals(EPOCH_MS, trade.timeMs);
                assertEquals(SimTradeHistory.side(security.trades.codes(tradeId)), Downstream.side(trade.side));
                assertEquals(7, trade.affects);
                assertEquals(0, trade.relatedTradeId);
            }
        }

        assertEquals(ids(last - 4, last), tradeIds(history(link, 2, key, 5, 0, 0, 0, "OK")));
        assertEquals(ids(last - 4, last), tradeIds(history(link, 3, key, 5, TODAY, 0, 0, "OK")));
        final List<TestLink.Received> thirteen = history(link, 4, key, 13, 0, 0, 0, "OK");
        assertEquals(List.of(8, 5), sizes(thirteen));
        assertEquals(ids(last - 12, last), tradeIds(thirteen));
        assertEquals(ids(last - 14, last - 10), tradeIds(history(link, 5, key, 5, 0, 0, last - 10, "OK")));
        assertEquals(ids(first, first + 2), tradeIds(history(link, 6, key, 5, 0, 0, first + 2, "OK")));
        assertEquals(ids(first + 3, first + 7), tradeIds(history(link, 7, key, 5, 0, first + 3, 0, "OK")));
        assertEquals(ids(first + 3, last), tradeIds(history(link, 8, key, 0, 0, first + 3, 0, "OK")));
        assertEquals(ids(first + 2, first + 6), tradeIds(history(link, 9, key, 5, 0, first + 2, first + 20, "OK")));
        assertEquals(ids(first + 2, first + 20), tradeIds(history(link, 10, key, 0, 0, first + 2, first + 20,
            "OK")));
        assertEquals(ids(first, first + 1), tradeIds(history(link, 11, key, 0, 0, 1, first + 1, "OK")));

        assertEmptyAnswer(history(link, 12, key, 3, 0, 0, first - 5, "OK"));
        assertEmptyAnswer(history(link, 13, key, 0, TODAY - 1, 0, 0, "OK"));
        assertEmptyAnswer(history(link, 14, "ZZZZZZ.XSX", 0, 0, 0, 0, "NOT_FOUND"));
        assertEmptyAnswer(history(link, 15, "NODOT", 0, 0, 0, 0, "INVALID"));
        assertEmptyAnswer(history(link, 16, key, -1, 0, 0, 0, "INVALID"));
        assertEmptyAnswer(history(link, 17, server.securityKeys().get(0), 0, 0, 0, 0, "OK"));
        assertEquals(17, server.historyRequests());
    }

    @Test
    void shouldFinishEveryHistoryAnswerUnderBackPressureAndRefuseBeyondTheQueue()
    {
        startServer(ctx -> ctx.securities(1).updateRate(0).tradeHistory(1_000).livenessTimeoutMs(600_000));
        final String key = server.securityKeys().get(0);
        final SimSecurity security = makeTrades(key, 1_000);
        final TestLink link = newLink(24, "aeron:ipc?term-length=65536");
        link.hello("");
        assertEquals("ACCEPTED", link.next().status());

        final int requests = FeedServer.MAX_HISTORY_ANSWERS + 8;
        for (int i = 1; i <= requests; i++)
        {
            link.tradeHistory(i, key, 0, 0, 0, 0);
        }

        final Map<Long, List<TestLink.Received>> answers = new HashMap<>();
        long completed = 0;
        final long deadline = System.nanoTime() + 4 * TestLink.TIMEOUT_NS;
        while (completed < requests)
        {
            assertTrue(System.nanoTime() < deadline, "answers completed: " + completed);
            final TestLink.Received message = link.next();
            assertEquals("TradeHistoryResponse", message.type());
            assertTrue(message.requestId() >= completed + 1, "answers in request order");
            answers.computeIfAbsent(message.requestId(), id -> new ArrayList<>()).add(message);
            if (message.lastMessage)
            {
                assertEquals(completed + 1, message.requestId());
                completed++;
            }
        }

        for (long requestId = 1; requestId <= requests; requestId++)
        {
            final List<TestLink.Received> answer = answers.get(requestId);
            if (requestId <= FeedServer.MAX_HISTORY_ANSWERS)
            {
                assertEquals(ids(security.trades.firstTradeId(), security.trades.lastTradeId()), tradeIds(answer));
                assertEquals(1_000 / InterlinkProtocol.TRADES_PER_HISTORY_MESSAGE, answer.size());
            }
            else
            {
                assertEquals(1, answer.size());
                assertEquals("UNAVAILABLE", answer.get(0).status());
            }
        }
        assertTrue(server.backPressureEvents() > 0, "expected back pressure on a 64 KiB term");
    }

    @Test
    void shouldMoveMarketsThroughTheCycleOnTheWire()
    {
        startServer(ctx -> ctx.securities(4).markets(2).updateRate(1_000).sessionSeconds(10)
            .livenessTimeoutMs(600_000));
        final TestLink link = openLink(25);
        final String key = server.securityKeys().get(0);
        final SimSecurity security = server.exchange().security(key);
        final long marketsId = subscribe(link, 1, ItemType.MARKETS, InterlinkProtocol.MARKETS_KEY);
        final long securityId = subscribe(link, 2, ItemType.SECURITY, key);
        final long depthId = subscribe(link, 3, ItemType.DEPTH, key);
        final long levelsId = subscribe(link, 4, ItemType.LEVELS, key);
        final Downstream downstream = new Downstream();
        downstream.sameBook(depthId, levelsId);
        settle(link, downstream);
        assertEquals(Map.of("XSX", "Open", "XNX", "Open"), downstream.marketStates);

        advanceTo(link, downstream, 7_990);
        assertEquals(0, server.stateChanges());
        assertTrue(security.trades.lastTradeId() > 0);

        advanceTo(link, downstream, 8_050);
        assertEquals(Map.of("XSX", "Closed", "XNX", "Closed"), downstream.marketStates);
        assertEquals(List.of("XSX Closed", "XNX Closed"), downstream.marketChanges);
        assertEquals(2, server.stateChanges());
        assertEquals("Closed", downstream.securities.get(securityId).tradingState);
        assertEquals(SecurityFields.BEST_BID | SecurityFields.BEST_ASK,
            downstream.securities.get(securityId).nullMask & (SecurityFields.BEST_BID | SecurityFields.BEST_ASK));
        assertTrue(downstream.books.get(depthId).orders.isEmpty());
        assertTrue(downstream.books.get(depthId).levels.isEmpty());
        assertEquals(1, downstream.orderClears);

        final long eventsWhileClosed = server.updates();
        advanceTo(link, downstream, 8_900);
        assertEquals(eventsWhileClosed, server.updates(), "no order activity while Closed");

        advanceTo(link, downstream, 9_020);
        assertEquals(Map.of("XSX", "PreOpen", "XNX", "PreOpen"), downstream.marketStates);
        final long tradesAtPreOpen = security.trades.lastTradeId();
        advanceTo(link, downstream, 9_990);
        assertTrue(server.updates() > eventsWhileClosed, "orders come in before the open");
        assertEquals(tradesAtPreOpen, security.trades.lastTradeId(), "nothing matches before the open");
        assertEquals("PreOpen", downstream.securities.get(securityId).tradingState);

        advanceTo(link, downstream, 10_010);
        assertEquals(Map.of("XSX", "Open", "XNX", "Open"), downstream.marketStates);
        assertEquals(6, server.stateChanges());
        assertEquals(TradingState.Open, security.tradingState());
        assertFalse(security.book.isCrossed());
        downstream.books.get(depthId).assertSameAs(security.book);
        downstream.assertSecurity(securityId, security);
        assertNotEquals(0, downstream.seqNos.get(marketsId));
    }

    @Test
    void shouldCatchUpTradesMissedUnderBackPressureWithoutASnapshot()
    {
        startServer(ctx -> ctx.securities(1).updateRate(100_000).tradeHistory(100_000).sessionSeconds(0)
            .livenessTimeoutMs(600_000));
        final TestLink link = newLink(26, "aeron:ipc?term-length=65536");
        link.hello("");
        assertEquals("ACCEPTED", link.next().status());
        final String key = server.securityKeys().get(0);
        final long tradesId = subscribe(link, 1, ItemType.TRADES, key);
        final Downstream downstream = new Downstream();
        settle(link, downstream);

        bed.nanoClock.advance(1_000 * MS);
        server.doWork();
        assertTrue(server.backPressureEvents() > 0, "expected back pressure on a 64 KiB term");

        for (int i = 0; i < 200; i++)
        {
            bed.nanoClock.advance(MS / 4);
            link.drive();
            drain(link, downstream);
        }
        settle(link, downstream);

        final SimSecurity security = server.exchange().security(key);
        assertEquals(1, downstream.snapshots.get(tradesId), "missed trades are sent again, not resnapshotted");
        assertEquals(0, server.resnapshots());
        assertEquals(security.trades.lastTradeId(), downstream.trades.get(tradesId).size());
        downstream.assertTrades(tradesId, security);
    }

    @Test
    void shouldServeTenThousandSecurities()
    {
        startServer(ctx -> ctx.securities(10_000).markets(4).updateRate(500_000).livenessTimeoutMs(600_000));
        final TestLink link = openLink(27);
        final String key = server.securityKeys().get(9_999);
        final long symbolsId = subscribe(link, 1, ItemType.SYMBOLS, "XMX");
        final long depthId = subscribe(link, 2, ItemType.DEPTH, key);
        final long levelsId = subscribe(link, 3, ItemType.LEVELS, key);
        final Downstream downstream = new Downstream();
        downstream.sameBook(depthId, levelsId);
        settle(link, downstream);
        assertEquals(2_500, downstream.symbols.get(symbolsId).size());

        for (int i = 0; i < 200; i++)
        {
            bed.nanoClock.advance(MS);
            link.drive();
            drain(link, downstream);
        }
        settle(link, downstream);

        assertTrue(server.updates() >= 99_000, "book events: " + server.updates());
        downstream.books.get(depthId).assertSameAs(server.exchange().security(key).book);
        long trades = 0;
        for (final SimSecurity security : server.exchange().securities())
        {
            assertFalse(security.book.isCrossed());
            trades += security.trades.lastTradeId();
        }
        assertTrue(trades > 10_000, "trades: " + trades);
    }

    @Test
    void shouldNotAllocateOnTheSteadyStatePath()
    {
        // Books and trade rings at their limits from the start, so nothing grows.
        startServer(ctx -> ctx.securities(50).markets(2).updateRate(200_000).sessionSeconds(2).maxOrdersPerSide(8)
            .tradeHistory(16).livenessTimeoutMs(600_000));
        final TestLink link = openLink(28);
        long requestId = 1;
        for (final String key : server.securityKeys().subList(0, 5))
        {
            for (final ItemType type : List.of(ItemType.SECURITY, ItemType.DEPTH, ItemType.LEVELS, ItemType.TRADES))
            {
                subscribe(link, requestId++, type, key);
            }
        }
        subscribe(link, requestId, ItemType.MARKETS, InterlinkProtocol.MARKETS_KEY);

        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        long allocated = 0;
        long received = 0;
        final long updatesBefore = server.updates();
        for (int i = 0; i < 6_000; i++)
        {
            bed.nanoClock.advance(MS);
            bed.epochClock.advance(1);
            final long before = threads.getCurrentThreadAllocatedBytes();
            server.doWork();
            final long after = threads.getCurrentThreadAllocatedBytes();
            if (i >= 3_000)
            {
                allocated += after - before;
            }
            int fragments;
            while ((fragments = link.poll()) > 0)
            {
                received += i >= 3_000 ? fragments : 0;
                link.received.clear();
            }
        }

        assertTrue(received > 100_000, "messages sent while measured: " + received);
        assertTrue(server.updates() - updatesBefore > 900_000, "book events: " + server.updates());
        assertTrue(server.stateChanges() >= 4);
        // Over a million book events and a hundred thousand messages, even 8 bytes each would be megabytes; what is
        // left is the JVM's own accounting (first runs of rare branches, buffers retired at safepoints).
        assertTrue(allocated < 16 * 1024, "bytes allocated by doWork in the steady state: " + allocated);
    }

    private SimSecurity makeTrades(final String key, final long count)
    {
        final SimSecurity security = server.exchange().security(key);
        while (security.trades.lastTradeId() < count)
        {
            server.exchange().step(security, EPOCH_MS);
        }
        return security;
    }

    private List<TestLink.Received> history(
        final TestLink link,
        final long requestId,
        final String key,
        final int count,
        final int tradingDate,
        final long firstTradeId,
        final long lastTradeId,
        final String status)
    {
        link.tradeHistory(requestId, key, count, tradingDate, firstTradeId, lastTradeId);
        final List<TestLink.Received> answer = new ArrayList<>();
        while (true)
        {
            final TestLink.Received message = link.next();
            assertEquals("TradeHistoryResponse", message.type());
            assertEquals(link.linkId, message.linkId());
            assertEquals(requestId, message.requestId());
            assertEquals(status, message.status());
            assertTrue(message.trades.size() <= InterlinkProtocol.TRADES_PER_HISTORY_MESSAGE);
            answer.add(message);
            if (message.lastMessage)
            {
                return answer;
            }
            assertFalse(message.trades.isEmpty(), "only the last message may be empty");
        }
    }

    private static void assertEmptyAnswer(final List<TestLink.Received> answer)
    {
        assertEquals(1, answer.size());
        assertTrue(answer.get(0).trades.isEmpty());
        assertTrue(answer.get(0).lastMessage);
    }

    private static List<Long> tradeIds(final List<TestLink.Received> answer)
    {
        final List<Long> ids = new ArrayList<>();
        for (final TestLink.Received message : answer)
        {
            for (final TestLink.Received trade : message.trades)
            {
                ids.add(trade.tradeId);
            }
        }
        return ids;
    }

    private static List<Integer> sizes(final List<TestLink.Received> answer)
    {
        final List<Integer> sizes = new ArrayList<>();
        for (final TestLink.Received message : answer)
        {
            sizes.add(message.trades.size());
        }
        return sizes;
    }

    private static List<Long> ids(final long from, final long to)
    {
        final List<Long> ids = new ArrayList<>();
        for (long id = from; id <= to; id++)
        {
            ids.add(id);
        }
        return ids;
    }

    private static <T> T last(final List<T> list)
    {
        return list.get(list.size() - 1);
    }

    private void assertRefused(final TestLink link, final ItemType type, final String key, final String status)
    {
        link.subscribe(99, type, key);
        final TestLink.Received result = link.nextOfType("SubscribeResult");
        assertEquals(status, result.status(), type + " " + key);
        assertEquals(0, result.itemId());
    }

    /**
     * Subscribe and return the item id from the OK result; the snapshot is left for the caller to read.
     */
    private long subscribe(final TestLink link, final long requestId, final ItemType type, final String key)
    {
        link.subscribe(requestId, type, key);
        final long deadline = System.nanoTime() + TestLink.TIMEOUT_NS;
        while (System.nanoTime() < deadline)
        {
            link.drive();
            for (final Iterator<TestLink.Received> i = link.received.iterator(); i.hasNext(); )
            {
                final TestLink.Received message = i.next();
                if (message.is("SubscribeResult") && message.requestId() == requestId)
                {
                    i.remove();
                    assertEquals("OK", message.status(), type + " " + key + ": " + message.reason());
                    return message.itemId();
                }
            }
        }
        throw new AssertionError("no SubscribeResult for request " + requestId);
    }

    private void drain(final TestLink link, final Downstream downstream)
    {
        TestLink.Received message;
        while (null != (message = link.received.poll()))
        {
            downstream.apply(message);
        }
    }

    /**
     * Drive the server and the link without moving the clock until the server has sent everything and the link has
     * read it, applying it all.
     */
    private void settle(final TestLink link, final Downstream downstream)
    {
        final long deadline = System.nanoTime() + TestLink.TIMEOUT_NS;
        int quiet = 0;
        while (quiet < 3)
        {
            assertTrue(System.nanoTime() < deadline, "link did not settle");
            final int work = link.drive();
            quiet = 0 == work && 0 == server.pendingLinkWork() ? quiet + 1 : 0;
            drain(link, downstream);
        }
    }

    private void advanceTo(final TestLink link, final Downstream downstream, final long elapsedMs)
    {
        final long target = 1_000 * MS + elapsedMs * MS;
        while (bed.nanoClock.nanoTime() < target)
        {
            bed.nanoClock.advance(Math.min(10 * MS, target - bed.nanoClock.nanoTime()));
            bed.epochClock.advance(10);
            link.drive();
            drain(link, downstream);
        }
        settle(link, downstream);
    }

    private void startServer(final Consumer<FeedServer.Context> customise)
    {
        final FeedServer.Context ctx = bed.feedContext();
        customise.accept(ctx);
        server = new FeedServer(ctx);
    }

    private TestLink newLink(final long linkId, final String responseChannel)
    {
        return bed.newFeedLink(server::doWork, linkId, responseChannel);
    }

    private TestLink openLink(final long linkId)
    {
        return bed.openFeedLink(server::doWork, linkId);
    }
}
