package io.meridian.engine;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SessionOutboxTest
{
    private static final int CAPACITY = 4096;

    private final SessionOutbox outbox = new SessionOutbox(CAPACITY);
    private final List<byte[]> drained = new ArrayList<>();
    private final MessageHandler collector = (msgTypeId, buffer, index, length) ->
    {
        assertEquals(SessionOutbox.TEXT_FRAME, msgTypeId);
        final byte[] frame = new byte[length];
        buffer.getBytes(index, frame);
        drained.add(frame);
    };

    @Test
    void framesComeOutInOrderAndIntact()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[256]);
        final String[] frames = { "{\"Controller\":\"Zenith\"}", "x", "{\"Topic\":\"Security!BHP.ASX\",\"Data\":{}}" };
        int offset = 7;
        for (final String frame : frames)
        {
            final int length = source.putStringWithoutLengthAscii(offset, frame);
            assertTrue(outbox.write(source, offset, length));
            offset += length + 3;
        }

        assertEquals(frames.length, drainAll());

        assertEquals(frames.length, drained.size());
        for (int i = 0; i < frames.length; i++)
        {
            assertEquals(frames[i], new String(drained.get(i), StandardCharsets.US_ASCII));
        }
        assertEquals(0, outbox.size());
    }

    @Test
    void prefixBodyAndSuffixAreJoinedIntoOneFrame()
    {
        final DirectBuffer prefix = ascii("{\"Topic\":\"Security!BHP.ASX\",\"Data\":");
        final UnsafeBuffer body = new UnsafeBuffer(new byte[64]);
        final int bodyLength = body.putStringWithoutLengthAscii(5, "{\"Last\":45.12}");

        assertTrue(outbox.write(prefix, prefix.capacity(), body, 5, bodyLength, (byte)'}'));
        assertTrue(outbox.write(prefix, 0, body, 5, 0, (byte)'\n'));

        assertEquals(2, drainAll());
        assertEquals(
            "{\"Topic\":\"Security!BHP.ASX\",\"Data\":{\"Last\":45.12}}",
            new String(drained.get(0), StandardCharsets.US_ASCII));
        assertEquals("\n", new String(drained.get(1), StandardCharsets.US_ASCII));
    }

    @Test
    void refusesFrameLargerThanMaxFrameLength()
    {
        final int max = outbox.maxFrameLength();
        assertTrue(max > 0 && max < CAPACITY);
        final UnsafeBuffer source = new UnsafeBuffer(new byte[max + 1]);

        assertFalse(outbox.write(source, 0, max + 1));
        assertFalse(outbox.write(source, max / 2, source, 0, max - max / 2, (byte)'}'));
        assertEquals(0, outbox.size());

        assertTrue(outbox.write(source, 0, max));
        assertTrue(outbox.write(source, max / 2, source, 0, max - max / 2 - 1, (byte)'}'));
        assertEquals(2, drainAll());
        assertEquals(max, drained.get(0).length);
        assertEquals(max, drained.get(1).length);
    }

    @Test
    void fullOutboxRefusesWritesUntilDrained()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[100]);
        int written = 0;
        int previousSize = outbox.size();
        while (outbox.write(source, 0, 100))
        {
            written++;
            assertTrue(outbox.size() > previousSize, "size grows with every frame");
            previousSize = outbox.size();
            assertTrue(written <= CAPACITY / 100, "wrote more than the capacity holds");
        }

        assertTrue(written >= CAPACITY / 128, "a full outbox holds most of its capacity, wrote " + written);
        final int fullSize = outbox.size();
        assertTrue(fullSize >= written * 100 && fullSize <= CAPACITY, "size " + fullSize);
        assertFalse(outbox.write(source, 0, 100));
        assertFalse(outbox.write(source, 0, source, 0, 99, (byte)0));
        assertEquals(fullSize, outbox.size(), "refused writes queue nothing");

        assertEquals(written, drainAll());
        assertEquals(0, outbox.size());

        assertTrue(outbox.write(source, 0, 100));
        assertTrue(outbox.write(source, 0, source, 0, 99, (byte)0));
        assertEquals(2, drainAll());
    }

    @Test
    void drainHandsOverAtMostLimitFrames()
    {
        final UnsafeBuffer source = new UnsafeBuffer(new byte[8]);
        for (int i = 0; i < 5; i++)
        {
            source.putInt(0, i);
            assertTrue(outbox.write(source, 0, 4));
        }

        assertEquals(2, outbox.drain(collector, 2));
        assertEquals(3, outbox.drain(collector, 10));
        assertEquals(0, outbox.drain(collector, 10));
        for (int i = 0; i < 5; i++)
        {
            assertEquals(i, new UnsafeBuffer(drained.get(i)).getInt(0));
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void framesFromTwoWritersArriveOnceAndInOrder() throws Exception
    {
        twoWritersOneReader(new SessionOutbox(64 * 1024), 100_000, 0);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void framesFromTwoWritersArriveOnceAndInOrderWhileTheOutboxGrows() throws Exception
    {
        // Each outbox grows from 1 KiB under the two writers (the reader starts once 16 KiB are queued, so it must),
        // and the seals race the writes and the reads.
        for (int round = 0; round < 200; round++)
        {
            final SessionOutbox growing = new SessionOutbox(1024, 64 * 1024);
            twoWritersOneReader(growing, 5_000, 16 * 1024);
            assertTrue(growing.allocated() > 1024, "round " + round + " grew");
        }
    }

    @Test
    void startsSmallAndGrowsToItsCapacityKeepingOrder()
    {
        final SessionOutbox growing = new SessionOutbox(1024, 16 * 1024);
        assertEquals(1024, growing.allocated());
        assertEquals(16 * 1024, growing.capacity());
        assertEquals(2048, growing.maxFrameLength());
        final UnsafeBuffer source = new UnsafeBuffer(new byte[128]);

        int written = 0;
        source.putInt(0, written);
        while (growing.write(source, 0, 100))
        {
            source.putInt(0, ++written);
            assertTrue(growing.size() < 2 * 16 * 1024, "queued twice the capacity");
        }
        // A 100-byte frame takes 112 bytes of ring with its header: 9 fit in the first ring.
        assertTrue(written > 100, "grew past its first ring, wrote " + written);
        assertTrue(growing.size() + 112 > 16 * 1024, "refused only when full: " + growing.size());
        assertEquals((1 + 2 + 4 + 8 + 16) * 1024, growing.allocated(), "the rings are held until drained");

        final List<Integer> order = new ArrayList<>();
        int drainedNow;
        while ((drainedNow = growing.drain((type, buffer, index, length) -> order.add(buffer.getInt(index)), 7)) > 0)
        {
            assertTrue(drainedNow <= 7);
        }
        assertEquals(written, order.size());
        for (int i = 0; i < written; i++)
        {
            assertEquals(i, order.get(i));
        }
        assertEquals(0, growing.size());
        assertEquals(16 * 1024, growing.allocated(), "the drained smaller rings are let go");
        assertTrue(growing.write(source, 0, 100), "takes frames again once drained");
    }

    @Test
    void aFrameLongerThanTheRingTakesMakesItGrowAtOnce()
    {
        final SessionOutbox growing = new SessionOutbox(1024, 64 * 1024);
        final UnsafeBuffer source = new UnsafeBuffer(new byte[10_000]);
        source.setMemory(0, source.capacity(), (byte)'a');

        assertTrue(growing.write(source, 0, 5000), "5,000 bytes need a ring of 64 KiB, an eighth of it 8 KiB");
        assertEquals(1024 + 64 * 1024, growing.allocated());
        assertFalse(growing.write(source, 0, 8193), "longer than an eighth of the capacity");

        final List<Integer> lengths = new ArrayList<>();
        assertEquals(1, growing.drain((type, buffer, index, length) -> lengths.add(length), 10));
        assertEquals(List.of(5000), lengths);
        assertEquals(64 * 1024, growing.allocated());
    }

    private void twoWritersOneReader(final SessionOutbox shared, final int framesPerWriter, final int readFrom)
        throws Exception
    {
        final CyclicBarrier start = new CyclicBarrier(2);
        final AtomicReference<Throwable> failure = new AtomicReference<>();

        // The engine thread writes joined prefix/body/suffix frames; the IO thread writes whole frames.
        final Thread engine = new Thread(() -> produce(start, failure, framesPerWriter, (scratch, seq) ->
        {
            final int bodyLength = bodyLength(seq);
            scratch.putByte(0, (byte)'E');
            scratch.putInt(1, seq);
            fillBody(scratch, 5 + 64, seq, bodyLength);
            return shared.write(scratch, 5, scratch, 5 + 64, bodyLength, (byte)seq);
        }), "engine");
        final Thread io = new Thread(() -> produce(start, failure, framesPerWriter, (scratch, seq) ->
        {
            final int bodyLength = bodyLength(seq);
            scratch.putByte(0, (byte)'I');
            scratch.putInt(1, seq);
            fillBody(scratch, 5, seq, bodyLength);
            scratch.putByte(5 + bodyLength, (byte)seq);
            return shared.write(scratch, 0, 5 + bodyLength + 1);
        }), "io");

        final int[] nextSeq = new int[2];
        final MessageHandler checker = (msgTypeId, buffer, index, length) ->
        {
            final byte writer = buffer.getByte(index);
            final int slot = 'E' == writer ? 0 : 'I' == writer ? 1 : -1;
            final int seq = buffer.getInt(index + 1);
            final String error;
            if (slot < 0)
            {
                error = "unknown writer " + writer;
            }
            else if (seq != nextSeq[slot])
            {
                error = (char)writer + " expected frame " + nextSeq[slot] + " got " + seq;
            }
            else
            {
                final String corrupt = checkFrame(buffer, index, length, seq);
                error = null == corrupt ? null : (char)writer + " frame " + seq + ": " + corrupt;
            }
            if (null != error)
            {
                failure.compareAndSet(null, new AssertionError(error));
                return;
            }
            nextSeq[slot]++;
        };

        engine.start();
        io.start();
        while (null == failure.get() && shared.size() < readFrom && (engine.isAlive() || io.isAlive()))
        {
            Thread.onSpinWait();
        }
        while (null == failure.get() &&
            (nextSeq[0] < framesPerWriter || nextSeq[1] < framesPerWriter))
        {
            if (0 == shared.drain(checker, 64))
            {
                Thread.onSpinWait();
            }
        }
        engine.join();
        io.join();

        assertNull(failure.get(), () -> String.valueOf(failure.get()));
        assertEquals(framesPerWriter, nextSeq[0]);
        assertEquals(framesPerWriter, nextSeq[1]);
        assertEquals(0, shared.drain(checker, 64), "no frame arrives twice");
        assertEquals(0, shared.size());
    }

    /** Writes one numbered frame into a scratch buffer and the outbox; false when the outbox is full. */
    interface FrameWriter
    {
        boolean write(MutableDirectBuffer scratch, int seq);
    }

    private static void produce(
        final CyclicBarrier start,
        final AtomicReference<Throwable> failure,
        final int frames,
        final FrameWriter writer)
    {
        final UnsafeBuffer scratch = new UnsafeBuffer(new byte[512]);
        try
        {
            start.await();
            for (int seq = 0; seq < frames && null == failure.get(); seq++)
            {
                while (!writer.write(scratch, seq))
                {
                    if (null != failure.get())
                    {
                        return;
                    }
                    Thread.onSpinWait();
                }
            }
        }
        catch (final Throwable ex)
        {
            failure.compareAndSet(null, ex);
        }
    }

    private static int bodyLength(final int seq)
    {
        return seq % 97;
    }

    private static void fillBody(final MutableDirectBuffer buffer, final int offset, final int seq, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            buffer.putByte(offset + i, (byte)(seq + i));
        }
    }

    /** A frame is: writer byte, int sequence, body of {@link #bodyLength} bytes, then the sequence's low byte. */
    private static String checkFrame(final DirectBuffer buffer, final int index, final int length, final int seq)
    {
        final int bodyLength = bodyLength(seq);
        if (length != 5 + bodyLength + 1)
        {
            return "length " + length + " expected " + (5 + bodyLength + 1);
        }
        for (int i = 0; i < bodyLength; i++)
        {
            if (buffer.getByte(index + 5 + i) != (byte)(seq + i))
            {
                return "body byte " + i;
            }
        }
        if (buffer.getByte(index + 5 + bodyLength) != (byte)seq)
        {
            return "suffix";
        }
        return null;
    }

    private int drainAll()
    {
        // A drain that meets the padding record at the wrap point hands over nothing, so go by size, not count.
        int total = 0;
        for (int attempts = 0; outbox.size() > 0 && attempts < 4; attempts++)
        {
            total += outbox.drain(collector, Integer.MAX_VALUE);
        }
        assertEquals(0, outbox.size(), "outbox drained");
        return total;
    }

    private static DirectBuffer ascii(final String text)
    {
        return new UnsafeBuffer(text.getBytes(StandardCharsets.US_ASCII));
    }
}
