package io.meridian.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.DepthLevelUpdateEncoder;
import io.meridian.codecs.interlink.DepthOrderUpdateEncoder;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.ItemStatusEncoder;
import io.meridian.codecs.interlink.ItemState;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MarketUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeResultEncoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.SymbolClass;
import io.meridian.codecs.interlink.SymbolUpdateEncoder;
import io.meridian.codecs.interlink.TradeHistoryRequestDecoder;
import io.meridian.codecs.interlink.TradeHistoryResponseEncoder;
import io.meridian.codecs.interlink.TradeUpdateEncoder;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's order book, level, trade and symbol items, and the queries answered from them, driven with interlink
 * messages as an upstream would send them.
 */
class BookItemsTest
{
    private static final long LINK_ID = 91;
    private static final int HISTORY = 10;

    private final EngineCounters counters = new EngineCounters();
    private final List<String> subscribedKeys = new ArrayList<>();
    private final List<Integer> subscribedTypes = new ArrayList<>();
    private final List<Long> requestIds = new ArrayList<>();
    private final List<long[]> historyRequests = new ArrayList<>();
    private final RingEvent event = new RingEvent(1024);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final org.agrona.concurrent.CachedEpochClock clock = new org.agrona.concurrent.CachedEpochClock();
    private CacheEngine engine;
    private long sequence;

    @BeforeEach
    void setUp()
    {
        engine = new CacheEngine(this::captureUpstream, counters, clock, 100, 0, 10_000, HISTORY);
        event.clear();
        event.type = RingEvent.LINK_UP;
        event.transactionId = LINK_ID;
        engine.onEvent(event, sequence++, true);
        answer(0, 1, SubscribeStatus.OK);
        begin(1);
        send(new MarketUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(1).seqNo(0)
            .feedStatus(FeedStatus.Active).tradingState(TradingState.Open).tradingDate(20261122)
            .marketCode("XSX").encodedLength());
        end(1, 0);
    }

    @Test
    void depthByOrderStartsWithClearAndEveryOrderThenSendsEachChange() throws Exception
    {
        final TestSession early = new TestSession(1);
        subscribe(early, "Depth!ALP.XSX", ItemType.DEPTH, "ALP.XSX");
        assertEquals("ALP.XSX", lastKey());
        assertEquals(ItemType.DEPTH.value(), (int)subscribedTypes.get(subscribedTypes.size() - 1));
        answer(lastRequest(), 500, SubscribeStatus.OK);
        begin(500);
        order(500, 0, ChangeAction.ADD, Side.BID, 1, 1000, 10_050, 300);
        order(500, 0, ChangeAction.ADD, Side.ASK, 2, 1001, 10_100, 200);
        end(500, 7);

        final List<JsonNode> first = early.frames();
        assertEquals(2, first.size(), first.toString());
        final JsonNode full = first.get(0).get("Data");
        assertEquals("C", full.get(0).get("O").asText());
        assertEquals(3, full.size());
        final JsonNode bid = full.get(1).get("Order");
        assertEquals("A", full.get(1).get("O").asText());
        assertEquals("1", bid.get("ID").asText());
        assertTrue(bid.get("ID").isTextual(), "Zenith order ids are strings");
        assertEquals("Bid", bid.get("Side").asText());
        assertEquals("100.50", bid.get("Price").decimalValue().toPlainString());
        assertEquals(1000, bid.get("Position").asLong());
        assertEquals(300, bid.get("Quantity").asLong());
        assertEquals("Ask", full.get(2).get("Order").get("Side").asText());
        assertTrue(first.get(1).get("Confirm").asBoolean(), "the confirmation follows the full state");

        order(500, 8, ChangeAction.ADD, Side.BID, 3, 1002, 10_050, 100);
        orderQuantity(500, 9, 1, 250);
        order(500, 10, ChangeAction.REMOVE, Side.ASK, 2, 0, 0, 0);
        final List<JsonNode> deltas = early.frames();
        assertEquals(3, deltas.size());
        assertEquals("A", deltas.get(0).get("Data").get(0).get("O").asText());
        final JsonNode update = deltas.get(1).get("Data").get(0);
        assertEquals("U", update.get("O").asText());
        assertEquals("{\"ID\":\"1\",\"Quantity\":250,\"HasUndisclosed\":false}", update.get("Order").toString());
        assertEquals("{\"O\":\"R\",\"Order\":{\"ID\":\"2\"}}", deltas.get(2).get("Data").get(0).toString());

        final TestSession late = new TestSession(2);
        subscribe(late, "Depth!ALP.XSX", ItemType.DEPTH, "ALP.XSX");
        assertEquals(book(early, first, deltas), book(late, late.frames(), List.of()),
            "a late joiner's snapshot is the book the early client built from its deltas");
        assertEquals(1, subscribedKeys.stream().filter("ALP.XSX"::equals).count(), "one upstream subscription");
    }

