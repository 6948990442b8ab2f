package io.meridian.sim;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.interlink.DecimalDecoder;
import io.meridian.codecs.interlink.DepthLevelUpdateDecoder;
import io.meridian.codecs.interlink.DepthOrderUpdateDecoder;
import io.meridian.codecs.interlink.HeartbeatDecoder;
import io.meridian.codecs.interlink.HeartbeatEncoder;
import io.meridian.codecs.interlink.HelloEncoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MarketUpdateDecoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SecurityUpdateDecoder;
import io.meridian.codecs.interlink.SnapshotBeginDecoder;
import io.meridian.codecs.interlink.SnapshotEndDecoder;
import io.meridian.codecs.interlink.SubscribeEncoder;
import io.meridian.codecs.interlink.SubscribeResultDecoder;
import io.meridian.codecs.interlink.SymbolUpdateDecoder;
import io.meridian.codecs.interlink.TradeHistoryRequestEncoder;
import io.meridian.codecs.interlink.TradeHistoryResponseDecoder;
import io.meridian.codecs.interlink.TradeUpdateDecoder;
import io.meridian.codecs.interlink.UnsubscribeEncoder;
import io.meridian.codecs.interlink.WelcomeDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The downstream end of one interlink link, for tests: sends control messages with the generated encoders and decodes
 * what the Feed Server sends back into {@link Received} values.
 */
final class TestLink implements AutoCloseable
{
    static final long TIMEOUT_NS = 5_000_000_000L;

    /**
     * One decoded message; fields a message type does not have are 0, null or empty. Prices and quantities are
     * mantissas; {@link #priceExponent} and {@link #quantityExponent} give their exponents where the message has them.
     */
    static final class Received
    {
        String type;
        long linkId;
        long requestId;
        long itemId;
        long seqNo;
        String status;
        String text;
        String reason;
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
        long timestampMs;

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
            this.type = type;
        }

        boolean is(final String messageType)
        {
            return type.equals(messageType);
        }

        String type()
        {
            return type;
        }

        long linkId()
        {
            return linkId;
        }

        long requestId()
        {
            return requestId;
        }

        long itemId()
        {
            return itemId;
        }

        long seqNo()
        {
            return seqNo;
        }

        String status()
        {
            return status;
        }

        String text()
        {
            return text;
        }

        String reason()
        {
            return reason;
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

        long timestampMs()
        {
            return timestampMs;
        }

        public String toString()
        {
            return type + "{item=" + itemId + ", seqNo=" + seqNo + ", action=" + action + ", side=" + side +
                ", orderId=" + orderId + ", levelId=" + levelId + ", tradeId=" + tradeId + ", status=" + status + "}";
        }
    }

    final long linkId;
    final String responseChannel;
    final int responseStreamId;
    final ArrayDeque<Received> received = new ArrayDeque<>();
    private final Publication control;
    private final Subscription data;
    private final IntSupplier server;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);

    TestLink(
        final Aeron aeron,
        final IntSupplier server,
        final long linkId,
        final String responseChannel,
        final int responseStreamId)
    {
        this.server = server;
        this.linkId = linkId;
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
        control = aeron.addPublication("aeron:ipc", 1001);
        data = aeron.addSubscription(responseChannel, responseStreamId);
    }

    void hello(final String serviceToken)
    {
        hello(InterlinkProtocol.PROTOCOL_VERSION, serviceToken);
    }

    void hello(final int protocolVersion, final String serviceToken)
    {
        final HelloEncoder encoder = new HelloEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .protocolVersion(protocolVersion)
            .heartbeatIntervalMs(1000)
            .responseStreamId(responseStreamId)
            .responseChannel(responseChannel)
            .clientName("test-link")
            .serviceToken(serviceToken);
        send(encoder.encodedLength());
    }

    void heartbeat()
    {
        final HeartbeatEncoder encoder = new HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .timestampMs(0);
        send(encoder.encodedLength());
    }

    void subscribe(final long requestId, final ItemType itemType, final String key)
    {
        final SubscribeEncoder encoder = new SubscribeEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .requestId(requestId)
            .itemType(itemType)
            .itemKey(key);
        send(encoder.encodedLength());
    }

    void unsubscribe(final long requestId, final long itemId)
    {
        final UnsubscribeEncoder encoder = new UnsubscribeEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .requestId(requestId)
            .itemId(itemId);
        send(encoder.encodedLength());
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

    /**
     * Poll replies, driving the server, until the next message that is not a Heartbeat.
     *
     * @return the message.
     */
    Received next()
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (true)
        {
            while (!received.isEmpty())
            {
                final Received message = received.poll();
                if (!message.is("Heartbeat"))
                {
                    return message;
                }
            }
            if (System.nanoTime() > deadline)
            {
                fail("no message from the feed server within 5 s");
            }
            drive();
        }
    }

    /**
     * Poll, driving the server, until a message of the type arrives; messages before it are dropped.
     *
     * @param type message type.
     * @return the message.
     */
    Received nextOfType(final String type)
    {
        while (true)
        {
            final Received message = next();
            if (message.is(type))
            {
                return message;
            }
        }
    }

    int drive()
    {
        return server.getAsInt() + poll();
    }

    /**
     * Read what has arrived without driving the server.
     *
     * @return fragments read.
     */
    int poll()
    {
        return data.poll(assembler, 64);
    }

    boolean isConnected()
    {
        return data.isConnected();
    }

    private void send(final int bodyLength)
    {
        final int length = MessageHeaderEncoder.ENCODED_LENGTH + bodyLength;
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (control.offer(buffer, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                fail("control stream not writable within 5 s");
            }
            drive();
        }
    }

    private void onFragment(final DirectBuffer msgBuffer, final int offset, final int length, final Header header)
    {
        headerDecoder.wrap(msgBuffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
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
                received.add(r);
                break;
            }
            case HeartbeatDecoder.TEMPLATE_ID:
            {
                final HeartbeatDecoder d = new HeartbeatDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("Heartbeat");
                r.linkId = d.linkId();
                r.timestampMs = d.timestampMs();
                received.add(r);
                break;
            }
            case SubscribeResultDecoder.TEMPLATE_ID:
            {
                final SubscribeResultDecoder d =
                    new SubscribeResultDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("SubscribeResult");
                r.linkId = d.linkId();
                r.requestId = d.requestId();
                r.itemId = d.itemId();
                r.status = d.status().name();
                r.reason = d.reason();
                received.add(r);
                break;
            }
            case SnapshotBeginDecoder.TEMPLATE_ID:
            {
                final SnapshotBeginDecoder d = new SnapshotBeginDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("SnapshotBegin");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                received.add(r);
                break;
            }
            case SnapshotEndDecoder.TEMPLATE_ID:
            {
                final SnapshotEndDecoder d = new SnapshotEndDecoder().wrap(msgBuffer, body, blockLength, version);
                final Received r = new Received("SnapshotEnd");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                received.add(r);
                break;
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
                received.add(r);
                break;
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
                r.count = d.numberOfTrades();
                r.lotSize = d.lotSize().mantissa();
                r.code = d.code();
                r.market = d.market();
                r.text = d.name();
                received.add(r);
                break;
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
                received.add(r);
                break;
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
                received.add(r);
                break;
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
                received.add(r);
                break;
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
                received.add(r);
                break;
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
                received.add(r);
                break;
            }
            default:
                fail("unexpected template " + headerDecoder.templateId());
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

    public void close()
    {
        CloseHelper.closeAll(control, data);
    }
}
