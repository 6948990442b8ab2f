package io.meridian.engine;

import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.DecimalDecoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.SecurityUpdateDecoder;
import io.meridian.codecs.json.JsonWriter;

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
        for (int i = 0; i < BITS.length; i++)
        {
            final long bit = BITS[i];
            if ((presence & bit) != 0)
            {
                read(decoder, i, bit);
                valueMask |= bit;
            }
            else if ((cleared & bit) != 0)
            {
                valueMask &= ~bit;
                mantissa[i] = 0;
                exponent[i] = 0;
            }
        }
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

    private void read(final SecurityUpdateDecoder decoder, final int index, final long bit)
    {
        if (bit == SecurityFields.TRADING_STATE)
        {
            mantissa[index] = decoder.tradingStateRaw();
        }
        else if (bit == SecurityFields.TREND)
        {
            mantissa[index] = decoder.trendRaw();
        }
        else if (bit == SecurityFields.BID_COUNT)
        {
            mantissa[index] = decoder.bidCount();
        }
        else if (bit == SecurityFields.ASK_COUNT)
        {
            mantissa[index] = decoder.askCount();
        }
        else if (bit == SecurityFields.NUMBER_OF_TRADES)
        {
            mantissa[index] = decoder.numberOfTrades();
        }
        else
        {
            final DecimalDecoder decimal = decimal(decoder, bit);
            mantissa[index] = decimal.mantissa();
            exponent[index] = decimal.exponent();
        }
    }

    private static DecimalDecoder decimal(final SecurityUpdateDecoder decoder, final long bit)
    {
        if (bit == SecurityFields.OPEN)
        {
            return decoder.open();
        }
        if (bit == SecurityFields.HIGH)
        {
            return decoder.high();
        }
        if (bit == SecurityFields.LOW)
        {
            return decoder.low();
        }
        if (bit == SecurityFields.CLOSE)
        {
            return decoder.closePrice();
        }
        if (bit == SecurityFields.LAST)
        {
            return decoder.last();
        }
        if (bit == SecurityFields.BEST_BID)
        {
            return decoder.bestBid();
        }
        if (bit == SecurityFields.BID_QUANTITY)
        {
            return decoder.bidQuantity();
        }
        if (bit == SecurityFields.BEST_ASK)
        {
            return decoder.bestAsk();
        }
        if (bit == SecurityFields.ASK_QUANTITY)
        {
            return decoder.askQuantity();
        }
        if (bit == SecurityFields.VOLUME)
        {
            return decoder.volume();
        }
        if (bit == SecurityFields.VALUE_TRADED)
        {
            return decoder.valueTraded();
        }
        if (bit == SecurityFields.VWAP)
        {
            return decoder.vwap();
        }
        return decoder.lotSize();
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
