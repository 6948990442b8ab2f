package io.meridian.sim;

import io.meridian.codecs.interlink.OrderRequestKind;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.Validity;

/**
 * A place, amend, cancel or move request for the {@link SimBroker}, as an interlink {@code OrderRequest} carries it.
 * Reusable: {@link #reset()} clears it, and the fluent setters fill it. An enum field the sender set to a value this
 * side does not know is null, and is then reported as invalid. Fields a kind does not use are ignored.
 */
final class SimBrokerRequest
{
    OrderRequestKind kind;
    String user = "";
    String accountId = "";
    String clientRequestId = "";
    String orderId = "";
    String destination = "";
    String exchange = "";
    String code = "";
    String tradingMarket = "";
    Side side;
    OrderType orderType;
    Validity validity;
    boolean hasLimitPrice;
    long limitMantissa;
    int limitExponent;
    long quantity;

    /**
     * Clear every field.
     *
     * @return this.
     */
    SimBrokerRequest reset()
    {
        kind = null;
        user = "";
        accountId = "";
        clientRequestId = "";
        orderId = "";
        destination = "";
        exchange = "";
        code = "";
        tradingMarket = "";
        side = null;
        orderType = null;
        validity = null;
        hasLimitPrice = false;
        limitMantissa = 0;
        limitExponent = 0;
        quantity = 0;
        return this;
    }

    /**
     * Start a place request: a day limit order unless changed.
     *
     * @param user      the requesting user.
     * @param accountId the account to trade in.
     * @return this.
     */
    SimBrokerRequest place(final String user, final String accountId)
    {
        reset();
        kind = OrderRequestKind.PLACE;
        this.user = user;
        this.accountId = accountId;
        orderType = OrderType.Limit;
        validity = Validity.UntilDay;
        return this;
    }

    /**
     * Start an amend request; fill in the new quantity and, to change it, the new limit price.
     *
     * @param user      the requesting user.
     * @param accountId the account of the order.
     * @param orderId   the order.
     * @return this.
     */
    SimBrokerRequest amend(final String user, final String accountId, final String orderId)
    {
        reset();
        kind = OrderRequestKind.AMEND;
        this.user = user;
        this.accountId = accountId;
        this.orderId = orderId;
        return this;
    }

    /**
     * Start a cancel request.
     *
     * @param user      the requesting user.
     * @param accountId the account of the order.
     * @param orderId   the order.
     * @return this.
     */
    SimBrokerRequest cancel(final String user, final String accountId, final String orderId)
    {
        reset();
        kind = OrderRequestKind.CANCEL;
        this.user = user;
        this.accountId = accountId;
        this.orderId = orderId;
        return this;
    }

    /**
     * Start a move request.
     *
     * @param user        the requesting user.
     * @param accountId   the account of the order.
     * @param orderId     the order.
     * @param destination the account to move it to.
     * @return this.
     */
    SimBrokerRequest move(final String user, final String accountId, final String orderId, final String destination)
    {
        reset();
        kind = OrderRequestKind.MOVE;
        this.user = user;
        this.accountId = accountId;
        this.orderId = orderId;
        this.destination = destination;
        return this;
    }

    /**
     * @param exchange market code.
     * @param code     security code.
     * @return this.
     */
    SimBrokerRequest security(final String exchange, final String code)
    {
        this.exchange = exchange;
        this.code = code;
        return this;
    }

    /**
     * @param security the security to trade.
     * @return this.
     */
    SimBrokerRequest security(final SimSecurity security)
    {
        return security(security.market.code, security.code);
    }

    SimBrokerRequest buy()
    {
        side = Side.BID;
        return this;
    }

    SimBrokerRequest sell()
    {
        side = Side.ASK;
        return this;
    }

    SimBrokerRequest side(final Side side)
    {
        this.side = side;
        return this;
    }

    SimBrokerRequest orderType(final OrderType orderType)
    {
        this.orderType = orderType;
        return this;
    }

    SimBrokerRequest validity(final Validity validity)
    {
        this.validity = validity;
        return this;
    }

    SimBrokerRequest quantity(final long quantity)
    {
        this.quantity = quantity;
        return this;
    }

    /**
     * @param mantissa limit price mantissa.
     * @param exponent limit price exponent.
     * @return this.
     */
    SimBrokerRequest limitPrice(final long mantissa, final int exponent)
    {
        hasLimitPrice = true;
        limitMantissa = mantissa;
        limitExponent = exponent;
        return this;
    }

    /**
     * @param price limit price mantissa with {@link SimSecurity#PRICE_EXPONENT}.
     * @return this.
     */
    SimBrokerRequest limitPrice(final long price)
    {
        return limitPrice(price, SimSecurity.PRICE_EXPONENT);
    }

    SimBrokerRequest noLimitPrice()
    {
        hasLimitPrice = false;
        limitMantissa = 0;
        limitExponent = 0;
        return this;
    }

    SimBrokerRequest clientRequestId(final String clientRequestId)
    {
        this.clientRequestId = clientRequestId;
        return this;
    }

    SimBrokerRequest tradingMarket(final String tradingMarket)
    {
        this.tradingMarket = tradingMarket;
        return this;
    }
}
