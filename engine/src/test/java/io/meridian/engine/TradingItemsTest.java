package io.meridian.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.codecs.interlink.AccountUpdateEncoder;
import io.meridian.codecs.interlink.BalanceUpdateEncoder;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.HoldingUpdateEncoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.OrderRequestDecoder;
import io.meridian.codecs.interlink.OrderRequestEncoder;
import io.meridian.codecs.interlink.OrderRequestKind;
import io.meridian.codecs.interlink.OrderResponseEncoder;
import io.meridian.codecs.interlink.OrderResult;
import io.meridian.codecs.interlink.OrderStatus;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.OrderUpdateEncoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeResultEncoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.Validity;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The engine's trading side, driven as the gateway and a Trading Agent would: account lists decide what a user may
 * see and trade, account items are shared and rendered as Zenith data, and every order request gets a result.
 */
class TradingItemsTest
{
    private static final long TRADING_LINK_ID = 99;
    private static final long ACTION_TIMEOUT_MS = 35_000;

    private final EngineCounters counters = new EngineCounters();
    private final CachedEpochClock clock = new CachedEpochClock();
    private final RingEvent event = new RingEvent(1024);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    /** Subscribe requests sent to the Trading Agent, by item key. */
    private final Map<String, Long> tradingSubscribes = new HashMap<>();
    private final List<Long> marketSubscribes = new ArrayList<>();
    private final List<byte[]> orderRequests = new ArrayList<>();
    private CacheEngine engine;
    private long sequence;
    private long nextItemId = 700;

    @BeforeEach
    void setUp()
    {
        clock.update(1_000_000);
        engine = new CacheEngine(this::captureMarket, this::captureTrading, counters, clock, 100, 0, 10_000, 100,
            ACTION_TIMEOUT_MS);
        linkEvent(RingEvent.LINK_UP, UpstreamLink.TRADING, TRADING_LINK_ID);
    }

    @Test
    void aUserSeesItsAccountsAndOnlyItsAccountsData() throws Exception
    {
        final TestSession alice = new TestSession(1);
        subscribe(alice, "Accounts", ItemType.ACCOUNTS, "alice", "alice");
        final long accountsItem = liveAccounts("alice", "ALICE-1", "ALICE-2");
        final List<JsonNode> frames = alice.frames();
        assertEquals(2, frames.size(), frames.toString());
        final JsonNode accounts = frames.get(0).get("Data");
        assertEquals("Trading", frames.get(0).get("Controller").asText());
        assertEquals(2, accounts.size());
        assertEquals("ALICE-1", accounts.get(0).get("ID").asText());
        assertEquals("Active", accounts.get(0).get("Feed").asText());
        assertEquals("OMS", accounts.get(0).get("Provider").asText(), "the trading feed the accounts belong to");
        assertEquals("USD", accounts.get(0).get("Currency").asText());
        assertTrue(frames.get(1).get("Confirm").asBoolean());
        assertTrue(accountsItem > 0);

        subscribe(alice, "Orders!ALICE-1", ItemType.ORDERS, "ALICE-1", "alice");
        assertTrue(tradingSubscribes.containsKey("ALICE-1"), "asked upstream once it was allowed");

        subscribe(alice, "Orders!BOB-1", ItemType.ORDERS, "BOB-1", "alice");
        final List<JsonNode> refused = alice.frames();
        assertEquals("Error", refused.get(0).get("Action").asText());
        assertEquals("Account.Authority BOB-1", refused.get(0).get("Data").asText());
        assertEquals("Sub", refused.get(1).get("Action").asText());
        assertFalse(refused.get(1).has("Confirm"), "a refused subscription is echoed without Confirm");
        assertFalse(tradingSubscribes.containsKey("BOB-1"), "never asked upstream for another user's account");
        assertEquals(1, counters.refusedTradingRequests());

        subscribe(alice, "Accounts", ItemType.ACCOUNTS, "bob", "alice");
        assertEquals("Authority", alice.frames().get(0).get("Data").asText(), "another user's account list");
    }

