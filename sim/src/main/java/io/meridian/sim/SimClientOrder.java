package io.meridian.sim;

import io.meridian.codecs.interlink.OrderStatus;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.Validity;

import java.nio.charset.StandardCharsets;

/**
 * One order of a client of the {@link SimBroker}: what was asked, how much of it traded and at what value, and where
 * it is in its life. Prices are mantissas with {@link SimSecurity#PRICE_EXPONENT}, values with
 * {@link SimSecurity#VALUE_EXPONENT}; quantities are whole units.
 * <p>
 * While the order works, {@link #workingQuantity} of it rests in the book (or is being matched) and is reserved in its
 * account: cash at {@link #reservePrice} per unit for a buy, holding units for a sell. Only the broker changes it.
 */
final class SimClientOrder
{
    /** Exponent of {@link #averagePrice()}. */
    static final byte AVERAGE_PRICE_EXPONENT = SimSecurity.VWAP_EXPONENT;

    final String id;
    final byte[] idBytes;
    final SimSecurity security;
    final int side;
    final OrderType orderType;
    final Validity validity;
    final long createdMs;
    SimAccount account;
    OrderStatus status = OrderStatus.Working;
    boolean hasLimitPrice;
    long limitPrice;
    long quantity;
    long executedQuantity;
    long executedValue;
    long workingQuantity;
    long reservePrice;
    long bookOrderId;
    long updatedMs;
    boolean announced;
    boolean dirty;

    SimClientOrder(
        final String id,
        final SimAccount account,
        final SimSecurity security,
        final int side,
        final OrderType orderType,
        final Validity validity,
        final long quantity,
        final long createdMs)
    {
        this.id = id;
        this.idBytes = id.getBytes(StandardCharsets.US_ASCII);
        this.account = account;
        this.security = security;
        this.side = side;
        this.orderType = orderType;
        this.validity = validity;
        this.quantity = quantity;
        this.createdMs = createdMs;
        this.updatedMs = createdMs;
    }

    /**
     * @return true for a buy, false for a sell.
     */
    boolean isBuy()
    {
        return SimOrderBook.BID == side;
    }

    /**
     * @return true while the order may still trade: Working or PartiallyFilled.
     */
    boolean isWorking()
    {
        return OrderStatus.Working == status || OrderStatus.PartiallyFilled == status;
    }

    /**
     * @return executed value over executed quantity, rounded half up to {@link #AVERAGE_PRICE_EXPONENT}; 0 before
     * the first fill.
     */
    long averagePrice()
    {
        return 0 == executedQuantity ? 0 : SimSecurity.vwap(executedValue, executedQuantity);
    }

    /**
     * The order's value now, with {@link SimSecurity#VALUE_EXPONENT}: the value executed so far plus, while it works,
     * its working quantity at its limit price. A finished order is worth what it executed.
     *
     * @return the value.
     */
    long currentValue()
    {
        return executedValue + (isWorking() ? workingQuantity * limitPrice : 0);
    }

    /**
     * @return cash this order holds back from trading: its working quantity at its reserve price, for a buy.
     */
    long reservedCash()
    {
        return isBuy() ? workingQuantity * reservePrice : 0;
    }

    public String toString()
    {
        return "SimClientOrder{" + id + " " + account.id + " " + security.key + " " + (isBuy() ? "buy " : "sell ") +
            quantity + " " + orderType + (hasLimitPrice ? " @" + limitPrice : "") + " " + validity + " " + status +
            " executed=" + executedQuantity + " working=" + workingQuantity + "}";
    }
}
