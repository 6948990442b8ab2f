package io.meridian.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * Bounded queue of encoded text frames for one client session. Written by the engine thread and by the session's
 * IO thread (replies it makes itself), drained by the IO thread. Writes never block: a full outbox is reported to
 * the writer, which decides what happens to the session.
 * <p>
 * The outbox starts small and grows as it is needed, so that thousands of quiet sessions do not each hold the
 * largest buffer a busy one may need. Frames go into a ring of its current size; a write that finds the ring full,
 * or a frame longer than its largest message, seals that ring and opens one twice as large (up to the capacity), and
 * the reader moves on to the new ring once the sealed one is empty, so frames still come out in the order they
 * went in. A writer that claimed space in a ring checks, after the claim, whether that ring was sealed meanwhile;
 * if so it gives the space back and writes to the newer ring. The reader only leaves a sealed ring it has seen
 * empty, and a claim made after that moment sees the seal, so no frame is left behind in a ring nobody reads. A
 * grown ring is kept for the life of the session.
 */
public final class SessionOutbox
{
    /** Message type of one complete text frame. */
    public static final int TEXT_FRAME = 1;

    /** Size of the first ring of an outbox that may grow. */
    public static final int INITIAL_CAPACITY = 16 * 1024;

    /** No opening or closing byte around the body. */
    private static final int NONE = -1;

    private final int capacity;
    private final int maxFrameLength;
    /** The ring writers claim space in; replaced, never changed in place. */
    private volatile Segment writeSegment;
    /** The ring the reader drains; it leaves it for the next once it is sealed and empty. */
    private volatile Segment readSegment;

    /**
     * An outbox of fixed size.
     *
     * @param capacity bytes of frame data; a power of two.
     */
    public SessionOutbox(final int capacity)
    {
        this(capacity, capacity);
    }

    /**
     * An outbox that starts at one size and grows, doubling, up to another.
     *
     * @param initialCapacity bytes of frame data at first; a power of two.
     * @param capacity        bytes of frame data at most; a power of two, at least the initial capacity.
     */
    public SessionOutbox(final int initialCapacity, final int capacity)
    {
        if (initialCapacity > capacity)
        {
            throw new IllegalArgumentException("initial capacity " + initialCapacity + " > capacity " + capacity);
        }
        this.capacity = capacity;
        final Segment first = new Segment(initialCapacity);
        // A ring's largest message is an eighth of it, so the largest ring's is this many times the first's.
        this.maxFrameLength = first.ring.maxMsgLength() * (capacity / initialCapacity);
        writeSegment = first;
        readSegment = first;
    }

    /**
     * Queue one frame.
     *
     * @param buffer holding the frame.
     * @param offset where it starts.
     * @param length its length.
     * @return false if the outbox is full or the frame is larger than {@link #maxFrameLength()}.
     */
    public boolean write(final DirectBuffer buffer, final int offset, final int length)
    {
        return writeFramed(null, 0, NONE, buffer, offset, length, NONE, NONE);
    }

    /**
     * Queue one frame made of a prefix, a body and one closing byte, copied in place with no allocation.
     *
     * @param prefix       buffer holding the prefix.
     * @param prefixLength prefix length, from offset 0.
     * @param body         buffer holding the body.
     * @param bodyOffset   where the body starts.
     * @param bodyLength   body length.
     * @param suffix       the byte closing the frame.
     * @return false if the outbox is full or the frame too large.
     */
    public boolean write(
        final DirectBuffer prefix,
        final int prefixLength,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final byte suffix)
    {
        return writeFramed(prefix, prefixLength, NONE, body, bodyOffset, bodyLength, NONE, suffix & 0xFF);
    }

    /**
     * Queue one frame made of a prefix, then {@code [}, a run of array elements, {@code ]} and <code>}</code>: one
     * part of an array too long for a single frame.
     *
     * @param prefix       buffer holding the prefix.
     * @param prefixLength prefix length, from offset 0.
     * @param body         buffer holding the elements, comma separated.
     * @param bodyOffset   where the first element starts.
     * @param bodyLength   length of the run of elements.
     * @return false if the outbox is full or the frame too large.
     */
    public boolean writeArrayPart(
        final DirectBuffer prefix,
        final int prefixLength,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength)
    {
        return writeFramed(prefix, prefixLength, '[', body, bodyOffset, bodyLength, ']', '}');
    }

