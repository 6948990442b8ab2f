package io.meridian.engine;

import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.DecimalDecoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.SecurityUpdateDecoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.json.JsonWriter;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The cached state of one security, in fixed-point form, and its rendering as the Zenith {@code Security} payload.
 * Applying an update records which fields changed, so the delta sent to clients holds only those.
 */
final class SecurityItem extends Item
{
    private static final int DECIMAL = 0;
    private static final int INTEGER = 1;
    private static final int TRADING_STATE = 2;
    private static final int TREND = 3;

    /** Fields in Zenith payload order: presence bit, Zenith name, kind. */
    private static final long[] BITS = {
        SecurityFields.TRADING_STATE, SecurityFields.LOT_SIZE, SecurityFields.OPEN, SecurityFields.HIGH,
        SecurityFields.LOW, SecurityFields.CLOSE, SecurityFields.LAST, SecurityFields.TREND, SecurityFields.BEST_ASK,
        SecurityFields.ASK_COUNT, SecurityFields.ASK_QUANTITY, SecurityFields.BEST_BID, SecurityFields.BID_COUNT,
        SecurityFields.BID_QUANTITY, SecurityFields.NUMBER_OF_TRADES, SecurityFields.VOLUME, SecurityFields.VWAP,
        SecurityFields.VALUE_TRADED,
    };
    private static final String[] NAMES = {
        "TradingState", "LotSize", "Open", "High", "Low", "Close", "Last", "Trend", "BestAsk", "AskCount",
        "AskQuantity", "BestBid", "BidCount", "BidQuantity", "NumberOfTrades", "Volume", "VWAP", "ValueTraded",
    };
    private static final int[] KINDS = {
        TRADING_STATE, DECIMAL, DECIMAL, DECIMAL, DECIMAL, DECIMAL, DECIMAL, TREND, DECIMAL, INTEGER, DECIMAL,
        DECIMAL, INTEGER, DECIMAL, INTEGER, DECIMAL, DECIMAL, DECIMAL,
    };
    /** The presence bits of every field in {@link #BITS}. */
    private static final long VALUE_FIELDS;
    /** By presence bit number: the field's index in {@link #BITS}, and its offset in the message's root block. */
    private static final int[] INDEX_OF_BIT = new int[Long.SIZE];
    private static final int[] OFFSET_OF_BIT = new int[Long.SIZE];
    private static final int DECIMAL_MANTISSA_OFFSET = DecimalDecoder.mantissaEncodingOffset();
    private static final int DECIMAL_EXPONENT_OFFSET = DecimalDecoder.exponentEncodingOffset();

    static
    {
        long fields = 0;
        for (int i = 0; i < BITS.length; i++)
        {
            fields |= BITS[i];
            final int bit = Long.numberOfTrailingZeros(BITS[i]);
            INDEX_OF_BIT[bit] = i;
            OFFSET_OF_BIT[bit] = encodingOffset(BITS[i]);
        }
        VALUE_FIELDS = fields;
    }

    /** Fields that are Optional in Zenith (never null): absent means their default, zero. */
    private static final long NEVER_NULL = SecurityFields.ASK_COUNT | SecurityFields.ASK_QUANTITY |
        SecurityFields.BID_COUNT | SecurityFields.BID_QUANTITY | SecurityFields.NUMBER_OF_TRADES |
        SecurityFields.VOLUME | SecurityFields.VALUE_TRADED | SecurityFields.TRADING_STATE | SecurityFields.TREND;

    private final long[] mantissa = new long[BITS.length];
    private final byte[] exponent = new byte[BITS.length];
    /** Fields holding a value; a field in neither this nor NEVER_NULL is null. */
    private long valueMask;
    private String code = "";
    private String market = "";
    private String name = "";
    private String currency;
    private String cfi = "";

    SecurityItem(final String key)
    {
        super(key);
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.SECURITY.value();
    }

    @Override
    void clearState()
    {
        valueMask = 0;
        java.util.Arrays.fill(mantissa, 0);
        java.util.Arrays.fill(exponent, (byte)0);
    }

