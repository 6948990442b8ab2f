package io.meridian.gateway;

import io.meridian.engine.SessionOutbox;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;
import org.xnio.StreamConnection;
import org.xnio.XnioIoThread;
import org.xnio.conduits.ConduitStreamSinkChannel;
import org.xnio.conduits.ConduitStreamSourceChannel;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The server side of one WebSocket connection (RFC 6455) on an upgraded stream, framed here rather than by
 * Undertow's WebSocket channel. Frames from a session's outbox are laid end to end in a buffer of the IO thread's and
 * go to the socket in one write per drain, with nothing allocated per frame; what the socket does not take waits in
 * a backlog of the connection's own, and the outbox is not drained again until the backlog has gone. Incoming frames
 * are parsed as bytes arrive, unmasked into a message buffer, and handed to the {@link Handler} whole.
 * <p>
 * The close handshake is kept: after sending a close frame the connection goes on reading, for the peer's close, and
 * closes the socket once that arrives, or after {@link #LINGER_MS}. A peer that breaks the protocol gets a close frame
 * with the matching code (1002, 1007, 1009) and its further data is ignored.
 * <p>
 * Every method runs on the connection's IO thread.
 */
final class WebSocketConnection implements MessageHandler
{
    /**
     * What the connection tells its owner.
     */
    interface Handler
    {
        /**
         * @param text a whole text message.
         */
        void onText(String text);

        /**
         * A whole binary message arrived; its content is not kept.
         */
        void onBinary();

        /**
         * A ping or a pong arrived.
         */
        void onControl();

        /**
         * The socket took everything queued: more may be sent.
         */
        void onWritable();

        /**
         * The socket closed; called once.
         */
        void onClosed();
    }

    static final int CLOSE_NORMAL = 1000;
    static final int CLOSE_PROTOCOL_ERROR = 1002;
    static final int CLOSE_INVALID_DATA = 1007;
    static final int CLOSE_TOO_BIG = 1009;
    /** How long the socket stays open after a close frame has been sent, waiting for the peer's. */
    static final long LINGER_MS = 2000;

    private static final Logger LOG = LoggerFactory.getLogger(WebSocketConnection.class);
    private static final int OPCODE_CONTINUATION = 0;
    private static final int OPCODE_TEXT = 1;
    private static final int OPCODE_BINARY = 2;
    private static final int OPCODE_CLOSE = 8;
    private static final int OPCODE_PING = 9;
    private static final int OPCODE_PONG = 10;
    private static final int MAX_CONTROL_PAYLOAD = 125;
    private static final int MAX_HEADER = 14;
    /** Reads per readiness event before other connections on the thread get a turn. */
    private static final int READS_PER_EVENT = 16;
    /** A backlog larger than this is let go once it is empty. */
    private static final int KEEP_BACKLOG_BYTES = 64 * 1024;
    /** A message buffer larger than this is let go once its message has been handed over. */
    private static final int KEEP_MESSAGE_BYTES = 4 * 1024;
    /** Frames up to this long (with their header) go through the IO thread's buffer, not the backlog. */
    private static final int WRITE_SCRATCH_BYTES = 256 * 1024;
    private static final byte[] EMPTY = new byte[0];
    private static final ThreadLocal<IoScratch> SCRATCH = ThreadLocal.withInitial(IoScratch::new);

    private final StreamConnection connection;
    private final ConduitStreamSourceChannel source;
    private final ConduitStreamSinkChannel sink;
    private final int maxMessageBytes;
    private Handler handler;

    // Reading.
    private final byte[] header = new byte[MAX_HEADER];
    private final byte[] maskKey = new byte[4];
    private final byte[] control = new byte[MAX_CONTROL_PAYLOAD];
    private int headerFill;
    private int headerNeed = 2;
    private boolean inPayload;
    private int frameOpcode;
    private boolean frameFin;
    private long payloadRemaining;
    private int payloadFill;
    private int maskIndex;
    /** Opcode of the data message being assembled, or -1 between messages. */
    private int messageOpcode = -1;
    private byte[] message = EMPTY;
    private int messageLength;
    /** The peer broke the protocol: its frames are read for a close frame and their data is dropped. */
    private boolean failed;
    /** The stream can no longer be parsed: every byte is dropped until the socket closes. */
    private boolean discardAll;

    // Writing.
    private ByteBuffer out;
    private byte[] backlog = EMPTY;
    private int backlogStart;
    private int backlogEnd;
    private int framesTaken;
    private long payloadBytesTaken;
    private boolean closeSent;
    private boolean closeReceived;
    private boolean closed;

    /**
     * @param connection      the upgraded stream.
     * @param maxMessageBytes largest message the peer may send; a larger one closes the connection with 1009.
     */
    WebSocketConnection(final StreamConnection connection, final int maxMessageBytes)
    {
        this.connection = connection;
        this.source = connection.getSourceChannel();
        this.sink = connection.getSinkChannel();
        this.maxMessageBytes = maxMessageBytes;
    }

    /**
     * Start reading, delivering to the handler.
     *
     * @param handler told of messages, writability and the close.
     */
    void start(final Handler handler)
    {
        this.handler = handler;
        connection.getCloseSetter().set(c -> onSocketClosed());
        sink.getWriteSetter().set(c -> onWritable());
        source.getReadSetter().set(c -> onReadable());
        if (!connection.isOpen())
        {
            onSocketClosed();
            return;
        }
        source.resumeReads();
    }

    /**
     * @return the IO thread every method of this connection runs on.
     */
    XnioIoThread ioThread()
    {
        return connection.getIoThread();
    }

    /**
     * @return true while the socket is open and no close frame has been sent: data may still go out.
     */
    boolean isOpen()
    {
        return !closeSent && connection.isOpen();
    }

    /**
     * @return true if data may be sent now: open, and nothing is waiting for the socket.
     */
    boolean writable()
    {
        return isOpen() && backlogStart == backlogEnd;
    }

    /**
     * @return the peer's address.
     */
    String peerAddress()
    {
        return String.valueOf(connection.getPeerAddress());
    }

    /**
     * Send frames from the outbox, as text messages, until it is empty, the socket is full or the limit is reached.
     *
     * @param outbox the session's outbox.
     * @param limit  most frames to take.
     * @return frames taken from the outbox; {@link #payloadBytesTaken()} has their bytes.
     */
    int send(final SessionOutbox outbox, final int limit)
    {
        framesTaken = 0;
        payloadBytesTaken = 0;
        if (!writable())
        {
            return 0;
        }
        final ByteBuffer scratch = SCRATCH.get().write;
        scratch.clear();
        out = scratch;
        try
        {
            // One frame at a time: once the socket is full, the frames after the one in hand stay in the outbox,
            // where the engine sees how far behind the session is.
            while (framesTaken < limit && backlogStart == backlogEnd && !closed && outbox.drain(this, 1) > 0)
            {
                // Each frame is in the scratch buffer, written, or in the backlog.
            }
            // Frames go to the scratch buffer only while the backlog is empty, so one of the two holds them all.
            if (closed)
            {
                return framesTaken;
            }
            if (scratch.position() > 0)
            {
                writeScratch(scratch);
            }
            else
            {
                writeBacklog();
            }
        }
        finally
        {
            out = null;
        }
        finishWrite();
        return framesTaken;
    }

    /**
     * @return payload bytes of the frames the last {@link #send} took.
     */
    long payloadBytesTaken()
    {
        return payloadBytesTaken;
    }

    /**
     * One frame from the outbox, during {@link #send}.
     */
    @Override
    public void onMessage(final int msgTypeId, final org.agrona.MutableDirectBuffer buffer, final int index,
        final int length)
    {
        framesTaken++;
        payloadBytesTaken += length;
        if (closed)
        {
            return;
        }
        if (backlogStart != backlogEnd)
        {
            appendFrame(OPCODE_TEXT, buffer, index, length);
            return;
        }
        final ByteBuffer scratch = out;
        final int frameLength = headerLength(length) + length;
        if (scratch.remaining() < frameLength && (!writeScratch(scratch) || scratch.remaining() < frameLength))
        {
            if (closed)
            {
                return;
            }
            // The socket is full, or the frame is larger than the thread's buffer: it waits in the backlog, and the
            // drain stops with it.
            appendFrame(OPCODE_TEXT, buffer, index, length);
            return;
        }
        putHeader(scratch, OPCODE_TEXT, length);
        buffer.getBytes(index, scratch, scratch.position(), length);
        scratch.position(scratch.position() + length);
    }

    /**
     * Send a ping with no payload.
     */
    void sendPing()
    {
        sendControl(OPCODE_PING, EMPTY, 0);
    }

    /**
     * Start the close handshake: a close frame after whatever is waiting for the socket; no data after it.
     *
     * @param code   close code.
     * @param reason a short reason; cut to fit a control frame.
     */
    void sendClose(final int code, final String reason)
    {
        if (closeSent || closed)
        {
            return;
        }
        final byte[] payload = new byte[MAX_CONTROL_PAYLOAD];
        payload[0] = (byte)(code >>> 8);
        payload[1] = (byte)code;
        final int length = 2 + encodeReason(reason, payload, 2);
        sendControl(OPCODE_CLOSE, payload, length);
        closeSent = true;
        if (closeReceived)
        {
            closeWhenFlushed();
        }
        connection.getIoThread().executeAfter(this::abort, LINGER_MS, TimeUnit.MILLISECONDS);
    }

    /**
     * Close the socket now, whatever is waiting.
     */
    void abort()
    {
        IoUtils.safeClose(connection);
    }

    private static int encodeReason(final String reason, final byte[] target, final int offset)
    {
        final byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(bytes.length, target.length - offset);
        // Do not cut a character in two.
        while (length < bytes.length && length > 0 && (bytes[length] & 0xC0) == 0x80)
        {
            length--;
        }
        System.arraycopy(bytes, 0, target, offset, length);
        return length;
    }

    private void sendControl(final int opcode, final byte[] payload, final int length)
    {
        if (closeSent || closed)
        {
            return;
        }
        if (backlogStart != backlogEnd)
        {
            appendFrame(opcode, payload, length);
        }
        else
        {
            final ByteBuffer scratch = SCRATCH.get().write;
            scratch.clear();
            putHeader(scratch, opcode, length);
            scratch.put(payload, 0, length);
            writeScratch(scratch);
        }
        finishWrite();
    }

    /**
     * Write what the scratch buffer holds; what the socket does not take goes to the backlog.
     *
     * @return true if the socket took all of it.
     */
    private boolean writeScratch(final ByteBuffer scratch)
    {
        scratch.flip();
        try
        {
            while (scratch.hasRemaining() && sink.write(scratch) > 0)
            {
                // Until the socket is full.
            }
        }
        catch (final IOException ex)
        {
            writeFailed(ex);
            scratch.clear();
            return false;
        }
        final boolean all = !scratch.hasRemaining();
        if (!all)
        {
            final int remaining = scratch.remaining();
            ensureBacklog(remaining);
            scratch.get(backlog, backlogEnd, remaining);
            backlogEnd += remaining;
        }
        scratch.clear();
        return all;
    }

    /**
     * Write from the backlog.
     *
     * @return true if it is empty now.
     */
    private boolean writeBacklog()
    {
        if (backlogStart == backlogEnd)
        {
            return true;
        }
        final ByteBuffer view = ByteBuffer.wrap(backlog, backlogStart, backlogEnd - backlogStart);
        try
        {
            while (view.hasRemaining() && sink.write(view) > 0)
            {
                // Until the socket is full.
            }
        }
        catch (final IOException ex)
        {
            writeFailed(ex);
            return false;
        }
        backlogStart = view.position();
        if (backlogStart == backlogEnd)
        {
            backlogStart = 0;
            backlogEnd = 0;
            if (backlog.length > KEEP_BACKLOG_BYTES)
            {
                backlog = EMPTY;
            }
            return true;
        }
        return false;
    }

    /**
     * After writing: flush (a TLS stream may hold data back), and ask to hear when the socket can take more if it
     * did not take everything.
     */
    private void finishWrite()
    {
        if (closed)
        {
            return;
        }
        boolean flushed = false;
        if (backlogStart == backlogEnd)
        {
            try
            {
                flushed = sink.flush();
            }
            catch (final IOException ex)
            {
                writeFailed(ex);
                return;
            }
        }
        if (flushed)
        {
            if (closeSent && closeReceived)
            {
                abort();
            }
        }
        else
        {
            sink.resumeWrites();
        }
    }

    private void onWritable()
    {
        if (!writeBacklog())
        {
            return;
        }
        try
        {
            if (!sink.flush())
            {
                return;
            }
        }
        catch (final IOException ex)
        {
            writeFailed(ex);
            return;
        }
        sink.suspendWrites();
        if (closeSent)
        {
            if (closeReceived)
            {
                abort();
            }
            return;
        }
        handler.onWritable();
    }

    private void closeWhenFlushed()
    {
        if (backlogStart == backlogEnd)
        {
            finishWrite();
        }
    }

    private void writeFailed(final IOException ex)
    {
        LOG.debug("write to {} failed: {}", peerAddress(), String.valueOf(ex));
        abort();
    }

    private void appendFrame(final int opcode, final DirectBuffer payload, final int index, final int length)
    {
        final int headerLength = headerLength(length);
        ensureBacklog(headerLength + length);
        putHeader(backlog, backlogEnd, opcode, length);
        payload.getBytes(index, backlog, backlogEnd + headerLength, length);
        backlogEnd += headerLength + length;
    }

    private void appendFrame(final int opcode, final byte[] payload, final int length)
    {
        final int headerLength = headerLength(length);
        ensureBacklog(headerLength + length);
        putHeader(backlog, backlogEnd, opcode, length);
        System.arraycopy(payload, 0, backlog, backlogEnd + headerLength, length);
        backlogEnd += headerLength + length;
    }

    private void ensureBacklog(final int more)
    {
        final int used = backlogEnd - backlogStart;
        if (backlogEnd + more <= backlog.length)
        {
            return;
        }
        if (used + more <= backlog.length && backlogStart > 0)
        {
            System.arraycopy(backlog, backlogStart, backlog, 0, used);
        }
        else
        {
            final byte[] grown = new byte[Math.max(used + more, Math.max(1024, backlog.length * 2))];
            System.arraycopy(backlog, backlogStart, grown, 0, used);
            backlog = grown;
        }
        backlogStart = 0;
        backlogEnd = used;
    }

    static int headerLength(final int payloadLength)
    {
        return payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10;
    }

    private static void putHeader(final ByteBuffer target, final int opcode, final int length)
    {
        target.put((byte)(0x80 | opcode));
        if (length < 126)
        {
            target.put((byte)length);
        }
        else if (length <= 0xFFFF)
        {
            target.put((byte)126);
            target.putShort((short)length);
        }
        else
        {
            target.put((byte)127);
            target.putLong(length);
        }
    }

    private static void putHeader(final byte[] target, final int offset, final int opcode, final int length)
    {
        target[offset] = (byte)(0x80 | opcode);
        if (length < 126)
        {
            target[offset + 1] = (byte)length;
        }
        else if (length <= 0xFFFF)
        {
            target[offset + 1] = (byte)126;
            target[offset + 2] = (byte)(length >>> 8);
            target[offset + 3] = (byte)length;
        }
        else
        {
            target[offset + 1] = (byte)127;
            for (int i = 0; i < 8; i++)
            {
                target[offset + 2 + i] = (byte)((long)length >>> (56 - 8 * i));
            }
        }
    }

    private void onReadable()
    {
        final ByteBuffer in = SCRATCH.get().read;
        for (int i = 0; i < READS_PER_EVENT && !closed; i++)
        {
            in.clear();
            final int read;
            try
            {
                read = source.read(in);
            }
            catch (final IOException ex)
            {
                LOG.debug("read from {} failed: {}", peerAddress(), String.valueOf(ex));
                abort();
                return;
            }
            if (read < 0)
            {
                source.suspendReads();
                if (closeReceived)
                {
                    // The peer closed its half after its close frame: let the answer go out first.
                    closeWhenFlushed();
                }
                else
                {
                    abort();
                }
                return;
            }
            if (read == 0)
            {
                return;
            }
            in.flip();
            parse(in);
        }
    }

    /**
     * Take bytes from the peer: frame headers, then payloads, unmasked, into the message or control buffer.
     */
    void parse(final ByteBuffer in)
    {
        while (in.hasRemaining() && !closed)
        {
            if (discardAll)
            {
                in.position(in.limit());
                return;
            }
            if (!inPayload)
            {
                while (headerFill < headerNeed && in.hasRemaining())
                {
                    header[headerFill++] = in.get();
                }
                if (headerFill < headerNeed)
                {
                    return;
                }
                if (2 == headerNeed)
                {
                    if ((header[1] & 0x80) == 0)
                    {
                        // Without a mask key the header is shorter than a client's must be: the frames can no
                        // longer be found.
                        fail(CLOSE_PROTOCOL_ERROR, "Frames from a client must be masked", true);
                        continue;
                    }
                    final int lengthCode = header[1] & 0x7F;
                    headerNeed = 2 + (lengthCode == 126 ? 2 : lengthCode == 127 ? 8 : 0) + 4;
                    continue;
                }
                onHeader();
            }
            else
            {
                final int take = (int)Math.min(payloadRemaining, in.remaining());
                final boolean isControl = frameOpcode >= OPCODE_CLOSE;
                if (isControl)
                {
                    unmask(in, control, payloadFill, take);
                }
                else if (failed || closeSent || messageOpcode == OPCODE_BINARY)
                {
                    // Not kept: ignored after a close, or binary, which is refused whatever it holds.
                    in.position(in.position() + take);
                }
                else
                {
                    // The buffer grows with the bytes that came, not with the length a header claims.
                    ensureMessage(messageLength + payloadFill + take);
                    unmask(in, message, messageLength + payloadFill, take);
                }
                payloadFill += take;
                payloadRemaining -= take;
                if (0 == payloadRemaining)
                {
                    endFrame();
                }
            }
        }
    }

    private void unmask(final ByteBuffer in, final byte[] target, final int offset, final int length)
    {
        final byte[] key = maskKey;
        int m = maskIndex;
        for (int i = 0; i < length; i++)
        {
            target[offset + i] = (byte)(in.get() ^ key[m & 3]);
            m++;
        }
        maskIndex = m;
    }

    private void onHeader()
    {
        final int b0 = header[0];
        final int b1 = header[1];
        headerFill = 0;
        headerNeed = 2;
        frameFin = (b0 & 0x80) != 0;
        frameOpcode = b0 & 0x0F;
        final int lengthCode = b1 & 0x7F;
        long length = lengthCode;
        int at = 2;
        if (lengthCode == 126)
        {
            length = ((header[2] & 0xFF) << 8) | (header[3] & 0xFF);
            at = 4;
        }
        else if (lengthCode == 127)
        {
            length = 0;
            for (int i = 0; i < 8; i++)
            {
                length = (length << 8) | (header[2 + i] & 0xFF);
            }
            at = 10;
        }
        System.arraycopy(header, at, maskKey, 0, 4);
        maskIndex = 0;
        payloadFill = 0;
        payloadRemaining = length;
        inPayload = true;
        if (length < 0)
        {
            fail(CLOSE_PROTOCOL_ERROR, "Frame length out of range", true);
            return;
        }
        if (frameOpcode >= OPCODE_CLOSE && (!frameFin || length > MAX_CONTROL_PAYLOAD))
        {
            fail(CLOSE_PROTOCOL_ERROR, "Control frames must be whole and at most 125 bytes", true);
            return;
        }
        if ((b0 & 0x70) != 0)
        {
            fail(CLOSE_PROTOCOL_ERROR, "Reserved bits set without an extension", false);
        }
        else if (frameOpcode > OPCODE_PONG)
        {
            fail(CLOSE_PROTOCOL_ERROR, "Unknown opcode " + frameOpcode, false);
        }
        else if (frameOpcode < OPCODE_CLOSE)
        {
            onDataHeader(length);
        }
        if (0 == payloadRemaining)
        {
            endFrame();
        }
    }

    private void onDataHeader(final long length)
    {
        if (frameOpcode > OPCODE_BINARY)
        {
            fail(CLOSE_PROTOCOL_ERROR, "Unknown opcode " + frameOpcode, false);
        }
        else if (failed || closeSent)
        {
            // Read past, unheeded.
            return;
        }
        else if (frameOpcode == OPCODE_CONTINUATION ? messageOpcode < 0 : messageOpcode >= 0)
        {
            fail(CLOSE_PROTOCOL_ERROR, frameOpcode == OPCODE_CONTINUATION ?
                "Continuation frame without a message to continue" : "New message before the last one ended", false);
        }
        else if (messageLength + length > maxMessageBytes)
        {
            fail(CLOSE_TOO_BIG, "Message larger than " + maxMessageBytes + " bytes", false);
        }
        else
        {
            if (frameOpcode != OPCODE_CONTINUATION)
            {
                messageOpcode = frameOpcode;
            }
        }
    }

    private void ensureMessage(final int length)
    {
        if (length > message.length)
        {
            final int size = Math.min(maxMessageBytes, Math.max(length, Math.max(256, message.length * 2)));
            final byte[] grown = new byte[size];
            // The message so far and the part of the current frame already read.
            System.arraycopy(message, 0, grown, 0, messageLength + payloadFill);
            message = grown;
        }
    }

    private void endFrame()
    {
        inPayload = false;
        final int length = payloadFill;
        switch (frameOpcode)
        {
            case OPCODE_PING:
                onControl();
                if (!failed)
                {
                    sendControl(OPCODE_PONG, control, length);
                }
                return;
            case OPCODE_PONG:
                onControl();
                return;
            case OPCODE_CLOSE:
                onCloseFrame(length);
                return;
            default:
                break;
        }
        if (failed || closeSent || messageOpcode < 0)
        {
            return;
        }
        messageLength += length;
        if (!frameFin)
        {
            return;
        }
        final int opcode = messageOpcode;
        final int total = messageLength;
        messageOpcode = -1;
        messageLength = 0;
        if (opcode == OPCODE_TEXT)
        {
            final String text;
            try
            {
                text = decode(message, total);
            }
            catch (final CharacterCodingException ex)
            {
                fail(CLOSE_INVALID_DATA, "Text message is not valid UTF-8", false);
                return;
            }
            releaseLargeMessage();
            try
            {
                handler.onText(text);
            }
            catch (final RuntimeException ex)
            {
                handlerFailed(ex);
            }
        }
        else
        {
            releaseLargeMessage();
            try
            {
                handler.onBinary();
            }
            catch (final RuntimeException ex)
            {
                handlerFailed(ex);
            }
        }
    }

    private void onControl()
    {
        try
        {
            handler.onControl();
        }
        catch (final RuntimeException ex)
        {
            handlerFailed(ex);
        }
    }

    /**
     * What the owner does with a message is its business, but its failure must not leave the frames behind the
     * message unread: the stream is parsed on, and the failure is logged.
     */
    private void handlerFailed(final RuntimeException ex)
    {
        LOG.error("handling a message from " + peerAddress() + " failed", ex);
    }

    private void releaseLargeMessage()
    {
        if (message.length > KEEP_MESSAGE_BYTES)
        {
            message = EMPTY;
        }
    }

    private static String decode(final byte[] bytes, final int length) throws CharacterCodingException
    {
        final CharsetDecoder decoder = SCRATCH.get().decoder.reset();
        final CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, 0, length));
        return chars.toString();
    }

    private void onCloseFrame(final int length)
    {
        closeReceived = true;
        int code = CLOSE_NORMAL;
        if (1 == length)
        {
            fail(CLOSE_PROTOCOL_ERROR, "Close frame with a one-byte body", false);
        }
        else if (length >= 2)
        {
            code = ((control[0] & 0xFF) << 8) | (control[1] & 0xFF);
            if (!validCloseCode(code))
            {
                fail(CLOSE_PROTOCOL_ERROR, "Close code " + code + " may not be sent", false);
            }
            else
            {
                try
                {
                    decode(java.util.Arrays.copyOfRange(control, 2, length), length - 2);
                }
                catch (final CharacterCodingException ex)
                {
                    fail(CLOSE_INVALID_DATA, "Close reason is not valid UTF-8", false);
                }
            }
        }
        if (closeSent)
        {
            closeWhenFlushed();
        }
        else
        {
            sendClose(code, "");
        }
    }

    static boolean validCloseCode(final int code)
    {
        return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
    }

    /**
     * The peer broke the protocol: tell it why, and drop what it sends from now on.
     *
     * @param structural true if the frames can no longer be told apart.
     */
    private void fail(final int code, final String reason, final boolean structural)
    {
        LOG.debug("closing {} with {}: {}", peerAddress(), code, reason);
        failed = true;
        discardAll |= structural;
        messageOpcode = -1;
        messageLength = 0;
        sendClose(code, reason);
    }

    private void onSocketClosed()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        backlog = EMPTY;
        backlogStart = 0;
        backlogEnd = 0;
        message = EMPTY;
        if (null != handler)
        {
            handler.onClosed();
        }
    }

    /**
     * Buffers each IO thread shares among its connections; none is held by a connection between calls.
     */
    private static final class IoScratch
    {
        final ByteBuffer write = ByteBuffer.allocateDirect(WRITE_SCRATCH_BYTES);
        final ByteBuffer read = ByteBuffer.allocateDirect(16 * 1024);
        final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    }
}
