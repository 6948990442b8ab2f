package io.meridian.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Base64;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A lean WebSocket client for load: many connections on a few selector threads, frames read straight from the socket
 * buffer with no copy or decoding, so that the load generator costs little per frame and the server, not the client,
 * sets the figures. (The JDK's WebSocket client spends some 25 µs of CPU on each small frame, and reads all the
 * connections of one HttpClient on one thread: at a thousand frames in a burst, the client's own queue was the
 * latency measured.) Just enough of RFC 6455 for the purpose: the opening handshake, unmasked frames from the
 * server of any length, masked text frames to it, pings answered, a close counted. No extensions, no TLS.
 */
final class WsLoadClient implements AutoCloseable
{
    /**
     * What a connection reports.
     */
    interface Listener
    {
        /**
         * The handshake is done: the connection may send.
         */
        void onOpen(Connection connection);

        /**
         * A text message (or one fragment of one), in the buffer between from and to, read at a time.
         */
        void onText(ByteBuffer buffer, int from, int to, long readNanos);

        /**
         * The connection failed or the server closed it.
         *
         * @param reason why.
         */
        void onClosed(String reason);
    }

    private final Loop[] loops;
    private int next;

    /**
     * @param threads selector threads.
     * @throws IOException if a selector cannot be opened.
     */
    WsLoadClient(final int threads) throws IOException
    {
        loops = new Loop[threads];
        for (int i = 0; i < threads; i++)
        {
            loops[i] = new Loop("ws-load-" + i);
            loops[i].start();
        }
    }

    /**
     * Open a connection; the listener hears of it on one of the client's threads.
     *
     * @param host    to connect to.
     * @param port    its port.
     * @param path    request target, such as {@code /Zenith?version=2.0}.
     * @param headers extra request header lines ({@code Name: value}).
     */
    void connect(final String host, final int port, final String path, final List<String> headers,
        final Listener listener)
    {
        final Loop loop = loops[next++ % loops.length];
        loop.pending.add(new Connection(loop, host, port, path, headers, listener));
        loop.selector.wakeup();
    }

