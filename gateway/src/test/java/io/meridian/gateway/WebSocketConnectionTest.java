package io.meridian.gateway;

import io.meridian.engine.SessionOutbox;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xnio.ChannelPipe;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;
import org.xnio.channels.Channels;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The connection's framing, on an in-memory pipe whose far end the test drives as a client writing raw, masked
 * frames and reading the server's frames byte by byte.
 */
@Timeout(30)
class WebSocketConnectionTest
{
    private static final int MAX_MESSAGE = 4096;
    private static XnioWorker worker;

    private StreamConnection client;
    private WebSocketConnection connection;
    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final ByteBuffer readBuffer = ByteBuffer.allocate(1 << 20).flip();
    private final Random random = new Random(7);

    @BeforeAll
    static void startWorker() throws IOException
    {
        worker = Xnio.getInstance().createWorker(OptionMap.EMPTY);
    }

    @AfterAll
    static void stopWorker()
    {
        worker.shutdownNow();
    }

    @BeforeEach
    void connect() throws Exception
    {
        final ChannelPipe<StreamConnection, StreamConnection> pipe = worker.createFullDuplexPipeConnection();
        client = pipe.getRightSide();
        connection = new WebSocketConnection(pipe.getLeftSide(), MAX_MESSAGE);
        onIoThread(() -> connection.start(new WebSocketConnection.Handler()
        {
            @Override
            public void onText(final String text)
            {
                events.add("text:" + text);
                if ("boom".equals(text))
                {
                    throw new IllegalStateException("a handler that fails");
                }
            }

            @Override
            public void onBinary()
            {
                events.add("binary");
            }

            @Override
            public void onControl()
            {
                events.add("control");
            }

            @Override
            public void onWritable()
            {
                events.add("writable");
            }

            @Override
            public void onClosed()
            {
                events.add("closed");
            }
        }));
    }

    @AfterEach
    void disconnect()
    {
        IoUtils.safeClose(client);
        onIoThread(connection::abort);
    }

