package io.meridian.sim;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.aeron.Aeron;
import io.aeron.Publication;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.interlink.HeartbeatEncoder;
import io.meridian.codecs.interlink.HelloDecoder;
import io.meridian.codecs.interlink.HelloEncoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.OrderRequestEncoder;
import io.meridian.codecs.interlink.OrderRequestKind;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.SubscribeEncoder;
import io.meridian.codecs.interlink.TradeHistoryRequestEncoder;
import io.meridian.codecs.interlink.UnsubscribeEncoder;
import io.meridian.codecs.interlink.Validity;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.CachedNanoClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static io.meridian.sim.SimTestBed.EPOCH_MS;
import static io.meridian.sim.SimTestBed.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Arbitrary bytes as one message on the control streams of the simulated Feed Server and Trading Agent, which read
 * what Meridian sends upstream. Nothing may escape a server's message handling (Aeron would catch it, log it and go
 * on); a message too short for its header or of
 * another schema is counted as malformed; and afterwards each server still answers a Subscribe from an open link.
 * <p>
 * Messages other than Hello are sent as from that open link (its id is written over theirs), so that the fuzzer
 * reaches what the servers do with a link's requests rather than stopping at the unknown-link check. A Hello opens a
 * publication to the channel it names, so Hellos all take one link id (each replaces the one before, closing its
 * publication), and an input naming any channel but plain {@code aeron:ipc} is not sent: a fuzz run must not open
 * network channels or large logs.
 */
class ControlStreamFuzzTest
{
    private static final int FEED_CONTROL_STREAM_ID = 1001;
    private static final int TRADING_CONTROL_STREAM_ID = 1003;
    private static final long FEED_LINK_ID = 7;
    private static final long TRADING_LINK_ID = 8;
    private static final long HELLO_LINK_ID = 99;
    private static final long TIMEOUT_NS = TimeUnit.SECONDS.toNanos(10);

    /** What escapes a fragment handler: Aeron catches it and hands it to the client's error handler. */
    private static final Queue<Throwable> ERRORS = new ConcurrentLinkedQueue<>();

    private static MediaDriver driver;
    private static Aeron aeron;
    private static FeedServer feedServer;
    private static TradingServer tradingServer;
    private static TestLink feedLink;
    private static TradingTestLink tradingLink;
    private static Publication feedControl;
    private static Publication tradingControl;
    private static long nextRequestId = 1L << 40;

    private final UnsafeBuffer message = new UnsafeBuffer(new byte[64 * 1024]);
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();