    @Test
    void aChangeThatDoesNotFitTheBookResyncsTheItem() throws Exception
    {
        final TestSession session = new TestSession(1);
        subscribe(session, "Depth!ALP.XSX", ItemType.DEPTH, "ALP.XSX");
        answer(lastRequest(), 500, SubscribeStatus.OK);
        begin(500);
        order(500, 0, ChangeAction.ADD, Side.BID, 1, 1000, 10_050, 300);
        end(500, 1);
        session.frames();
        final int before = subscribedKeys.size();

        order(500, 2, ChangeAction.REMOVE, Side.BID, 99, 0, 0, 0);
        assertEquals(1, counters.inconsistentUpdates());
        assertEquals(before + 1, subscribedKeys.size(), "subscribed again for a fresh snapshot");
        assertEquals("ALP.XSX", lastKey());
        assertTrue(session.frames().isEmpty(), "nothing half-applied reaches the client");

        answer(lastRequest(), 501, SubscribeStatus.OK);
        begin(501);
        order(501, 0, ChangeAction.ADD, Side.BID, 5, 1000, 10_000, 10);
        end(501, 4);
        final JsonNode resync = session.frames().get(0).get("Data");
        assertEquals(2, resync.size(), "full state again: clear, then the one order");
        assertEquals("5", resync.get(1).get("Order").get("ID").asText());
    }

    @Test
    void levelsCarryVolumeAndCountOnEveryUpdate() throws Exception
    {
        final TestSession session = new TestSession(1);
        subscribe(session, "Levels!ALP.XSX", ItemType.LEVELS, "ALP.XSX");
        answer(lastRequest(), 600, SubscribeStatus.OK);
        begin(600);
        level(600, 0, ChangeAction.ADD, Side.BID, 7, 10_050, 500, 2);
        end(600, 3);
        final JsonNode full = session.frames().get(0).get("Data");
        assertEquals("{\"O\":\"A\",\"Level\":{\"ID\":\"7\",\"Side\":\"Bid\",\"Price\":100.50,\"Volume\":500,"
            + "\"Count\":2,\"HasUndisclosed\":false}}", full.get(1).toString());

        level(600, 4, ChangeAction.UPDATE, Side.BID, 7, 10_050, 200, 1);
        level(600, 5, ChangeAction.REMOVE, Side.BID, 7, 0, 0, 0);
        final List<JsonNode> deltas = session.frames();
        assertEquals("{\"O\":\"U\",\"Level\":{\"ID\":\"7\",\"Volume\":200,\"Count\":1,\"HasUndisclosed\":false}}",
            deltas.get(0).get("Data").get(0).toString());
        assertEquals("{\"O\":\"R\",\"Level\":{\"ID\":\"7\"}}", deltas.get(1).get("Data").get(0).toString());
    }

