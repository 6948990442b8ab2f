package io.meridian.engine;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Subscription;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.meridian.codecs.interlink.ItemStatusDecoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.interlink.SnapshotEndDecoder;
import io.meridian.codecs.interlink.SubscribeEncoder;
import io.meridian.codecs.interlink.SubscribeResultDecoder;
import io.meridian.codecs.interlink.UnsubscribeEncoder;
import io.meridian.codecs.interlink.WelcomeDecoder;
import org.agrona.CloseHelper;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.File;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The downstream server's shared stream on its own, over a real embedded media driver: ids and sequence numbers of
 * shared items, a second Subscribe for an item the link has, the counts when links let go, and an update the shared
 * publication does not take.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DownstreamServerSharedTest
{
    private static final int LINK_STREAM = 2001;
    private static final int SHARED_STREAM = 2002;
    private final EngineCounters counters = new EngineCounters();
    private final SecurityItem item = new SecurityItem("ALP.XSX");
    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final List<long[]> onLink = new ArrayList<>();
    private final List<long[]> onShared = new ArrayList<>();
    private MediaDriver driver;
    private Aeron aeron;
    private DownstreamServer server;
    private String sharedChannel;
    private String sharedControl;
    private Subscription linkData;
    private DownstreamLink link;
    private long clockMs = 1_000;

    @BeforeEach
    void setUp() throws Exception
    {
        final String dir = new File(System.getProperty("java.io.tmpdir"), "downstream-test-" + UUID.randomUUID())
            .getAbsolutePath();
        driver = MediaDriver.launchEmbedded(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ThreadingMode.SHARED)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir));
        sharedControl = "127.0.0.1:" + freeUdpPort();
        sharedChannel = "aeron:udp?control=" + sharedControl + "|control-mode=dynamic|fc=max";
        item.hasData = true;
        item.state = Item.State.LIVE;
        server = new DownstreamServer((type, key) -> item, counters);
        server.sharedPublication(aeron.addExclusivePublication(sharedChannel, SHARED_STREAM));
        linkData = aeron.addSubscription("aeron:ipc", LINK_STREAM);
        final ExclusivePublication publication = aeron.addExclusivePublication("aeron:ipc", LINK_STREAM);
        link = new DownstreamLink(7, publication, "b", "aeron:ipc", LINK_STREAM, true, clockMs);
        server.onLinkOpen(link);
        await(() -> link.welcomed, "the Welcome went out");
    }

    @AfterEach
    void tearDown()
    {
        CloseHelper.quietCloseAll(aeron, driver);
    }

    @Test
    void aSharedItemHasOneIdAndTheItemsOwnNumbersAndASecondSubscribeKeepsTheId() throws Exception
    {
        subscribe(1);
        final long itemId = awaitOnLink(SubscribeResultDecoder.TEMPLATE_ID, 1)[2];
        assertEquals(item.sharedId, itemId, "the item's shared id");
        assertEquals(1, awaitOnLink(SnapshotEndDecoder.TEMPLATE_ID, itemId)[2],
            "the item's first shared reader spends a number: none were given while it had none");
        assertEquals(1, item.sharedSubscribers);

        subscribe(2);
        assertEquals(itemId, awaitOnLink(SubscribeResultDecoder.TEMPLATE_ID, 2)[2], "asked again: the same id");
        assertEquals(1, awaitOnLink(SnapshotEndDecoder.TEMPLATE_ID, itemId)[2], "a replacement spends none");
        assertEquals(1, item.sharedSubscribers, "the second subscription took the first one's place");
        assertEquals(1, link.items.size());

        unsubscribe(itemId);
        assertEquals(0, item.sharedSubscribers);
        assertTrue(item.downstream.isEmpty());
    }

    @Test
    void anUpdateTheSharedPublicationDoesNotTakeSpendsItsNumberAndIsToldAfter() throws Exception
    {
        subscribe(1);
        final long itemId = awaitOnLink(SubscribeResultDecoder.TEMPLATE_ID, 1)[2];
        awaitOnLink(SnapshotEndDecoder.TEMPLATE_ID, itemId);

        // Nobody reads the shared stream yet: the publication takes nothing.
        server.forward(item, buffer, update());
        assertEquals(2, item.sharedSeqNo, "the number is spent");
        assertEquals(0, counters.downstreamSharedMessages());
        assertTrue(link.due.isEmpty(), "no snapshot is pushed on the link: the reader asks when it sees the gap");

        try (Subscription reader = aeron.addSubscription(
            "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort() + "|control=" + sharedControl, SHARED_STREAM))
        {
            await(() -> reader.isConnected(), "the reader joined");
            final long deadline = System.currentTimeMillis() + 5_000;
            while (onShared.stream().noneMatch(m -> m[0] == ItemStatusDecoder.TEMPLATE_ID))
            {
                assertTrue(System.currentTimeMillis() < deadline, "the item's number was never told: " + onShared);
                server.onTick(clockMs += 20);
                reader.poll((message, offset, length, frame) -> onShared.add(read(message, offset)), 10);
                Thread.yield();
            }
            final long[] status = onShared.stream().filter(m -> m[0] == ItemStatusDecoder.TEMPLATE_ID)
                .findFirst().orElseThrow();
            assertEquals(itemId, status[1]);
            assertEquals(2, status[2], "the spent number, so that a reader at 1 sees it missed one");
            assertFalse(item.sharedGapPending);
        }
    }

    /**
     * @return the length of an upstream update of the item, as the cache passes it on, written to the buffer.
     */
    private int update()
    {
        final SecurityUpdateEncoder update = new SecurityUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(99).seqNo(5).presence(0).cleared(0);
        update.code("").market("").name("").currency("").cfi("");
        return MessageHeaderEncoder.ENCODED_LENGTH + update.encodedLength();
    }

    private static int freeUdpPort() throws java.io.IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private void subscribe(final long requestId)
    {
        final int length = new SubscribeEncoder().wrapAndApplyHeader(buffer, 0, header).linkId(7)
            .requestId(requestId).itemType(ItemType.SECURITY).itemKey("ALP.XSX").encodedLength();
        assertTrue(server.onMessage(buffer, MessageHeaderEncoder.ENCODED_LENGTH + length));
    }

    private void unsubscribe(final long itemId)
    {
        final int length = new UnsubscribeEncoder().wrapAndApplyHeader(buffer, 0, header).linkId(7)
            .requestId(9).itemId(itemId).encodedLength();
        assertTrue(server.onMessage(buffer, MessageHeaderEncoder.ENCODED_LENGTH + length));
    }

    /**
     * @return {templateId, first long, second long} of the message; for a SubscribeResult the link id is skipped.
     */
    private long[] read(final org.agrona.DirectBuffer message, final int offset)
    {
        headerDecoder.wrap(message, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int skip = headerDecoder.templateId() == SubscribeResultDecoder.TEMPLATE_ID ? Long.BYTES : 0;
        final int templateId = headerDecoder.templateId();
        if (templateId == WelcomeDecoder.TEMPLATE_ID)
        {
            return new long[]{ templateId, 0, 0 };
        }
        return new long[]{ templateId, message.getLong(body + skip, MessageHeaderEncoder.BYTE_ORDER),
            message.getLong(body + skip + Long.BYTES, MessageHeaderEncoder.BYTE_ORDER) };
    }

    private long[] awaitOnLink(final int templateId, final long first)
    {
        final long deadline = System.currentTimeMillis() + 5_000;
        while (true)
        {
            for (int i = 0; i < onLink.size(); i++)
            {
                if (onLink.get(i)[0] == templateId && onLink.get(i)[1] == first)
                {
                    return onLink.remove(i);
                }
            }
            assertTrue(System.currentTimeMillis() < deadline, "no " + templateId + " for " + first);
            server.onTick(clockMs += 20);
            linkData.poll((message, offset, length, frame) -> onLink.add(read(message, offset)), 10);
            Thread.yield();
        }
    }

    private void await(final BooleanSupplier done, final String what)
    {
        final long deadline = System.currentTimeMillis() + 5_000;
        while (!done.getAsBoolean())
        {
            assertTrue(System.currentTimeMillis() < deadline, what);
            server.onTick(clockMs += 20);
            linkData.poll((message, offset, length, frame) -> onLink.add(read(message, offset)), 10);
            Thread.yield();
        }
    }
}
