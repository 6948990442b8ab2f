package io.meridian.engine;

import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.OrderStatus;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.OrderUpdateDecoder;
import io.meridian.codecs.interlink.OrderUpdateEncoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.Validity;
import io.meridian.codecs.json.JsonWriter;


/**
 * The orders of one account (item key: the account id), rendered as the Zenith {@code Orders} data.
 */
final class OrdersItem extends AccountEntriesItem<OrdersItem.Order>
{
    /** One order, in the fields the Trading Agent sends. */
    static final class Order
    {
        final String id;
        String account;
        String status;
        String side;
        String orderType;
        String validity;
        boolean hasLimitPrice;
        long limitPriceMantissa;
        int limitPriceExponent;
        long quantity;
        long executedQuantity;
        long averagePriceMantissa;
        int averagePriceExponent;
        long currentValueMantissa;
        int currentValueExponent;
        long createdMs;
        long updatedMs;
        String exchange;
        String code;
        String tradingMarket;
        String currency;

        Order(final String id)
        {
            this.id = id;
        }
    }

    /**
     * @param account the account id, also the item key.
     */
    OrdersItem(final String account)
    {
        super(account, "Order");
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.ORDERS.value();
    }

    Order order(final String orderId)
    {
        return entries.get(orderId);
    }

    /**
     * Apply one change.
     *
     * @return the order added, updated or removed; null for a clear, or a removal of an unknown order.
     */
    Order apply(final OrderUpdateDecoder decoder)
    {
        final ChangeAction action = decoder.action();
        if (action == ChangeAction.CLEAR)
        {
            entries.clear();
            return null;
        }
        final io.meridian.codecs.interlink.OrderStatus status = decoder.status();
        final Side side = decoder.side();
        final io.meridian.codecs.interlink.OrderType orderType = decoder.orderType();
        final io.meridian.codecs.interlink.Validity validity = decoder.validity();
        final boolean hasLimitPrice = decoder.hasLimitPrice() == io.meridian.codecs.interlink.BooleanType.TRUE;
        final long limitMantissa = decoder.limitPrice().mantissa();
        final int limitExponent = decoder.limitPrice().exponent();
        final long quantity = decoder.quantity();
        final long executed = decoder.executedQuantity();
        final long averageMantissa = decoder.averagePrice().mantissa();
        final int averageExponent = decoder.averagePrice().exponent();
        final long valueMantissa = decoder.currentValue().mantissa();
        final int valueExponent = decoder.currentValue().exponent();
        final long createdMs = decoder.createdMs();
        final long updatedMs = decoder.updatedMs();
        final String orderId = decoder.orderId();
        final String account = decoder.accountId();
        final String exchange = decoder.exchange();
        final String code = decoder.code();
        final String tradingMarket = decoder.tradingMarket();
        final String currency = decoder.currency();
        if (action == ChangeAction.REMOVE)
        {
            return entries.remove(orderId);
        }
        final Order order = entries.computeIfAbsent(orderId, Order::new);
        order.account = account.isEmpty() ? key : account;
        order.status = status.name();
        order.side = side == Side.ASK ? "Ask" : "Bid";
        order.orderType = orderType.name();
        order.validity = validity.name();
        order.hasLimitPrice = hasLimitPrice;
        order.limitPriceMantissa = limitMantissa;
        order.limitPriceExponent = limitExponent;
        order.quantity = quantity;
        order.executedQuantity = executed;
        order.averagePriceMantissa = averageMantissa;
        order.averagePriceExponent = averageExponent;
        order.currentValueMantissa = valueMantissa;
        order.currentValueExponent = valueExponent;
        order.createdMs = createdMs;
        order.updatedMs = updatedMs;
        order.exchange = exchange;
        order.code = code;
        order.tradingMarket = tradingMarket.isEmpty() ? exchange : tradingMarket;
        order.currency = currency;
        return order;
    }

