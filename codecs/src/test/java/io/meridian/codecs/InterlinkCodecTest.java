package io.meridian.codecs;

import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.DecimalDecoder;
import io.meridian.codecs.interlink.DecimalEncoder;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.HeartbeatDecoder;
import io.meridian.codecs.interlink.HeartbeatEncoder;
import io.meridian.codecs.interlink.HelloDecoder;
import io.meridian.codecs.interlink.HelloEncoder;
import io.meridian.codecs.interlink.HelloResult;
import io.meridian.codecs.interlink.ItemState;
import io.meridian.codecs.interlink.ItemStatusDecoder;
import io.meridian.codecs.interlink.ItemStatusEncoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MarketUpdateDecoder;
import io.meridian.codecs.interlink.MarketUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SecurityUpdateDecoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.interlink.SnapshotBeginDecoder;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndDecoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeEncoder;
import io.meridian.codecs.interlink.SubscribeResultDecoder;
import io.meridian.codecs.interlink.SubscribeResultEncoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import io.meridian.codecs.interlink.UnsubscribeDecoder;
import io.meridian.codecs.interlink.UnsubscribeEncoder;
import io.meridian.codecs.interlink.WelcomeDecoder;
import io.meridian.codecs.interlink.WelcomeEncoder;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every interlink message survives an encode and decode through the message header with every field intact.
 */
class InterlinkCodecTest
{
    /** Messages are written at a non-zero offset so that offset arithmetic mistakes show. */
    private static final int OFFSET = 24;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();

    @Test
    void headerCarriesSchemaIdAndVersion()
    {
        final HeartbeatEncoder encoder = new HeartbeatEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .linkId(1)
            .timestampMs(2);

        headerDecoder.wrap(buffer, OFFSET);
        assertEquals(7301, headerDecoder.schemaId());
        assertEquals(3, headerDecoder.version());
        assertEquals(7301, MessageHeaderDecoder.SCHEMA_ID);
        assertEquals(3, MessageHeaderDecoder.SCHEMA_VERSION);
        assertEquals(HeartbeatEncoder.TEMPLATE_ID, headerDecoder.templateId());
        assertEquals(encoder.sbeBlockLength(), headerDecoder.blockLength());
    }

    @Test
    void heartbeatCarriesTheTradingStatusAndAVersionOneHeartbeatReadsAsNotSaid()
    {
        new HeartbeatEncoder().wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .linkId(1).timestampMs(2).tradingStatus(FeedStatus.Impaired);
        final HeartbeatDecoder decoder = new HeartbeatDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertEquals(FeedStatus.Impaired, decoder.tradingStatus());

        // A sender of schema version 1: a 16-byte block with no status after it, whatever the next byte holds.
        headerEncoder.wrap(buffer, OFFSET).blockLength(16).templateId(HeartbeatEncoder.TEMPLATE_ID)
            .schemaId(HeartbeatEncoder.SCHEMA_ID).version(1);
        buffer.putByte(OFFSET + MessageHeaderEncoder.ENCODED_LENGTH + 16, (byte)4);
        final HeartbeatDecoder old = new HeartbeatDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertEquals(2, old.timestampMs());
        assertEquals(FeedStatus.NULL_VAL, old.tradingStatus());
    }

