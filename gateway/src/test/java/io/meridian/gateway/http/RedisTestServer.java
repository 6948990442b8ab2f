package io.meridian.gateway.http;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A real redis-server process for the tests, on a free loopback port, with no persistence. The binary is
 * {@code redis-server} from the PATH, or the file {@code MERIDIAN_REDIS_SERVER} names; a machine without one fails
 * the tests that need it, with a message saying what to install.
 */
final class RedisTestServer implements AutoCloseable
{
    private final int port;
    private Process process;
    private RedisClient client;
    private StatefulRedisConnection<byte[], byte[]> connection;

    /**
     * Choose a port; start nothing yet.
     */
    RedisTestServer() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            port = socket.getLocalPort();
        }
    }

    int port()
    {
        return port;
    }

    /**
     * Start the server (again) on the chosen port and wait until it answers PING.
     */
    RedisTestServer start() throws Exception
    {
        final ProcessBuilder builder = new ProcessBuilder(binary(), "--port", Integer.toString(port),
            "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "no")
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
        process = builder.start();
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!answersPing())
        {
            if (!process.isAlive() || System.nanoTime() > deadline)
            {
                throw new IllegalStateException("redis-server did not start on port " + port);
            }
            Thread.sleep(20);
        }
        return this;
    }

    /**
     * Kill the server at once, as a crash would.
     */
    void kill() throws InterruptedException
    {
        if (null != connection)
        {
            connection.close();
            connection = null;
        }
        if (null != process)
        {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    /**
     * @return commands on a connection of the test's own, for looking at what the proxies wrote.
     */
    RedisCommands<byte[], byte[]> commands()
    {
        if (null == connection)
        {
            if (null == client)
            {
                client = RedisClient.create(RedisURI.Builder.redis("127.0.0.1", port)
                    .withTimeout(Duration.ofSeconds(5)).build());
            }
            connection = client.connect(ByteArrayCodec.INSTANCE);
        }
        return connection.sync();
    }

    static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() throws InterruptedException
    {
        kill();
        if (null != client)
        {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        }
    }

    private boolean answersPing()
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(1_000);
            final OutputStream out = socket.getOutputStream();
            out.write(bytes("PING\r\n"));
            out.flush();
            final InputStream in = socket.getInputStream();
            final byte[] reply = in.readNBytes(7);
            return "+PONG\r\n".equals(new String(reply, StandardCharsets.US_ASCII));
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static String binary()
    {
        final String named = System.getenv("MERIDIAN_REDIS_SERVER");
        if (null != named && !named.isEmpty())
        {
            return named;
        }
        for (final String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
        {
            final File candidate = new File(dir, "redis-server");
            if (candidate.canExecute())
            {
                return candidate.getPath();
            }
        }
        throw new IllegalStateException("the shared store tests need redis-server: install it (Debian: apt-get " +
            "install redis-server) or name the binary in MERIDIAN_REDIS_SERVER");
    }
}
