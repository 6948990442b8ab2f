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

import java.util.ArrayList;
import java.util.List;
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

    /**
     * A full book copies the kept text of orders that have not changed since the last full book; after any mix of
     * adds, updates, removals (which move the last row) and clears it must read exactly as a book that never kept
     * anything.
     */
    @Test
    void fullBookAfterChangesEqualsAFreshBookOfTheSameOrders()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final List<byte[]> changes = new ArrayList<>();
        final List<Long> live = new ArrayList<>();
        final JsonWriter kept = new JsonWriter();
        final JsonWriter fresh = new JsonWriter();
        long nextId = 1;
        int checks = 0;
        for (int round = 0; round < 200; round++)
        {
            for (int i = random.nextInt(1, 40); i > 0; i--)
            {
                final int kind = live.isEmpty() ? 0 : random.nextInt(round % 50 == 49 ? 21 : 20);
                final DepthOrderUpdateDecoder change;
                if (kind < 8)
                {
                    final long orderId = nextId++ * (random.nextBoolean() ? 1 : 1_000_000_007L);
                    live.add(orderId);
                    // Now and then an order too long to keep: its text is printed afresh each time.
                    final long position = random.nextInt(20) == 0 ? Long.MAX_VALUE : random.nextLong(0, 1000);
                    change = add(orderId, random.nextBoolean() ? Side.ASK : Side.BID, random.nextLong(1, 1_000_000),
                        -2, position, random.nextLong(1, 100_000), 0, random.nextInt(10) == 0, random.nextBoolean());
                }
                else if (kind < 14)
                {
                    change = update(live.get(random.nextInt(live.size())), random.nextLong(1, 1_000_000),
                        random.nextLong(1, 100_000), random.nextBoolean());
                }
                else if (kind < 20)
                {
                    change = remove(live.remove(random.nextInt(live.size())));
                }
                else
                {
                    change = clear();
                    live.clear();
                }
                assertTrue(item.apply(change));
                final byte[] copy = new byte[buffer.capacity()];
                buffer.getBytes(0, copy);
                changes.add(copy);
            }

            kept.reset();
            item.writeFull(kept);
            final DepthItem never = new DepthItem("ALP.XSX");
            for (final byte[] change : changes)
            {
                assertTrue(never.apply(decoder.wrapAndApplyHeader(new UnsafeBuffer(change), 0, headerDecoder)));
            }
            fresh.reset();
            never.writeFull(fresh);
            assertEquals(fresh.toString(), kept.toString(), "round " + round);
            checks++;
        }
        assertEquals(200, checks);
        assertTrue(kept.length() > 2_000, "the book never grew: " + kept.length());
    }

    @Test
    void emptyBookIsJustAClear()
    {
        final JsonWriter full = new JsonWriter();
        item.writeFull(full);
        assertEquals("[{\"O\":\"C\"}]", full.toString());
    }

    private DepthOrderUpdateDecoder update(
        final long orderId, final long priceMantissa, final long quantityMantissa, final boolean priceToo)
    {
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(1).seqNo(1).action(ChangeAction.UPDATE).side(Side.BID).orderId(orderId).position(0);
        encoder.fields().clear().price(priceToo).quantity(true);
        encoder.price().mantissa(priceMantissa).exponent((byte)-2);
        encoder.quantity().mantissa(quantityMantissa).exponent((byte)0);
        return decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
    }

    private DepthOrderUpdateDecoder remove(final long orderId)
    {
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(1).seqNo(1).action(ChangeAction.REMOVE).side(Side.BID).orderId(orderId).position(0);
        encoder.fields().clear();
        return decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
    }

    private DepthOrderUpdateDecoder clear()
    {
        encoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(1).seqNo(1).action(ChangeAction.CLEAR).side(Side.BID).orderId(0).position(0);
        encoder.fields().clear();
        return decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
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