    @Override
    public void close()
    {
        for (final Loop loop : loops)
        {
            loop.running = false;
            loop.selector.wakeup();
        }
        for (final Loop loop : loops)
        {
            try
            {
                loop.join(5000);
                for (final SelectionKey key : loop.selector.keys())
                {
                    key.channel().close();
                }
                loop.selector.close();
            }
            catch (final InterruptedException | IOException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One selector thread and the connections it serves.
     */
    private static final class Loop extends Thread
    {
        final Selector selector;
        final Queue<Connection> pending = new ConcurrentLinkedQueue<>();
        volatile boolean running = true;

        Loop(final String name) throws IOException
        {
            super(name);
            setDaemon(true);
            selector = Selector.open();
        }

        @Override
        public void run()
        {
            while (running)
            {
                try
                {
                    selector.select(100);
                    Connection added;
                    while (null != (added = pending.poll()))
                    {
                        added.start();
                    }
                    final long now = System.nanoTime();
                    for (final SelectionKey key : selector.selectedKeys())
                    {
                        ((Connection)key.attachment()).onReady(key, now);
                    }
                    selector.selectedKeys().clear();
                }
                catch (final IOException ex)
                {
                    System.out.println("selector failed: " + ex);
                    return;
                }
            }
        }
    }

    /**
     * One WebSocket connection.
     */
    static final class Connection
    {
        private static final int OP_TEXT = 1;
        private static final int OP_CLOSE = 8;
        private static final int OP_PING = 9;
        private static final int OP_PONG = 10;

        private final Loop loop;
        private final String host;
        private final int port;
        private final String path;
        private final List<String> headers;
        private final Listener listener;
        private final Queue<ByteBuffer> outgoing = new ArrayDeque<>();
        private SocketChannel channel;
        private SelectionKey key;
        private ByteBuffer in = ByteBuffer.allocate(8 * 1024);
        private boolean open;
        private boolean closed;

        Connection(final Loop loop, final String host, final int port, final String path, final List<String> headers,
            final Listener listener)
        {
            this.loop = loop;
            this.host = host;
            this.port = port;
            this.path = path;
            this.headers = headers;
            this.listener = listener;
        }

        /**
         * Send a text message; from any thread.
         */
        void sendText(final String text)
        {
            send(OP_TEXT, text.getBytes(StandardCharsets.UTF_8));
        }

        private void start()
        {
            try
            {
                channel = SocketChannel.open();
                channel.configureBlocking(false);
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.connect(new InetSocketAddress(host, port));
                key = channel.register(loop.selector, SelectionKey.OP_CONNECT, this);
            }
            catch (final IOException ex)
            {
                fail("connect: " + ex);
            }
        }

        private void onReady(final SelectionKey ready, final long now)
        {
            try
            {
                if (ready.isConnectable())
                {
                    channel.finishConnect();
                    final StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\n")
                        .append("Host: ").append(host).append(':').append(port).append("\r\n")
                        .append("Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n")
                        .append("Sec-WebSocket-Key: ").append(newKey()).append("\r\n");
                    for (final String header : headers)
                    {
                        request.append(header).append("\r\n");
                    }
                    request.append("\r\n");
                    outgoing.add(ByteBuffer.wrap(request.toString().getBytes(StandardCharsets.ISO_8859_1)));
                    key.interestOps(SelectionKey.OP_READ);
                    flush();
                }
                if (ready.isValid() && ready.isWritable())
                {
                    flush();
                }
                if (ready.isValid() && ready.isReadable())
                {
                    read(now);
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                fail(String.valueOf(ex));
            }
        }

        private void read(final long now) throws IOException
        {
            final int read = channel.read(in);
            if (read < 0)
            {
                fail("the server closed the connection");
                return;
            }
            in.flip();
            if (!open && !handshake())
            {
                in.compact();
                return;
            }
            while (!closed && frame(now))
            {
                // Each complete frame is handed over in turn.
            }
            in.compact();
        }

        /**
         * @return true once the server's 101 answer has been read.
         */
        private boolean handshake()
        {
            for (int i = in.position(); i + 3 < in.limit(); i++)
            {
                if (in.get(i) == '\r' && in.get(i + 1) == '\n' && in.get(i + 2) == '\r' && in.get(i + 3) == '\n')
                {
                    final byte[] head = new byte[i - in.position()];
                    in.get(head);
                    in.position(i + 4);
                    final String answer = new String(head, StandardCharsets.ISO_8859_1);
                    if (!answer.startsWith("HTTP/1.1 101"))
                    {
                        fail("handshake refused: " + answer.lines().findFirst().orElse(""));
                        return false;
                    }
                    open = true;
                    listener.onOpen(this);
                    return true;
                }
            }
            return false;
        }

        /**
         * Take one complete frame from the buffer, if there is one.
         */
        private boolean frame(final long now)
        {
            final int start = in.position();
            final int available = in.remaining();
            if (available < 2)
            {
                return false;
            }
            final int opcode = in.get(start) & 0x0F;
            long length = in.get(start + 1) & 0x7F;
            int header = 2;
            if (length == 126)
            {
                if (available < 4)
                {
                    return false;
                }
                length = in.getShort(start + 2) & 0xFFFF;
                header = 4;
            }
            else if (length == 127)
            {
                if (available < 10)
                {
                    return false;
                }
                length = in.getLong(start + 2);
                header = 10;
            }
            if (header + length > in.capacity())
            {
                // Larger than the buffer: grow it to hold the whole frame.
                final ByteBuffer larger = ByteBuffer.allocate((int)(header + length));
                larger.put(in);
                larger.flip();
                in = larger;
                return false;
            }
            if (available < header + length)
            {
                return false;
            }
            final int from = start + header;
            final int to = (int)(from + length);
            switch (opcode)
            {
                case 0:
                case OP_TEXT:
                    listener.onText(in, from, to, now);
                    break;
                case OP_PING:
                    final byte[] payload = new byte[to - from];
                    in.get(from, payload);
                    send(OP_PONG, payload);
                    break;
                case OP_CLOSE:
                    final int code = length >= 2 ? in.getShort(from) & 0xFFFF : 1005;
                    fail("closed by the server: " + code);
                    break;
                default:
                    break;
            }
            in.position(to);
            return true;
        }

        private synchronized void send(final int opcode, final byte[] payload)
        {
            final int length = payload.length;
            final ByteBuffer frame = ByteBuffer.allocate(length + 14);
            frame.put((byte)(0x80 | opcode));
            if (length < 126)
            {
                frame.put((byte)(0x80 | length));
            }
            else if (length < 65536)
            {
                frame.put((byte)(0x80 | 126)).putShort((short)length);
            }
            else
            {
                frame.put((byte)(0x80 | 127)).putLong(length);
            }
            final byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            frame.put(mask);
            for (int i = 0; i < length; i++)
            {
                frame.put((byte)(payload[i] ^ mask[i & 3]));
            }
            frame.flip();
            if (!open || closed)
            {
                throw new IllegalStateException("not open");
            }
            outgoing.add(frame);
            try
            {
                flush();
            }
            catch (final IOException ex)
            {
                fail(String.valueOf(ex));
            }
        }

        private synchronized void flush() throws IOException
        {
            ByteBuffer head;
            while (null != (head = outgoing.peek()))
            {
                channel.write(head);
                if (head.hasRemaining())
                {
                    key.interestOps(SelectionKey.OP_READ | SelectionKey.OP_WRITE);
                    return;
                }
                outgoing.poll();
            }
            if (key.isValid())
            {
                key.interestOps(SelectionKey.OP_READ);
            }
        }

        private void fail(final String reason)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            try
            {
                if (null != channel)
                {
                    channel.close();
                }
            }
            catch (final IOException ex)
            {
                // Closed anyway.
            }
            listener.onClosed(reason);
        }

        private static String newKey()
        {
            final byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            return Base64.getEncoder().encodeToString(nonce);
        }
    }
}