    @Test
    void tradingAccountsShowsTheSameListAsOperationRecords() throws Exception
    {
        final TestSession alice = new TestSession(1);
        subscribe(alice, "Accounts", ItemType.ACCOUNTS, "alice", "alice");
        subscribe(alice, "TradingAccounts", ItemType.ACCOUNTS, "alice", "alice");
        final long itemId = liveAccounts("alice", "ALICE-1");
        assertEquals(1, tradingSubscribes.size(), "one upstream subscription for both topics");
        final List<JsonNode> frames = alice.frames();
        final Map<String, JsonNode> byTopic = new HashMap<>();
        frames.stream().filter(frame -> frame.has("Data")).forEach(frame -> byTopic.put(frame.get("Topic").asText(),
            frame.get("Data")));
        assertEquals("[{\"ID\":\"ALICE-1\",\"Name\":\"ALICE-1 cash\",\"Feed\":\"Active\",\"Provider\":\"OMS\"," +
            "\"Currency\":\"USD\"}]", byTopic.get("Accounts").toString());
        assertEquals("[{\"Operation\":\"Clear\"},{\"Operation\":\"Add\",\"Account\":{\"ID\":\"ALICE-1\"," +
            "\"Name\":\"ALICE-1 cash\",\"Feed\":\"Active\",\"Provider\":\"OMS\",\"Currency\":\"USD\"}}]",
            byTopic.get("TradingAccounts").toString());

        send(new AccountUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(itemId).seqNo(1)
            .action(ChangeAction.ADD).feedStatus(FeedStatus.Active).accountId("ALICE-3").name("new")
            .currency("USD").encodedLength());
        byTopic.clear();
        alice.frames().forEach(frame -> byTopic.put(frame.get("Topic").asText(), frame.get("Data")));
        assertEquals("ALICE-3", byTopic.get("Accounts").get(0).get("ID").asText());
        assertEquals("Add", byTopic.get("TradingAccounts").get(0).get("Operation").asText());
        assertEquals("ALICE-3", byTopic.get("TradingAccounts").get(0).get("Account").get("ID").asText());
    }

    @Test
    void aBareTopicWatchesEveryAccountOfTheUser() throws Exception
    {
        final TestSession alice = new TestSession(1);
        subscribe(alice, "Orders", ItemType.ORDERS, null, "alice");
        liveAccounts("alice", "ALICE-1", "ALICE-2");
        assertTrue(tradingSubscribes.containsKey("ALICE-1") && tradingSubscribes.containsKey("ALICE-2"));
        final List<JsonNode> confirm = alice.frames();
        assertEquals(1, confirm.size(), "one confirmation for the bare topic: " + confirm);
        assertTrue(confirm.get(0).get("Confirm").asBoolean());
        for (final String account : new String[]{ "ALICE-1", "ALICE-2" })
        {
            final long itemId = answer(account);
            begin(itemId);
            end(itemId, 0);
        }
        final List<JsonNode> states = alice.frames();
        assertEquals(2, states.size());
        for (int i = 0; i < 2; i++)
        {
            assertEquals("Orders", states.get(i).get("Topic").asText(), "under the topic as sent");
            assertEquals("ALICE-" + (i + 1), states.get(i).get("Data").get(0).get("Account").asText());
        }

        event.clear();
        event.type = RingEvent.UNSUBSCRIBE;
        event.session = alice;
        event.controller = "Trading";
        event.topic = "Orders";
        engine.onEvent(event, sequence++, true);
        final TestSession other = new TestSession(2);
        subscribe(other, "Orders!ALICE-1", ItemType.ORDERS, "ALICE-1", "alice");
        other.frames();
        order(tradingItemOf("ALICE-1"), 1, ChangeAction.ADD, "O9", OrderStatus.Working, 0);
        assertEquals(0, alice.frames().size(), "the bare Unsub released every account");
        assertEquals(1, other.frames().size());
    }