    @Test
    void tradesStartWithInitialiseBeforeTheConfirmThenAdd() throws Exception
    {
        final TestSession session = new TestSession(1);
        subscribe(session, "Trades!ALP.XSX", ItemType.TRADES, "ALP.XSX");
        answer(lastRequest(), 700, SubscribeStatus.OK);
        begin(700);
        for (int id = 1; id <= 3; id++)
        {
            trade(700, 0, ChangeAction.ADD, id);
        }
        end(700, 3);
        final List<JsonNode> first = session.frames();
        assertEquals("[{\"O\":\"I\",\"ID\":3}]", first.get(0).get("Data").toString());
        assertEquals("Sub", first.get(1).get("Action").asText());

        trade(700, 4, ChangeAction.ADD, 4);
        final JsonNode add = session.frames().get(0).get("Data").get(0);
        assertEquals("A", add.get("O").asText());
        final JsonNode trade = add.get("Trade");
        assertEquals(4, trade.get("ID").asLong());
        assertTrue(trade.get("ID").isIntegralNumber(), "trade ids are integers");
        assertEquals("100.04", trade.get("Price").decimalValue().toPlainString());
        assertEquals("2026-11-22T10:00:04.000+00:00", trade.get("Time").asText());
        assertEquals("Ask", trade.get("Side").asText());
        assertEquals("Volume,VWAP", trade.get("Affects").asText());
        assertEquals("40", trade.get("Buy").asText());
        assertEquals("Up", trade.get("Trend").asText());
    }

