package io.meridian.engine;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.AccountUpdateDecoder;
import io.meridian.codecs.interlink.AccountUpdateEncoder;
import io.meridian.codecs.interlink.BalanceUpdateDecoder;
import io.meridian.codecs.interlink.BalanceUpdateEncoder;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.DepthLevelUpdateDecoder;
import io.meridian.codecs.interlink.DepthLevelUpdateEncoder;
import io.meridian.codecs.interlink.DepthOrderUpdateDecoder;
import io.meridian.codecs.interlink.DepthOrderUpdateEncoder;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.HoldingUpdateDecoder;
import io.meridian.codecs.interlink.HoldingUpdateEncoder;
import io.meridian.codecs.interlink.ItemState;
import io.meridian.codecs.interlink.ItemStatusDecoder;
import io.meridian.codecs.interlink.ItemStatusEncoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MarketUpdateDecoder;
import io.meridian.codecs.interlink.MarketUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.OrderResponseDecoder;
import io.meridian.codecs.interlink.OrderResponseEncoder;
import io.meridian.codecs.interlink.OrderResult;
import io.meridian.codecs.interlink.OrderStatus;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.OrderUpdateDecoder;
import io.meridian.codecs.interlink.OrderUpdateEncoder;
import io.meridian.codecs.interlink.SecurityUpdateDecoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.SnapshotBeginDecoder;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndDecoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeResultDecoder;
import io.meridian.codecs.interlink.SubscribeResultEncoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.SymbolUpdateDecoder;
import io.meridian.codecs.interlink.TradeHistoryResponseDecoder;
import io.meridian.codecs.interlink.TradeHistoryResponseEncoder;
import io.meridian.codecs.interlink.TradeUpdateDecoder;
import io.meridian.codecs.interlink.TradeUpdateEncoder;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import io.meridian.codecs.interlink.Validity;
import io.meridian.config.MeridianConfig;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Arbitrary bytes as one upstream message, handed to the cache engine as the upstream poller hands it one (at most a
 * ring slot), first from the Feed Server link, then from the Trading Agent link, to an engine holding live items of
 * every kind. Nothing may escape {@link CacheEngine#onEvent}; a message that cannot be decoded at all (too short for
 * its header or its block, an unknown template) is counted as an error; every frame the engine queues for its
 * clients is valid JSON; and afterwards the engine still takes a new item's snapshot and serves it.
 * <p>
 * Each input gets an engine and clients of its own, so a finding replays exactly. The counters are reused, and the
 * clients' outboxes kept small: their buffers are direct memory, which is given back too slowly to allocate large
 * ones afresh for every input.
 */
class UpstreamMessageFuzzTest
{
    /**
     * The counters log each distinct error with its stack trace the first time; a fuzzer makes thousands of distinct
     * ones, and the assertions read the counts instead.
     */
    static
    {
        ((ch.qos.logback.classic.Logger)org.slf4j.LoggerFactory.getLogger(EngineCounters.class))
            .setLevel(ch.qos.logback.classic.Level.OFF);
    }

    private static final int SLOT_BYTES = MeridianConfig.of(Map.of()).engineSlotBytes();
    private static final int OUTBOX_BYTES = 16 * 1024;
    private static final long MARKET_LINK_ID = 41;
    private static final long TRADING_LINK_ID = 42;
    private static final String KEY = "ALP.XSX";
    private static final String ACCOUNT = "ALICE-1";
    private static final long MARKETS_ITEM = 1;
    private static final long SECURITY_ITEM = 11;
    private static final long DEPTH_ITEM = 12;
    private static final long LEVELS_ITEM = 13;
    private static final long TRADES_ITEM = 14;
    private static final long ACCOUNTS_ITEM = 21;
    private static final long ORDERS_ITEM = 22;
    private static final long HOLDINGS_ITEM = 23;
    private static final long BALANCES_ITEM = 24;
    private static final long CANARY_ITEM = 99;