    @Test
    void aRequestWaitsForTheAccountListThenGoesAhead() throws Exception
    {
        final TestSession alice = new TestSession(1);
        subscribe(alice, "Holdings!ALICE-1", ItemType.HOLDINGS, "ALICE-1", "alice");
        assertTrue(tradingSubscribes.containsKey("alice"), "the account list is asked for first");
        assertFalse(tradingSubscribes.containsKey("ALICE-1"));
        liveAccounts("alice", "ALICE-1");
        assertTrue(tradingSubscribes.containsKey("ALICE-1"), "then the holdings, once allowed");

        final long holdingsItem = answer("ALICE-1");
        begin(holdingsItem);
        final HoldingUpdateEncoder holding = new HoldingUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(holdingsItem).seqNo(0).action(ChangeAction.ADD).totalQuantity(1000).totalAvailable(800);
        holding.averagePrice().mantissa(1234).exponent((byte)-2);
        holding.cost().mantissa(1234000).exponent((byte)-2);
        send(holding.accountId("ALICE-1").exchange("XSX").code("LEC").currency("USD").encodedLength());
        end(holdingsItem, 1);
        final List<JsonNode> frames = alice.frames();
        final JsonNode data = frames.get(0).get("Data");
        assertEquals("{\"O\":\"C\",\"Account\":\"ALICE-1\"}", data.get(0).toString());
        assertEquals("{\"Exchange\":\"XSX\",\"Code\":\"LEC\",\"Account\":\"ALICE-1\",\"Style\":\"Market\"," +
            "\"Cost\":12340.00,\"Currency\":\"USD\",\"TotalQuantity\":1000,\"TotalAvailable\":800," +
            "\"AveragePrice\":12.34}", data.get(1).get("Holding").toString());
        assertTrue(frames.get(1).get("Confirm").asBoolean());

        // A second session of the same user shares the item: no new upstream subscription.
        final TestSession second = new TestSession(2);
        final int before = tradingSubscribes.size();
        subscribe(second, "Holdings!ALICE-1", ItemType.HOLDINGS, "ALICE-1", "alice");
        assertEquals(before, tradingSubscribes.size());
        assertEquals(data, second.frames().get(0).get("Data"));
    }

    @Test
    void balancesStartWithTheClearRecordAndOrdersCarryEverythingClientsParse() throws Exception
    {
        final TestSession alice = new TestSession(1);
        liveAccountsFor(alice, "ALICE-1");
        subscribe(alice, "Balances!ALICE-1", ItemType.BALANCES, "ALICE-1", "alice");
        final long balancesItem = answer("ALICE-1");
        begin(balancesItem);
        balance(balancesItem, 0, "NetBalance", 100000000);
        end(balancesItem, 1);
        final JsonNode balances = alice.frames().get(0).get("Data");
        assertEquals("{\"Account\":\"ALICE-1\",\"Type\":\"\",\"Currency\":\"\",\"Amount\":0}",
            balances.get(0).toString());
        assertEquals("{\"Account\":\"ALICE-1\",\"Type\":\"NetBalance\",\"Currency\":\"USD\",\"Amount\":1000000.00}",
            balances.get(1).toString());
        balance(balancesItem, 2, "NetBalance", 99000000);
        assertEquals("[{\"Account\":\"ALICE-1\",\"Type\":\"NetBalance\",\"Currency\":\"USD\",\"Amount\":990000.00}]",
            alice.frames().get(0).get("Data").toString());

        subscribe(alice, "Orders!ALICE-1", ItemType.ORDERS, "ALICE-1", "alice");
        final long ordersItem = answer("ALICE-1");
        begin(ordersItem);
        end(ordersItem, 0);
        alice.frames();
        order(ordersItem, 1, ChangeAction.ADD, "O1", OrderStatus.Working, 0);
        final JsonNode add = alice.frames().get(0).get("Data").get(0);
        assertEquals("A", add.get("O").asText());
        final JsonNode order = add.get("Order");
        assertEquals("O1", order.get("ID").asText());
        assertEquals("ALICE-1", order.get("Account").asText());
        assertEquals("Working", order.get("Status").asText());
        assertEquals("Market", order.get("Style").asText());
        assertEquals("1970-01-01T00:16:40.000+00:00", order.get("CreatedDate").asText());
        assertEquals("{\"Exchange\":\"XSX\",\"Code\":\"LEC\",\"Side\":\"Bid\",\"Style\":\"Market\"," +
            "\"Instructions\":[],\"Type\":\"Limit\",\"LimitPrice\":10.05,\"Quantity\":100," +
            "\"Validity\":\"UntilCancel\"}", order.get("Details").toString());
        assertEquals("{\"Algorithm\":\"Market\",\"Market\":\"XSX\"}", order.get("Route").toString());
        assertEquals(0, order.get("ExecutedQuantity").asLong());
        assertTrue(order.get("AveragePrice").isNull(), "no average price before a fill");

        order(ordersItem, 2, ChangeAction.UPDATE, "O1", OrderStatus.PartiallyFilled, 40);
        final JsonNode update = alice.frames().get(0).get("Data").get(0);
        assertEquals("U", update.get("O").asText());
        assertEquals("PartiallyFilled", update.get("Order").get("Status").asText());
        assertEquals(40, update.get("Order").get("ExecutedQuantity").asLong());
        assertEquals("10.05", update.get("Order").get("AveragePrice").decimalValue().toPlainString());
        assertTrue(update.get("Order").has("Details"), "an update carries the whole order");
    }