    /**
     * Apply an update.
     *
     * @param decoder wrapped on the message.
     * @return the presence bits of the fields that were sent (set or cleared), excluding {@link
     * SecurityFields#STATIC}.
     */
    long apply(final SecurityUpdateDecoder decoder)
    {
        final long presence = decoder.presence();
        final long cleared = decoder.cleared() & ~presence;
        // Only the fields sent are visited, lowest bit first, each read at its fixed place in the message.
        final DirectBuffer buffer = decoder.buffer();
        final int base = decoder.offset();
        final long[] mantissa = this.mantissa;
        final byte[] exponent = this.exponent;
        long present = presence & VALUE_FIELDS;
        while (present != 0)
        {
            final int bit = Long.numberOfTrailingZeros(present);
            present &= present - 1;
            final int index = INDEX_OF_BIT[bit];
            final int at = base + OFFSET_OF_BIT[bit];
            switch (KINDS[index])
            {
                case DECIMAL:
                    mantissa[index] =
                        buffer.getLong(at + DECIMAL_MANTISSA_OFFSET, SecurityUpdateDecoder.BYTE_ORDER);
                    exponent[index] = buffer.getByte(at + DECIMAL_EXPONENT_OFFSET);
                    break;
                case INTEGER:
                    mantissa[index] = buffer.getInt(at, SecurityUpdateDecoder.BYTE_ORDER);
                    break;
                default:
                    mantissa[index] = buffer.getByte(at) & 0xFF;
                    break;
            }
        }
        long gone = cleared & VALUE_FIELDS;
        while (gone != 0)
        {
            final int bit = Long.numberOfTrailingZeros(gone);
            gone &= gone - 1;
            final int index = INDEX_OF_BIT[bit];
            mantissa[index] = 0;
            exponent[index] = 0;
        }
        valueMask = (valueMask | (presence & VALUE_FIELDS)) & ~(cleared & VALUE_FIELDS);
        if ((presence & SecurityFields.STATIC) != 0)
        {
            code = decoder.code();
            market = decoder.market();
            name = decoder.name();
            final String ccy = decoder.currency();
            currency = ccy.isEmpty() ? null : ccy;
            cfi = decoder.cfi();
        }
        return (presence | cleared) & SecurityFields.ALL & ~SecurityFields.STATIC;
    }

    /**
     * One SecurityUpdate with every field: {@code presence} holds {@link SecurityFields#STATIC} and the fields with a
     * value, {@code cleared} every other value field (the never-null ones included), so that {@link #apply} on a
     * cleared item rebuilds this one. Values are written raw at the places {@link #apply} reads them from, so a code
     * this schema does not know goes back as it came.
     */
    @Override
    void writeSnapshot(final SnapshotWriter writer)
    {
        final SecurityUpdateEncoder encoder = writer.securityUpdate()
            .presence(valueMask | SecurityFields.STATIC)
            .cleared(VALUE_FIELDS & ~valueMask);
        final MutableDirectBuffer buffer = encoder.buffer();
        final int base = encoder.offset();
        for (int i = 0; i < BITS.length; i++)
        {
            // A field without a value holds zero.
            final int at = base + OFFSET_OF_BIT[Long.numberOfTrailingZeros(BITS[i])];
            switch (KINDS[i])
            {
                case DECIMAL:
                    buffer.putLong(at + DECIMAL_MANTISSA_OFFSET, mantissa[i], SecurityUpdateEncoder.BYTE_ORDER);
                    buffer.putByte(at + DECIMAL_EXPONENT_OFFSET, exponent[i]);
                    break;
                case INTEGER:
                    buffer.putInt(at, (int)mantissa[i], SecurityUpdateEncoder.BYTE_ORDER);
                    break;
                default:
                    buffer.putByte(at, (byte)mantissa[i]);
                    break;
            }
        }
        encoder.code(code).market(market).name(name).currency(currency).cfi(cfi);
        writer.send(encoder.encodedLength());
    }

