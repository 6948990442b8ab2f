package io.meridian.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.codecs.interlink.AccountUpdateDecoder;
import io.meridian.codecs.interlink.AccountUpdateEncoder;
import io.meridian.codecs.interlink.BalanceUpdateDecoder;
import io.meridian.codecs.interlink.BalanceUpdateEncoder;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.HoldingUpdateDecoder;
import io.meridian.codecs.interlink.HoldingUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.OrderStatus;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.OrderUpdateDecoder;
import io.meridian.codecs.interlink.OrderUpdateEncoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.SnapshotBeginDecoder;
import io.meridian.codecs.interlink.SnapshotEndDecoder;
import io.meridian.codecs.interlink.Validity;
import io.meridian.codecs.json.JsonWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A trading item's interlink snapshot, applied to an empty item of the same key the way the engine applies an
 * upstream snapshot (SnapshotBegin clears, each update goes to the item's {@code apply}), rebuilds the same item:
 * the same Zenith JSON, and the same state where the JSON does not show it.
 */
class TradingSnapshotRoundTripTest
{
    private static final long ITEM_ID = 4242;
    private static final long SNAPSHOT_SEQ_NO = 917;
    /** 2023-11-14T22:13:20.000Z. */
    private static final long CREATED_MS = 1_700_000_000_000L;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[SnapshotWriter.MAX_MESSAGE_BYTES]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final AccountUpdateEncoder accountEncoder = new AccountUpdateEncoder();
    private final OrderUpdateEncoder orderEncoder = new OrderUpdateEncoder();
    private final HoldingUpdateEncoder holdingEncoder = new HoldingUpdateEncoder();
    private final BalanceUpdateEncoder balanceEncoder = new BalanceUpdateEncoder();
    private final SnapshotBeginDecoder beginDecoder = new SnapshotBeginDecoder();
    private final SnapshotEndDecoder endDecoder = new SnapshotEndDecoder();
    private final AccountUpdateDecoder accountDecoder = new AccountUpdateDecoder();
    private final OrderUpdateDecoder orderDecoder = new OrderUpdateDecoder();
    private final HoldingUpdateDecoder holdingDecoder = new HoldingUpdateDecoder();
    private final BalanceUpdateDecoder balanceDecoder = new BalanceUpdateDecoder();
    private final SnapshotWriter writer = new SnapshotWriter();
    private long upstreamSeqNo;

    @Test
    void accountsRoundTripWithNamesCurrenciesAndFeedStatus() throws Exception
    {
        final AccountsItem item = new AccountsItem("alice");
        account(item, ChangeAction.ADD, FeedStatus.Active, "ALICE-1", "alice cash", "USD");
        account(item, ChangeAction.ADD, FeedStatus.Active, "ALICE-2", "alice margin", "USD");
        account(item, ChangeAction.ADD, FeedStatus.NULL_VAL, "ALICE-3", "", "");
        account(item, ChangeAction.ADD, FeedStatus.Active, "ALICE-4", "alice old", "AUD");
        account(item, ChangeAction.UPDATE, FeedStatus.Impaired, "ALICE-2", "alice margin (frozen)", "USD");
        account(item, ChangeAction.REMOVE, FeedStatus.Closed, "ALICE-4", "", "");

        final AccountsItem fresh = new AccountsItem("alice");
        account(fresh, ChangeAction.ADD, FeedStatus.Active, "STALE-9", "left over", "USD");
        final List<String> shape = replay(snapshotOf(item), fresh);

        assertEquals(List.of("Begin", "AccountUpdate ADD ALICE-1", "AccountUpdate ADD ALICE-2",
            "AccountUpdate ADD ALICE-3", "End"), shape);
        final String full = full(item);
        assertEquals(full, full(fresh));
        assertEquals(fullOperations(item), fullOperations(fresh));
        assertEquals(List.of("ALICE-1", "ALICE-2", "ALICE-3"), new ArrayList<>(fresh.ids()));
        assertFalse(fresh.allows("STALE-9"), "SnapshotBegin cleared what the fresh item held");

        final JsonNode accounts = TestSession.JSON.readTree(full);
        assertEquals(3, accounts.size(), full);
        assertAccount(accounts.get(0), "ALICE-1", "alice cash", "Active", "USD");
        assertAccount(accounts.get(1), "ALICE-2", "alice margin (frozen)", "Impaired", "USD");
        assertAccount(accounts.get(2), "ALICE-3", "ALICE-3", "Active", null);
    }

    @Test
    void ordersRoundTripEveryFieldIncludingThoseTheJsonHides() throws Exception
    {
        final OrdersItem item = new OrdersItem("ALICE-1");
        orderClear(item);
        order(item, ChangeAction.ADD, "O1", OrderStatus.Working, Side.BID, OrderType.Limit, Validity.UntilCancel,
            true, 1005, -2, 100, 0, 0, -2, 100500, -2, CREATED_MS, CREATED_MS, "ALICE-1", "XSX", "LEC", "XSX", "USD");
        order(item, ChangeAction.ADD, "O2", OrderStatus.Working, Side.ASK, OrderType.Limit, Validity.UntilDay,
            true, 2010, -2, 10, 0, 0, -2, 20100, -2, CREATED_MS + 5, CREATED_MS + 5, "ALICE-1", "XSX", "ALP", "XSX",
            "USD");
        // A market order: no limit price, though the message carries one, an average price while nothing traded,
        // an empty account (the item's), an empty trading market (the exchange's) and no currency.
        order(item, ChangeAction.ADD, "O3", OrderStatus.Working, Side.ASK, OrderType.Market, Validity.FillAndKill,
            false, 777, -3, 50, 0, 5, -1, 0, 0, CREATED_MS + 10, CREATED_MS + 10, "", "XSY", "BRV", "", "");
        order(item, ChangeAction.ADD, "O4", OrderStatus.Filled, Side.ASK, OrderType.MarketToLimit,
            Validity.AllOrNone, true, 125, -1, 200, 200, 1250, -2, 250000, -2, CREATED_MS + 20, CREATED_MS + 21,
            "ALICE-1", "XSX", "CRN", "XSX-ALT", "USD");
        order(item, ChangeAction.ADD, "O5", OrderStatus.Expired, Side.NONE, OrderType.Best, Validity.FillOrKill,
            false, 0, 0, 7, 0, 0, 0, 0, 0, CREATED_MS + 30, CREATED_MS + 31, "ALICE-1", "XSX", "DLT", "XSX", "USD");
        order(item, ChangeAction.UPDATE, "O1", OrderStatus.PartiallyFilled, Side.BID, OrderType.Limit,
            Validity.UntilCancel, true, 1005, -2, 100, 40, 100400, -4, 100500, -2, CREATED_MS, CREATED_MS + 1500,
            "ALICE-1", "XSX", "LEC", "XSX", "USD");
        order(item, ChangeAction.REMOVE, "O2", OrderStatus.Cancelled, Side.ASK, OrderType.Limit, Validity.UntilDay,
            true, 2010, -2, 10, 0, 0, -2, 0, -2, CREATED_MS + 5, CREATED_MS + 900, "ALICE-1", "XSX", "ALP", "XSX",
            "USD");
        assertEquals(4, item.size());

        final OrdersItem fresh = new OrdersItem("ALICE-1");
        order(fresh, ChangeAction.ADD, "S1", OrderStatus.Working, Side.BID, OrderType.Limit, Validity.UntilCancel,
            true, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, "ALICE-1", "XSX", "OLD", "XSX", "USD");
        final List<String> shape = replay(snapshotOf(item), fresh);

        assertEquals(List.of("Begin", "OrderUpdate CLEAR", "OrderUpdate ADD O1", "OrderUpdate ADD O3",
            "OrderUpdate ADD O4", "OrderUpdate ADD O5", "End"), shape);
        final String full = full(item);
        assertEquals(full, full(fresh));
        assertNull(fresh.order("S1"));
        assertNull(fresh.order("O2"));
        for (final String id : new String[]{ "O1", "O3", "O4", "O5" })
        {
            assertSameOrder(item.order(id), fresh.order(id));
        }
        final OrdersItem.Order hidden = fresh.order("O3");
        assertFalse(hidden.hasLimitPrice);
        assertEquals(777, hidden.limitPriceMantissa, "a limit price the JSON leaves out");
        assertEquals(-3, hidden.limitPriceExponent);
        assertEquals(5, hidden.averagePriceMantissa, "an average price the JSON shows as null");
        assertEquals(-1, hidden.averagePriceExponent);

        final JsonNode changes = TestSession.JSON.readTree(full);
        assertEquals(5, changes.size(), full);
        assertEquals("C", changes.get(0).get("O").asText());
        assertEquals("ALICE-1", changes.get(0).get("Account").asText());

        final JsonNode o1 = added(changes.get(1), "Order");
        assertEquals("O1", o1.get("ID").asText());
        assertEquals("ALICE-1", o1.get("Account").asText());
        assertEquals("PartiallyFilled", o1.get("Status").asText());
        assertEquals("XSX", o1.get("Exchange").asText());
        assertEquals("XSX", o1.get("TradingMarket").asText());
        assertEquals("USD", o1.get("Currency").asText());
        assertDecimal("1005.00", o1.get("CurrentValue"));
        assertEquals("2023-11-14T22:13:20.000+00:00", o1.get("CreatedDate").asText());
        assertEquals("2023-11-14T22:13:21.500+00:00", o1.get("UpdatedDate").asText());
        assertEquals("LEC", o1.get("Details").get("Code").asText());
        assertEquals("Bid", o1.get("Details").get("Side").asText());
        assertEquals("Limit", o1.get("Details").get("Type").asText());
        assertDecimal("10.05", o1.get("Details").get("LimitPrice"));
        assertEquals(100, o1.get("Details").get("Quantity").asLong());
        assertEquals("UntilCancel", o1.get("Details").get("Validity").asText());
        assertEquals(40, o1.get("ExecutedQuantity").asLong());
        assertDecimal("10.04", o1.get("AveragePrice"));

        final JsonNode o3 = added(changes.get(2), "Order");
        assertEquals("O3", o3.get("ID").asText());
        assertEquals("ALICE-1", o3.get("Account").asText());
        assertEquals("XSY", o3.get("TradingMarket").asText());
        assertFalse(o3.has("Currency"));
        assertEquals("Ask", o3.get("Details").get("Side").asText());
        assertEquals("Market", o3.get("Details").get("Type").asText());
        assertEquals("FillAndKill", o3.get("Details").get("Validity").asText());
        assertFalse(o3.get("Details").has("LimitPrice"));
        assertTrue(o3.get("AveragePrice").isNull());

        final JsonNode o4 = added(changes.get(3), "Order");
        assertEquals("Filled", o4.get("Status").asText());
        assertEquals("XSX-ALT", o4.get("TradingMarket").asText());
        assertEquals("MarketToLimit", o4.get("Details").get("Type").asText());
        assertEquals("AllOrNone", o4.get("Details").get("Validity").asText());
        assertDecimal("12.5", o4.get("Details").get("LimitPrice"));
        assertEquals(200, o4.get("ExecutedQuantity").asLong());
        assertDecimal("12.50", o4.get("AveragePrice"));
        assertEquals("2023-11-14T22:13:20.021+00:00", o4.get("UpdatedDate").asText());

        final JsonNode o5 = added(changes.get(4), "Order");
        assertEquals("Expired", o5.get("Status").asText());
        assertEquals("Bid", o5.get("Details").get("Side").asText(), "a side of NONE is held as Bid");
        assertEquals("Best", o5.get("Details").get("Type").asText());
        assertEquals("FillOrKill", o5.get("Details").get("Validity").asText());
    }

    @Test
    void holdingsRoundTripAfterUpdatesAndARemoval() throws Exception
    {
        final HoldingsItem item = new HoldingsItem("ALICE-1");
        holding(item, ChangeAction.CLEAR, "", "", 0, 0, 0, 0, "");
        holding(item, ChangeAction.ADD, "XSX", "LEC", 1000, 1000, 100000, 1000000, "USD");
        holding(item, ChangeAction.ADD, "XSX", "ALP", 1000, 1000, 201000, 2010000, "USD");
        holding(item, ChangeAction.ADD, "XSY", "BRV", 500, 450, 312500, 1562500, "");
        holding(item, ChangeAction.UPDATE, "XSX", "LEC", 1040, 940, 100015, 1040160, "USD");
        holding(item, ChangeAction.REMOVE, "XSX", "ALP", 0, 0, 0, 0, "");
        assertEquals(2, item.size());

        final HoldingsItem fresh = new HoldingsItem("ALICE-1");
        holding(fresh, ChangeAction.ADD, "XSX", "OLD", 1, 1, 1, 1, "USD");
        final List<String> shape = replay(snapshotOf(item), fresh);

        assertEquals(List.of("Begin", "HoldingUpdate CLEAR", "HoldingUpdate ADD LEC.XSX", "HoldingUpdate ADD BRV.XSY",
            "End"), shape);
        final String full = full(item);
        assertEquals(full, full(fresh));
        assertEquals(2, fresh.size());
        assertNull(fresh.holding("XSX", "OLD"));

        final JsonNode changes = TestSession.JSON.readTree(full);
        assertEquals(3, changes.size(), full);
        assertEquals("C", changes.get(0).get("O").asText());
        assertEquals("ALICE-1", changes.get(0).get("Account").asText());
        final JsonNode lec = added(changes.get(1), "Holding");
        assertEquals("XSX", lec.get("Exchange").asText());
        assertEquals("LEC", lec.get("Code").asText());
        assertEquals("ALICE-1", lec.get("Account").asText());
        assertEquals("USD", lec.get("Currency").asText());
        assertEquals(1040, lec.get("TotalQuantity").asLong());
        assertEquals(940, lec.get("TotalAvailable").asLong());
        assertDecimal("10.0015", lec.get("AveragePrice"));
        assertDecimal("10401.60", lec.get("Cost"));
        final JsonNode brv = added(changes.get(2), "Holding");
        assertEquals("BRV", brv.get("Code").asText());
        assertEquals("XSY", brv.get("Exchange").asText());
        assertFalse(brv.has("Currency"));
        assertEquals(450, brv.get("TotalAvailable").asLong());
        assertDecimal("31.25", brv.get("AveragePrice"));
        assertDecimal("15625.00", brv.get("Cost"));
    }

    @Test
    void balancesRoundTripAsAClearAndAnUpdatePerAmount() throws Exception
    {
        final BalancesItem item = new BalancesItem("ALICE-1");
        balance(item, ChangeAction.CLEAR, "", "", 0);
        balance(item, ChangeAction.UPDATE, "NetBalance", "USD", 100_000_000);
        balance(item, ChangeAction.UPDATE, "Trading", "USD", 100_000_000);
        balance(item, ChangeAction.UPDATE, "UnfilledBuys", "USD", 0);
        balance(item, ChangeAction.UPDATE, "Margin", "AUD", 250_000);
        balance(item, ChangeAction.UPDATE, "NetBalance", "AUD", 5_000);
        balance(item, ChangeAction.UPDATE, "Trading", "USD", 99_899_500);
        balance(item, ChangeAction.UPDATE, "UnfilledBuys", "USD", 100_500);
        balance(item, ChangeAction.REMOVE, "Margin", "AUD", 0);
        assertEquals(4, item.size());

        final BalancesItem fresh = new BalancesItem("ALICE-1");
        balance(fresh, ChangeAction.UPDATE, "Stale", "USD", 1);
        final List<String> shape = replay(snapshotOf(item), fresh);

        assertEquals(List.of("Begin", "BalanceUpdate CLEAR", "BalanceUpdate UPDATE NetBalance USD",
            "BalanceUpdate UPDATE Trading USD", "BalanceUpdate UPDATE UnfilledBuys USD",
            "BalanceUpdate UPDATE NetBalance AUD", "End"), shape);
        final String full = full(item);
        assertEquals(full, full(fresh));
        assertEquals(4, fresh.size());
        assertNull(fresh.balance("Stale", "USD"));
        assertNull(fresh.balance("Margin", "AUD"));

        final JsonNode records = TestSession.JSON.readTree(full);
        assertEquals(5, records.size(), full);
        assertEquals("", records.get(0).get("Type").asText(), "the clear record");
        assertEquals("", records.get(0).get("Currency").asText());
        assertBalance(records.get(1), "NetBalance", "USD", "1000000.00");
        assertBalance(records.get(2), "Trading", "USD", "998995.00");
        assertBalance(records.get(3), "UnfilledBuys", "USD", "1005.00");
        assertBalance(records.get(4), "NetBalance", "AUD", "50.00");
    }

    @Test
    void emptyItemsSnapshotAsNothingButTheirClear() throws Exception
    {
        final OrdersItem orders = new OrdersItem("ALICE-2");
        final OrdersItem freshOrders = new OrdersItem("ALICE-2");
        order(freshOrders, ChangeAction.ADD, "S1", OrderStatus.Working, Side.BID, OrderType.Limit,
            Validity.UntilCancel, true, 1, 0, 1, 0, 0, 0, 0, 0, 1, 1, "ALICE-2", "XSX", "OLD", "XSX", "USD");
        assertEquals(List.of("Begin", "OrderUpdate CLEAR", "End"), replay(snapshotOf(orders), freshOrders));
        assertEquals(0, freshOrders.size());
        assertEquals("[{\"O\":\"C\",\"Account\":\"ALICE-2\"}]", full(freshOrders));

        final HoldingsItem holdings = new HoldingsItem("ALICE-2");
        assertEquals(List.of("Begin", "HoldingUpdate CLEAR", "End"), replay(snapshotOf(holdings),
            new HoldingsItem("ALICE-2")));

        final BalancesItem balances = new BalancesItem("ALICE-2");
        final BalancesItem freshBalances = new BalancesItem("ALICE-2");
        assertEquals(List.of("Begin", "BalanceUpdate CLEAR", "End"), replay(snapshotOf(balances), freshBalances));
        assertEquals(full(balances), full(freshBalances));

        final AccountsItem accounts = new AccountsItem("nobody");
        final AccountsItem freshAccounts = new AccountsItem("nobody");
        account(freshAccounts, ChangeAction.ADD, FeedStatus.Active, "STALE-1", "x", "USD");
        assertEquals(List.of("Begin", "End"), replay(snapshotOf(accounts), freshAccounts));
        assertEquals(0, freshAccounts.size());
        assertEquals("[]", full(freshAccounts));
    }

    // ------------------------------------------------------------------------------------------- upstream side

    private void account(
        final AccountsItem item,
        final ChangeAction action,
        final FeedStatus feedStatus,
        final String id,
        final String name,
        final String currency)
    {
        accountEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(1).seqNo(++upstreamSeqNo).action(action).feedStatus(feedStatus)
            .accountId(id).name(name).currency(currency);
        item.apply(accountDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder));
    }

    private void order(
        final OrdersItem item,
        final ChangeAction action,
        final String orderId,
        final OrderStatus status,
        final Side side,
        final OrderType orderType,
        final Validity validity,
        final boolean hasLimitPrice,
        final long limitMantissa,
        final int limitExponent,
        final long quantity,
        final long executed,
        final long averageMantissa,
        final int averageExponent,
        final long valueMantissa,
        final int valueExponent,
        final long createdMs,
        final long updatedMs,
        final String account,
        final String exchange,
        final String code,
        final String tradingMarket,
        final String currency)
    {
        final OrderUpdateEncoder encoder = orderEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(1).seqNo(++upstreamSeqNo).action(action).status(status).side(side).orderType(orderType)
            .validity(validity).hasLimitPrice(hasLimitPrice ? BooleanType.TRUE : BooleanType.FALSE);
        encoder.limitPrice().mantissa(limitMantissa).exponent((byte)limitExponent);
        encoder.quantity(quantity).executedQuantity(executed);
        encoder.averagePrice().mantissa(averageMantissa).exponent((byte)averageExponent);
        encoder.currentValue().mantissa(valueMantissa).exponent((byte)valueExponent);
        encoder.createdMs(createdMs).updatedMs(updatedMs).orderId(orderId).accountId(account).exchange(exchange)
            .code(code).tradingMarket(tradingMarket).currency(currency);
        item.apply(orderDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder));
    }

    private void orderClear(final OrdersItem item)
    {
        order(item, ChangeAction.CLEAR, "", OrderStatus.Working, Side.NONE, OrderType.Limit, Validity.UntilCancel,
            false, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, item.key, "", "", "", "");
    }

    private void holding(
        final HoldingsItem item,
        final ChangeAction action,
        final String exchange,
        final String code,
        final long totalQuantity,
        final long totalAvailable,
        final long averageMantissa,
        final long costMantissa,
        final String currency)
    {
        final HoldingUpdateEncoder encoder = holdingEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(1).seqNo(++upstreamSeqNo).action(action).totalQuantity(totalQuantity)
            .totalAvailable(totalAvailable);
        encoder.averagePrice().mantissa(averageMantissa).exponent((byte)-4);
        encoder.cost().mantissa(costMantissa).exponent((byte)-2);
        encoder.accountId(item.key).exchange(exchange).code(code).currency(currency);
        item.apply(holdingDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder));
    }

    private void balance(
        final BalancesItem item,
        final ChangeAction action,
        final String type,
        final String currency,
        final long cents)
    {
        final BalanceUpdateEncoder encoder = balanceEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(1).seqNo(++upstreamSeqNo).action(action);
        encoder.amount().mantissa(cents).exponent((byte)-2);
        encoder.accountId(item.key).balanceType(type).currency(currency);
        item.apply(balanceDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder));
    }

    // ------------------------------------------------------------------------------------------- snapshot side

    /**
     * @return a copy of every message of the item's snapshot, SnapshotBegin and SnapshotEnd included.
     */
    private List<byte[]> snapshotOf(final Item item)
    {
        final List<byte[]> messages = new ArrayList<>();
        writer.begin(
            (src, offset, length) ->
            {
                final byte[] copy = new byte[length];
                src.getBytes(offset, copy);
                messages.add(copy);
                return true;
            },
            ITEM_ID,
            SNAPSHOT_SEQ_NO);
        item.writeSnapshot(writer);
        final int beforeEnd = writer.messages();
        assertTrue(writer.end(), "every message was taken");
        assertEquals(beforeEnd + 1, messages.size());
        return messages;
    }

    /**
     * Apply a captured snapshot to an item as the engine applies an upstream one.
     *
     * @return what each message was, in order.
     */
    private List<String> replay(final List<byte[]> messages, final Item fresh)
    {
        final List<String> shape = new ArrayList<>();
        for (final byte[] message : messages)
        {
            final UnsafeBuffer in = new UnsafeBuffer(message);
            headerDecoder.wrap(in, 0);
            final int templateId = headerDecoder.templateId();
            if (SnapshotBeginDecoder.TEMPLATE_ID == templateId)
            {
                beginDecoder.wrapAndApplyHeader(in, 0, headerDecoder);
                assertIds(beginDecoder.itemId(), beginDecoder.seqNo());
                fresh.inSnapshot = true;
                fresh.clearState();
                shape.add("Begin");
            }
            else if (SnapshotEndDecoder.TEMPLATE_ID == templateId)
            {
                endDecoder.wrapAndApplyHeader(in, 0, headerDecoder);
                assertIds(endDecoder.itemId(), endDecoder.seqNo());
                assertTrue(fresh.inSnapshot, "SnapshotEnd after SnapshotBegin");
                fresh.inSnapshot = false;
                shape.add("End");
            }
            else if (AccountUpdateDecoder.TEMPLATE_ID == templateId)
            {
                final AccountUpdateDecoder decoder = accountDecoder.wrapAndApplyHeader(in, 0, headerDecoder);
                assertIds(decoder.itemId(), decoder.seqNo());
                assertComplete(decoder.sbeDecodedLength(), message.length);
                final AccountsItem.Account account = ((AccountsItem)fresh).apply(decoder);
                shape.add("AccountUpdate " + decoder.action() + (null == account ? "" : " " + account.id));
            }
            else if (OrderUpdateDecoder.TEMPLATE_ID == templateId)
            {
                final OrderUpdateDecoder decoder = orderDecoder.wrapAndApplyHeader(in, 0, headerDecoder);
                assertIds(decoder.itemId(), decoder.seqNo());
                assertComplete(decoder.sbeDecodedLength(), message.length);
                final OrdersItem.Order order = ((OrdersItem)fresh).apply(decoder);
                shape.add("OrderUpdate " + decoder.action() + (null == order ? "" : " " + order.id));
            }
            else if (HoldingUpdateDecoder.TEMPLATE_ID == templateId)
            {
                final HoldingUpdateDecoder decoder = holdingDecoder.wrapAndApplyHeader(in, 0, headerDecoder);
                assertIds(decoder.itemId(), decoder.seqNo());
                assertComplete(decoder.sbeDecodedLength(), message.length);
                final HoldingsItem.Holding holding = ((HoldingsItem)fresh).apply(decoder);
                shape.add("HoldingUpdate " + decoder.action() +
                    (null == holding ? "" : " " + holding.code + '.' + holding.exchange));
            }
            else if (BalanceUpdateDecoder.TEMPLATE_ID == templateId)
            {
                final BalanceUpdateDecoder decoder = balanceDecoder.wrapAndApplyHeader(in, 0, headerDecoder);
                assertIds(decoder.itemId(), decoder.seqNo());
                assertComplete(decoder.sbeDecodedLength(), message.length);
                final BalancesItem.Balance balance = ((BalancesItem)fresh).apply(decoder);
                shape.add("BalanceUpdate " + decoder.action() +
                    (null == balance ? "" : " " + balance.type + ' ' + balance.currency));
            }
            else
            {
                fail("unexpected template " + templateId);
            }
        }
        return shape;
    }

    private static void assertIds(final long itemId, final long seqNo)
    {
        assertEquals(ITEM_ID, itemId);
        assertEquals(SNAPSHOT_SEQ_NO, seqNo);
    }

    /**
     * The message holds its variable-length fields exactly, as the engine's length check wants.
     */
    private static void assertComplete(final int decodedLength, final int messageLength)
    {
        assertEquals(messageLength - MessageHeaderEncoder.ENCODED_LENGTH, decodedLength);
    }

    // ------------------------------------------------------------------------------------------- reading

    private static String full(final Item item)
    {
        final JsonWriter json = new JsonWriter();
        item.writeFull(json);
        return json.toString();
    }

    private static String fullOperations(final AccountsItem item)
    {
        final JsonWriter json = new JsonWriter();
        item.writeFullOperations(json);
        return json.toString();
    }

    private static JsonNode added(final JsonNode change, final String member)
    {
        assertEquals("A", change.get("O").asText(), change.toString());
        final JsonNode entry = change.get(member);
        assertNotNull(entry, change.toString());
        return entry;
    }

    private static void assertDecimal(final String expected, final JsonNode actual)
    {
        assertNotNull(actual);
        assertTrue(actual.isNumber(), actual.toString());
        assertEquals(0, new BigDecimal(expected).compareTo(actual.decimalValue()), expected + " vs " + actual);
    }

    private static void assertAccount(
        final JsonNode account, final String id, final String name, final String feed, final String currency)
    {
        assertEquals(id, account.get("ID").asText());
        assertEquals(name, account.get("Name").asText());
        assertEquals(feed, account.get("Feed").asText());
        assertEquals(AccountsItem.PROVIDER, account.get("Provider").asText());
        if (null == currency)
        {
            assertFalse(account.has("Currency"), account.toString());
        }
        else
        {
            assertEquals(currency, account.get("Currency").asText());
        }
    }

    private static void assertBalance(final JsonNode balance, final String type, final String currency,
        final String amount)
    {
        assertEquals("ALICE-1", balance.get("Account").asText());
        assertEquals(type, balance.get("Type").asText());
        assertEquals(currency, balance.get("Currency").asText());
        assertDecimal(amount, balance.get("Amount"));
    }

    private static void assertSameOrder(final OrdersItem.Order expected, final OrdersItem.Order actual)
    {
        assertNotNull(expected);
        assertNotNull(actual, expected.id);
        final String id = expected.id;
        assertEquals(expected.id, actual.id);
        assertEquals(expected.account, actual.account, id);
        assertEquals(expected.status, actual.status, id);
        assertEquals(expected.side, actual.side, id);
        assertEquals(expected.orderType, actual.orderType, id);
        assertEquals(expected.validity, actual.validity, id);
        assertEquals(expected.hasLimitPrice, actual.hasLimitPrice, id);
        assertEquals(expected.limitPriceMantissa, actual.limitPriceMantissa, id);
        assertEquals(expected.limitPriceExponent, actual.limitPriceExponent, id);
        assertEquals(expected.quantity, actual.quantity, id);
        assertEquals(expected.executedQuantity, actual.executedQuantity, id);
        assertEquals(expected.averagePriceMantissa, actual.averagePriceMantissa, id);
        assertEquals(expected.averagePriceExponent, actual.averagePriceExponent, id);
        assertEquals(expected.currentValueMantissa, actual.currentValueMantissa, id);
        assertEquals(expected.currentValueExponent, actual.currentValueExponent, id);
        assertEquals(expected.createdMs, actual.createdMs, id);
        assertEquals(expected.updatedMs, actual.updatedMs, id);
        assertEquals(expected.exchange, actual.exchange, id);
        assertEquals(expected.code, actual.code, id);
        assertEquals(expected.tradingMarket, actual.tradingMarket, id);
        assertEquals(expected.currency, actual.currency, id);
    }
}
