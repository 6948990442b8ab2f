package io.meridian.sim;

import io.meridian.codecs.interlink.AccountUpdateEncoder;
import io.meridian.codecs.interlink.BalanceUpdateEncoder;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.HoldingUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.OrderResponseEncoder;
import io.meridian.codecs.interlink.OrderResult;
import io.meridian.codecs.interlink.OrderStatus;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.OrderUpdateEncoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.Validity;
import org.agrona.MutableDirectBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Encodes the trading messages of the Trading Agent (accounts, orders, holdings, balances and order responses) into a
 * buffer shared with the {@link FeedEncoder} that encodes its link messages; each method returns the encoded length,
 * header included, of the message now at the start of the buffer.
 * <p>
 * Every message stays within {@link io.meridian.codecs.InterlinkProtocol#MAX_MESSAGE_LENGTH}: what the broker keeps is
 * bounded when it is created, and the strings an order response echoes from its request are cut, at a character
 * boundary, to {@link #MAX_ECHO_BYTES}, as its errors are to {@link #MAX_ERRORS_BYTES}.
 */
final class TradingEncoder
{
    /** Most bytes of a string echoed from a request: the client request id and the account id. */
    static final int MAX_ECHO_BYTES = 200;
    /** Most bytes of an order id in an order response. */
    static final int MAX_ORDER_ID_BYTES = 64;
    /** Most bytes of the errors of an order response. */
    static final int MAX_ERRORS_BYTES = 400;

    private static final byte[] EMPTY = new byte[0];
    private static final byte[][] BALANCE_TYPE_BYTES = new byte[SimAccount.BALANCE_TYPES.size()][];

    static
    {
        for (int type = 0; type < BALANCE_TYPE_BYTES.length; type++)
        {
            BALANCE_TYPE_BYTES[type] = SimAccount.BALANCE_TYPES.get(type).getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final MutableDirectBuffer buffer;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final AccountUpdateEncoder accountEncoder = new AccountUpdateEncoder();
    private final OrderUpdateEncoder orderEncoder = new OrderUpdateEncoder();
    private final HoldingUpdateEncoder holdingEncoder = new HoldingUpdateEncoder();
    private final BalanceUpdateEncoder balanceEncoder = new BalanceUpdateEncoder();
    private final OrderResponseEncoder responseEncoder = new OrderResponseEncoder();

    /**
     * @param buffer where messages are encoded, from offset 0; at least
     *               {@link io.meridian.codecs.InterlinkProtocol#MAX_MESSAGE_LENGTH} long.
     */
    TradingEncoder(final MutableDirectBuffer buffer)
    {
        this.buffer = buffer;
    }

    int account(final long itemId, final long seqNo, final ChangeAction action, final SimAccount account)
    {
        accountEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(action)
            .feedStatus(FeedStatus.Active)
            .putAccountId(account.idBytes, 0, account.idBytes.length)
            .putName(account.nameBytes, 0, account.nameBytes.length)
            .putCurrency(SimSecurity.CURRENCY_BYTES, 0, SimSecurity.CURRENCY_BYTES.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + accountEncoder.encodedLength();
    }

    /**
     * @param accountIdBytes the account whose order list the message belongs to: for a REMOVE after a move, the one
     *                       the order left.
     */
    int order(
        final long itemId,
        final long seqNo,
        final ChangeAction action,
        final SimClientOrder order,
        final byte[] accountIdBytes)
    {
        final SimSecurity security = order.security;
        final OrderUpdateEncoder encoder = orderEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(action)
            .status(order.status)
            .side(order.isBuy() ? Side.BID : Side.ASK)
            .orderType(order.orderType)
            .validity(order.validity)
            .hasLimitPrice(order.hasLimitPrice ? BooleanType.TRUE : BooleanType.FALSE);
        encoder.limitPrice().mantissa(order.hasLimitPrice ? order.limitPrice : 0).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.quantity(order.quantity).executedQuantity(order.executedQuantity);
        encoder.averagePrice().mantissa(order.averagePrice()).exponent(SimClientOrder.AVERAGE_PRICE_EXPONENT);
        encoder.currentValue().mantissa(order.currentValue()).exponent(SimSecurity.VALUE_EXPONENT);
        encoder.createdMs(order.createdMs).updatedMs(order.updatedMs)
            .putOrderId(order.idBytes, 0, order.idBytes.length)
            .putAccountId(accountIdBytes, 0, accountIdBytes.length)
            .putExchange(security.market.codeBytes, 0, security.market.codeBytes.length)
            .putCode(security.codeBytes, 0, security.codeBytes.length)
            .putTradingMarket(security.market.codeBytes, 0, security.market.codeBytes.length)
            .putCurrency(SimSecurity.CURRENCY_BYTES, 0, SimSecurity.CURRENCY_BYTES.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    int orderClear(final long itemId, final long seqNo, final SimAccount account)
    {
        final OrderUpdateEncoder encoder = orderEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(ChangeAction.CLEAR)
            .status(OrderStatus.Working)
            .side(Side.NONE)
            .orderType(OrderType.Limit)
            .validity(Validity.UntilCancel)
            .hasLimitPrice(BooleanType.FALSE);
        encoder.limitPrice().mantissa(0).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.quantity(0).executedQuantity(0);
        encoder.averagePrice().mantissa(0).exponent(SimClientOrder.AVERAGE_PRICE_EXPONENT);
        encoder.currentValue().mantissa(0).exponent(SimSecurity.VALUE_EXPONENT);
        encoder.createdMs(0).updatedMs(0)
            .putOrderId(EMPTY, 0, 0)
            .putAccountId(account.idBytes, 0, account.idBytes.length)
            .putExchange(EMPTY, 0, 0)
            .putCode(EMPTY, 0, 0)
            .putTradingMarket(EMPTY, 0, 0)
            .putCurrency(EMPTY, 0, 0);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * @param action ADD or UPDATE carry the holding in full; REMOVE only its exchange and code.
     */
    int holding(final long itemId, final long seqNo, final ChangeAction action, final SimHolding holding)
    {
        final boolean full = ChangeAction.ADD == action || ChangeAction.UPDATE == action;
        final SimSecurity security = holding.security;
        final HoldingUpdateEncoder encoder = holdingEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(action)
            .totalQuantity(full ? holding.quantity : 0)
            .totalAvailable(full ? holding.available() : 0);
        encoder.averagePrice().mantissa(full ? holding.averagePrice() : 0).exponent(SimHolding.AVERAGE_PRICE_EXPONENT);
        encoder.cost().mantissa(full ? holding.cost : 0).exponent(SimSecurity.VALUE_EXPONENT);
        final byte[] accountId = holding.account.idBytes;
        encoder.putAccountId(accountId, 0, accountId.length)
            .putExchange(security.market.codeBytes, 0, security.market.codeBytes.length)
            .putCode(security.codeBytes, 0, security.codeBytes.length);
        if (full)
        {
            encoder.putCurrency(SimSecurity.CURRENCY_BYTES, 0, SimSecurity.CURRENCY_BYTES.length);
        }
        else
        {
            encoder.putCurrency(EMPTY, 0, 0);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    int holdingClear(final long itemId, final long seqNo, final SimAccount account)
    {
        final HoldingUpdateEncoder encoder = holdingEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(ChangeAction.CLEAR)
            .totalQuantity(0)
            .totalAvailable(0);
        encoder.averagePrice().mantissa(0).exponent(SimHolding.AVERAGE_PRICE_EXPONENT);
        encoder.cost().mantissa(0).exponent(SimSecurity.VALUE_EXPONENT);
        encoder.putAccountId(account.idBytes, 0, account.idBytes.length)
            .putExchange(EMPTY, 0, 0)
            .putCode(EMPTY, 0, 0)
            .putCurrency(EMPTY, 0, 0);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * @param type a {@link SimAccount#BALANCE_TYPES} index.
     */
    int balance(final long itemId, final long seqNo, final SimAccount account, final int type)
    {
        final BalanceUpdateEncoder encoder = balanceEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(ChangeAction.UPDATE);
        encoder.amount().mantissa(account.balance(type)).exponent(SimSecurity.VALUE_EXPONENT);
        encoder.putAccountId(account.idBytes, 0, account.idBytes.length)
            .putBalanceType(BALANCE_TYPE_BYTES[type], 0, BALANCE_TYPE_BYTES[type].length)
            .putCurrency(SimSecurity.CURRENCY_BYTES, 0, SimSecurity.CURRENCY_BYTES.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    int balanceClear(final long itemId, final long seqNo, final SimAccount account)
    {
        final BalanceUpdateEncoder encoder = balanceEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(ChangeAction.CLEAR);
        encoder.amount().mantissa(0).exponent(SimSecurity.VALUE_EXPONENT);
        encoder.putAccountId(account.idBytes, 0, account.idBytes.length)
            .putBalanceType(EMPTY, 0, 0)
            .putCurrency(EMPTY, 0, 0);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * @param errors error codes separated by newlines; cut at the last whole line within {@link #MAX_ERRORS_BYTES}.
     */
    int orderResponse(
        final long linkId,
        final long requestId,
        final OrderResult result,
        final String clientRequestId,
        final String orderId,
        final String accountId,
        final String errors)
    {
        final byte[] clientRequestIdBytes = utf8(clientRequestId, MAX_ECHO_BYTES);
        final byte[] orderIdBytes = utf8(orderId, MAX_ORDER_ID_BYTES);
        final byte[] accountIdBytes = utf8(accountId, MAX_ECHO_BYTES);
        final byte[] errorBytes = lines(errors, MAX_ERRORS_BYTES);
        responseEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .requestId(requestId)
            .result(result)
            .putClientRequestId(clientRequestIdBytes, 0, clientRequestIdBytes.length)
            .putOrderId(orderIdBytes, 0, orderIdBytes.length)
            .putAccountId(accountIdBytes, 0, accountIdBytes.length)
            .putErrors(errorBytes, 0, errorBytes.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + responseEncoder.encodedLength();
    }

    /**
     * @param text     any text.
     * @param maxBytes most bytes wanted.
     * @return its UTF-8 bytes, cut to at most {@code maxBytes} without splitting a character.
     */
    static byte[] utf8(final String text, final int maxBytes)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes)
        {
            return bytes;
        }
        int length = maxBytes;
        while (length > 0 && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }
        final byte[] cut = new byte[length];
        System.arraycopy(bytes, 0, cut, 0, length);
        return cut;
    }

    private static byte[] lines(final String text, final int maxBytes)
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= maxBytes)
        {
            return bytes;
        }
        int length = maxBytes;
        while (length > 0 && '\n' != bytes[length])
        {
            length--;
        }
        if (0 == length)
        {
            return utf8(text, maxBytes);
        }
        final byte[] cut = new byte[length];
        System.arraycopy(bytes, 0, cut, 0, length);
        return cut;
    }
}
