package io.meridian.sim;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.interlink.AccountUpdateDecoder;
import io.meridian.codecs.interlink.BalanceUpdateDecoder;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.HeartbeatDecoder;
import io.meridian.codecs.interlink.HelloEncoder;
import io.meridian.codecs.interlink.HoldingUpdateDecoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.OrderRequestEncoder;
import io.meridian.codecs.interlink.OrderRequestKind;
import io.meridian.codecs.interlink.OrderResponseDecoder;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.OrderUpdateDecoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.SnapshotBeginDecoder;
import io.meridian.codecs.interlink.SnapshotEndDecoder;
import io.meridian.codecs.interlink.SubscribeEncoder;
import io.meridian.codecs.interlink.SubscribeResultDecoder;
import io.meridian.codecs.interlink.UnsubscribeEncoder;
import io.meridian.codecs.interlink.Validity;
import io.meridian.codecs.interlink.WelcomeDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayDeque;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The downstream end of one link to the Trading Server, for tests: sends control messages and order requests with
 * the generated encoders and decodes what comes back into {@link Received} values.
 */
final class TradingTestLink implements AutoCloseable
{
    static final long TIMEOUT_NS = 5_000_000_000L;

    /**
     * One decoded message; fields a message type does not have are 0, null or empty. Decimals are mantissas, with
     * their exponents where a test checks them.
     */
    static final class Received
    {
        final String type;
        int length;
        long linkId;
        long requestId;
        long itemId;
        long seqNo;
        String status;
        String reason;
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
            this.type = type;
        }

        boolean is(final String messageType)
        {
            return type.equals(messageType);
        }

        public String toString()
        {
            return type + "{item=" + itemId + ", seqNo=" + seqNo + ", action=" + action + ", status=" + status +
                ", order=" + orderId + ", account=" + accountId + ", code=" + code + ", type=" + balanceType +
                ", errors=" + errors + "}";
        }
    }

    final long linkId;
    final ArrayDeque<Received> received = new ArrayDeque<>();
    int longestMessage;
    private final String responseChannel;
    private final int responseStreamId;
    private final Publication control;
    private final Subscription data;
    private final IntSupplier server;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);

    TradingTestLink(
        final Aeron aeron,
        final IntSupplier server,
        final int controlStreamId,
        final long linkId,
        final int responseStreamId)
    {
        this.server = server;
        this.linkId = linkId;
        this.responseChannel = "aeron:ipc";
        this.responseStreamId = responseStreamId;
        control = aeron.addPublication("aeron:ipc", controlStreamId);
        data = aeron.addSubscription(responseChannel, responseStreamId);
    }

    void hello(final String serviceToken)
    {
        final HelloEncoder encoder = new HelloEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(linkId)
            .protocolVersion(InterlinkProtocol.PROTOCOL_VERSION)
            .heartbeatIntervalMs(1000)
            .responseStreamId(responseStreamId)
            .responseChannel(responseChannel)
            .clientName("trading-test-link")
            .serviceToken(serviceToken);
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
                fail("no message from the trading server within 5 s");
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

    int poll()
    {
        return data.poll(assembler, 64);
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
        longestMessage = Math.max(longestMessage, length);
        headerDecoder.wrap(msgBuffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final Received r;
        switch (headerDecoder.templateId())
        {
            case WelcomeDecoder.TEMPLATE_ID:
            {
                final WelcomeDecoder d = new WelcomeDecoder().wrap(msgBuffer, body, blockLength, version);
                r = new Received("Welcome");
                r.linkId = d.linkId();
                r.status = d.result().name();
                r.name = d.serverName();
                r.reason = d.reason();
                break;
            }
            case HeartbeatDecoder.TEMPLATE_ID:
            {
                final HeartbeatDecoder d = new HeartbeatDecoder().wrap(msgBuffer, body, blockLength, version);
                r = new Received("Heartbeat");
                r.linkId = d.linkId();
                break;
            }
            case SubscribeResultDecoder.TEMPLATE_ID:
            {
                final SubscribeResultDecoder d =
                    new SubscribeResultDecoder().wrap(msgBuffer, body, blockLength, version);
                r = new Received("SubscribeResult");
                r.linkId = d.linkId();
                r.requestId = d.requestId();
                r.itemId = d.itemId();
                r.status = d.status().name();
                r.reason = d.reason();
                break;
            }
            case SnapshotBeginDecoder.TEMPLATE_ID:
            {
                final SnapshotBeginDecoder d = new SnapshotBeginDecoder().wrap(msgBuffer, body, blockLength, version);
                r = new Received("SnapshotBegin");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                break;
            }
            case SnapshotEndDecoder.TEMPLATE_ID:
            {
                final SnapshotEndDecoder d = new SnapshotEndDecoder().wrap(msgBuffer, body, blockLength, version);
                r = new Received("SnapshotEnd");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                break;
            }
            case AccountUpdateDecoder.TEMPLATE_ID:
            {
                final AccountUpdateDecoder d = new AccountUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                r = new Received("AccountUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.action = d.action().name();
                r.status = d.feedStatus().name();
                r.accountId = d.accountId();
                r.name = d.name();
                r.currency = d.currency();
                break;
            }
            case OrderUpdateDecoder.TEMPLATE_ID:
            {
                final OrderUpdateDecoder d = new OrderUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                r = new Received("OrderUpdate");
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
                break;
            }
            case HoldingUpdateDecoder.TEMPLATE_ID:
            {
                final HoldingUpdateDecoder d = new HoldingUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                r = new Received("HoldingUpdate");
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
                break;
            }
            case BalanceUpdateDecoder.TEMPLATE_ID:
            {
                final BalanceUpdateDecoder d = new BalanceUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                r = new Received("BalanceUpdate");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                r.action = d.action().name();
                r.amount = d.amount().mantissa();
                r.amountExponent = d.amount().exponent();
                r.accountId = d.accountId();
                r.balanceType = d.balanceType();
                r.currency = d.currency();
                break;
            }
            case OrderResponseDecoder.TEMPLATE_ID:
            {
                final OrderResponseDecoder d = new OrderResponseDecoder().wrap(msgBuffer, body, blockLength, version);
                r = new Received("OrderResponse");
                r.linkId = d.linkId();
                r.requestId = d.requestId();
                r.status = d.result().name();
                r.clientRequestId = d.clientRequestId();
                r.orderId = d.orderId();
                r.accountId = d.accountId();
                r.errors = d.errors();
                break;
            }
            default:
                fail("unexpected template " + headerDecoder.templateId());
                return;
        }
        r.length = length;
        received.add(r);
    }

    public void close()
    {
        CloseHelper.closeAll(control, data);
    }
}
