package io.meridian.engine;

import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.DecimalDecoder;
import io.meridian.codecs.interlink.DecimalEncoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SecurityUpdateDecoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SecurityItemTest
{
    /** Every value field, by presence bit. */
    private static final long[] FIELDS = {
        SecurityFields.TRADING_STATE, SecurityFields.TREND, SecurityFields.OPEN, SecurityFields.HIGH,
        SecurityFields.LOW, SecurityFields.CLOSE, SecurityFields.LAST, SecurityFields.BEST_BID,
        SecurityFields.BID_QUANTITY, SecurityFields.BID_COUNT, SecurityFields.BEST_ASK, SecurityFields.ASK_QUANTITY,
        SecurityFields.ASK_COUNT, SecurityFields.NUMBER_OF_TRADES, SecurityFields.VOLUME,
        SecurityFields.VALUE_TRADED, SecurityFields.VWAP, SecurityFields.LOT_SIZE,
    };

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final SecurityUpdateEncoder encoder = new SecurityUpdateEncoder();
    private final SecurityUpdateDecoder decoder = new SecurityUpdateDecoder();

    /**
     * Random updates, each setting and clearing random fields at random places in the buffer, against a model that
     * reads every field through the generated decoder's own accessors.
     */
    @Test
    void appliesWhatTheDecoderReadsFieldByField()
    {
        final SplittableRandom random = new SplittableRandom(2211);
        final SecurityItem item = new SecurityItem("ALP.XSX");
        final long[] mantissa = new long[FIELDS.length];
        final byte[] exponent = new byte[FIELDS.length];
        final boolean[] has = new boolean[FIELDS.length];
        for (int n = 0; n < 20_000; n++)
        {
            final int offset = random.nextInt(64);
            final long presence = random.nextLong() & ((1L << FIELDS.length) - 1);
            final long cleared = random.nextLong() & ((1L << FIELDS.length) - 1);
            encoder.wrapAndApplyHeader(buffer, offset, header).itemId(1).seqNo(n).presence(presence).cleared(cleared);
            for (final long bit : FIELDS)
            {
                write(bit, random);
            }
            encoder.code("").market("").name("").currency("").cfi("");
            decoder.wrapAndApplyHeader(buffer, offset, new MessageHeaderDecoder());

            final long changed = item.apply(decoder);

            assertEquals((presence | cleared) & SecurityFields.ALL & ~SecurityFields.STATIC, changed);
            for (int i = 0; i < FIELDS.length; i++)
            {
                final long bit = FIELDS[i];
                if ((presence & bit) != 0)
                {
                    has[i] = true;
                    mantissa[i] = read(bit);
                    exponent[i] = isDecimal(bit) ? decimal(bit).exponent() : 0;
                }
                else if ((cleared & bit) != 0)
                {
                    has[i] = false;
                    mantissa[i] = 0;
                    exponent[i] = 0;
                }
                assertEquals(has[i], item.hasValue(bit), "update " + n + " field " + i);
                assertEquals(mantissa[i], item.mantissa(bit), "update " + n + " field " + i);
                assertEquals(exponent[i], item.exponent(bit), "update " + n + " field " + i);
            }
        }
    }

    private void write(final long bit, final SplittableRandom random)
    {
        if (bit == SecurityFields.TRADING_STATE)
        {
            encoder.tradingState(TradingState.values()[random.nextInt(TradingState.values().length - 1)]);
        }
        else if (bit == SecurityFields.TREND)
        {
            encoder.trend(Trend.values()[random.nextInt(Trend.values().length - 1)]);
        }
        else if (bit == SecurityFields.BID_COUNT)
        {
            encoder.bidCount(random.nextInt());
        }
        else if (bit == SecurityFields.ASK_COUNT)
        {
            encoder.askCount(random.nextInt());
        }
        else if (bit == SecurityFields.NUMBER_OF_TRADES)
        {
            encoder.numberOfTrades(random.nextInt());
        }
        else
        {
            decimalEncoder(bit).mantissa(random.nextLong()).exponent((byte)-random.nextInt(10));
        }
    }

    private static boolean isDecimal(final long bit)
    {
        return bit != SecurityFields.TRADING_STATE && bit != SecurityFields.TREND &&
            bit != SecurityFields.BID_COUNT && bit != SecurityFields.ASK_COUNT &&
            bit != SecurityFields.NUMBER_OF_TRADES;
    }

    private long read(final long bit)
    {
        if (bit == SecurityFields.TRADING_STATE)
        {
            return decoder.tradingStateRaw();
        }
        if (bit == SecurityFields.TREND)
        {
            return decoder.trendRaw();
        }
        if (bit == SecurityFields.BID_COUNT)
        {
            return decoder.bidCount();
        }
        if (bit == SecurityFields.ASK_COUNT)
        {
            return decoder.askCount();
        }
        if (bit == SecurityFields.NUMBER_OF_TRADES)
        {
            return decoder.numberOfTrades();
        }
        return decimal(bit).mantissa();
    }

    private DecimalEncoder decimalEncoder(final long bit)
    {
        if (bit == SecurityFields.OPEN)
        {
            return encoder.open();
        }
        if (bit == SecurityFields.HIGH)
        {
            return encoder.high();
        }
        if (bit == SecurityFields.LOW)
        {
            return encoder.low();
        }
        if (bit == SecurityFields.CLOSE)
        {
            return encoder.closePrice();
        }
        if (bit == SecurityFields.LAST)
        {
            return encoder.last();
        }
        if (bit == SecurityFields.BEST_BID)
        {
            return encoder.bestBid();
        }
        if (bit == SecurityFields.BID_QUANTITY)
        {
            return encoder.bidQuantity();
        }
        if (bit == SecurityFields.BEST_ASK)
        {
            return encoder.bestAsk();
        }
        if (bit == SecurityFields.ASK_QUANTITY)
        {
            return encoder.askQuantity();
        }
        if (bit == SecurityFields.VOLUME)
        {
            return encoder.volume();
        }
        if (bit == SecurityFields.VALUE_TRADED)
        {
            return encoder.valueTraded();
        }
        if (bit == SecurityFields.VWAP)
        {
            return encoder.vwap();
        }
        return encoder.lotSize();
    }

    private DecimalDecoder decimal(final long bit)
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
}
