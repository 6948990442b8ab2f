package io.meridian.engine;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.ringbuffer.ManyToOneRingBuffer;
import org.agrona.concurrent.ringbuffer.RingBuffer;
import org.agrona.concurrent.ringbuffer.RingBufferDescriptor;

import java.nio.ByteBuffer;

/**
 * Bounded queue of encoded text frames for one client session. Written by the engine thread and by the session's
 * IO thread (replies it makes itself), drained by the IO thread. Writes never block: a full outbox is reported to
 * the writer, which decides what happens to the session.
 */
public final class SessionOutbox
{
    /** Message type of one complete text frame. */
    public static final int TEXT_FRAME = 1;

    /** No opening or closing byte around the body. */
    private static final int NONE = -1;

    private final ManyToOneRingBuffer ring;

    /**
     * @param capacity bytes of frame data; a power of two.
     */
    public SessionOutbox(final int capacity)
    {
        ring = new ManyToOneRingBuffer(
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity + RingBufferDescriptor.TRAILER_LENGTH)));
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
        if (length > ring.maxMsgLength())
        {
            return false;
        }
        return ring.write(TEXT_FRAME, buffer, offset, length);
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
        return writeFramed(prefix, prefixLength, NONE, body, bodyOffset, bodyLength, NONE, suffix);
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
        return writeFramed(prefix, prefixLength, '[', body, bodyOffset, bodyLength, ']', (byte)'}');
    }

    /**
     * Claim, fill and commit prefix, optional opening byte, body, optional closing byte and final byte.
     */
    private boolean writeFramed(
        final DirectBuffer prefix,
        final int prefixLength,
        final int open,
        final DirectBuffer body,
        final int bodyOffset,
        final int bodyLength,
        final int close,
        final byte last)
    {
        final int length = prefixLength + (open == NONE ? 0 : 1) + bodyLength + (close == NONE ? 0 : 1) + 1;
        if (length > ring.maxMsgLength())
        {
            return false;
        }
        final int index = ring.tryClaim(TEXT_FRAME, length);
        if (index <= 0)
        {
            return false;
        }
        try
        {
            final org.agrona.concurrent.AtomicBuffer target = ring.buffer();
            int at = index;
            target.putBytes(at, prefix, 0, prefixLength);
            at += prefixLength;
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
            target.putByte(at, last);
        }
        catch (final RuntimeException ex)
        {
            // An uncommitted claim would stop the reader at this slot for good.
            ring.abort(index);
            throw ex;
        }
        ring.commit(index);
        return true;
    }

    /**
     * @return bytes that can be queued now.
     */
    public int free()
    {
        return ring.capacity() - ring.size();
    }

    /**
     * @param length a frame length.
     * @return true if a frame of this length can ever be queued.
     */
    public boolean fits(final int length)
    {
        return length <= ring.maxMsgLength();
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
        int frames = ring.read(handler, limit);
        if (frames == 0 && ring.size() > 0)
        {
            // The read stopped at the padding record at the end of the buffer; the next read starts at the front.
            frames = ring.read(handler, limit);
        }
        return frames;
    }

    /**
     * @return bytes queued and not yet drained.
     */
    public int size()
    {
        return ring.size();
    }

    /**
     * @return bytes the outbox holds when full.
     */
    public int capacity()
    {
        return ring.capacity();
    }

    /**
     * @return the largest frame the outbox takes.
     */
    public int maxFrameLength()
    {
        return ring.maxMsgLength();
    }

    RingBuffer ring()
    {
        return ring;
    }
}