    @Test
    void queryTradesIsAnsweredFromTheHistoryHeld() throws Exception
    {
        final TestSession session = tradesWithHistory(1, 8);

        queryTrades(session, 1, 3, 0, 0);
        assertEquals(List.of(6L, 7L, 8L), tradeIds(session.frames().get(0)), "the newest three");
        queryTrades(session, 2, 2, 0, 5);
        assertEquals(List.of(4L, 5L), tradeIds(session.frames().get(0)), "the newest two up to and including 5");
        queryTrades(session, 3, 2, 3, 0);
        assertEquals(List.of(3L, 4L), tradeIds(session.frames().get(0)), "the oldest two from 3");
        queryTrades(session, 4, 0, 2, 4);
        assertEquals(List.of(2L, 3L, 4L), tradeIds(session.frames().get(0)), "the range");
        queryTrades(session, 5, 0, 0, 0);
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L, 6L, 7L, 8L), tradeIds(session.frames().get(0)), "all of them");
        assertEquals(5, counters.tradeQueriesFromCache());
        assertTrue(historyRequests.isEmpty(), "the upstream was not asked");
    }

    @Test
    void aTradesAnswerTooBigForOneFrameKeepsTheNewestTradesThatFit() throws Exception
    {
        tradesWithHistory(1, 10);
        // An outbox of 8 KiB takes frames of 1 KiB: about five trades.
        final TestSession small = new TestSession(2, 8192);
        queryTrades(small, 1, 0, 0, 0);
        final List<JsonNode> frames = small.frames();
        assertFalse(small.overflowed, "the session is not closed for asking");
        final List<Long> ids = tradeIds(frames.get(0));
        assertTrue(ids.size() >= 3 && ids.size() < 10, ids.toString());
        assertEquals(10L, ids.get(ids.size() - 1), "the newest are kept");

        queryTrades(small, 2, 0, 1, 0);
        final List<Long> oldest = tradeIds(small.frames().get(0));
        assertEquals(1L, oldest.get(0), "from a first id, the oldest are kept");
    }

    @Test
    void queryTradesBeyondTheHistoryHeldAsksTheUpstreamAndRelaysItsAnswer() throws Exception
    {
        // Twelve trades through a history of ten: the two oldest are gone.
        final TestSession session = tradesWithHistory(1, 12);

        queryTrades(session, 9, 5, 1, 0);
        assertTrue(session.frames().isEmpty(), "waiting for the upstream");
        assertEquals(1, historyRequests.size());
        final long[] request = historyRequests.get(0);
        assertEquals(5, request[1]);
        assertEquals(1, request[2]);

        final TradeHistoryResponseEncoder response = new TradeHistoryResponseEncoder()
            .wrapAndApplyHeader(event.buffer, 0, header).linkId(LINK_ID).requestId(request[0])
            .status(SubscribeStatus.OK).last(BooleanType.FALSE);
        historyTrades(response, 1, 3);
        send(response.encodedLength());
        final TradeHistoryResponseEncoder last = new TradeHistoryResponseEncoder()
            .wrapAndApplyHeader(event.buffer, 0, header).linkId(LINK_ID).requestId(request[0])
            .status(SubscribeStatus.OK).last(BooleanType.TRUE);
        historyTrades(last, 4, 5);
        send(last.encodedLength());

        final List<JsonNode> frames = session.frames();
        assertEquals(1, frames.size(), "one answer made of both parts");
        assertEquals(9, frames.get(0).get("TransactionID").asLong());
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), tradeIds(frames.get(0)));
        assertEquals(1, counters.tradeQueriesUpstream());
    }

    @Test
    void searchSymbolsLoadsTheMarketDirectoryOnceAndFiltersIt() throws Exception
    {
        final TestSession session = new TestSession(1);
        searchSymbols(session, 5, new SymbolQuery("SearchSymbols", List.of("XSX"),
            List.of(new SymbolQuery.Condition(SymbolQuery.FIELD_CODE | SymbolQuery.FIELD_NAME, null, false, false,
                false, "al")), 1000, 0, true, false, null));
        assertEquals("XSX", lastKey());
        assertEquals(ItemType.SYMBOLS.value(), (int)subscribedTypes.get(subscribedTypes.size() - 1));
        answer(lastRequest(), 800, SubscribeStatus.OK);
        begin(800);
        symbol(800, "BET", "Betamax Mining");
        symbol(800, "ALP", "Alpine Resources");
        symbol(800, "GAM", "Gamma Royalties");
        symbol(800, "ZZZ", "Zeta Alloys");
        end(800, 1);

        final JsonNode answer = session.frames().get(0);
        assertEquals(5, answer.get("TransactionID").asLong());
        final JsonNode data = answer.get("Data");
        assertEquals(3, data.size(), data.toString());
        assertEquals("ALP", data.get(0).get("Code").asText(), "alphabetical");
        assertEquals("GAM", data.get(1).get("Code").asText(), "matched on its name, Gamma Royalties");
        assertEquals("ZZZ", data.get(2).get("Code").asText());
        final JsonNode alp = data.get(0);
        assertEquals("Market", alp.get("Class").asText());
        assertEquals("XSX", alp.get("TradingMarkets").get(0).asText());
        assertTrue(alp.get("SubscriptionData").asText().contains("DepthFull"));
        assertEquals("ESVUFR", alp.get("CFI").asText());

        final int subscriptions = subscribedKeys.size();
        searchSymbols(session, 6, new SymbolQuery("SearchSymbols", List.of("XSX"),
            List.of(new SymbolQuery.Condition(SymbolQuery.FIELD_CODE, null, true, true, true, "BET")), 10, 0, false,
            true, null));
        final JsonNode exact = session.frames().get(0).get("Data");
        assertEquals(1, exact.size());
        assertEquals("BET", exact.get(0).get("Code").asText());
        assertFalse(exact.get(0).has("CFI"), "not a full symbol");
        assertEquals(subscriptions, subscribedKeys.size(), "the directory is cached");
    }

    @Test
    void unknownMarketsAndSymbolsGetTheReferenceErrorCodes() throws Exception
    {
        final TestSession session = new TestSession(1);
        subscribe(session, "Depth!NOPE.XX", ItemType.DEPTH, "NOPE.XX");
        answer(lastRequest(), 0, SubscribeStatus.NOT_FOUND);
        List<JsonNode> frames = session.frames();
        assertEquals("Error", frames.get(0).get("Action").asText());
        assertEquals("Market.NotFound XX", frames.get(0).get("Data").asText());
        assertEquals("Sub", frames.get(1).get("Action").asText());
        assertFalse(frames.get(1).has("Confirm"), "a failed subscription is echoed without Confirm");

        subscribe(session, "Levels!NOPE.XSX", ItemType.LEVELS, "NOPE.XSX");
        answer(lastRequest(), 0, SubscribeStatus.NOT_FOUND);
        frames = session.frames();
        assertEquals("Symbol.NotFound NOPE.XSX", frames.get(0).get("Data").asText());

        event.clear();
        event.type = RingEvent.QUERY_TRADING_STATES;
        event.session = session;
        event.topic = "QueryTradingStates";
        event.key = "XX";
        event.transactionId = 3;
        engine.onEvent(event, sequence++, true);
        frames = session.frames();
        assertEquals("Market.NotFound XX", frames.get(0).get("Data").asText());
        assertEquals("[]", frames.get(1).get("Data").toString(), "an empty result follows the error");
    }

    @Test
    void tradingStatesSayWhatEachStateAllows() throws Exception
    {
        final TestSession session = new TestSession(1);
        event.clear();
        event.type = RingEvent.QUERY_TRADING_STATES;
        event.session = session;
        event.topic = "QueryTradingStates";
        event.key = "XSX";
        event.transactionId = 3;
        engine.onEvent(event, sequence++, true);
        final JsonNode data = session.frames().get(0).get("Data");
        final Map<String, String> allows = new TreeMap<>();
        data.forEach(state -> allows.put(state.get("Name").asText(), state.get("Allows").asText()));
        assertEquals("All", allows.get("Open"));
        assertEquals("None", allows.get("Closed"));
        assertEquals("OrderPlace,OrderAmend,OrderMove,OrderCancel,ReportCancel", allows.get("PreOpen"));
        assertEquals("OrderCancel,ReportCancel", allows.get("Suspended"));
    }

    @Test
    void anItemTurningStaleWarnsItsSubscribers() throws Exception
    {
        final TestSession session = new TestSession(1);
        subscribe(session, "Depth!ALP.XSX", ItemType.DEPTH, "ALP.XSX");
        answer(lastRequest(), 500, SubscribeStatus.OK);
        begin(500);
        end(500, 1);
        session.frames();
        send(new ItemStatusEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(500).seqNo(1)
            .state(ItemState.STALE).reason("feed handler restart").encodedLength());
        final JsonNode warning = session.frames().get(0);
        assertEquals("Error", warning.get("Action").asText());
        assertEquals("Symbol.Unavailable ALP.XSX", warning.get("Data").asText());

        final TestSession late = new TestSession(2);
        subscribe(late, "Depth!ALP.XSX", ItemType.DEPTH, "ALP.XSX");
        final List<JsonNode> lateFrames = late.frames();
        assertEquals(3, lateFrames.size(), lateFrames.toString());
        assertEquals("C", lateFrames.get(0).get("Data").get(0).get("O").asText(), "the cached book first");
        assertTrue(lateFrames.get(1).get("Confirm").asBoolean());
        assertEquals("Error", lateFrames.get(2).get("Action").asText(), "then the same warning: " + lateFrames);
        assertEquals("Symbol.Unavailable ALP.XSX", lateFrames.get(2).get("Data").asText());

        send(new ItemStatusEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(500).seqNo(1)
            .state(ItemState.LIVE).reason("").encodedLength());
        final TestSession afterRecovery = new TestSession(3);
        subscribe(afterRecovery, "Depth!ALP.XSX", ItemType.DEPTH, "ALP.XSX");
        assertEquals(2, afterRecovery.frames().size(), "no warning once the item is live again");
    }

    @Test
    void aBookTooLongForOneFrameGoesOutInConsecutiveFramesThatRebuildIt() throws Exception
    {
        // 4 KiB outbox: frames of at most 512 bytes, so 20 orders (about 120 bytes each) need several frames.
        final TestSession small = new TestSession(1, 4096);
        beginDepthSnapshot(small);
        for (int i = 1; i <= 20; i++)
        {
            order(500, 0, ChangeAction.ADD, i % 2 == 0 ? Side.BID : Side.ASK, i, 1000 + i, 10_000 + i, 100 * i);
        }
        end(500, 20);
        final List<JsonNode> frames = small.frames();
        assertFalse(small.overflowed);
        assertTrue(frames.size() > 3, "split into several frames: " + frames.size());
        final List<JsonNode> data = frames.subList(0, frames.size() - 1);
        assertEquals("C", data.get(0).get("Data").get(0).get("O").asText(), "the first part starts with the clear");
        int adds = 0;
        for (final JsonNode frame : data)
        {
            assertEquals("Depth!ALP.XSX", frame.get("Topic").asText());
            assertFalse(frame.has("Action"), "a data message: " + frame);
            for (final JsonNode change : frame.get("Data"))
            {
                adds += "A".equals(change.get("O").asText()) ? 1 : 0;
            }
        }
        assertEquals(20, adds);
        assertTrue(frames.get(frames.size() - 1).get("Confirm").asBoolean(), "confirmed after every part");
        assertEquals(1, counters.splitFrames());

        final TestSession large = new TestSession(2);
        subscribe(large, "Depth!ALP.XSX", ItemType.DEPTH, "ALP.XSX");
        assertEquals(book(large, large.frames(), List.of()), book(small, frames, List.of()),
            "the parts rebuild the same book as one frame does");
    }

    @Test
    void aDepthQueryAnswerTooLongForOneFrameGetsFaultAndTheSessionGoesOn() throws Exception
    {
        final TestSession large = new TestSession(1);
        beginDepthSnapshot(large);
        for (int i = 1; i <= 20; i++)
        {
            order(500, 0, ChangeAction.ADD, Side.BID, i, 1000 + i, 10_000 + i, 100 * i);
        }
        end(500, 20);
        large.frames();

        // 4 KiB outbox: frames of at most 512 bytes, and the 20-order answer is one message of about 2.4 KB.
        final TestSession small = new TestSession(2, 4096);
        event.clear();
        event.type = RingEvent.QUERY_ITEM;
        event.session = small;
        event.controller = "Market";
        event.topic = "QueryDepthFull";
        event.key = "ALP.XSX";
        event.itemKind = ItemType.DEPTH.value();
        event.transactionId = 31;
        engine.onEvent(event, sequence++, true);

        final List<JsonNode> frames = small.frames();
        assertFalse(small.overflowed, "the session is not closed");
        assertEquals(2, frames.size(), frames.toString());
        assertEquals("Error", frames.get(0).get("Action").asText());
        assertEquals("Fault", frames.get(0).get("Data").asText());
        assertEquals(31, frames.get(0).get("TransactionID").asLong());
        assertEquals(31, frames.get(1).get("TransactionID").asLong());
        assertEquals(0, frames.get(1).get("Data").size(), "then an empty answer");
    }

    @Test
    void aSingleChangeLargerThanAFrameClosesTheSessionAsTooLarge() throws Exception
    {
        // 256-byte outbox: frames of at most 32 bytes, smaller than any one order.
        final TestSession tiny = new TestSession(1, 256);
        beginDepthSnapshot(tiny);
        order(500, 0, ChangeAction.ADD, Side.BID, 1, 1000, 10_000, 100);
        end(500, 1);
        assertTrue(tiny.overflowed);
        assertTrue(tiny.frameTooLarge, "reported as a frame too large, not as a slow consumer");
    }

    @Test
    void aSessionHoldsAtMostTheSubscriptionsAllowed() throws Exception
    {
        engine.maxSubscriptionsPerSession(2);
        final TestSession session = new TestSession(1);
        subscribe(session, "Depth!ALP.XSX", ItemType.DEPTH, "ALP.XSX");
        subscribe(session, "Levels!ALP.XSX", ItemType.LEVELS, "ALP.XSX");
        final int upstreamBefore = subscribedKeys.size();
        subscribe(session, "Trades!ALP.XSX", ItemType.TRADES, "ALP.XSX");
        final List<JsonNode> refused = session.frames();
        assertEquals(2, refused.size(), refused.toString());
        assertEquals("Error", refused.get(0).get("Action").asText());
        assertEquals("Limited", refused.get(0).get("Data").asText());
        assertEquals("Sub", refused.get(1).get("Action").asText());
        assertFalse(refused.get(1).has("Confirm"));
        assertEquals(upstreamBefore, subscribedKeys.size(), "nothing asked upstream for a refused subscription");
        assertEquals(1, counters.refusedSubscriptions());

        subscribe(session, "Depth!ALP.XSX", ItemType.DEPTH, "ALP.XSX");
        assertEquals(1, counters.refusedSubscriptions(), "a second Sub of a held topic is a reference, not refused");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    /**
     * Subscribe the session to Depth!ALP.XSX, accept it upstream as item 500 and begin its snapshot.
     */
    private void beginDepthSnapshot(final TestSession session)
    {
        subscribe(session, "Depth!ALP.XSX", ItemType.DEPTH, "ALP.XSX");
        answer(lastRequest(), 500, SubscribeStatus.OK);
        begin(500);
    }

    private TestSession tradesWithHistory(final long firstId, final long lastId) throws Exception
    {
        final TestSession session = new TestSession(1);
        subscribe(session, "Trades!ALP.XSX", ItemType.TRADES, "ALP.XSX");
        answer(lastRequest(), 700, SubscribeStatus.OK);
        begin(700);
        end(700, 0);
        long seqNo = 0;
        for (long id = firstId; id <= lastId; id++)
        {
            trade(700, ++seqNo, ChangeAction.ADD, id);
        }
        session.frames();
        return session;
    }

    private static List<Long> tradeIds(final JsonNode answer)
    {
        final List<Long> ids = new ArrayList<>();
        answer.get("Data").forEach(change -> ids.add(change.get("Trade").get("ID").asLong()));
        return ids;
    }

    /** Rebuild a client's view of a book from what it received: order id to its JSON. */
    private static Map<String, String> book(final TestSession session, final List<JsonNode> first,
        final List<JsonNode> more)
    {
        final Map<String, JsonNode> orders = new TreeMap<>();
        final List<JsonNode> all = new ArrayList<>(first);
        all.addAll(more);
        for (final JsonNode frame : all)
        {
            if (!frame.has("Data"))
            {
                continue;
            }
            for (final JsonNode change : frame.get("Data"))
            {
                final String o = change.get("O").asText();
                if ("C".equals(o))
                {
                    orders.clear();
                    continue;
                }
                final JsonNode order = change.get("Order");
                final String id = order.get("ID").asText();
                if ("R".equals(o))
                {
                    orders.remove(id);
                }
                else if ("A".equals(o))
                {
                    orders.put(id, order.deepCopy());
                }
                else
                {
                    final com.fasterxml.jackson.databind.node.ObjectNode merged =
                        (com.fasterxml.jackson.databind.node.ObjectNode)orders.get(id);
                    order.fields().forEachRemaining(field -> merged.set(field.getKey(), field.getValue()));
                }
            }
        }
        final Map<String, String> result = new TreeMap<>();
        orders.forEach((id, order) -> result.put(id, order.toString()));
        return result;
    }

    private void subscribe(final TestSession session, final String topic, final ItemType type, final String key)
    {
        event.clear();
        event.type = RingEvent.SUBSCRIBE;
        event.session = session;
        event.controller = "Market";
        event.topic = topic;
        event.key = key;
        event.itemKind = type.value();
        event.confirm = true;
        engine.onEvent(event, sequence++, true);
    }

    private void queryTrades(
        final TestSession session, final long transactionId, final int count, final long firstId, final long lastId)
    {
        event.clear();
        event.type = RingEvent.QUERY_TRADES;
        event.session = session;
        event.topic = "QueryTrades";
        event.key = "ALP.XSX";
        event.transactionId = transactionId;
        event.count = count;
        event.firstId = firstId;
        event.lastId = lastId;
        engine.onEvent(event, sequence++, true);
    }

    private void searchSymbols(final TestSession session, final long transactionId, final SymbolQuery query)
    {
        event.clear();
        event.type = RingEvent.QUERY_SYMBOLS;
        event.session = session;
        event.topic = query.topic;
        event.transactionId = transactionId;
        event.request = query;
        engine.onEvent(event, sequence++, true);
    }

    private long lastRequest()
    {
        return requestIds.get(requestIds.size() - 1);
    }

    private String lastKey()
    {
        return subscribedKeys.get(subscribedKeys.size() - 1);
    }

    private long captureUpstream(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder().wrap(buffer, offset);
        if (decoder.templateId() == SubscribeDecoder.TEMPLATE_ID)
        {
            final SubscribeDecoder subscribe = new SubscribeDecoder().wrapAndApplyHeader(buffer, offset, decoder);
            requestIds.add(subscribe.requestId());
            subscribedTypes.add((int)subscribe.itemTypeRaw());
            subscribedKeys.add(subscribe.itemKey());
        }
        else if (decoder.templateId() == TradeHistoryRequestDecoder.TEMPLATE_ID)
        {
            final TradeHistoryRequestDecoder request =
                new TradeHistoryRequestDecoder().wrapAndApplyHeader(buffer, offset, decoder);
            historyRequests.add(new long[] {request.requestId(), request.count(), request.firstTradeId(),
                request.lastTradeId()});
        }
        return 64;
    }

    private void answer(final long requestId, final long itemId, final SubscribeStatus status)
    {
        final long id = requestId == 0 ? requestIds.get(0) : requestId;
        send(new SubscribeResultEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .linkId(LINK_ID).requestId(id).itemId(itemId).status(status).reason("").encodedLength());
    }

    private void begin(final long itemId)
    {
        send(new SnapshotBeginEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(itemId).seqNo(0)
            .encodedLength());
    }

    private void end(final long itemId, final long seqNo)
    {
        send(new SnapshotEndEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(itemId).seqNo(seqNo)
            .encodedLength());
    }

    private void order(
        final long itemId, final long seqNo, final ChangeAction action, final Side side, final long orderId,
        final long position, final long priceCents, final long quantity)
    {
        final DepthOrderUpdateEncoder update = new DepthOrderUpdateEncoder()
            .wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(seqNo).action(action).side(side).orderId(orderId).position(position);
        update.fields().clear().price(true).position(true).quantity(true);
        update.price().mantissa(priceCents).exponent((byte)-2);
        update.quantity().mantissa(quantity).exponent((byte)0);
        send(update.encodedLength());
    }

    private void orderQuantity(final long itemId, final long seqNo, final long orderId, final long quantity)
    {
        final DepthOrderUpdateEncoder update = new DepthOrderUpdateEncoder()
            .wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(seqNo).action(ChangeAction.UPDATE).side(Side.BID).orderId(orderId).position(0);
        update.fields().clear().quantity(true);
        update.quantity().mantissa(quantity).exponent((byte)0);
        send(update.encodedLength());
    }

    private void level(
        final long itemId, final long seqNo, final ChangeAction action, final Side side, final long levelId,
        final long priceCents, final long volume, final int count)
    {
        final DepthLevelUpdateEncoder update = new DepthLevelUpdateEncoder()
            .wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(seqNo).action(action).side(side).levelId(levelId).count(count)
            .hasUndisclosed(BooleanType.FALSE);
        update.price().mantissa(priceCents).exponent((byte)-2);
        update.volume().mantissa(volume).exponent((byte)0);
        send(update.encodedLength());
    }

    private void trade(final long itemId, final long seqNo, final ChangeAction action, final long tradeId)
    {
        final TradeUpdateEncoder update = new TradeUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(seqNo).action(action).side(Side.ASK).trend(Trend.Up).tradeId(tradeId)
            .timeMs(1795341600000L + tradeId * 1000).buyOrderId(tradeId * 10).sellOrderId(tradeId * 10 + 1)
            .relatedTradeId(0);
        update.flags().clear();
        update.affects().clear().volume(true).vwap(true);
        update.price().mantissa(10_000 + tradeId).exponent((byte)-2);
        update.quantity().mantissa(100).exponent((byte)0);
        send(update.encodedLength());
    }

    private static void historyTrades(final TradeHistoryResponseEncoder response, final long from, final long to)
    {
        final TradeHistoryResponseEncoder.TradesEncoder trades = response.tradesCount((int)(to - from + 1));
        for (long id = from; id <= to; id++)
        {
            final TradeHistoryResponseEncoder.TradesEncoder trade = trades.next()
                .side(Side.BID).trend(Trend.None).tradeId(id).timeMs(1795341600000L).buyOrderId(0).sellOrderId(0)
                .relatedTradeId(0);
            trade.flags().clear();
            trade.affects().clear().price(true).volume(true).vwap(true);
            trade.price().mantissa(100).exponent((byte)0);
            trade.quantity().mantissa(1).exponent((byte)0);
        }
    }

    private void symbol(final long itemId, final String code, final String name)
    {
        final SymbolUpdateEncoder update = new SymbolUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(0).action(ChangeAction.ADD).symbolClass(SymbolClass.Market);
        update.lotSize().mantissa(1).exponent((byte)0);
        update.code(code).name(name).cfi("ESVUFR").currency("USD");
        send(update.encodedLength());
    }

    private void send(final int encodedLength)
    {
        event.type = RingEvent.UPSTREAM_MESSAGE;
        event.length = MessageHeaderEncoder.ENCODED_LENGTH + encodedLength;
        engine.onEvent(event, sequence++, true);
        event.clear();
    }
}
