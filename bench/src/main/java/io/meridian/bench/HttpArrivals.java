package io.meridian.bench;

import org.HdrHistogram.Histogram;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The arrival scenario for an HTTP cache: virtual users arrive at a fixed rate, whatever the server is doing (an
 * open model, so a slow answer does not slow the arrivals and hide itself). Each user opens its own connection, asks
 * for every path in turn on it (HTTP/1.1 keep-alive, one request at a time), reads each whole response and leaves.
 * Every request's latency, from its first byte written to its last body byte read, goes into an HdrHistogram; so does
 * each user's wait from its scheduled arrival to the end of its first response, which also holds the TCP connect and
 * any lag of this harness in starting the user.
 * <p>
 * Usage: {@code java -cp bench/target/benchmarks.jar io.meridian.bench.HttpArrivals BASE_URL [users] [perSecond]
 * [path ...]} (defaults 600 users at 10 per second, paths {@code /obj/1k /obj/16k}). Requests carry
 * {@code Accept-Encoding: gzip}. Prints the percentiles in microseconds and the count of each {@code X-Cache} value.
 */
public final class HttpArrivals
{
    private static final int CONNECT_TIMEOUT_MS = 5_000;
    private static final int READ_TIMEOUT_MS = 10_000;
    private static final long HIGHEST_NS = TimeUnit.SECONDS.toNanos(30);

    private final Histogram requests = new Histogram(HIGHEST_NS, 3);
    private final Histogram firstResponses = new Histogram(HIGHEST_NS, 3);
    private final AtomicLong hits = new AtomicLong();
    private final AtomicLong misses = new AtomicLong();
    private final AtomicLong otherCache = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong bodyBytes = new AtomicLong();
    private final String host;
    private final int port;
    private final List<byte[]> requestBytes = new ArrayList<>();

