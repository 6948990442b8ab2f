package io.meridian.sim;

import io.aeron.Aeron;
import io.meridian.codecs.interlink.DecimalDecoder;
import io.meridian.codecs.interlink.DepthLevelUpdateDecoder;
import io.meridian.codecs.interlink.DepthOrderUpdateDecoder;
import io.meridian.codecs.interlink.MarketUpdateDecoder;
import io.meridian.codecs.interlink.SecurityUpdateDecoder;
import io.meridian.codecs.interlink.SymbolUpdateDecoder;
import io.meridian.codecs.interlink.TradeHistoryRequestEncoder;
import io.meridian.codecs.interlink.TradeHistoryResponseDecoder;
import io.meridian.codecs.interlink.TradeUpdateDecoder;
import io.meridian.codecs.interlink.WelcomeDecoder;
import org.agrona.DirectBuffer;

import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The downstream end of one interlink link, for tests: sends control messages with the generated encoders and decodes
 * what the Feed Server sends back into {@link Received} values.
 */
final class TestLink extends InterlinkTestLink<TestLink.Received>
{
    /**
     * One decoded message; fields a message type does not have are 0, null or empty. Prices and quantities are
     * mantissas; {@link #priceExponent} and {@link #quantityExponent} give their exponents where the message has them.
     */
    static final class Received extends InterlinkTestLink.Message
    {
        String text;
        long presence;
        long cleared;
        long open;
        long close;
        long last;
        long bestBid;
        long bestAsk;
        String code;
        String market;
        int tradingDate;

        String action;
        String side;
        int fields;
        long orderId;
        long position;
        long price;
        long quantity;
        int priceExponent;
        int quantityExponent;
        long levelId;
        long volume;
        int count;
        long tradeId;
        long timeMs;
        long buyOrderId;
        long sellOrderId;
        long relatedTradeId;
        long valueTraded;
        int affects;
        int flags;
        String trend;
        String name;
        String cfi;
        String currency;
        String symbolClass;
        long lotSize;
        boolean lastMessage;
        final List<Received> trades = new ArrayList<>();

        Received(final String type)
        {
            super(type);
        }

        String text()
        {
            return text;
        }

        long presence()
        {
            return presence;
        }

        long cleared()
        {
            return cleared;
        }

        long open()
        {
            return open;
        }

        long close()
        {
            return close;
        }

        long last()
        {
            return last;
        }

        long bestBid()
        {
            return bestBid;
        }

        long bestAsk()
        {
            return bestAsk;
        }

        String code()
        {
            return code;
        }

        String market()
        {
            return market;
        }

        int tradingDate()
        {
            return tradingDate;
        }

        public String toString()
        {
            return type + "{item=" + itemId + ", seqNo=" + seqNo + ", action=" + action + ", side=" + side +
                ", orderId=" + orderId + ", levelId=" + levelId + ", tradeId=" + tradeId + ", status=" + status + "}";
        }
    }

    TestLink(
        final Aeron aeron,
        final IntSupplier server,
        final long linkId,
        final String responseChannel,
        final int responseStreamId)
    {
        super(aeron, server, "feed server", "test-link", 1001, linkId, responseChannel, responseStreamId);
    }