    @Test
    void anOrderRequestGoesUpstreamAndItsAnswerComesBackToTheRightTransaction() throws Exception
    {
        final TestSession alice = new TestSession(1);
        liveAccountsFor(alice, "ALICE-1");
        placeOrder(alice, 17, "ALICE-1", "req-1");
        assertEquals(1, orderRequests.size());
        final OrderRequestDecoder sent = decodeRequest(0);
        assertEquals(TRADING_LINK_ID, sent.linkId(), "the engine fills in the link");
        final long requestId = sent.requestId();
        assertTrue(requestId > 0);
        assertEquals(OrderRequestKind.PLACE, sent.kind());
        assertEquals(0, alice.frames().size(), "nothing until the Trading Agent answers");

        respond(requestId, OrderResult.Success, "req-1", "O7", "");
        final JsonNode reply = alice.frames().get(0);
        assertEquals("Trading", reply.get("Controller").asText());
        assertEquals("PlaceOrder", reply.get("Topic").asText());
        assertEquals(17, reply.get("TransactionID").asLong());
        assertFalse(reply.has("Action"));
        assertEquals("Success", reply.get("Data").get("Result").asText());
        assertEquals("req-1", reply.get("Data").get("RequestID").asText());
        assertFalse(reply.get("Data").has("Order"), "no order is sent when the cache does not hold it");

        placeOrder(alice, 18, "ALICE-1", "req-2");
        respond(decodeRequest(1).requestId(), OrderResult.Rejected, "req-2", "", "TotalValue.Balance\nSymbol.Status");
        final JsonNode rejected = alice.frames().get(0).get("Data");
        assertEquals("Rejected", rejected.get("Result").asText());
        assertEquals("[\"TotalValue.Balance\",\"Symbol.Status\"]", rejected.get("Errors").toString());
    }

    @Test
    void anOrderRequestForAnotherUsersAccountIsRefusedWithoutGoingUpstream() throws Exception
    {
        final TestSession alice = new TestSession(1);
        liveAccountsFor(alice, "ALICE-1");
        placeOrder(alice, 5, "BOB-1", "x");
        assertEquals(0, orderRequests.size());
        final List<JsonNode> frames = alice.frames();
        assertEquals("Error", frames.get(0).get("Action").asText());
        assertEquals("Account.Authority BOB-1", frames.get(0).get("Data").asText());
        assertEquals(5, frames.get(1).get("TransactionID").asLong());
        assertEquals("Rejected", frames.get(1).get("Data").get("Result").asText());
        assertEquals("[\"Authority\"]", frames.get(1).get("Data").get("Errors").toString());
    }

