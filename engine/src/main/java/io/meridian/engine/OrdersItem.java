package io.meridian.engine;

import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.OrderUpdateDecoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.json.JsonWriter;

import java.util.LinkedHashMap;

/**
 * The orders of one account (item key: the account id), and their rendering as the Zenith {@code Orders} data:
 * changes with O-codes A, U (always the whole order, as clients parse an update like an add), R and C (with the
 * account). Order traffic is light next to market data, so each order is an object updated in place.
 */
final class OrdersItem extends Item
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

    private final LinkedHashMap<String, Order> orders = new LinkedHashMap<>();

    /**
     * @param account the account id, also the item key.
     */
    OrdersItem(final String account)
    {
        super(account);
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.ORDERS.value();
    }

    @Override
    void clearState()
    {
        orders.clear();
    }

    Order order(final String orderId)
    {
        return orders.get(orderId);
    }

    int size()
    {
        return orders.size();
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
            orders.clear();
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
            return orders.remove(orderId);
        }
        final Order order = orders.computeIfAbsent(orderId, Order::new);
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
     * The whole list: a clear naming the account, then an add per order.
     */
    @Override
    void writeFull(final JsonWriter writer)
    {
        writer.startArray();
        writer.startObject().name("O").string("C").name("Account").string(key).endObject();
        for (final Order order : orders.values())
        {
            writer.startObject().name("O").string("A").name("Order");
            writeOrder(writer, order);
            writer.endObject();
        }
        writer.endArray();
    }

    /**
     * The answer of {@code QueryOrders}: the orders themselves, not changes.
     */
    @Override
    void writeQueryAnswer(final JsonWriter writer)
    {
        writeQueryAnswer(writer, null);
    }

    /**
     * @param filter {@code [orderId]} to answer with that order only (an empty array if there is none), or null.
     */
    @Override
    void writeQueryAnswer(final JsonWriter writer, final String[] filter)
    {
        final String orderId = null == filter || filter.length == 0 ? null : filter[0];
        writer.startArray();
        for (final Order order : orders.values())
        {
            if (null == orderId || orderId.equals(order.id))
            {
                writeOrder(writer, order);
            }
        }
        writer.endArray();
    }

    /**
     * One change as an array of one.
     *
     * @param action what happened to the order.
     */
    void writeDelta(final JsonWriter writer, final ChangeAction action, final Order order)
    {
        writer.startArray().startObject();
        if (action == ChangeAction.CLEAR)
        {
            writer.name("O").string("C").name("Account").string(key);
        }
        else if (action == ChangeAction.REMOVE)
        {
            writer.name("O").string("R").name("Order").startObject()
                .name("ID").string(order.id).name("Account").string(order.account).endObject();
        }
        else
        {
            writer.name("O").string(action == ChangeAction.ADD ? "A" : "U").name("Order");
            writeOrder(writer, order);
        }
        writer.endObject().endArray();
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
