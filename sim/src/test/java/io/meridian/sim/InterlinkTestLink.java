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
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SnapshotBeginDecoder;
import io.meridian.codecs.interlink.SnapshotEndDecoder;
import io.meridian.codecs.interlink.SubscribeEncoder;
import io.meridian.codecs.interlink.SubscribeResultDecoder;
import io.meridian.codecs.interlink.UnsubscribeEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;

import java.util.ArrayDeque;
import java.util.function.IntSupplier;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The downstream end of one link to an interlink server, for tests: what every link does alike. It sends the link
 * protocol's control messages (Hello, Heartbeat, Subscribe, Unsubscribe) with the generated encoders, decodes the
 * protocol's own replies, and drives the server under test while it waits. A subclass sends its server's requests
 * with {@link #send} and decodes its server's messages, each into its own kind of {@link Message}.
 *
 * @param <R> the decoded message.
 */
abstract class InterlinkTestLink<R extends InterlinkTestLink.Message> implements AutoCloseable
{
    static final long TIMEOUT_NS = 5_000_000_000L;

    /**
     * One decoded message: the fields of the link protocol's own messages. Fields a message type does not have are
     * 0, null or empty.
     */
    static class Message
    {
        final String type;
        int length;
        long linkId;
        long requestId;
        long itemId;
        long seqNo;
        String status;
        String reason;
        long timestampMs;

        Message(final String type)
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

        String reason()
        {
            return reason;
        }

        long timestampMs()
        {
            return timestampMs;
        }
    }

    final long linkId;
    final String responseChannel;
    final int responseStreamId;
    final ArrayDeque<R> received = new ArrayDeque<>();
    final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer();
    final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    int longestMessage;
    private final String serverName;
    private final String clientName;
    private final Publication control;
    private final Subscription data;
    private final IntSupplier server;
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);

    /**
     * @param aeron            client for the control publication and the response subscription.
     * @param server           does one duty cycle of the server under test, and of any it depends on.
     * @param serverName       the server, for failure messages.
     * @param clientName       name given in Hello.
     * @param controlStreamId  stream id of the server's control stream, on IPC.
     * @param linkId           the link's id.
     * @param responseChannel  channel Hello names for the server's messages.
     * @param responseStreamId stream id Hello names for the server's messages.
     */
    InterlinkTestLink(
        final Aeron aeron,
        final IntSupplier server,
        final String serverName,
        final String clientName,
        final int controlStreamId,
        final long linkId,
        final String responseChannel,
        final int responseStreamId)
    {
        this.server = server;
        this.serverName = serverName;
        this.clientName = clientName;
        this.linkId = linkId;
        this.responseChannel = responseChannel;
        this.responseStreamId = responseStreamId;
        control = aeron.addPublication("aeron:ipc", controlStreamId);
        data = aeron.addSubscription(responseChannel, responseStreamId);
    }

    /**
     * @return a new message of the type, with the protocol's fields unset.
     */
    abstract R newMessage(String type);

    /**
     * Decode a message of the server's own, one that is not part of the link protocol; fail on one it does not know.
     *
     * @return the message.
     */
    abstract R decode(int templateId, DirectBuffer msgBuffer, int body, int blockLength, int version);

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
            .clientName(clientName)
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
    R next()
    {
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (true)
        {
            while (!received.isEmpty())
            {
                final R message = received.poll();
                if (!message.is("Heartbeat"))
                {
                    return message;
                }
            }
            if (System.nanoTime() > deadline)
            {
                fail("no message from the " + serverName + " within 5 s");
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
    R nextOfType(final String type)
    {
        while (true)
        {
            final R message = next();
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

    /**
     * Send the message encoded, after its header, at the start of {@link #buffer}, driving the server while the
     * control stream is full.
     */
    void send(final int bodyLength)
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

    public void close()
    {
        CloseHelper.closeAll(control, data);
    }

    private void onFragment(final DirectBuffer msgBuffer, final int offset, final int length, final Header header)
    {
        longestMessage = Math.max(longestMessage, length);
        headerDecoder.wrap(msgBuffer, offset);
        final int templateId = headerDecoder.templateId();
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final R r;
        switch (templateId)
        {
            case HeartbeatDecoder.TEMPLATE_ID:
            {
                final HeartbeatDecoder d = new HeartbeatDecoder().wrap(msgBuffer, body, blockLength, version);
                r = newMessage("Heartbeat");
                r.linkId = d.linkId();
                r.timestampMs = d.timestampMs();
                break;
            }
            case SubscribeResultDecoder.TEMPLATE_ID:
            {
                final SubscribeResultDecoder d =
                    new SubscribeResultDecoder().wrap(msgBuffer, body, blockLength, version);
                r = newMessage("SubscribeResult");
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
                r = newMessage("SnapshotBegin");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                break;
            }
            case SnapshotEndDecoder.TEMPLATE_ID:
            {
                final SnapshotEndDecoder d = new SnapshotEndDecoder().wrap(msgBuffer, body, blockLength, version);
                r = newMessage("SnapshotEnd");
                r.itemId = d.itemId();
                r.seqNo = d.seqNo();
                break;
            }
            default:
                r = decode(templateId, msgBuffer, body, blockLength, version);
                break;
        }
        r.length = length;
        received.add(r);
    }
}
