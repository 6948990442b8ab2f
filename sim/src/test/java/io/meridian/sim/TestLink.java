package io.meridian.sim;

import io.aeron.Aeron;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.meridian.codecs.InterlinkProtocol;
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
import io.meridian.codecs.interlink.UnsubscribeEncoder;
import io.meridian.codecs.interlink.WelcomeDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayDeque;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The downstream end of one interlink link, for tests: sends control messages with the generated encoders and decodes
 * what the Feed Server sends back into {@link Received} values.
 */
final class TestLink implements AutoCloseable
{
    static final long TIMEOUT_NS = 5_000_000_000L;

    /**
     * One decoded message; fields a message type does not have are 0 or null.
     */
    record Received(
        String type,
        long linkId,
        long requestId,
        long itemId,
        long seqNo,
        String status,
        String text,
        String reason,
        long presence,
        long cleared,
        long open,
        long close,
        long last,
        long bestBid,
        long bestAsk,
        String code,
        String market,
        int tradingDate,
        long timestampMs)
    {
        boolean is(final String messageType)
        {
            return type.equals(messageType);
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

    int drive()
    {
        return server.getAsInt() + data.poll(assembler, 64);
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
                received.add(new Received("Welcome", d.linkId(), 0, 0, 0, d.result().name(), d.serverName(),
                    d.reason(), 0, 0, 0, 0, 0, 0, 0, null, null, 0, d.heartbeatIntervalMs()));
                break;
            }
            case HeartbeatDecoder.TEMPLATE_ID:
            {
                final HeartbeatDecoder d = new HeartbeatDecoder().wrap(msgBuffer, body, blockLength, version);
                received.add(new Received("Heartbeat", d.linkId(), 0, 0, 0, null, null, null, 0, 0, 0, 0, 0, 0, 0,
                    null, null, 0, d.timestampMs()));
                break;
            }
            case SubscribeResultDecoder.TEMPLATE_ID:
            {
                final SubscribeResultDecoder d =
                    new SubscribeResultDecoder().wrap(msgBuffer, body, blockLength, version);
                received.add(new Received("SubscribeResult", d.linkId(), d.requestId(), d.itemId(), 0,
                    d.status().name(), null, d.reason(), 0, 0, 0, 0, 0, 0, 0, null, null, 0, 0));
                break;
            }
            case SnapshotBeginDecoder.TEMPLATE_ID:
            {
                final SnapshotBeginDecoder d = new SnapshotBeginDecoder().wrap(msgBuffer, body, blockLength, version);
                received.add(new Received("SnapshotBegin", 0, 0, d.itemId(), d.seqNo(), null, null, null, 0, 0, 0, 0,
                    0, 0, 0, null, null, 0, 0));
                break;
            }
            case SnapshotEndDecoder.TEMPLATE_ID:
            {
                final SnapshotEndDecoder d = new SnapshotEndDecoder().wrap(msgBuffer, body, blockLength, version);
                received.add(new Received("SnapshotEnd", 0, 0, d.itemId(), d.seqNo(), null, null, null, 0, 0, 0, 0,
                    0, 0, 0, null, null, 0, 0));
                break;
            }
            case MarketUpdateDecoder.TEMPLATE_ID:
            {
                final MarketUpdateDecoder d = new MarketUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                received.add(new Received("MarketUpdate", 0, 0, d.itemId(), d.seqNo(), d.feedStatus().name(),
                    d.tradingState().name(), null, 0, 0, 0, 0, 0, 0, 0, d.marketCode(), null, d.tradingDate(), 0));
                break;
            }
            case SecurityUpdateDecoder.TEMPLATE_ID:
            {
                final SecurityUpdateDecoder d = new SecurityUpdateDecoder().wrap(msgBuffer, body, blockLength, version);
                final long open = d.open().mantissa();
                final long close = d.closePrice().mantissa();
                final long last = d.last().mantissa();
                final long bestBid = d.bestBid().mantissa();
                final long bestAsk = d.bestAsk().mantissa();
                final long presence = d.presence();
                final long cleared = d.cleared();
                final String code = d.code();
                final String market = d.market();
                received.add(new Received("SecurityUpdate", 0, 0, d.itemId(), d.seqNo(), null, d.name(), null,
                    presence, cleared, open, close, last, bestBid, bestAsk, code, market, 0, 0));
                break;
            }
            default:
                fail("unexpected template " + headerDecoder.templateId());
        }
    }

    public void close()
    {
        CloseHelper.closeAll(control, data);
    }
}
