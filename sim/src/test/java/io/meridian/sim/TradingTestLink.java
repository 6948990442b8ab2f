package io.meridian.sim;

import io.aeron.Aeron;
import io.meridian.codecs.interlink.AccountUpdateDecoder;
import io.meridian.codecs.interlink.BalanceUpdateDecoder;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.HoldingUpdateDecoder;
import io.meridian.codecs.interlink.OrderRequestEncoder;
import io.meridian.codecs.interlink.OrderRequestKind;
import io.meridian.codecs.interlink.OrderResponseDecoder;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.OrderUpdateDecoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.Validity;
import io.meridian.codecs.interlink.WelcomeDecoder;
import org.agrona.DirectBuffer;

import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The downstream end of one link to the Trading Server, for tests: sends control messages and order requests with
 * the generated encoders and decodes what comes back into {@link Received} values.
 */
final class TradingTestLink extends InterlinkTestLink<TradingTestLink.Received>
{
    /**
     * One decoded message; fields a message type does not have are 0, null or empty. Decimals are mantissas, with
     * their exponents where a test checks them.
     */
    static final class Received extends InterlinkTestLink.Message
    {
        String action;
        String accountId;
        String name;
        String currency;
        String orderId;
        String side;
        String orderType;
        String validity;
        boolean hasLimitPrice;
        long limitPrice;
        long quantity;
        long executedQuantity;
        long averagePrice;
        int averagePriceExponent;
        long currentValue;
        long createdMs;
        long updatedMs;
        String exchange;
        String code;
        String tradingMarket;
        long totalAvailable;
        long cost;
        long amount;
        int amountExponent;
        String balanceType;
        String clientRequestId;
        String errors;

        Received(final String type)
        {
            super(type);
        }

        public String toString()
        {
            return type + "{item=" + itemId + ", seqNo=" + seqNo + ", action=" + action + ", status=" + status +
                ", order=" + orderId + ", account=" + accountId + ", code=" + code + ", type=" + balanceType +
                ", errors=" + errors + "}";
        }
    }

    TradingTestLink(
        final Aeron aeron,
        final IntSupplier server,
        final int controlStreamId,
        final long linkId,
        final int responseStreamId)
    {
        super(aeron, server, "trading server", "trading-test-link", controlStreamId, linkId, "aeron:ipc",
            responseStreamId);
    }

    /**
     * Send a day limit order, or, with a limit price of 0, a day market order.
     */
    void place(
        final long requestId,
        final String clientRequestId,
        final String user,
        final String accountId,
        final SimSecurity security,
        final Side side,
        final long limitPrice,
        final long quantity)
    {
        orderRequest(requestId, OrderRequestKind.PLACE, clientRequestId, user, accountId, "", "", security.market.code,
            security.code, side, 0 == limitPrice ? OrderType.Market : OrderType.Limit, limitPrice, quantity);
    }

    void orderRequest(
        final long requestId,
        final OrderRequestKind kind,
        final String clientRequestId,
        final String user,
        final String accountId,
        final String orderId,
        final String destination,
        final String exchange,
        final String code,
        final Side side,
        final OrderType orderType,
        final long limitPrice,
        final long quantity)
    {
        final OrderRequestEncoder encoder = new OrderRequestEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .requestId(requestId)
            .kind(kind)
            .side(side)
            .orderType(orderType)
            .validity(Validity.UntilDay)
            .hasLimitPrice(0 == limitPrice ? BooleanType.FALSE : BooleanType.TRUE);
        encoder.limitPrice().mantissa(limitPrice).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.quantity(quantity)
            .clientRequestId(clientRequestId)
            .user(user)
            .accountId(accountId)
            .orderId(orderId)
            .destination(destination)
            .exchange(exchange)
            .code(code)
            .tradingMarket("");
        send(encoder.encodedLength());
    }

    Received newMessage(final String type)
    {
        return new Received(type);
    }

    Received decode(
        final int templateId, final DirectBuffer msgBuffer, final int body, final int blockLength, final int version)
    {
        switch (templateId)
        {
            case WelcomeDecoder.TEMPLATE_ID:
            {
                final WelcomeDecoder d = new WelcomeDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("Welcome");
                r.linkId = d.linkId();
                r.status = d.result().name();
                r.name = d.serverName();
                r.reason = d.reason();
                return r;
            }
            case AccountUpdateDecoder.TEMPLATE_ID:
            {
                final AccountUpdateDecoder d = new AccountUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("AccountUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.action = d.action().name();
                r.status = d.feedStatus().name();
                r.accountId = d.accountId();
                r.name = d.name();
                r.currency = d.currency();
                return r;
            }
            case OrderUpdateDecoder.TEMPLATE_ID:
            {
                final OrderUpdateDecoder d = new OrderUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("OrderUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.action = d.action().name();
                r.status = d.status().name();
                r.side = d.side().name();
                r.orderType = d.orderType().name();
                r.validity = d.validity().name();
                r.hasLimitPrice = BooleanType.TRUE == d.hasLimitPrice();
                r.limitPrice = d.limitPrice().mantissa();
                r.quantity = d.quantity();
                r.executedQuantity = d.executedQuantity();
                r.averagePrice = d.averagePrice().mantissa();
                r.averagePriceExponent = d.averagePrice().exponent();
                r.currentValue = d.currentValue().mantissa();
                r.createdMs = d.createdMs();
                r.updatedMs = d.updatedMs();
                r.orderId = d.orderId();
                r.accountId = d.accountId();
                r.exchange = d.exchange();
                r.code = d.code();
                r.tradingMarket = d.tradingMarket();
                r.currency = d.currency();
                return r;
            }
            case HoldingUpdateDecoder.TEMPLATE_ID:
            {
                final HoldingUpdateDecoder d = new HoldingUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("HoldingUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.action = d.action().name();
                r.quantity = d.totalQuantity();
                r.totalAvailable = d.totalAvailable();
                r.averagePrice = d.averagePrice().mantissa();
                r.averagePriceExponent = d.averagePrice().exponent();
                r.cost = d.cost().mantissa();
                r.accountId = d.accountId();
                r.exchange = d.exchange();
                r.code = d.code();
                r.currency = d.currency();
                return r;
            }
            case BalanceUpdateDecoder.TEMPLATE_ID:
            {
                final BalanceUpdateDecoder d = new BalanceUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("BalanceUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.action = d.action().name();
                r.amount = d.amount().mantissa();
                r.amountExponent = d.amount().exponent();
                r.accountId = d.accountId();
                r.balanceType = d.balanceType();
                r.currency = d.currency();
                return r;
            }
            case OrderResponseDecoder.TEMPLATE_ID:
            {
                final OrderResponseDecoder d = new OrderResponseDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("OrderResponse");
                r.linkId = d.linkId();
                r.requestId = d.requestId();
                r.status = d.result().name();
                r.clientRequestId = d.clientRequestId();
                r.orderId = d.orderId();
                r.accountId = d.accountId();
                r.errors = d.errors();
                return r;
            }
            default:
                return fail("unexpected template " + templateId);
        }
    }
}