    /** The templates the engine takes from an upstream; anything else is counted as an error. */
    private static final Set<Integer> UPSTREAM_TEMPLATES = Set.of(SecurityUpdateDecoder.TEMPLATE_ID,
        MarketUpdateDecoder.TEMPLATE_ID, SubscribeResultDecoder.TEMPLATE_ID, SnapshotBeginDecoder.TEMPLATE_ID,
        SnapshotEndDecoder.TEMPLATE_ID, ItemStatusDecoder.TEMPLATE_ID, DepthOrderUpdateDecoder.TEMPLATE_ID,
        DepthLevelUpdateDecoder.TEMPLATE_ID, TradeUpdateDecoder.TEMPLATE_ID, SymbolUpdateDecoder.TEMPLATE_ID,
        AccountUpdateDecoder.TEMPLATE_ID, OrderUpdateDecoder.TEMPLATE_ID, HoldingUpdateDecoder.TEMPLATE_ID,
        BalanceUpdateDecoder.TEMPLATE_ID, OrderResponseDecoder.TEMPLATE_ID, TradeHistoryResponseDecoder.TEMPLATE_ID);

    private final RingEvent event = new RingEvent(SLOT_BYTES);
    private final UnsafeBuffer scratch = new UnsafeBuffer(new byte[SLOT_BYTES]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    /** Subscribe requests the engine sent upstream, by item type and key. */
    private final Map<String, Long> requests = new HashMap<>();
    private final EngineCounters counters = new EngineCounters();
    private TestSession client;
    private TestSession late;
    private CacheEngine engine;
    private long sequence;

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "25s")
    void anyUpstreamMessageIsAppliedOrCountedAndTheEngineGoesOn(final byte[] input) throws Exception
    {
        startEngineWithLiveItems();
        final int length = Math.min(input.length, SLOT_BYTES);
        for (final int link : new int[]{ UpstreamLink.MARKET, UpstreamLink.TRADING })
        {
            final long errorsBefore = counters.errors();
            event.buffer.putBytes(0, input, 0, length);
            upstream(link, length);
            if (undecodable(input, length))
            {
                assertTrue(counters.errors() > errorsBefore, "an undecodable message is counted");
            }
            drainFramesAsJson();
        }

        subscribe(late, "Market", "Security!NEW.XSX", ItemType.SECURITY, "NEW.XSX", null);
        answer(UpstreamLink.MARKET, ItemType.SECURITY, "NEW.XSX", CANARY_ITEM);
        snapshotBegin(UpstreamLink.MARKET, CANARY_ITEM);
        final SecurityUpdateEncoder security = securityUpdate(CANARY_ITEM, 0, 4242);
        security.code("NEW").market("XSX").name("New").currency("USD").cfi("ESVUFR");
        send(UpstreamLink.MARKET, security.encodedLength());
        snapshotEnd(UpstreamLink.MARKET, CANARY_ITEM);
        final JsonNode full = late.frames().stream().filter(frame -> frame.has("Data")).findFirst().orElse(null);
        assertNotNull(full, "a new item is still served after the message");
        assertEquals("NEW", full.get("Data").get("Code").asText());
        assertEquals("42.42", full.get("Data").get("Last").decimalValue().toPlainString());
    }