    @Test
    void helloAndWelcomeSayWhetherTheSharedStreamIsUsedAndOlderOnesReadAsNot()
    {
        new HelloEncoder().wrapAndApplyHeader(buffer, OFFSET, headerEncoder).linkId(1).protocolVersion(1)
            .heartbeatIntervalMs(1000).responseStreamId(1002).shared(BooleanType.TRUE)
            .responseChannel("aeron:udp?endpoint=10.0.0.7:40123").clientName("b").serviceToken("t");
        final HelloDecoder hello = new HelloDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertEquals(BooleanType.TRUE, hello.shared());
        assertEquals("aeron:udp?endpoint=10.0.0.7:40123", hello.responseChannel());

        // A sender of schema version 2: the block ends before the field, whatever the next byte holds.
        final int helloBlock = HelloEncoder.BLOCK_LENGTH - 1;
        new HelloEncoder().wrapAndApplyHeader(buffer, OFFSET, headerEncoder).linkId(1).protocolVersion(1)
            .heartbeatIntervalMs(1000).responseStreamId(1002);
        headerEncoder.wrap(buffer, OFFSET).blockLength(helloBlock).version(2);
        buffer.putByte(OFFSET + MessageHeaderEncoder.ENCODED_LENGTH + helloBlock, (byte)1);
        assertEquals(BooleanType.NULL_VAL, new HelloDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder)
            .shared());

        new WelcomeEncoder().wrapAndApplyHeader(buffer, OFFSET, headerEncoder).linkId(1)
            .result(HelloResult.ACCEPTED).protocolVersion(1).heartbeatIntervalMs(250)
            .tradingStatus(FeedStatus.Active).shared(BooleanType.TRUE).serverName("a").reason("");
        final WelcomeDecoder welcome = new WelcomeDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertEquals(BooleanType.TRUE, welcome.shared());
        assertEquals(FeedStatus.Active, welcome.tradingStatus());
        assertEquals("a", welcome.serverName());