    private HttpArrivals(final URI base, final List<String> paths)
    {
        host = base.getHost();
        port = -1 == base.getPort() ? 80 : base.getPort();
        for (final String path : paths)
        {
            final String request = "GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port +
                "\r\nAccept-Encoding: gzip\r\nUser-Agent: meridian-bench\r\n\r\n";
            requestBytes.add(request.getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * @param args base URL, users, arrivals per second, then paths.
     * @throws Exception if interrupted.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 1)
        {
            System.err.println("usage: HttpArrivals BASE_URL [users] [perSecond] [path ...]");
            System.exit(2);
        }
        final URI base = URI.create(args[0]);
        final int users = args.length > 1 ? Integer.parseInt(args[1]) : 600;
        final double perSecond = args.length > 2 ? Double.parseDouble(args[2]) : 10.0;
        final List<String> paths = new ArrayList<>();
        for (int i = 3; i < args.length; i++)
        {
            paths.add(args[i]);
        }
        if (paths.isEmpty())
        {
            paths.add("/obj/1k");
            paths.add("/obj/16k");
        }
        new HttpArrivals(base, paths).run(users, perSecond);
    }

    private void run(final int users, final double perSecond) throws InterruptedException
    {
        final ExecutorService pool = Executors.newCachedThreadPool(runnable ->
        {
            final Thread thread = new Thread(runnable, "user");
            thread.setDaemon(true);
            return thread;
        });
        final long intervalNs = (long)(TimeUnit.SECONDS.toNanos(1) / perSecond);
        final long start = System.nanoTime();
        for (int i = 0; i < users; i++)
        {
            final long arrival = start + i * intervalNs;
            final long wait = arrival - System.nanoTime();
            if (wait > 0)
            {
                LockSupport.parkNanos(wait);
            }
            pool.execute(() -> user(arrival));
        }
        pool.shutdown();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS))
        {
            System.err.println("users still running after 60 s");
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%s:%d  %d users at %.1f/s, %d paths each, %.1f s%n",
            host, port, users, perSecond, requestBytes.size(), seconds);
        System.out.printf(Locale.ROOT, "X-Cache HIT %d, MISS %d, other %d; failures %d; body bytes %d%n",
            hits.get(), misses.get(), otherCache.get(), failures.get(), bodyBytes.get());
        print("request (first byte out to last byte in)", requests);
        print("arrival to first response", firstResponses);
    }

    private static void print(final String name, final Histogram histogram)
    {
        System.out.printf(Locale.ROOT,
            "%-42s n=%d  p50 %.0f  p90 %.0f  p95 %.0f  p99 %.0f  p99.9 %.0f  max %.0f (us)%n",
            name, histogram.getTotalCount(),
            histogram.getValueAtPercentile(50) / 1e3, histogram.getValueAtPercentile(90) / 1e3,
            histogram.getValueAtPercentile(95) / 1e3, histogram.getValueAtPercentile(99) / 1e3,
            histogram.getValueAtPercentile(99.9) / 1e3, histogram.getMaxValue() / 1e3);
    }

    private void user(final long arrival)
    {
        try (Socket socket = new Socket())
        {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(READ_TIMEOUT_MS);
            socket.connect(new InetSocketAddress(host, port), CONNECT_TIMEOUT_MS);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            boolean first = true;
            for (final byte[] request : requestBytes)
            {
                final long sent = System.nanoTime();
                out.write(request);
                out.flush();
                final boolean ok = readResponse(in);
                final long done = System.nanoTime();
                record(requests, done - sent);
                if (first)
                {
                    record(firstResponses, done - arrival);
                    first = false;
                }
                if (!ok)
                {
                    failures.incrementAndGet();
                    return;
                }
            }
        }
        catch (final IOException ex)
        {
            failures.incrementAndGet();
        }
    }

    private static void record(final Histogram histogram, final long ns)
    {
        synchronized (histogram)
        {
            histogram.recordValue(Math.min(ns, HIGHEST_NS));
        }
    }

    /**
     * Read one response: the status line and header fields, then a body of {@code Content-Length} bytes or in
     * chunks.
     *
     * @return true for a 200 response read whole.
     */
    private boolean readResponse(final InputStream in) throws IOException
    {
        final String status = line(in);
        long length = -1;
        boolean chunked = false;
        String line;
        while (!(line = line(in)).isEmpty())
        {
            final int colon = line.indexOf(':');
            if (colon < 0)
            {
                continue;
            }
            final String name = line.substring(0, colon).trim().toLowerCase(Locale.ROOT);
            final String value = line.substring(colon + 1).trim();
            if ("content-length".equals(name))
            {
                length = Long.parseLong(value);
            }
            else if ("transfer-encoding".equals(name) && value.toLowerCase(Locale.ROOT).contains("chunked"))
            {
                chunked = true;
            }
            else if ("x-cache".equals(name))
            {
                if (value.startsWith("HIT"))
                {
                    hits.incrementAndGet();
                }
                else if (value.startsWith("MISS"))
                {
                    misses.incrementAndGet();
                }
                else
                {
                    otherCache.incrementAndGet();
                }
            }
        }
        if (chunked)
        {
            long chunk;
            while ((chunk = Long.parseLong(line(in).split(";")[0].trim(), 16)) > 0)
            {
                skip(in, chunk);
                line(in);
            }
            line(in);
        }
        else if (length > 0)
        {
            skip(in, length);
        }
        return status.startsWith("HTTP/1.1 200");
    }

    private void skip(final InputStream in, final long length) throws IOException
    {
        long left = length;
        while (left > 0)
        {
            final long skipped = in.skip(left);
            if (skipped <= 0)
            {
                if (in.read() < 0)
                {
                    throw new IOException("the connection closed inside a body");
                }
                left--;
            }
            else
            {
                left -= skipped;
            }
        }
        bodyBytes.addAndGet(length);
    }

    private static String line(final InputStream in) throws IOException
    {
        final StringBuilder line = new StringBuilder(64);
        int b;
        while ((b = in.read()) != '\n')
        {
            if (b < 0)
            {
                throw new IOException("the connection closed inside a header");
            }
            if (b != '\r')
            {
                line.append((char)b);
            }
        }
        return line.toString();
    }
}
