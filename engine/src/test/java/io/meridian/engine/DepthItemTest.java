package io.meridian.engine;

import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.DepthOrderUpdateDecoder;
import io.meridian.codecs.interlink.DepthOrderUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.json.JsonWriter;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DepthItemTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final DepthOrderUpdateEncoder encoder = new DepthOrderUpdateEncoder();
    private final DepthOrderUpdateDecoder decoder = new DepthOrderUpdateDecoder();
    private final DepthItem item = new DepthItem("ALP.XSX");

    /**
     * The full book is written from constant runs for speed; its text must be exactly a clear followed by the add
     * that {@link DepthItem#writeDelta} would send for each order, whatever the order's quantity flags.
     */
    @Test
    void fullBookIsAClearAndTheAddOfEveryOrderTextForText()
    {
        final SplittableRandom random = new SplittableRandom(22);
        final StringBuilder expected = new StringBuilder("[{\"O\":\"C\"}");
        final JsonWriter delta = new JsonWriter();
        for (int i = 0; i < 500; i++)
        {
            final int kind = random.nextInt(4);
            final long orderId = random.nextLong(1, Long.MAX_VALUE);
            final DepthOrderUpdateDecoder add = add(orderId, random.nextBoolean() ? Side.ASK : Side.BID,
                random.nextLong(-5_000_000, 5_000_000), -random.nextInt(7), random.nextLong(0, 1L << 40),
                random.nextLong(0, 10_000_000), -random.nextInt(3), kind == 1, kind == 2);
            assertTrue(item.apply(add));
            delta.reset();
            item.writeDelta(delta, add);
            final String text = delta.toString();
            // One change in an array: [{...}]
            expected.append(',').append(text, 1, text.length() - 1);
        }
        expected.append(']');

        final JsonWriter full = new JsonWriter(64);
        item.writeFull(full);
        assertEquals(expected.toString(), full.toString());
    }

    @Test
    void emptyBookIsJustAClear()
    {
        final JsonWriter full = new JsonWriter();
        item.writeFull(full);
        assertEquals("[{\"O\":\"C\"}]", full.toString());
    }

    private DepthOrderUpdateDecoder add(
        final long orderId,
        final Side side,
        final long priceMantissa,
        final int priceExponent,
        final long position,
        final long quantityMantissa,
        final int quantityExponent,
        final boolean undisclosed,
        final boolean hasUndisclosed)
    {
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(1).seqNo(1).action(ChangeAction.ADD).side(side).orderId(orderId).position(position);
        encoder.fields().clear().price(true).position(true).quantity(!undisclosed).undisclosed(undisclosed)
            .hasUndisclosed(hasUndisclosed);
        encoder.price().mantissa(priceMantissa).exponent((byte)priceExponent);
        encoder.quantity().mantissa(quantityMantissa).exponent((byte)quantityExponent);
        return decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
    }
}