    @Test
    void aMaskedTextMessageArrivesWhole() throws Exception
    {
        send(frame(true, 1, "{\"Controller\":\"Zenith\"}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("text:{\"Controller\":\"Zenith\"}", next());
    }

    @Test
    void aFragmentedMessageWithAPingBetweenIsOneMessageAndThePingGetsAPong() throws Exception
    {
        final byte[] whole = "héllo wörld, in three parts".getBytes(StandardCharsets.UTF_8);
        // Cut inside the two-byte é, so the text is only valid as a whole.
        send(frame(false, 1, Arrays.copyOfRange(whole, 0, 2)));
        send(frame(true, 9, "p1".getBytes(StandardCharsets.US_ASCII)));
        send(frame(false, 0, Arrays.copyOfRange(whole, 2, 10)));
        send(frame(true, 0, Arrays.copyOfRange(whole, 10, whole.length)));
        assertEquals("control", next());
        assertEquals("text:héllo wörld, in three parts", next());
        final Frame pong = readFrame();
        assertEquals(10, pong.opcode);
        assertEquals("p1", pong.text());
    }

    @Test
    void bytesArrivingOneAtATimeStillMakeTheMessage() throws Exception
    {
        final byte[] frame = frame(true, 1, "x".repeat(300).getBytes(StandardCharsets.US_ASCII));
        for (final byte b : frame)
        {
            send(new byte[]{b});
        }
        assertEquals("text:" + "x".repeat(300), next());
    }

    @Test
    void outboxFramesGoOutWithEachLengthForm() throws Exception
    {
        final SessionOutbox outbox = new SessionOutbox(1 << 20);
        final int[] lengths = {0, 5, 125, 126, 65535, 65536, 100_000};
        final List<byte[]> sent = new ArrayList<>();
        for (final int length : lengths)
        {
            final byte[] payload = randomText(length);
            sent.add(payload);
            assertTrue(outbox.write(new UnsafeBuffer(payload), 0, length));
        }
        final int taken = onIoThread(() -> connection.send(outbox, 256));
        assertEquals(lengths.length, taken);
        for (final byte[] expected : sent)
        {
            final Frame frame = readFrame();
            assertEquals(1, frame.opcode);
            assertTrue(frame.fin);
            assertArrayEquals(expected, frame.payload);
        }
    }

    @Test
    void whatTheSocketCannotTakeWaitsAndGoesOutInOrder() throws Exception
    {
        final SessionOutbox outbox = new SessionOutbox(1 << 22);
        final List<byte[]> sent = new ArrayList<>();
        long bytes = 0;
        // Far more than the pipe holds, with no one reading it.
        while (bytes < 3_000_000)
        {
            final byte[] payload = randomText(1 + random.nextInt(20_000));
            assertTrue(outbox.write(new UnsafeBuffer(payload), 0, payload.length));
            sent.add(payload);
            bytes += payload.length;
        }
        int frames = drainOnIoThread(outbox);
        assertFalse(onIoThread(connection::writable), "the socket is full: what it did not take waits");
        assertTrue(outbox.size() > 2_000_000, "the frames after the one that filled the socket stay in the outbox, " +
            "where the engine sees them: " + outbox.size());
        final CompletableFuture<Void> reader = CompletableFuture.runAsync(() ->
        {
            for (final byte[] expected : sent)
            {
                assertArrayEquals(expected, readFrame().payload);
            }
        });
        // The writable event says the backlog went out; the rest of the outbox follows it.
        while (frames < sent.size())
        {
            assertEquals("writable", next());
            frames += drainOnIoThread(outbox);
        }
        reader.get(20, TimeUnit.SECONDS);
        assertEquals(sent.size(), frames);
    }

    @Test
    void framesArrivingInOneReadAreEachDelivered() throws Exception
    {
        final ByteArrayOutputStream three = new ByteArrayOutputStream();
        three.writeBytes(frame(true, 1, "one".getBytes(StandardCharsets.US_ASCII)));
        three.writeBytes(frame(true, 10, new byte[0]));
        three.writeBytes(frame(true, 1, "two".getBytes(StandardCharsets.US_ASCII)));
        send(three.toByteArray());
        assertEquals("text:one", next());
        assertEquals("control", next());
        assertEquals("text:two", next());
    }

    @Test
    void aHandlerThatFailsDoesNotLoseTheFramesBehindItsMessage() throws Exception
    {
        final ByteArrayOutputStream two = new ByteArrayOutputStream();
        two.writeBytes(frame(true, 1, "boom".getBytes(StandardCharsets.US_ASCII)));
        two.writeBytes(frame(true, 1, "after".getBytes(StandardCharsets.US_ASCII)));
        send(two.toByteArray());
        assertEquals("text:boom", next());
        assertEquals("text:after", next());
        assertTrue(onIoThread(connection::isOpen));
    }

    @Test
    void aSixtyFourBitLengthOverTheLimitGets1009() throws Exception
    {
        final byte[] header = {(byte)0x81, (byte)(0x80 | 127), 0, 0, 0, 0, 0, 1, 0, 0, 1, 2, 3, 4};
        send(header);
        assertClose(1009);
    }

    @Test
    void aClientThatShutsItsSideAfterItsCloseStillGetsTheAnswer() throws Exception
    {
        send(frame(true, 8, new byte[]{0x03, (byte)0xE8}));
        client.getSinkChannel().shutdownWrites();
        Channels.flushBlocking(client.getSinkChannel());
        assertClose(1000);
        assertEquals("closed", next());
        assertEquals(-1, readByte());
    }

    @Test
    void anUnmaskedFrameGets1002() throws Exception
    {
        final byte[] frame = frame(true, 1, "hi".getBytes(StandardCharsets.US_ASCII));
        frame[1] &= 0x7F;
        send(Arrays.copyOfRange(frame, 0, frame.length - 4));
        assertClose(1002);
    }

    @Test
    void reservedBitsGet1002AndTheConnectionClosesAfterTheClientsClose() throws Exception
    {
        final byte[] frame = frame(true, 1, "hi".getBytes(StandardCharsets.US_ASCII));
        frame[0] |= 0x40;
        send(frame);
        assertClose(1002);
        send(frame(true, 8, new byte[]{0x03, (byte)0xEA}));
        assertEquals("closed", next());
        assertEquals(-1, readByte(), "the server closed the socket");
    }

    @Test
    void aMessageOverTheLimitGets1009AndLaterMessagesAreIgnored() throws Exception
    {
        send(frame(false, 1, randomText(MAX_MESSAGE - 10)));
        send(frame(true, 0, randomText(11)));
        send(frame(true, 1, "after".getBytes(StandardCharsets.US_ASCII)));
        assertClose(1009);
        send(frame(true, 8, new byte[]{0x03, (byte)0xE8}));
        assertEquals("closed", next());
        assertFalse(events.stream().anyMatch(e -> e.startsWith("text:")), "no message was delivered: " + events);
    }

    @Test
    void invalidUtf8Gets1007() throws Exception
    {
        send(frame(true, 1, new byte[]{'a', (byte)0xC3, 0x28}));
        assertClose(1007);
    }

    @Test
    void aContinuationWithNoMessageGets1002() throws Exception
    {
        send(frame(true, 0, "x".getBytes(StandardCharsets.US_ASCII)));
        assertClose(1002);
    }

    @Test
    void aControlFrameOver125BytesGets1002() throws Exception
    {
        send(frame(true, 9, new byte[126]));
        assertClose(1002);
    }

    @Test
    void aCloseCodeThatMayNotBeSentGets1002() throws Exception
    {
        send(frame(true, 8, new byte[]{0x03, (byte)0xED}));
        assertClose(1002);
        assertEquals("closed", next());
    }

    @Test
    void theClientsCloseIsEchoedAndTheSocketCloses() throws Exception
    {
        send(frame(true, 8, new byte[]{0x03, (byte)0xE8, 'b', 'y', 'e'}));
        assertClose(1000);
        assertEquals("closed", next());
        assertEquals(-1, readByte());
    }

    @Test
    void aServerCloseCarriesItsCodeAndReasonAndNoDataFollows() throws Exception
    {
        final SessionOutbox outbox = new SessionOutbox(1 << 16);
        onIoThread(() -> connection.sendClose(4000, "Closed by an operator"));
        assertTrue(outbox.write(new UnsafeBuffer(new byte[]{'x'}), 0, 1));
        assertEquals(0, (int)onIoThread(() -> connection.send(outbox, 10)));
        final Frame close = readFrame();
        assertEquals(8, close.opcode);
        assertEquals(4000, close.closeCode());
        assertEquals("Closed by an operator", new String(close.payload, 2, close.payload.length - 2,
            StandardCharsets.UTF_8));
        send(frame(true, 8, new byte[]{0x0F, (byte)0xA0}));
        assertEquals("closed", next());
        assertEquals(-1, readByte());
    }

    @Test
    void aBinaryMessageIsReported() throws Exception
    {
        send(frame(true, 2, new byte[]{1, 2, 3}));
        assertEquals("binary", next());
    }

    @Test
    void aPeerThatNeverAnswersTheCloseIsDroppedAfterTheLinger() throws Exception
    {
        onIoThread(() -> connection.sendClose(1008, "Slow consumer"));
        assertEquals(1008, readFrame().closeCode());
        final String event = events.poll(WebSocketConnection.LINGER_MS + 5000, TimeUnit.MILLISECONDS);
        assertEquals("closed", event);
    }

    @Test
    void closeCodes()
    {
        assertTrue(WebSocketConnection.validCloseCode(1000));
        assertTrue(WebSocketConnection.validCloseCode(1011));
        assertTrue(WebSocketConnection.validCloseCode(4999));
        assertFalse(WebSocketConnection.validCloseCode(1005));
        assertFalse(WebSocketConnection.validCloseCode(1006));
        assertFalse(WebSocketConnection.validCloseCode(1015));
        assertFalse(WebSocketConnection.validCloseCode(2999));
        assertFalse(WebSocketConnection.validCloseCode(5000));
    }

    private int drainOnIoThread(final SessionOutbox outbox)
    {
        return onIoThread(() -> connection.send(outbox, 256));
    }

    private void assertClose(final int code) throws IOException
    {
        Frame frame = readFrame();
        while (frame.opcode != 8)
        {
            frame = readFrame();
        }
        assertEquals(code, frame.closeCode());
    }

    private String next() throws InterruptedException
    {
        final String event = events.poll(10, TimeUnit.SECONDS);
        assertNotNull(event, "an event from the connection");
        return event;
    }

    private byte[] randomText(final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)('a' + random.nextInt(26));
        }
        return bytes;
    }