    /**
     * Where each value field lies in a {@code SecurityUpdate}'s root block, from the generated decoder.
     */
    private static int encodingOffset(final long bit)
    {
        if (bit == SecurityFields.TRADING_STATE)
        {
            return SecurityUpdateDecoder.tradingStateEncodingOffset();
        }
        if (bit == SecurityFields.TREND)
        {
            return SecurityUpdateDecoder.trendEncodingOffset();
        }
        if (bit == SecurityFields.BID_COUNT)
        {
            return SecurityUpdateDecoder.bidCountEncodingOffset();
        }
        if (bit == SecurityFields.ASK_COUNT)
        {
            return SecurityUpdateDecoder.askCountEncodingOffset();
        }
        if (bit == SecurityFields.NUMBER_OF_TRADES)
        {
            return SecurityUpdateDecoder.numberOfTradesEncodingOffset();
        }
        if (bit == SecurityFields.OPEN)
        {
            return SecurityUpdateDecoder.openEncodingOffset();
        }
        if (bit == SecurityFields.HIGH)
        {
            return SecurityUpdateDecoder.highEncodingOffset();
        }
        if (bit == SecurityFields.LOW)
        {
            return SecurityUpdateDecoder.lowEncodingOffset();
        }
        if (bit == SecurityFields.CLOSE)
        {
            return SecurityUpdateDecoder.closePriceEncodingOffset();
        }
        if (bit == SecurityFields.LAST)
        {
            return SecurityUpdateDecoder.lastEncodingOffset();
        }
        if (bit == SecurityFields.BEST_BID)
        {
            return SecurityUpdateDecoder.bestBidEncodingOffset();
        }
        if (bit == SecurityFields.BID_QUANTITY)
        {
            return SecurityUpdateDecoder.bidQuantityEncodingOffset();
        }
        if (bit == SecurityFields.BEST_ASK)
        {
            return SecurityUpdateDecoder.bestAskEncodingOffset();
        }
        if (bit == SecurityFields.ASK_QUANTITY)
        {
            return SecurityUpdateDecoder.askQuantityEncodingOffset();
        }
        if (bit == SecurityFields.VOLUME)
        {
            return SecurityUpdateDecoder.volumeEncodingOffset();
        }
        if (bit == SecurityFields.VALUE_TRADED)
        {
            return SecurityUpdateDecoder.valueTradedEncodingOffset();
        }
        if (bit == SecurityFields.VWAP)
        {
            return SecurityUpdateDecoder.vwapEncodingOffset();
        }
        if (bit == SecurityFields.LOT_SIZE)
        {
            return SecurityUpdateDecoder.lotSizeEncodingOffset();
        }
        throw new IllegalArgumentException("not a value field: " + bit);
    }

    @Override
    void writeFull(final JsonWriter writer)
    {
        writer.startObject()
            .name("Code").string(code)
            .name("Market").string(market)
            .name("Exchange").string(market)
            .name("Name").string(name)
            .name("Class").string("Market")
            .name("CFI").string(cfi)
            .name("IsIndex").bool(false)
            .name("SubscriptionData").string("Asset,Trades,Depth,DepthFull,DepthShort")
            .name("TradingMarkets").startArray().string(market).endArray()
            .name("Currency").string(currency);
        writeFields(writer, SecurityFields.ALL);
        writer.endObject();
    }

    /**
     * Write only the given fields as a Zenith delta.
     *
     * @param writer  where to write.
     * @param changed presence bits of the changed fields.
     */
    void writeDelta(final JsonWriter writer, final long changed)
    {
        writer.startObject();
        writeFields(writer, changed);
        writer.endObject();
    }

    private void writeFields(final JsonWriter writer, final long fields)
    {
        for (int i = 0; i < BITS.length; i++)
        {
            final long bit = BITS[i];
            if ((fields & bit) == 0)
            {
                continue;
            }
            writer.name(NAMES[i]);
            final boolean hasValue = (valueMask & bit) != 0;
            if (!hasValue && (NEVER_NULL & bit) == 0)
            {
                writer.nullValue();
                continue;
            }
            switch (KINDS[i])
            {
                case TRADING_STATE:
                    writer.string(ZenithNames.tradingState((short)mantissa[i]));
                    break;
                case TREND:
                    writer.string(ZenithNames.trend((short)mantissa[i]));
                    break;
                case INTEGER:
                    writer.number(mantissa[i]);
                    break;
                default:
                    writer.decimal(mantissa[i], exponent[i]);
                    break;
            }
        }
    }


    String code()
    {
        return code;
    }

    String market()
    {
        return market;
    }

    long mantissa(final long bit)
    {
        return mantissa[indexOf(bit)];
    }

    byte exponent(final long bit)
    {
        return exponent[indexOf(bit)];
    }

    boolean hasValue(final long bit)
    {
        return (valueMask & bit) != 0;
    }

    private static int indexOf(final long bit)
    {
        for (int i = 0; i < BITS.length; i++)
        {
            if (BITS[i] == bit)
            {
                return i;
            }
        }
        throw new IllegalArgumentException("unknown field bit " + bit);
    }
}