    @BeforeAll
    static void start()
    {
        final String dir = new File(System.getProperty("java.io.tmpdir"), "meridian-fuzz-" + UUID.randomUUID())
            .getPath();
        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .ipcTermBufferLength(64 * 1024)
            .publicationLingerTimeoutNs(TimeUnit.MILLISECONDS.toNanos(10))
            .threadingMode(ThreadingMode.SHARED));
        aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(dir).errorHandler(ERRORS::add));
        final CachedNanoClock nanoClock = new CachedNanoClock();
        final CachedEpochClock epochClock = new CachedEpochClock();
        // The clocks stand still: no link ever falls silent, so the open links stay open whatever is sent.
        nanoClock.update(1_000 * MS);
        epochClock.update(EPOCH_MS);
        feedServer = new FeedServer(new FeedServer.Context().aeron(aeron).nanoClock(nanoClock).epochClock(epochClock)
            .securities(5).updateRate(0).sessionSeconds(0));
        tradingServer = new TradingServer(new TradingServer.Context().aeron(aeron).nanoClock(nanoClock)
            .epochClock(epochClock), feedServer);
        feedLink = new TestLink(aeron, ControlStreamFuzzTest::drive, FEED_LINK_ID, "aeron:ipc", 2001);
        tradingLink = new TradingTestLink(aeron, ControlStreamFuzzTest::drive, TRADING_CONTROL_STREAM_ID,
            TRADING_LINK_ID, 2002);
        feedLink.hello("");
        assertEquals("ACCEPTED", feedLink.nextOfType("Welcome").status());
        tradingLink.hello("");
        assertEquals("ACCEPTED", tradingLink.nextOfType("Welcome").status());
        // The same publications as the links' own: a fuzzed message is read before the link's next request.
        feedControl = aeron.addPublication("aeron:ipc", FEED_CONTROL_STREAM_ID);
        tradingControl = aeron.addPublication("aeron:ipc", TRADING_CONTROL_STREAM_ID);
    }

    @AfterAll
    static void stop()
    {
        CloseHelper.quietCloseAll(feedControl, tradingControl, feedLink, tradingLink);
        if (null != tradingServer)
        {
            tradingServer.onClose();
        }
        if (null != feedServer)
        {
            feedServer.onClose();
        }
        CloseHelper.quietCloseAll(aeron, driver);
    }

    @MethodSource("seeds")
    @FuzzTest(maxDuration = "25s")
    void anyControlMessageIsHandledOrCountedAndTheServersGoOn(final byte[] input)
    {
        if (input.length > message.capacity() || namesAChannelOtherThanIpc(input))
        {
            return;
        }
        final boolean malformed = input.length < MessageHeaderDecoder.ENCODED_LENGTH ||
            header.wrap(new UnsafeBuffer(input), 0).schemaId() != MessageHeaderDecoder.SCHEMA_ID;
        final long feedMalformed = feedServer.malformedMessages();
        final long tradingMalformed = tradingServer.malformedMessages();

        send(feedControl, input, FEED_LINK_ID);
        send(tradingControl, input, TRADING_LINK_ID);

        final long feedRequest = nextRequestId++;
        feedLink.subscribe(feedRequest, ItemType.SECURITY, feedServer.securityKeys().get(0));
        final long feedItem = awaitSubscribed(feedLink, feedRequest);
        feedLink.unsubscribe(nextRequestId++, feedItem);
        final long tradingRequest = nextRequestId++;
        tradingLink.subscribe(tradingRequest, ItemType.ACCOUNTS, "alice");
        final long tradingItem = awaitSubscribed(tradingLink, tradingRequest);
        tradingLink.unsubscribe(nextRequestId++, tradingItem);

        final Throwable escaped = ERRORS.poll();
        if (null != escaped)
        {
            ERRORS.clear();
            fail("escaped a server's duty cycle", escaped);
        }
        if (malformed)
        {
            assertTrue(feedServer.malformedMessages() > feedMalformed, "counted by the Feed Server");
            assertTrue(tradingServer.malformedMessages() > tradingMalformed, "counted by the Trading Agent");
        }
    }

    /**
     * Valid control messages of every kind the servers read, as starting points.
     */
    static Stream<Arguments> seeds()
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final List<byte[]> messages = new ArrayList<>();
        messages.add(copy(buffer, new HelloEncoder().wrapAndApplyHeader(buffer, 0, header).linkId(HELLO_LINK_ID)
            .protocolVersion(InterlinkProtocol.PROTOCOL_VERSION).heartbeatIntervalMs(1000).responseStreamId(2099)
            .responseChannel("aeron:ipc").clientName("fuzz").serviceToken("").encodedLength()));
        messages.add(copy(buffer, new HeartbeatEncoder().wrapAndApplyHeader(buffer, 0, header).linkId(FEED_LINK_ID)
            .timestampMs(EPOCH_MS).encodedLength()));
        messages.add(copy(buffer, new SubscribeEncoder().wrapAndApplyHeader(buffer, 0, header).linkId(FEED_LINK_ID)
            .requestId(1).itemType(ItemType.DEPTH).itemKey("ALP.XSX").encodedLength()));
        messages.add(copy(buffer, new SubscribeEncoder().wrapAndApplyHeader(buffer, 0, header).linkId(FEED_LINK_ID)
            .requestId(2).itemType(ItemType.ORDERS).itemKey("ALICE-1").encodedLength()));
        messages.add(copy(buffer, new UnsubscribeEncoder().wrapAndApplyHeader(buffer, 0, header).linkId(FEED_LINK_ID)
            .requestId(3).itemId(1).encodedLength()));
        messages.add(copy(buffer, new TradeHistoryRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .linkId(FEED_LINK_ID).requestId(4).count(10).tradingDate(0).firstTradeId(0).lastTradeId(0)
            .itemKey("ALP.XSX").encodedLength()));
        final OrderRequestEncoder order = new OrderRequestEncoder().wrapAndApplyHeader(buffer, 0, header)
            .linkId(TRADING_LINK_ID).requestId(5).kind(OrderRequestKind.PLACE).side(Side.BID)
            .orderType(OrderType.Limit).validity(Validity.UntilCancel)
            .hasLimitPrice(io.meridian.codecs.interlink.BooleanType.TRUE).quantity(100);
        order.limitPrice().mantissa(1000).exponent((byte)-2);
        messages.add(copy(buffer, order.clientRequestId("c-1").user("alice").accountId("ALICE-1").orderId("")
            .destination("").exchange("XSX").code("ALP").tradingMarket("XSX").encodedLength()));
        // Found by fuzzing: Subscribes whose key length fields say 2 GiB and 4 GiB - 1 (read as -1).
        messages.add(Base64.getDecoder().decode("EQAKAIUcAQAHAAAbAAAAAABBTAAAAgAAV1dXV1dXV1dXV1dXV1dXV1dXV1dFLTE="));
        messages.add(Base64.getDecoder().decode("EQAKAIUcAQAHAAAAAP//////////////////////////////////////////////////" +
            "////////////AAAAAgAAAAAAAAAIBwAAAEFMSUNFLTE="));
        return messages.stream().map(bytes -> Arguments.of((Object)bytes));
    }

    private static byte[] copy(final DirectBuffer buffer, final int bodyLength)
    {
        final byte[] bytes = new byte[MessageHeaderEncoder.ENCODED_LENGTH + bodyLength];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /**
     * @return true if the input could name a channel a Hello would open a publication to, other than plain IPC.
     */
    private static boolean namesAChannelOtherThanIpc(final byte[] input)
    {
        final String text = new String(input, StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int at = text.indexOf("aeron");
        while (at >= 0)
        {
            if (!text.startsWith("aeron:ipc", at) || text.startsWith("?", at + "aeron:ipc".length()))
            {
                return true;
            }
            at = text.indexOf("aeron", at + 1);
        }
        return false;
    }

    private void send(final Publication control, final byte[] input, final long linkId)
    {
        message.putBytes(0, input);
        final int length = input.length;
        if (length >= MessageHeaderDecoder.ENCODED_LENGTH + Long.BYTES)
        {
            final boolean hello = header.wrap(message, 0).templateId() == HelloDecoder.TEMPLATE_ID;
            message.putLong(MessageHeaderDecoder.ENCODED_LENGTH, hello ? HELLO_LINK_ID : linkId);
        }
        final long deadline = System.nanoTime() + TIMEOUT_NS;
        while (control.offer(message, 0, length) < 0)
        {
            if (System.nanoTime() > deadline)
            {
                fail("control stream not writable");
            }
            drive();
            feedLink.poll();
            tradingLink.poll();
        }
    }

    private static <R extends InterlinkTestLink.Message> long awaitSubscribed(
        final InterlinkTestLink<R> link, final long requestId)
    {
        while (true)
        {
            final R received = link.next();
            if (received.is("SubscribeResult") && received.requestId() == requestId)
            {
                assertEquals("OK", received.status(), "the open link is still served");
                return received.itemId();
            }
        }
    }

    private static int drive()
    {
        return feedServer.doWork() + tradingServer.doWork();
    }
}