    @Test
    void anUnansweredOrderRequestTimesOutWithAnErrorThenAResult() throws Exception
    {
        final TestSession alice = new TestSession(1);
        liveAccountsFor(alice, "ALICE-1");
        placeOrder(alice, 21, "ALICE-1", "slow");
        clock.advance(ACTION_TIMEOUT_MS - 1000);
        housekeeping();
        assertEquals(0, alice.frames().size(), "still within the action timeout");
        clock.advance(2000);
        housekeeping();
        final List<JsonNode> frames = alice.frames();
        assertEquals(2, frames.size(), frames.toString());
        assertEquals("Error", frames.get(0).get("Action").asText());
        assertEquals("Operation.Timeout", frames.get(0).get("Data").asText());
        assertEquals(21, frames.get(0).get("TransactionID").asLong());
        assertEquals("Error", frames.get(1).get("Data").get("Result").asText());
        assertEquals("slow", frames.get(1).get("Data").get("RequestID").asText());
        assertEquals(1, counters.orderTimeouts());

        respond(decodeRequest(0).requestId(), OrderResult.Success, "slow", "O1", "");
        assertEquals(0, alice.frames().size(), "a late answer is dropped: the client already has its result");
        assertEquals(1, counters.lateOrderResponses());
    }

    @Test
    void losingTheTradingAgentFailsRequestsInFlightAndLaterOnesAtOnce() throws Exception
    {
        final TestSession alice = new TestSession(1);
        liveAccountsFor(alice, "ALICE-1");
        placeOrder(alice, 31, "ALICE-1", "in-flight");
        linkEvent(RingEvent.LINK_DOWN, UpstreamLink.TRADING, TRADING_LINK_ID);
        List<JsonNode> frames = alice.frames();
        assertEquals("Account.Unavailable ALICE-1", frames.get(0).get("Data").asText());
        assertEquals("[\"Submitted\"]", frames.get(1).get("Data").get("Errors").toString(),
            "it may have reached the Trading Agent");

        placeOrder(alice, 32, "ALICE-1", "while-down");
        frames = alice.frames();
        assertEquals(2, frames.size());
        assertEquals(32, frames.get(1).get("TransactionID").asLong());
        assertEquals("[\"Retry\"]", frames.get(1).get("Data").get("Errors").toString());
        assertEquals(1, orderRequests.size(), "nothing offered while the link is down");

        // The market link is untouched by the trading link's loss.
        assertFalse(engine.isLinkUp());
        linkEvent(RingEvent.LINK_UP, UpstreamLink.MARKET, 5);
        assertTrue(engine.isLinkUp());
        assertEquals(1, marketSubscribes.size(), "the market list, asked of the feed only");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void liveAccountsFor(final TestSession session, final String... ids) throws Exception
    {
        subscribe(session, "Accounts", ItemType.ACCOUNTS, "alice", "alice");
        liveAccounts("alice", ids);
        session.frames();
    }

    /**
     * Answer the pending subscription of the user's account list and send it in full.
     *
     * @return the item id.
     */
    private long liveAccounts(final String user, final String... ids)
    {
        final long itemId = answer(user);
        begin(itemId);
        for (final String id : ids)
        {
            send(new AccountUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(itemId).seqNo(0)
                .action(ChangeAction.ADD).feedStatus(FeedStatus.Active).accountId(id).name(id + " cash")
                .currency("USD").encodedLength());
        }
        end(itemId, 0);
        return itemId;
    }

    private final Map<String, Long> itemIds = new HashMap<>();

    private long tradingItemOf(final String key)
    {
        return itemIds.get(key);
    }

    private long answer(final String key)
    {
        final long itemId = nextItemId++;
        itemIds.put(key, itemId);
        send(new SubscribeResultEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .linkId(TRADING_LINK_ID).requestId(tradingSubscribes.get(key)).itemId(itemId).status(SubscribeStatus.OK)
            .reason("").encodedLength());
        return itemId;
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

    private void balance(final long itemId, final long seqNo, final String type, final long cents)
    {
        final BalanceUpdateEncoder update = new BalanceUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(seqNo).action(ChangeAction.UPDATE);
        update.amount().mantissa(cents).exponent((byte)-2);
        send(update.accountId("ALICE-1").balanceType(type).currency("USD").encodedLength());
    }

    private void order(
        final long itemId,
        final long seqNo,
        final ChangeAction action,
        final String orderId,
        final OrderStatus status,
        final long executed)
    {
        final OrderUpdateEncoder update = new OrderUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(seqNo).action(action).status(status).side(Side.BID).orderType(OrderType.Limit)
            .validity(Validity.UntilCancel).hasLimitPrice(BooleanType.TRUE).quantity(100).executedQuantity(executed)
            .createdMs(1_000_000).updatedMs(1_000_000);
        update.limitPrice().mantissa(1005).exponent((byte)-2);
        update.averagePrice().mantissa(1005).exponent((byte)-2);
        update.currentValue().mantissa(100500).exponent((byte)-2);
        send(update.orderId(orderId).accountId("ALICE-1").exchange("XSX").code("LEC").tradingMarket("XSX")
            .currency("USD").encodedLength());
    }

    private void placeOrder(final TestSession session, final long transactionId, final String account,
        final String clientRequestId)
    {
        final UnsafeBuffer request = new UnsafeBuffer(new byte[1024]);
        final OrderRequestEncoder encoder = new OrderRequestEncoder()
            .wrapAndApplyHeader(request, 0, new MessageHeaderEncoder())
            .kind(OrderRequestKind.PLACE).side(Side.BID).orderType(OrderType.Limit).validity(Validity.UntilCancel)
            .hasLimitPrice(BooleanType.TRUE).quantity(100);
        encoder.limitPrice().mantissa(1005).exponent((byte)-2);
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + encoder
            .clientRequestId(clientRequestId).user("alice").accountId(account).orderId("").destination("")
            .exchange("XSX").code("LEC").tradingMarket("XSX").encodedLength();
        event.clear();
        event.type = RingEvent.ORDER_REQUEST;
        event.session = session;
        event.controller = "Trading";
        event.topic = "PlaceOrder";
        event.key = account;
        event.user = "alice";
        event.transactionId = transactionId;
        event.buffer.putBytes(0, request, 0, length);
        event.length = length;
        engine.onEvent(event, sequence++, true);
    }

    private void respond(
        final long requestId, final OrderResult result, final String clientRequestId, final String orderId,
        final String errors)
    {
        send(new OrderResponseEncoder().wrapAndApplyHeader(event.buffer, 0, header).linkId(TRADING_LINK_ID)
            .requestId(requestId).result(result).clientRequestId(clientRequestId).orderId(orderId)
            .accountId("ALICE-1").errors(errors).encodedLength());
    }

    private OrderRequestDecoder decodeRequest(final int index)
    {
        return new OrderRequestDecoder().wrapAndApplyHeader(
            new UnsafeBuffer(orderRequests.get(index)), 0, new MessageHeaderDecoder());
    }

    private void subscribe(
        final TestSession session, final String topic, final ItemType type, final String key, final String user)
    {
        event.clear();
        event.type = RingEvent.SUBSCRIBE;
        event.session = session;
        event.controller = "Trading";
        event.topic = topic;
        event.key = key;
        event.user = user;
        event.itemKind = type.value();
        event.confirm = true;
        engine.onEvent(event, sequence++, true);
    }

    private void housekeeping()
    {
        engine.onTimeout(sequence);
    }

    private void linkEvent(final int type, final int link, final long linkId)
    {
        event.clear();
        event.type = type;
        event.link = link;
        event.transactionId = linkId;
        engine.onEvent(event, sequence++, true);
    }

    private void send(final int encodedLength)
    {
        event.type = RingEvent.UPSTREAM_MESSAGE;
        event.link = UpstreamLink.TRADING;
        event.length = MessageHeaderEncoder.ENCODED_LENGTH + encodedLength;
        engine.onEvent(event, sequence++, true);
        event.clear();
    }

    private long captureMarket(final DirectBuffer buffer, final int offset, final int length)
    {
        marketSubscribes.add((long)length);
        return 64;
    }

    private long captureTrading(final DirectBuffer buffer, final int offset, final int length)
    {
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder().wrap(buffer, offset);
        if (decoder.templateId() == SubscribeDecoder.TEMPLATE_ID)
        {
            final SubscribeDecoder subscribe = new SubscribeDecoder().wrapAndApplyHeader(buffer, offset, decoder);
            tradingSubscribes.put(subscribe.itemKey(), subscribe.requestId());
        }
        else if (decoder.templateId() == OrderRequestDecoder.TEMPLATE_ID)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            orderRequests.add(copy);
        }
        return 64;
    }
}