    /**
     * Valid messages of every kind the engine takes, for the live items, as starting points.
     */
    static Stream<Arguments> seeds()
    {
        final UpstreamMessageFuzzTest seeds = new UpstreamMessageFuzzTest();
        final MessageHeaderEncoder header = seeds.header;
        final UnsafeBuffer buffer = seeds.scratch;
        final List<byte[]> messages = new ArrayList<>();

        final SecurityUpdateEncoder security = new SecurityUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(SECURITY_ITEM).seqNo(1).presence(SecurityFields.LAST | SecurityFields.TREND | SecurityFields.STATIC)
            .cleared(SecurityFields.BEST_BID).tradingState(TradingState.Open).trend(Trend.Up);
        security.last().mantissa(1011).exponent((byte)-2);
        security.code("ALP").market("XSX").name("Alpha \"quoted\" \\ name").currency("USD").cfi("ESVUFR");
        messages.add(copy(buffer, security.encodedLength()));

        messages.add(copy(buffer, new MarketUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(MARKETS_ITEM).seqNo(1).feedStatus(FeedStatus.Active).tradingState(TradingState.PreOpen)
            .tradingDate(20260101).marketCode("XSY").encodedLength()));

        final DepthOrderUpdateEncoder order = new DepthOrderUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(DEPTH_ITEM).seqNo(1).action(ChangeAction.ADD).side(Side.BID).orderId(7).position(0);
        order.fields().price(true).quantity(true);
        order.price().mantissa(1000).exponent((byte)-2);
        order.quantity().mantissa(100).exponent((byte)0);
        messages.add(copy(buffer, order.encodedLength()));

        final DepthLevelUpdateEncoder level = new DepthLevelUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(LEVELS_ITEM).seqNo(1).action(ChangeAction.ADD).side(Side.ASK).hasUndisclosed(BooleanType.FALSE)
            .levelId(3).count(2);
        level.price().mantissa(1010).exponent((byte)-2);
        level.volume().mantissa(500).exponent((byte)0);
        messages.add(copy(buffer, level.encodedLength()));

        final TradeUpdateEncoder trade = new TradeUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(TRADES_ITEM).seqNo(1).action(ChangeAction.ADD).side(Side.BID).trend(Trend.Up).tradeId(1)
            .timeMs(1_700_000_000_000L).buyOrderId(7).sellOrderId(8).relatedTradeId(0);
        trade.price().mantissa(1005).exponent((byte)-2);
        trade.quantity().mantissa(10).exponent((byte)0);
        messages.add(copy(buffer, trade.encodedLength()));

        messages.add(copy(buffer, new ItemStatusEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(SECURITY_ITEM).seqNo(1).state(ItemState.LIVE).reason("").encodedLength()));
        messages.add(copy(buffer, new SnapshotBeginEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(DEPTH_ITEM).seqNo(5).encodedLength()));
        messages.add(copy(buffer, new SnapshotEndEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(DEPTH_ITEM).seqNo(5).encodedLength()));
        messages.add(copy(buffer, new SubscribeResultEncoder().wrapAndApplyHeader(buffer, 0, header)
            .linkId(MARKET_LINK_ID).requestId(1).itemId(SECURITY_ITEM).status(SubscribeStatus.NOT_FOUND)
            .reason("gone").encodedLength()));

        final TradeHistoryResponseEncoder history = new TradeHistoryResponseEncoder()
            .wrapAndApplyHeader(buffer, 0, header).linkId(MARKET_LINK_ID).requestId(1).status(SubscribeStatus.OK)
            .last(BooleanType.TRUE);
        final TradeHistoryResponseEncoder.TradesEncoder trades = history.tradesCount(1).next()
            .side(Side.ASK).trend(Trend.Down).tradeId(2).timeMs(1_700_000_000_000L).buyOrderId(1).sellOrderId(2)
            .relatedTradeId(0);
        trades.price().mantissa(999).exponent((byte)-2);
        trades.quantity().mantissa(5).exponent((byte)0);
        messages.add(copy(buffer, history.encodedLength()));

        messages.add(copy(buffer, new AccountUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(ACCOUNTS_ITEM).seqNo(1).action(ChangeAction.ADD).feedStatus(FeedStatus.Active)
            .accountId("ALICE-2").name("second").currency("USD").encodedLength()));

        final OrderUpdateEncoder clientOrder = new OrderUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(ORDERS_ITEM).seqNo(1).action(ChangeAction.ADD).status(OrderStatus.Working).side(Side.BID)
            .orderType(OrderType.Limit).validity(Validity.UntilCancel).hasLimitPrice(BooleanType.TRUE).quantity(100)
            .executedQuantity(0).createdMs(1_000_000).updatedMs(1_000_000);
        clientOrder.limitPrice().mantissa(1005).exponent((byte)-2);
        clientOrder.averagePrice().mantissa(0).exponent((byte)0);
        clientOrder.currentValue().mantissa(0).exponent((byte)0);
        messages.add(copy(buffer, clientOrder.orderId("O1").accountId(ACCOUNT).exchange("XSX").code("ALP")
            .tradingMarket("XSX").currency("USD").encodedLength()));

        final HoldingUpdateEncoder holding = new HoldingUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(HOLDINGS_ITEM).seqNo(1).action(ChangeAction.ADD).totalQuantity(1000).totalAvailable(1000);
        holding.averagePrice().mantissa(1000).exponent((byte)-2);
        holding.cost().mantissa(1_000_000).exponent((byte)-2);
        messages.add(copy(buffer, holding.accountId(ACCOUNT).exchange("XSX").code("ALP").currency("USD")
            .encodedLength()));

        final BalanceUpdateEncoder balance = new BalanceUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(BALANCES_ITEM).seqNo(1).action(ChangeAction.UPDATE);
        balance.amount().mantissa(100_000).exponent((byte)-2);
        messages.add(copy(buffer, balance.accountId(ACCOUNT).balanceType("NetBalance").currency("USD")
            .encodedLength()));

        messages.add(copy(buffer, new OrderResponseEncoder().wrapAndApplyHeader(buffer, 0, header)
            .linkId(TRADING_LINK_ID).requestId(1).result(OrderResult.Success).clientRequestId("c-1").orderId("O1")
            .accountId(ACCOUNT).errors("").encodedLength()));

        // Found by fuzzing: a BalanceUpdate whose balanceType length field says 2 GiB.
        messages.add(Base64.getDecoder().decode(
            "GgArAIUcAQAYAAAAAAAAAAEAAAAAAAAAAaCGAQAAAAAA/gcAAABBTElDTWFya2V0fFRyYWRlcyFBTFAuWFNYVVNE"));

        return messages.stream().map(message -> Arguments.of((Object)message));
    }