    void tradeHistory(
        final long requestId,
        final String key,
        final int count,
        final int tradingDate,
        final long firstTradeId,
        final long lastTradeId)
    {
        final TradeHistoryRequestEncoder encoder = new TradeHistoryRequestEncoder()
            .wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .requestId(requestId)
            .count(count)
            .tradingDate(tradingDate)
            .firstTradeId(firstTradeId)
            .lastTradeId(lastTradeId)
            .itemKey(key);
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
                r.timestampMs = d.heartbeatIntervalMs();
                r.text = d.serverName();
                r.reason = d.reason();
                return r;
            }
            case MarketUpdateDecoder.TEMPLATE_ID:
            {
                final MarketUpdateDecoder d = new MarketUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("MarketUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.status = d.feedStatus().name();
                r.text = d.tradingState().name();
                r.tradingDate = d.tradingDate();
                r.code = d.marketCode();
                return r;
            }
            case SecurityUpdateDecoder.TEMPLATE_ID:
            {
                final SecurityUpdateDecoder d = new SecurityUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("SecurityUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.presence = d.presence();
                r.cleared = d.cleared();
                r.status = d.tradingState().name();
                r.trend = d.trend().name();
                r.open = d.open().mantissa();
                r.close = d.closePrice().mantissa();
                r.last = d.last().mantissa();
                r.bestBid = d.bestBid().mantissa();
                r.bestAsk = d.bestAsk().mantissa();
                r.volume = d.volume().mantissa();
                r.valueTraded = d.valueTraded().mantissa();
                r.count = d.numberOfTrades();
                r.lotSize = d.lotSize().mantissa();
                r.code = d.code();
                r.market = d.market();
                r.text = d.name();
                return r;
            }
            case DepthOrderUpdateDecoder.TEMPLATE_ID:
            {
                final DepthOrderUpdateDecoder d =
                    new DepthOrderUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("DepthOrderUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.action = d.action().name();
                r.side = d.side().name();
                r.fields = d.fields().getRaw();
                r.orderId = d.orderId();
                r.position = d.position();
                price(r, d.price());
                quantity(r, d.quantity());
                return r;
            }
            case DepthLevelUpdateDecoder.TEMPLATE_ID:
            {
                final DepthLevelUpdateDecoder d =
                    new DepthLevelUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("DepthLevelUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.action = d.action().name();
                r.side = d.side().name();
                r.levelId = d.levelId();
                price(r, d.price());
                r.volume = d.volume().mantissa();
                r.quantityExponent = d.volume().exponent();
                r.count = d.count();
                assertEquals("FALSE", d.hasUndisclosed().name());
                return r;
            }
            case TradeUpdateDecoder.TEMPLATE_ID:
            {
                final TradeUpdateDecoder d = new TradeUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("TradeUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.action = d.action().name();
                r.side = d.side().name();
                r.trend = d.trend().name();
                r.flags = d.flags().getRaw();
                r.affects = d.affects().getRaw();
                r.tradeId = d.tradeId();
                r.timeMs = d.timeMs();
                price(r, d.price());
                quantity(r, d.quantity());
                r.buyOrderId = d.buyOrderId();
                r.sellOrderId = d.sellOrderId();
                r.relatedTradeId = d.relatedTradeId();
                return r;
            }
            case SymbolUpdateDecoder.TEMPLATE_ID:
            {
                final SymbolUpdateDecoder d = new SymbolUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("SymbolUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.action = d.action().name();
                r.symbolClass = d.symbolClass().name();
                r.lotSize = d.lotSize().mantissa();
                r.code = d.code();
                r.name = d.name();
                r.cfi = d.cfi();
                r.currency = d.currency();
                return r;
            }
            case TradeHistoryResponseDecoder.TEMPLATE_ID:
            {
                final TradeHistoryResponseDecoder d =
                    new TradeHistoryResponseDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("TradeHistoryResponse");
                r.linkId = d.linkId();
                r.requestId = d.requestId();
                r.status = d.status().name();
                r.lastMessage = "TRUE".equals(d.last().name());
                for (final TradeHistoryResponseDecoder.TradesDecoder t : d.trades())
                {
                    final Received trade = new Received("Trade");
                    trade.side = t.side().name();
                    trade.trend = t.trend().name();
                    trade.flags = t.flags().getRaw();
                    trade.affects = t.affects().getRaw();
                    trade.tradeId = t.tradeId();
                    trade.timeMs = t.timeMs();
                    price(trade, t.price());
                    quantity(trade, t.quantity());
                    trade.buyOrderId = t.buyOrderId();
                    trade.sellOrderId = t.sellOrderId();
                    trade.relatedTradeId = t.relatedTradeId();
                    r.trades.add(trade);
                }
                return r;
            }
            default:
                return fail("unexpected template " + templateId);
        }
    }

    private static void price(final Received r, final DecimalDecoder price)
    {
        r.price = price.mantissa();
        r.priceExponent = price.exponent();
    }

    private static void quantity(final Received r, final DecimalDecoder quantity)
    {
        r.quantity = quantity.mantissa();
        r.quantityExponent = quantity.exponent();
    }
}