        final int welcomeBlock = WelcomeEncoder.BLOCK_LENGTH - 1;
        headerEncoder.wrap(buffer, OFFSET).blockLength(welcomeBlock).version(2);
        buffer.putByte(OFFSET + MessageHeaderEncoder.ENCODED_LENGTH + welcomeBlock, (byte)1);
        final WelcomeDecoder older = new WelcomeDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertEquals(BooleanType.NULL_VAL, older.shared());
        assertEquals(FeedStatus.Active, older.tradingStatus(), "the version 2 field before it still reads");
    }

    @Test
    void helloRoundTrip()
    {
        final HelloEncoder encoder = new HelloEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .linkId(-4_611_686_018_427_387_904L)
            .protocolVersion(InterlinkProtocol.PROTOCOL_VERSION)
            .heartbeatIntervalMs(1000)
            .responseStreamId(1002)
            .responseChannel("aeron:udp?endpoint=10.0.0.7:40123|mtu=8k")
            .clientName("proxy-syd-1 Société Générale")
            .serviceToken("eyJhbGciOiJIUzI1NiJ9.e30.tok");

        final HelloDecoder decoder = new HelloDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertHeader(HelloDecoder.TEMPLATE_ID, HelloDecoder.BLOCK_LENGTH);
        assertEquals(-4_611_686_018_427_387_904L, decoder.linkId());
        assertEquals(InterlinkProtocol.PROTOCOL_VERSION, decoder.protocolVersion());
        assertEquals(1000, decoder.heartbeatIntervalMs());
        assertEquals(1002, decoder.responseStreamId());
        assertEquals("aeron:udp?endpoint=10.0.0.7:40123|mtu=8k", decoder.responseChannel());
        assertEquals("proxy-syd-1 Société Générale", decoder.clientName());
        assertEquals("eyJhbGciOiJIUzI1NiJ9.e30.tok", decoder.serviceToken());
        assertEquals(encoder.encodedLength(), decoder.encodedLength());
    }

    @Test
    void helloRoundTripWithEmptyVarFieldsAndMaximumUnsignedVersion()
    {
        final HelloEncoder encoder = new HelloEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .linkId(Long.MAX_VALUE)
            .protocolVersion(65_534)
            .heartbeatIntervalMs(Integer.MAX_VALUE)
            .responseStreamId(Integer.MIN_VALUE + 1)
            .responseChannel("")
            .clientName("")
            .serviceToken("");

        final HelloDecoder decoder = new HelloDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertEquals(Long.MAX_VALUE, decoder.linkId());
        assertEquals(65_534, decoder.protocolVersion());
        assertEquals(Integer.MAX_VALUE, decoder.heartbeatIntervalMs());
        assertEquals(Integer.MIN_VALUE + 1, decoder.responseStreamId());
        assertEquals("", decoder.responseChannel());
        assertEquals("", decoder.clientName());
        assertEquals("", decoder.serviceToken());
        assertEquals(encoder.encodedLength(), decoder.encodedLength());
    }

    @Test
    void welcomeRoundTrip()
    {
        for (final HelloResult result : new HelloResult[]{ HelloResult.ACCEPTED, HelloResult.REJECTED })
        {
            final WelcomeEncoder encoder = new WelcomeEncoder()
                .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
                .linkId(123_456_789_012L)
                .result(result)
                .protocolVersion(1)
                .heartbeatIntervalMs(250)
                .serverName("Feed Server — Zürich")
                .reason(HelloResult.REJECTED == result ? "bad service token" : "");

            final WelcomeDecoder decoder = new WelcomeDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
            assertHeader(WelcomeDecoder.TEMPLATE_ID, WelcomeDecoder.BLOCK_LENGTH);
            assertEquals(123_456_789_012L, decoder.linkId());
            assertEquals(result, decoder.result());
            assertEquals(1, decoder.protocolVersion());
            assertEquals(250, decoder.heartbeatIntervalMs());
            assertEquals("Feed Server — Zürich", decoder.serverName());
            assertEquals(HelloResult.REJECTED == result ? "bad service token" : "", decoder.reason());
            assertEquals(encoder.encodedLength(), decoder.encodedLength());
        }
    }

    @Test
    void heartbeatRoundTrip()
    {
        new HeartbeatEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .linkId(-1L)
            .timestampMs(1_700_000_000_123L);

        final HeartbeatDecoder decoder = new HeartbeatDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertHeader(HeartbeatDecoder.TEMPLATE_ID, HeartbeatDecoder.BLOCK_LENGTH);
        assertEquals(-1L, decoder.linkId());
        assertEquals(1_700_000_000_123L, decoder.timestampMs());
    }

    @Test
    void subscribeRoundTrip()
    {
        for (final ItemType itemType : new ItemType[]{ ItemType.MARKETS, ItemType.SECURITY })
        {
            final String key = ItemType.MARKETS == itemType ? InterlinkProtocol.MARKETS_KEY : "BHP.ASX";
            final SubscribeEncoder encoder = new SubscribeEncoder()
                .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
                .linkId(42)
                .requestId(9_000_000_001L)
                .itemType(itemType)
                .itemKey(key);

            final SubscribeDecoder decoder = new SubscribeDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
            assertHeader(SubscribeDecoder.TEMPLATE_ID, SubscribeDecoder.BLOCK_LENGTH);
            assertEquals(42, decoder.linkId());
            assertEquals(9_000_000_001L, decoder.requestId());
            assertEquals(itemType, decoder.itemType());
            assertEquals(key, decoder.itemKey());
            assertEquals(encoder.encodedLength(), decoder.encodedLength());
        }
    }

    @Test
    void unsubscribeRoundTrip()
    {
        new UnsubscribeEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .linkId(42)
            .requestId(7)
            .itemId(Long.MIN_VALUE + 1);

        final UnsubscribeDecoder decoder = new UnsubscribeDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertHeader(UnsubscribeDecoder.TEMPLATE_ID, UnsubscribeDecoder.BLOCK_LENGTH);
        assertEquals(42, decoder.linkId());
        assertEquals(7, decoder.requestId());
        assertEquals(Long.MIN_VALUE + 1, decoder.itemId());
    }

    @Test
    void subscribeResultRoundTripForEveryStatus()
    {
        for (final SubscribeStatus status : SubscribeStatus.values())
        {
            if (SubscribeStatus.NULL_VAL == status)
            {
                continue;
            }
            final String reason = SubscribeStatus.OK == status ? "" : "no such item: XYZ.ASX (" + status + ")";
            final SubscribeResultEncoder encoder = new SubscribeResultEncoder()
                .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
                .linkId(3)
                .requestId(4)
                .itemId(1001)
                .status(status)
                .reason(reason);

            final SubscribeResultDecoder decoder =
                new SubscribeResultDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
            assertHeader(SubscribeResultDecoder.TEMPLATE_ID, SubscribeResultDecoder.BLOCK_LENGTH);
            assertEquals(3, decoder.linkId());
            assertEquals(4, decoder.requestId());
            assertEquals(1001, decoder.itemId());
            assertEquals(status, decoder.status());
            assertEquals(reason, decoder.reason());
            assertEquals(encoder.encodedLength(), decoder.encodedLength());
        }
    }

    @Test
    void snapshotBeginRoundTrip()
    {
        new SnapshotBeginEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .itemId(1001)
            .seqNo(5_000_000_000L);

        final SnapshotBeginDecoder decoder =
            new SnapshotBeginDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertHeader(SnapshotBeginDecoder.TEMPLATE_ID, SnapshotBeginDecoder.BLOCK_LENGTH);
        assertEquals(1001, decoder.itemId());
        assertEquals(5_000_000_000L, decoder.seqNo());
    }

    @Test
    void snapshotEndRoundTrip()
    {
        new SnapshotEndEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .itemId(1002)
            .seqNo(5_000_000_001L);

        final SnapshotEndDecoder decoder = new SnapshotEndDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertHeader(SnapshotEndDecoder.TEMPLATE_ID, SnapshotEndDecoder.BLOCK_LENGTH);
        assertEquals(1002, decoder.itemId());
        assertEquals(5_000_000_001L, decoder.seqNo());
    }

    @Test
    void itemStatusRoundTripForEveryState()
    {
        for (final ItemState state : new ItemState[]{ ItemState.LIVE, ItemState.STALE, ItemState.CLOSED })
        {
            final ItemStatusEncoder encoder = new ItemStatusEncoder()
                .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
                .itemId(77)
                .seqNo(78)
                .state(state)
                .reason("upstream link lost: " + state);

            final ItemStatusDecoder decoder = new ItemStatusDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
            assertHeader(ItemStatusDecoder.TEMPLATE_ID, ItemStatusDecoder.BLOCK_LENGTH);
            assertEquals(77, decoder.itemId());
            assertEquals(78, decoder.seqNo());
            assertEquals(state, decoder.state());
            assertEquals("upstream link lost: " + state, decoder.reason());
            assertEquals(encoder.encodedLength(), decoder.encodedLength());
        }
    }

    @Test
    void marketUpdateRoundTrip()
    {
        final MarketUpdateEncoder encoder = new MarketUpdateEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .itemId(1)
            .seqNo(99)
            .feedStatus(FeedStatus.Impaired)
            .tradingState(TradingState.Suspended)
            .tradingDate(20_240_229)
            .marketCode("ASX");

        final MarketUpdateDecoder decoder = new MarketUpdateDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertHeader(MarketUpdateDecoder.TEMPLATE_ID, MarketUpdateDecoder.BLOCK_LENGTH);
        assertEquals(1, decoder.itemId());
        assertEquals(99, decoder.seqNo());
        assertEquals(FeedStatus.Impaired, decoder.feedStatus());
        assertEquals(TradingState.Suspended, decoder.tradingState());
        assertEquals(20_240_229, decoder.tradingDate());
        assertEquals("ASX", decoder.marketCode());
        assertEquals(encoder.encodedLength(), decoder.encodedLength());
    }

    @Test
    void securityUpdateRoundTripWithEveryField()
    {
        final ExpandableArrayBuffer securityBuffer = new ExpandableArrayBuffer(64);
        final long presence = SecurityFields.ALL;
        final long cleared = SecurityFields.BEST_BID | SecurityFields.BID_QUANTITY | SecurityFields.BID_COUNT;
        final Map<String, long[]> decimals = new LinkedHashMap<>();
        decimals.put("open", new long[]{ 4_512, -2 });
        decimals.put("high", new long[]{ 4_598, -2 });
        decimals.put("low", new long[]{ -4_401, -2 });
        decimals.put("closePrice", new long[]{ 4_455_000, -5 });
        decimals.put("last", new long[]{ -1, -127 });
        decimals.put("bestBid", new long[]{ Long.MIN_VALUE + 1, -18 });
        decimals.put("bidQuantity", new long[]{ 1_000, 0 });
        decimals.put("bestAsk", new long[]{ 4_513, -2 });
        decimals.put("askQuantity", new long[]{ 25, 3 });
        decimals.put("volume", new long[]{ Long.MAX_VALUE, -4 });
        decimals.put("valueTraded", new long[]{ -98_765_432_101L, -3 });
        decimals.put("vwap", new long[]{ 451_234, -4 });
        decimals.put("lotSize", new long[]{ 1, 127 });

        final SecurityUpdateEncoder encoder = new SecurityUpdateEncoder()
            .wrapAndApplyHeader(securityBuffer, OFFSET, headerEncoder)
            .itemId(1001)
            .seqNo(123_456)
            .presence(presence)
            .cleared(cleared)
            .tradingState(TradingState.PreOpen)
            .trend(Trend.Down);
        encodeDecimal(encoder.open(), decimals.get("open"));
        encodeDecimal(encoder.high(), decimals.get("high"));
        encodeDecimal(encoder.low(), decimals.get("low"));
        encodeDecimal(encoder.closePrice(), decimals.get("closePrice"));
        encodeDecimal(encoder.last(), decimals.get("last"));
        encodeDecimal(encoder.bestBid(), decimals.get("bestBid"));
        encodeDecimal(encoder.bidQuantity(), decimals.get("bidQuantity"));
        encoder.bidCount(-3);
        encodeDecimal(encoder.bestAsk(), decimals.get("bestAsk"));
        encodeDecimal(encoder.askQuantity(), decimals.get("askQuantity"));
        encoder.askCount(17);
        encoder.numberOfTrades(Integer.MAX_VALUE - 1);
        encodeDecimal(encoder.volume(), decimals.get("volume"));
        encodeDecimal(encoder.valueTraded(), decimals.get("valueTraded"));
        encodeDecimal(encoder.vwap(), decimals.get("vwap"));
        encodeDecimal(encoder.lotSize(), decimals.get("lotSize"));
        encoder
            .code("GLE")
            .market("XPAR")
            .name("Société Générale — Actions ordinaires ★")
            .currency("EUR")
            .cfi("ESVUFR");

        final SecurityUpdateDecoder decoder =
            new SecurityUpdateDecoder().wrapAndApplyHeader(securityBuffer, OFFSET, headerDecoder);
        assertEquals(SecurityUpdateDecoder.TEMPLATE_ID, headerDecoder.templateId());
        assertEquals(SecurityUpdateDecoder.BLOCK_LENGTH, headerDecoder.blockLength());
        assertEquals(1001, decoder.itemId());
        assertEquals(123_456, decoder.seqNo());
        assertEquals(presence, decoder.presence());
        assertEquals(cleared, decoder.cleared());
        assertEquals(TradingState.PreOpen, decoder.tradingState());
        assertEquals(Trend.Down, decoder.trend());
        assertDecimal("open", decimals, decoder.open());
        assertDecimal("high", decimals, decoder.high());
        assertDecimal("low", decimals, decoder.low());
        assertDecimal("closePrice", decimals, decoder.closePrice());
        assertDecimal("last", decimals, decoder.last());
        assertDecimal("bestBid", decimals, decoder.bestBid());
        assertDecimal("bidQuantity", decimals, decoder.bidQuantity());
        assertEquals(-3, decoder.bidCount());
        assertDecimal("bestAsk", decimals, decoder.bestAsk());
        assertDecimal("askQuantity", decimals, decoder.askQuantity());
        assertEquals(17, decoder.askCount());
        assertEquals(Integer.MAX_VALUE - 1, decoder.numberOfTrades());
        assertDecimal("volume", decimals, decoder.volume());
        assertDecimal("valueTraded", decimals, decoder.valueTraded());
        assertDecimal("vwap", decimals, decoder.vwap());
        assertDecimal("lotSize", decimals, decoder.lotSize());
        assertEquals("GLE", decoder.code());
        assertEquals("XPAR", decoder.market());
        assertEquals("Société Générale — Actions ordinaires ★", decoder.name());
        assertEquals("EUR", decoder.currency());
        assertEquals("ESVUFR", decoder.cfi());
        assertEquals(encoder.encodedLength(), decoder.encodedLength());
    }

    @Test
    void securityUpdateCarriesHighPresenceBitsOfTheUnsignedMask()
    {
        final long presence = SecurityFields.LAST | (1L << 63);
        final long cleared = -1L;
        new SecurityUpdateEncoder()
            .wrapAndApplyHeader(buffer, OFFSET, headerEncoder)
            .itemId(1)
            .seqNo(2)
            .presence(presence)
            .cleared(cleared)
            .tradingState(TradingState.Open)
            .trend(Trend.None)
            .code("")
            .market("")
            .name("")
            .currency("")
            .cfi("");

        final SecurityUpdateDecoder decoder =
            new SecurityUpdateDecoder().wrapAndApplyHeader(buffer, OFFSET, headerDecoder);
        assertEquals(presence, decoder.presence());
        assertEquals(cleared, decoder.cleared());
        assertEquals(TradingState.Open, decoder.tradingState());
        assertEquals(Trend.None, decoder.trend());
    }

    @Test
    void securityFieldsAllCoversEveryFieldBitAndNoTwoFieldsShareABit() throws IllegalAccessException
    {
        long union = 0;
        int count = 0;
        for (final Field field : SecurityFields.class.getDeclaredFields())
        {
            final int modifiers = field.getModifiers();
            if (!Modifier.isPublic(modifiers) || !Modifier.isStatic(modifiers) || !Modifier.isFinal(modifiers) ||
                long.class != field.getType() || "ALL".equals(field.getName()))
            {
                continue;
            }
            final long bit = field.getLong(null);
            assertEquals(1, Long.bitCount(bit), field.getName() + " must be a single bit");
            assertEquals(0, union & bit, field.getName() + " shares a bit with another field");
            assertNotEquals(0, SecurityFields.ALL & bit, field.getName() + " is not in ALL");
            union |= bit;
            count++;
        }

        assertTrue(count > 0);
        assertEquals(SecurityFields.ALL, union, "ALL must be exactly the union of the field bits");
        assertEquals(0, SecurityFields.ALL & (1L << 63), "ALL must not reach the sign bit");
    }

    private void assertHeader(final int templateId, final int blockLength)
    {
        assertEquals(templateId, headerDecoder.templateId());
        assertEquals(blockLength, headerDecoder.blockLength());
        assertEquals(MessageHeaderDecoder.SCHEMA_ID, headerDecoder.schemaId());
        assertEquals(MessageHeaderDecoder.SCHEMA_VERSION, headerDecoder.version());
    }

    private static void encodeDecimal(final DecimalEncoder encoder, final long[] value)
    {
        encoder.mantissa(value[0]).exponent((byte)value[1]);
    }

    private static void assertDecimal(
        final String name, final Map<String, long[]> expected, final DecimalDecoder actual)
    {
        final long[] value = expected.get(name);
        assertEquals(value[0], actual.mantissa(), name + " mantissa");
        assertEquals((byte)value[1], actual.exponent(), name + " exponent");
    }
}