    /**
     * An OrderUpdate CLEAR: the account and no order, every other field zero or empty.
     */
    @Override
    void writeSnapshotClear(final SnapshotWriter writer)
    {
        final OrderUpdateEncoder encoder = writer.orderUpdate()
            .action(ChangeAction.CLEAR)
            .status(OrderStatus.Working)
            .side(Side.NONE)
            .orderType(OrderType.Limit)
            .validity(Validity.UntilCancel)
            .hasLimitPrice(BooleanType.FALSE);
        encoder.limitPrice().mantissa(0).exponent((byte)0);
        encoder.quantity(0).executedQuantity(0);
        encoder.averagePrice().mantissa(0).exponent((byte)0);
        encoder.currentValue().mantissa(0).exponent((byte)0);
        encoder.createdMs(0).updatedMs(0)
            .orderId("")
            .accountId(key)
            .exchange("")
            .code("")
            .tradingMarket("")
            .currency("");
        writer.send(encoder.encodedLength());
    }

    /**
     * An OrderUpdate ADD of the whole order. The enumerated fields are held as the names {@link #apply} took from
     * the codec's enums, so each maps back to the value it came from (a side other than ASK was held as Bid); the
     * limit and average prices go out as held even when the JSON leaves them out.
     */
    @Override
    void writeSnapshotEntry(final SnapshotWriter writer, final Order order)
    {
        final OrderUpdateEncoder encoder = writer.orderUpdate()
            .action(ChangeAction.ADD)
            .status(OrderStatus.valueOf(order.status))
            .side("Ask".equals(order.side) ? Side.ASK : Side.BID)
            .orderType(OrderType.valueOf(order.orderType))
            .validity(Validity.valueOf(order.validity))
            .hasLimitPrice(order.hasLimitPrice ? BooleanType.TRUE : BooleanType.FALSE);
        encoder.limitPrice().mantissa(order.limitPriceMantissa).exponent((byte)order.limitPriceExponent);
        encoder.quantity(order.quantity).executedQuantity(order.executedQuantity);
        encoder.averagePrice().mantissa(order.averagePriceMantissa).exponent((byte)order.averagePriceExponent);
        encoder.currentValue().mantissa(order.currentValueMantissa).exponent((byte)order.currentValueExponent);
        encoder.createdMs(order.createdMs).updatedMs(order.updatedMs)
            .orderId(order.id)
            .accountId(order.account)
            .exchange(order.exchange)
            .code(order.code)
            .tradingMarket(order.tradingMarket)
            .currency(order.currency);
        writer.send(encoder.encodedLength());
    }

    @Override
    void writeEntry(final JsonWriter writer, final Order order)
    {
        writeOrder(writer, order);
    }

    @Override
    void writeRemoved(final JsonWriter writer, final Order order)
    {
        writer.name("ID").string(order.id).name("Account").string(order.account);
    }

    /**
     * @param filter {@code [orderId]}: that order only.
     */
    @Override
    boolean matches(final Order order, final String[] filter)
    {
        return filter.length == 0 || null == filter[0] || filter[0].equals(order.id);
    }

    /**
     * An order as Zenith clients read it: every field Motif requires, dates in the extended ISO form.
     */
    static void writeOrder(final JsonWriter writer, final Order order)
    {
        writer.startObject()
            .name("ID").string(order.id)
            .name("Account").string(order.account)
            .name("Status").string(order.status)
            .name("Exchange").string(order.exchange)
            .name("TradingMarket").string(order.tradingMarket);
        if (!order.currency.isEmpty())
        {
            writer.name("Currency").string(order.currency);
        }
        writer.name("CurrentValue").decimal(order.currentValueMantissa, order.currentValueExponent)
            .name("CreatedDate").timestamp(order.createdMs)
            .name("UpdatedDate").timestamp(order.updatedMs)
            .name("Style").string("Market")
            .name("Details").startObject()
            .name("Exchange").string(order.exchange)
            .name("Code").string(order.code)
            .name("Side").string(order.side)
            .name("Style").string("Market")
            .name("Instructions").startArray().endArray()
            .name("Type").string(order.orderType);
        if (order.hasLimitPrice)
        {
            writer.name("LimitPrice").decimal(order.limitPriceMantissa, order.limitPriceExponent);
        }
        writer.name("Quantity").number(order.quantity)
            .name("Validity").string(order.validity)
            .endObject()
            .name("Route").startObject()
            .name("Algorithm").string("Market")
            .name("Market").string(order.tradingMarket)
            .endObject()
            .name("ExecutedQuantity").number(order.executedQuantity)
            .name("AveragePrice");
        if (order.executedQuantity > 0)
        {
            writer.decimal(order.averagePriceMantissa, order.averagePriceExponent);
        }
        else
        {
            writer.nullValue();
        }
        writer.endObject();
    }
}