    private static byte[] copy(final DirectBuffer buffer, final int bodyLength)
    {
        final byte[] message = new byte[MessageHeaderEncoder.ENCODED_LENGTH + bodyLength];
        buffer.getBytes(0, message);
        return message;
    }

    private boolean undecodable(final byte[] input, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return true;
        }
        headerDecoder.wrap(new UnsafeBuffer(input), 0);
        return MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength() > length ||
            !UPSTREAM_TEMPLATES.contains(headerDecoder.templateId());
    }

    /**
     * Both links up, and one client holding the market list, a security's quote, depth by order and by level and
     * trades, and an account list with one account's orders, holdings and balances, each with its snapshot in.
     */
    private void startEngineWithLiveItems() throws Exception
    {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(1_000_000);
        engine = new CacheEngine(this::captureMarket, this::captureTrading, counters, clock, 100, 0, 10_000, 100,
            CacheEngine.DEFAULT_ACTION_TIMEOUT_MS);
        requests.clear();
        client = new TestSession(1, OUTBOX_BYTES);
        late = new TestSession(2, OUTBOX_BYTES);
        sequence = 0;
        event.buffer.setMemory(0, SLOT_BYTES, (byte)0);
        linkUp(UpstreamLink.MARKET, MARKET_LINK_ID);
        linkUp(UpstreamLink.TRADING, TRADING_LINK_ID);

        subscribe(client, "Market", "Markets", ItemType.MARKETS, null, null);
        answer(UpstreamLink.MARKET, ItemType.MARKETS, "*", MARKETS_ITEM);
        snapshotBegin(UpstreamLink.MARKET, MARKETS_ITEM);
        send(UpstreamLink.MARKET, new MarketUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(MARKETS_ITEM).seqNo(0).feedStatus(FeedStatus.Active).tradingState(TradingState.Open)
            .tradingDate(20260101).marketCode("XSX").encodedLength());
        snapshotEnd(UpstreamLink.MARKET, MARKETS_ITEM);

        liveMarketItem("Security!", ItemType.SECURITY, SECURITY_ITEM);
        final SecurityUpdateEncoder security = securityUpdate(SECURITY_ITEM, 0, 1010);
        security.code("ALP").market("XSX").name("Alpha").currency("USD").cfi("ESVUFR");
        send(UpstreamLink.MARKET, security.encodedLength());
        snapshotEnd(UpstreamLink.MARKET, SECURITY_ITEM);
        liveMarketItem("Depth!", ItemType.DEPTH, DEPTH_ITEM);
        snapshotEnd(UpstreamLink.MARKET, DEPTH_ITEM);
        liveMarketItem("Levels!", ItemType.LEVELS, LEVELS_ITEM);
        snapshotEnd(UpstreamLink.MARKET, LEVELS_ITEM);
        liveMarketItem("Trades!", ItemType.TRADES, TRADES_ITEM);
        snapshotEnd(UpstreamLink.MARKET, TRADES_ITEM);

        subscribe(client, "Trading", "Accounts", ItemType.ACCOUNTS, "alice", "alice");
        answer(UpstreamLink.TRADING, ItemType.ACCOUNTS, "alice", ACCOUNTS_ITEM);
        snapshotBegin(UpstreamLink.TRADING, ACCOUNTS_ITEM);
        send(UpstreamLink.TRADING, new AccountUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(ACCOUNTS_ITEM).seqNo(0).action(ChangeAction.ADD).feedStatus(FeedStatus.Active)
            .accountId(ACCOUNT).name("cash").currency("USD").encodedLength());
        snapshotEnd(UpstreamLink.TRADING, ACCOUNTS_ITEM);
        liveAccountItem("Orders!", ItemType.ORDERS, ORDERS_ITEM);
        liveAccountItem("Holdings!", ItemType.HOLDINGS, HOLDINGS_ITEM);
        liveAccountItem("Balances!", ItemType.BALANCES, BALANCES_ITEM);

        final List<String> frames = new ArrayList<>();
        client.outbox().drain((type, buffer, index, length) ->
            frames.add(buffer.getStringWithoutLengthUtf8(index, length)), Integer.MAX_VALUE);
        assertEquals(9, frames.stream().filter(frame -> frame.contains("\"Confirm\":true")).count(),
            "every subscription confirmed: " + frames);
    }

    private void liveMarketItem(final String prefix, final ItemType type, final long item)
    {
        subscribe(client, "Market", prefix + KEY, type, KEY, null);
        answer(UpstreamLink.MARKET, type, KEY, item);
        snapshotBegin(UpstreamLink.MARKET, item);
    }

    private void liveAccountItem(final String prefix, final ItemType type, final long item)
    {
        subscribe(client, "Trading", prefix + ACCOUNT, type, ACCOUNT, "alice");
        answer(UpstreamLink.TRADING, type, ACCOUNT, item);
        snapshotBegin(UpstreamLink.TRADING, item);
        snapshotEnd(UpstreamLink.TRADING, item);
    }

    private void drainFramesAsJson() throws Exception
    {
        for (final TestSession session : List.of(client, late))
        {
            for (final JsonNode frame : session.frames())
            {
                assertTrue(frame.isObject() && frame.path("Controller").isTextual(), "a Zenith message: " + frame);
            }
        }
    }

    private SecurityUpdateEncoder securityUpdate(final long item, final long seqNo, final long last)
    {
        final SecurityUpdateEncoder update = new SecurityUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(item).seqNo(seqNo)
            .presence(SecurityFields.TRADING_STATE | SecurityFields.LAST | SecurityFields.STATIC)
            .cleared(0).tradingState(TradingState.Open).trend(Trend.None);
        update.last().mantissa(last).exponent((byte)-2);
        return update;
    }

    private void subscribe(
        final TestSession session,
        final String controller,
        final String topic,
        final ItemType type,
        final String key,
        final String user)
    {
        event.clear();
        event.type = RingEvent.SUBSCRIBE;
        event.session = session;
        event.controller = controller;
        event.topic = topic;
        event.key = key;
        event.user = user;
        event.itemKind = type.value();
        event.confirm = true;
        engine.onEvent(event, sequence++, true);
    }

    private void answer(final int link, final ItemType type, final String key, final long item)
    {
        final Long requestId = requests.get(type.name() + '|' + key);
        assertNotNull(requestId, "asked upstream for " + type + " " + key);
        send(link, new SubscribeResultEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .linkId(link == UpstreamLink.MARKET ? MARKET_LINK_ID : TRADING_LINK_ID).requestId(requestId)
            .itemId(item).status(SubscribeStatus.OK).reason("").encodedLength());
    }

    private void snapshotBegin(final int link, final long item)
    {
        send(link, new SnapshotBeginEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(item).seqNo(0)
            .encodedLength());
    }

    private void snapshotEnd(final int link, final long item)
    {
        send(link, new SnapshotEndEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(item).seqNo(0)
            .encodedLength());
    }

    private void linkUp(final int link, final long linkId)
    {
        event.clear();
        event.type = RingEvent.LINK_UP;
        event.link = link;
        event.transactionId = linkId;
        engine.onEvent(event, sequence++, true);
    }

    private void send(final int link, final int bodyLength)
    {
        upstream(link, MessageHeaderEncoder.ENCODED_LENGTH + bodyLength);
    }

    private void upstream(final int link, final int length)
    {
        event.type = RingEvent.UPSTREAM_MESSAGE;
        event.link = link;
        event.length = length;
        engine.onEvent(event, sequence++, true);
    }

    private long captureMarket(final DirectBuffer buffer, final int offset, final int length)
    {
        return capture(buffer, offset);
    }

    private long captureTrading(final DirectBuffer buffer, final int offset, final int length)
    {
        return capture(buffer, offset);
    }

    private long capture(final DirectBuffer buffer, final int offset)
    {
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder().wrap(buffer, offset);
        if (decoder.templateId() == SubscribeDecoder.TEMPLATE_ID)
        {
            final SubscribeDecoder subscribe = new SubscribeDecoder().wrapAndApplyHeader(buffer, offset, decoder);
            final ItemType type = subscribe.itemType();
            final String key = subscribe.itemKey();
            requests.put(type.name() + '|' + key, subscribe.requestId());
        }
        return 64;
    }
}