    private byte[] frame(final boolean fin, final int opcode, final byte[] payload)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.write((fin ? 0x80 : 0) | opcode);
        final int length = payload.length;
        if (length < 126)
        {
            out.write(0x80 | length);
        }
        else if (length <= 0xFFFF)
        {
            out.write(0x80 | 126);
            out.write(length >>> 8);
            out.write(length);
        }
        else
        {
            out.write(0x80 | 127);
            for (int i = 7; i >= 0; i--)
            {
                out.write((int)((long)length >>> (8 * i)));
            }
        }
        final byte[] mask = new byte[4];
        random.nextBytes(mask);
        out.writeBytes(mask);
        for (int i = 0; i < length; i++)
        {
            out.write(payload[i] ^ mask[i & 3]);
        }
        return out.toByteArray();
    }

    private void send(final byte[] bytes) throws IOException
    {
        Channels.writeBlocking(client.getSinkChannel(), ByteBuffer.wrap(bytes));
        Channels.flushBlocking(client.getSinkChannel());
    }

    private int readByte() throws IOException
    {
        if (!readBuffer.hasRemaining())
        {
            readBuffer.clear();
            final int read = Channels.readBlocking(client.getSourceChannel(), readBuffer, 10, TimeUnit.SECONDS);
            readBuffer.flip();
            if (read < 0)
            {
                return -1;
            }
            if (read == 0)
            {
                throw new IOException("nothing to read within 10 s");
            }
        }
        return readBuffer.get() & 0xFF;
    }

    private Frame readFrame()
    {
        try
        {
            final int b0 = readByte();
            final int b1 = readByte();
            assertEquals(0, b1 & 0x80, "server frames are not masked");
            long length = b1 & 0x7F;
            final int extra = length == 126 ? 2 : length == 127 ? 8 : 0;
            if (extra > 0)
            {
                length = 0;
                for (int i = 0; i < extra; i++)
                {
                    length = (length << 8) | readByte();
                }
            }
            final byte[] payload = new byte[(int)length];
            for (int i = 0; i < payload.length; i++)
            {
                payload[i] = (byte)readByte();
            }
            return new Frame((b0 & 0x80) != 0, b0 & 0x0F, payload);
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    private <T> T onIoThread(final java.util.concurrent.Callable<T> task)
    {
        final CompletableFuture<T> result = new CompletableFuture<>();
        connection.ioThread().execute(() ->
        {
            try
            {
                result.complete(task.call());
            }
            catch (final Throwable ex)
            {
                result.completeExceptionally(ex);
            }
        });
        return result.join();
    }

    private void onIoThread(final Runnable task)
    {
        onIoThread(() ->
        {
            task.run();
            return null;
        });
    }

    private record Frame(boolean fin, int opcode, byte[] payload)
    {
        String text()
        {
            return new String(payload, StandardCharsets.UTF_8);
        }

        int closeCode()
        {
            return ((payload[0] & 0xFF) << 8) | (payload[1] & 0xFF);
        }
    }
}
