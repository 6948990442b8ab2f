package io.meridian.sim;

import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.DepthLevelUpdateEncoder;
import io.meridian.codecs.interlink.DepthOrderUpdateEncoder;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.HeartbeatEncoder;
import io.meridian.codecs.interlink.HelloResult;
import io.meridian.codecs.interlink.MarketUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SubscribeResultEncoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.SymbolClass;
import io.meridian.codecs.interlink.SymbolUpdateEncoder;
import io.meridian.codecs.interlink.TradeHistoryResponseEncoder;
import io.meridian.codecs.interlink.TradeUpdateEncoder;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import io.meridian.codecs.interlink.WelcomeEncoder;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Encodes every message the Feed Server sends into one reused buffer; each method returns the encoded length,
 * header included, of the message now at the start of {@link #buffer}.
 */
final class FeedEncoder
{
    static final int FIELD_PRICE = 1;
    static final int FIELD_POSITION = 1 << 1;
    static final int FIELD_QUANTITY = 1 << 2;
    static final int ALL_ORDER_FIELDS = FIELD_PRICE | FIELD_POSITION | FIELD_QUANTITY;
    static final int AFFECTS_PRICE = 1;
    static final int AFFECTS_VOLUME = 1 << 1;
    static final int AFFECTS_VWAP = 1 << 2;

    private static final byte[] EMPTY = new byte[0];

    final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(InterlinkProtocol.MAX_MESSAGE_LENGTH * 4));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final WelcomeEncoder welcomeEncoder = new WelcomeEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final SubscribeResultEncoder subscribeResultEncoder = new SubscribeResultEncoder();
    private final SnapshotBeginEncoder snapshotBeginEncoder = new SnapshotBeginEncoder();
    private final SnapshotEndEncoder snapshotEndEncoder = new SnapshotEndEncoder();
    private final MarketUpdateEncoder marketUpdateEncoder = new MarketUpdateEncoder();
    private final SecurityUpdateEncoder securityUpdateEncoder = new SecurityUpdateEncoder();
    private final DepthOrderUpdateEncoder depthOrderEncoder = new DepthOrderUpdateEncoder();
    private final DepthLevelUpdateEncoder depthLevelEncoder = new DepthLevelUpdateEncoder();
    private final TradeUpdateEncoder tradeEncoder = new TradeUpdateEncoder();
    private final SymbolUpdateEncoder symbolEncoder = new SymbolUpdateEncoder();
    private final TradeHistoryResponseEncoder historyEncoder = new TradeHistoryResponseEncoder();

    int welcome(
        final long linkId, final String rejectReason, final int heartbeatIntervalMs, final String serverName)
    {
        welcomeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .result(null == rejectReason ? HelloResult.ACCEPTED : HelloResult.REJECTED)
            .protocolVersion(InterlinkProtocol.PROTOCOL_VERSION)
            .heartbeatIntervalMs(heartbeatIntervalMs)
            .tradingStatus(FeedStatus.NULL_VAL)
            .shared(BooleanType.FALSE)
            .serverName(serverName)
            .reason(null == rejectReason ? "" : rejectReason);
        return MessageHeaderEncoder.ENCODED_LENGTH + welcomeEncoder.encodedLength();
    }

    int heartbeat(final long linkId, final long timestampMs)
    {
        // The simulator's services are the link's far end: their state is the link's, nothing to add.
        heartbeatEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).linkId(linkId).timestampMs(timestampMs)
            .tradingStatus(FeedStatus.NULL_VAL);
        return MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength();
    }

    int subscribeResult(
        final long linkId, final long requestId, final long itemId, final SubscribeStatus status, final String reason)
    {
        subscribeResultEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .requestId(requestId)
            .itemId(itemId)
            .status(status)
            .reason(reason);
        return MessageHeaderEncoder.ENCODED_LENGTH + subscribeResultEncoder.encodedLength();
    }

    int snapshotBegin(final long itemId, final long seqNo)
    {
        snapshotBeginEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).itemId(itemId).seqNo(seqNo);
        return MessageHeaderEncoder.ENCODED_LENGTH + snapshotBeginEncoder.encodedLength();
    }

    int snapshotEnd(final long itemId, final long seqNo)
    {
        snapshotEndEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).itemId(itemId).seqNo(seqNo);
        return MessageHeaderEncoder.ENCODED_LENGTH + snapshotEndEncoder.encodedLength();
    }

    int marketUpdate(final long itemId, final long seqNo, final SimMarket market, final int tradingDate)
    {
        marketUpdateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .feedStatus(FeedStatus.Active)
            .tradingState(market.state)
            .tradingDate(tradingDate)
            .putMarketCode(market.codeBytes, 0, market.codeBytes.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + marketUpdateEncoder.encodedLength();
    }

    int securityUpdate(
        final long itemId, final long seqNo, final SimSecurity security, final long presence, final long cleared)
    {
        final long[] v = security.values;
        final SecurityUpdateEncoder encoder = securityUpdateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .presence(presence)
            .cleared(cleared)
            .tradingState(TradingState.get((short)v[bit(SecurityFields.TRADING_STATE)]))
            .trend(Trend.get((short)v[bit(SecurityFields.TREND)]))
            .bidCount((int)v[bit(SecurityFields.BID_COUNT)])
            .askCount((int)v[bit(SecurityFields.ASK_COUNT)])
            .numberOfTrades((int)v[bit(SecurityFields.NUMBER_OF_TRADES)]);
        final byte price = SimSecurity.PRICE_EXPONENT;
        final byte quantity = SimSecurity.QUANTITY_EXPONENT;
        encoder.open().mantissa(v[bit(SecurityFields.OPEN)]).exponent(price);
        encoder.high().mantissa(v[bit(SecurityFields.HIGH)]).exponent(price);
        encoder.low().mantissa(v[bit(SecurityFields.LOW)]).exponent(price);
        encoder.closePrice().mantissa(v[bit(SecurityFields.CLOSE)]).exponent(price);
        encoder.last().mantissa(v[bit(SecurityFields.LAST)]).exponent(price);
        encoder.bestBid().mantissa(v[bit(SecurityFields.BEST_BID)]).exponent(price);
        encoder.bidQuantity().mantissa(v[bit(SecurityFields.BID_QUANTITY)]).exponent(quantity);
        encoder.bestAsk().mantissa(v[bit(SecurityFields.BEST_ASK)]).exponent(price);
        encoder.askQuantity().mantissa(v[bit(SecurityFields.ASK_QUANTITY)]).exponent(quantity);
        encoder.volume().mantissa(v[bit(SecurityFields.VOLUME)]).exponent(quantity);
        encoder.valueTraded().mantissa(v[bit(SecurityFields.VALUE_TRADED)]).exponent(SimSecurity.VALUE_EXPONENT);
        encoder.vwap().mantissa(v[bit(SecurityFields.VWAP)]).exponent(SimSecurity.VWAP_EXPONENT);
        encoder.lotSize().mantissa(v[bit(SecurityFields.LOT_SIZE)]).exponent(quantity);

        if (0 != (presence & SecurityFields.STATIC))
        {
            encoder.putCode(security.codeBytes, 0, security.codeBytes.length)
                .putMarket(security.market.codeBytes, 0, security.market.codeBytes.length)
                .putName(security.nameBytes, 0, security.nameBytes.length)
                .putCurrency(SimSecurity.CURRENCY_BYTES, 0, SimSecurity.CURRENCY_BYTES.length)
                .putCfi(SimSecurity.CFI_BYTES, 0, SimSecurity.CFI_BYTES.length);
        }
        else
        {
            encoder.putCode(EMPTY, 0, 0).putMarket(EMPTY, 0, 0).putName(EMPTY, 0, 0).putCurrency(EMPTY, 0, 0)
                .putCfi(EMPTY, 0, 0);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * @param side   {@link SimOrderBook#BID}, {@link SimOrderBook#ASK}, or -1 for none.
     * @param fields {@link #FIELD_PRICE}, {@link #FIELD_POSITION} and {@link #FIELD_QUANTITY} bits.
     */
    int depthOrder(
        final long itemId,
        final long seqNo,
        final ChangeAction action,
        final int side,
        final int fields,
        final long orderId,
        final long position,
        final long price,
        final long quantity)
    {
        final DepthOrderUpdateEncoder encoder = depthOrderEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(action)
            .side(side(side));
        encoder.fields().clear()
            .price(0 != (fields & FIELD_PRICE))
            .position(0 != (fields & FIELD_POSITION))
            .quantity(0 != (fields & FIELD_QUANTITY));
        encoder.orderId(orderId).position(position);
        encoder.price().mantissa(price).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.quantity().mantissa(quantity).exponent(SimSecurity.QUANTITY_EXPONENT);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * @param side {@link SimOrderBook#BID}, {@link SimOrderBook#ASK}, or -1 for none.
     */
    int depthLevel(
        final long itemId,
        final long seqNo,
        final ChangeAction action,
        final int side,
        final long levelId,
        final long price,
        final long volume,
        final int count)
    {
        final DepthLevelUpdateEncoder encoder = depthLevelEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(action)
            .side(side(side))
            .hasUndisclosed(BooleanType.FALSE)
            .levelId(levelId)
            .count(count);
        encoder.price().mantissa(price).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.volume().mantissa(volume).exponent(SimSecurity.QUANTITY_EXPONENT);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    int trade(final long itemId, final long seqNo, final SimTradeHistory trades, final long tradeId)
    {
        final long codes = trades.codes(tradeId);
        final TradeUpdateEncoder encoder = tradeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(ChangeAction.ADD)
            .side(side(SimTradeHistory.side(codes)))
            .trend(Trend.get((short)SimTradeHistory.trend(codes)));
        encoder.flags().clear();
        final int affects = SimTradeHistory.affects(codes);
        encoder.affects().clear()
            .price(0 != (affects & AFFECTS_PRICE))
            .volume(0 != (affects & AFFECTS_VOLUME))
            .vwap(0 != (affects & AFFECTS_VWAP));
        encoder.tradeId(tradeId).timeMs(trades.timeMs(tradeId));
        encoder.price().mantissa(trades.price(tradeId)).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.quantity().mantissa(trades.quantity(tradeId)).exponent(SimSecurity.QUANTITY_EXPONENT);
        encoder.buyOrderId(trades.buyOrderId(tradeId))
            .sellOrderId(trades.sellOrderId(tradeId))
            .relatedTradeId(0);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    int symbol(final long itemId, final long seqNo, final SimSecurity security)
    {
        final SymbolUpdateEncoder encoder = symbolEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(itemId)
            .seqNo(seqNo)
            .action(ChangeAction.ADD)
            .symbolClass(SymbolClass.Market);
        encoder.lotSize().mantissa(security.lotSize).exponent(SimSecurity.QUANTITY_EXPONENT);
        encoder.putCode(security.codeBytes, 0, security.codeBytes.length)
            .putName(security.nameBytes, 0, security.nameBytes.length)
            .putCfi(SimSecurity.CFI_BYTES, 0, SimSecurity.CFI_BYTES.length)
            .putCurrency(SimSecurity.CURRENCY_BYTES, 0, SimSecurity.CURRENCY_BYTES.length);
        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    /**
     * One message of a trade history answer.
     *
     * @param trades rows from {@link SimTradeHistory#copy}.
     * @param from   index of the first row of this message.
     * @param count  rows in this message.
     * @param last   whether this message ends the answer.
     */
    int tradeHistory(
        final long linkId,
        final long requestId,
        final SubscribeStatus status,
        final long[] trades,
        final int from,
        final int count,
        final boolean last)
    {
        historyEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .requestId(requestId)
            .status(status)
            .last(last ? BooleanType.TRUE : BooleanType.FALSE);
        final TradeHistoryResponseEncoder.TradesEncoder group = historyEncoder.tradesCount(count);
        for (int i = from; i < from + count; i++)
        {
            final int row = i * SimTradeHistory.ROW_STRIDE;
            final long codes = trades[row + SimTradeHistory.ROW_CODES];
            final int affects = SimTradeHistory.affects(codes);
            group.next()
                .side(side(SimTradeHistory.side(codes)))
                .trend(Trend.get((short)SimTradeHistory.trend(codes)));
            group.flags().clear();
            group.affects().clear()
                .price(0 != (affects & AFFECTS_PRICE))
                .volume(0 != (affects & AFFECTS_VOLUME))
                .vwap(0 != (affects & AFFECTS_VWAP));
            group.tradeId(trades[row + SimTradeHistory.ROW_TRADE_ID])
                .timeMs(trades[row + SimTradeHistory.ROW_TIME_MS]);
            group.price().mantissa(trades[row + SimTradeHistory.ROW_PRICE]).exponent(SimSecurity.PRICE_EXPONENT);
            group.quantity().mantissa(trades[row + SimTradeHistory.ROW_QUANTITY])
                .exponent(SimSecurity.QUANTITY_EXPONENT);
            group.buyOrderId(trades[row + SimTradeHistory.ROW_BUY_ORDER_ID])
                .sellOrderId(trades[row + SimTradeHistory.ROW_SELL_ORDER_ID])
                .relatedTradeId(0);
        }
        return MessageHeaderEncoder.ENCODED_LENGTH + historyEncoder.encodedLength();
    }

    private static Side side(final int side)
    {
        return SimOrderBook.BID == side ? Side.BID : SimOrderBook.ASK == side ? Side.ASK : Side.NONE;
    }

    private static int bit(final long field)
    {
        return Long.numberOfTrailingZeros(field);
    }
}