    /**
     * Claim, fill and commit prefix, optional opening byte, body, optional closing byte and optional final byte,
     * growing the outbox when its ring is full or too small for the frame.
     */
    private boolean writeFramed(
        final DirectBuffer prefix,
        final int prefixLength,
        final int open,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final int close,
        final int last)
    {
        final int length = prefixLength + (open == NONE ? 0 : 1) + bodyLength + (close == NONE ? 0 : 1) +
            (last == NONE ? 0 : 1);
        if (length > maxFrameLength)
        {
            return false;
        }
        while (true)
        {
            final Segment segment = writeSegment;
            final ManyToOneRingBuffer ring = segment.ring;
            final int index = length <= ring.maxMsgLength() ? ring.tryClaim(TEXT_FRAME, length) : 0;
            if (index > 0)
            {
                if (segment.sealed)
                {
                    // Sealed after this writer read it: the reader may have left it, so write to the newer ring.
                    ring.abort(index);
                    continue;
                }
                fill(ring, index, prefix, prefixLength, open, body, bodyOffset, bodyLength, close, last);
                return true;
            }
            if (!grow(segment, length))
            {
                return false;
            }
        }
    }

    private static void fill(
        final ManyToOneRingBuffer ring,
        final int index,
        final DirectBuffer prefix,
        final int prefixLength,
        final int open,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final int close,
        final int last)
    {
        try
        {
            final org.agrona.concurrent.AtomicBuffer target = ring.buffer();
            int at = index;
            if (prefixLength > 0)
            {
                target.putBytes(at, prefix, 0, prefixLength);
                at += prefixLength;
            }
            if (open != NONE)
            {
                target.putByte(at++, (byte)open);
            }
            target.putBytes(at, body, bodyOffset, bodyLength);
            at += bodyLength;
            if (close != NONE)
            {
                target.putByte(at++, (byte)close);
            }
            if (last != NONE)
            {
                target.putByte(at, (byte)last);
            }
        }
        catch (final RuntimeException ex)
        {
            // An uncommitted claim would stop the reader at this slot for good.
            ring.abort(index);
            throw ex;
        }
        ring.commit(index);
    }

    /**
     * Replace the full (or too small) ring by one twice as large, or large enough for the frame, up to the capacity.
     *
     * @return true if there is a newer ring to try, false if the outbox is at its capacity.
     */
    private synchronized boolean grow(final Segment full, final int length)
    {
        if (full != writeSegment)
        {
            return true;
        }
        final int current = full.ring.capacity();
        if (current >= capacity || size() + length > capacity)
        {
            // No new ring once the older ones hold the capacity: queued bytes stay under twice the capacity.
            return false;
        }
        int next = current << 1;
        while (next < capacity && (next >> 3) < length)
        {
            next <<= 1;
        }
        final Segment grown = new Segment(Math.min(next, capacity));
        full.next = grown;
        full.sealed = true;
        writeSegment = grown;
        return true;
    }

    /**
     * @return bytes that can be queued now, growing as needed.
     */
    public int free()
    {
        return Math.max(0, capacity - size());
    }

    /**
     * @param length a frame length.
     * @return true if a frame of this length can ever be queued.
     */
    public boolean fits(final int length)
    {
        return length <= maxFrameLength;
    }

    /**
     * Hand queued frames, oldest first, to a handler on the draining thread.
     *
     * @param handler receives each frame.
     * @param limit   most frames to hand over.
     * @return frames handed over.
     */
    public int drain(final MessageHandler handler, final int limit)
    {
        int frames = 0;
        while (frames < limit)
        {
            final Segment segment = readSegment;
            final ManyToOneRingBuffer ring = segment.ring;
            int read = ring.read(handler, limit - frames);
            if (read == 0 && ring.size() > 0)
            {
                // The read stopped at the padding record at the end of the buffer; the next read starts at the
                // front.
                read = ring.read(handler, limit - frames);
            }
            frames += read;
            if (read == 0)
            {
                // The seal is read before the ring is seen empty: a claim after this point sees the seal.
                if (segment.sealed && ring.size() == 0)
                {
                    readSegment = segment.next;
                    continue;
                }
                break;
            }
        }
        return frames;
    }

    /**
     * @return bytes queued and not yet drained.
     */
    public int size()
    {
        return sum(false);
    }

    /**
     * @return bytes the newest ring may hold at most; while older, smaller rings drain, the outbox may hold up to
     * about twice this.
     */
    public int capacity()
    {
        return capacity;
    }

    /**
     * @return bytes of ring the outbox holds now (it grows up to {@link #capacity()}).
     */
    public int allocated()
    {
        return sum(true);
    }

    /**
     * Bytes queued, or bytes of ring, over the rings from the one being drained to the newest.
     */
    private int sum(final boolean capacities)
    {
        int sum = 0;
        for (Segment segment = readSegment; null != segment; segment = segment.next)
        {
            sum += capacities ? segment.ring.capacity() : segment.ring.size();
        }
        return sum;
    }

    /**
     * @return the largest frame the outbox takes.
     */
    public int maxFrameLength()
    {
        return maxFrameLength;
    }

    /**
     * One ring of the outbox, and the one that replaced it once it is sealed.
     */
    private static final class Segment
    {
        final ManyToOneRingBuffer ring;
        /** Set (after {@link #next}) when a newer ring takes the writes. */
        volatile boolean sealed;
        volatile Segment next;

        Segment(final int capacity)
        {
            ring = new ManyToOneRingBuffer(
                new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
        }
    }
}
