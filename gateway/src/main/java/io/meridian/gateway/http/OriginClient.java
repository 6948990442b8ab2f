package io.meridian.gateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests to the origin, over the JDK's {@link HttpClient} speaking HTTP/1.1, which keeps connections alive and
 * pools them per origin. A semaphore holds the requests open at once to {@code http-cache.origin-connections}, so
 * the pool never holds more connections than that. The response body is an {@link InputStream} whose reads give up
 * after {@code http-cache.origin-timeout-ms} of silence, so a stalled origin cannot hold a thread forever; the
 * client's own timeout covers connecting and waiting for the response head.
 */
final class OriginClient implements AutoCloseable
{
    private final String origin;
    private final HttpClient client;
    private final ExecutorService executor;
    private final Semaphore permits;
    private final long timeoutMs;

    /**
     * @param origin      scheme, authority and optional path prefix, no trailing slash.
     * @param connections most requests open at once.
     * @param timeoutMs   connect, response head and body silence timeout.
     */
    OriginClient(final String origin, final int connections, final long timeoutMs)
    {
        this.origin = origin;
        this.timeoutMs = timeoutMs;
        this.permits = new Semaphore(connections, true);
        final AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(task ->
        {
            final Thread thread = new Thread(task, "meridian-origin-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        this.client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(Duration.ofMillis(timeoutMs))
            .executor(executor)
            .build();
    }

    /**
     * @param target a request target: path and query, starting with {@code /}.
     * @return the origin's URI for it.
     * @throws IllegalArgumentException when the target does not make a valid URI.
     */
    URI uri(final String target)
    {
        return URI.create(origin + target);
    }

    /**
     * Send a request and wait for the response head.
     *
     * @param method        the request method.
     * @param target        path and query.
     * @param headers       the header to send; connection-specific fields, {@code Host}, {@code Content-Length}
     *                      and {@code Expect} must already be gone.
     * @param body          the request body, or null for none.
     * @param contentLength the body's length, or -1 when unknown.
     * @return the response; its body must be read to the end or closed.
     * @throws IOException when the origin cannot be reached, times out, or no turn came in time
     *                     ({@link OriginBusyException}).
     * @throws InterruptedException when interrupted while waiting.
     */
    Response send(
        final String method,
        final String target,
        final HttpFields headers,
        final HttpRequest.BodyPublisher body,
        final long contentLength)
        throws IOException, InterruptedException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri(target))
            .timeout(Duration.ofMillis(timeoutMs));
        for (final HttpFields.Field field : headers.fields())
        {
            request.header(field.name(), field.value());
        }
        if (null == body)
        {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        else
        {
            request.method(method, contentLength >= 0 ? HttpRequest.BodyPublishers.fromPublisher(body, contentLength) :
                body);
        }
        if (!permits.tryAcquire(timeoutMs, TimeUnit.MILLISECONDS))
        {
            throw new OriginBusyException("no origin connection free within " + timeoutMs + " ms");
        }
        final AtomicBoolean released = new AtomicBoolean();
        final Runnable release = () ->
        {
            if (released.compareAndSet(false, true))
            {
                permits.release();
            }
        };
        try
        {
            final HttpResponse<InputStream> response =
                client.send(request.build(), info -> new BodyStream(timeoutMs, release));
            final HttpFields.Builder fields = HttpFields.builder();
            for (final Map.Entry<String, List<String>> entry : response.headers().map().entrySet())
            {
                if (!entry.getKey().startsWith(":"))
                {
                    for (final String value : entry.getValue())
                    {
                        fields.add(entry.getKey(), value);
                    }
                }
            }
            return new Response(response.statusCode(), fields.build(), response.body());
        }
        catch (final IOException | InterruptedException | RuntimeException ex)
        {
            release.run();
            throw ex;
        }
    }

    @Override
    public void close()
    {
        // HttpClient is AutoCloseable from JDK 21; on 17 its threads end when it is collected.
        final Object closeable = client;
        if (closeable instanceof AutoCloseable)
        {
            try
            {
                ((AutoCloseable)closeable).close();
            }
            catch (final Exception ignored)
            {
                // Closing is best effort: the process is stopping.
            }
        }
        executor.shutdownNow();
    }

    /**
     * A response head and its body.
     *
     * @param status  status code.
     * @param headers header as received, connection-specific fields included.
     * @param body    the body; read it to the end or close it.
     */
    record Response(int status, HttpFields headers, InputStream body) implements AutoCloseable
    {
        @Override
        public void close()
        {
            try
            {
                body.close();
            }
            catch (final IOException ignored)
            {
                // Closing a response body only cancels its delivery.
            }
        }
    }

    /**
     * No turn to use an origin connection came within the timeout.
     */
    static final class OriginBusyException extends IOException
    {
        private static final long serialVersionUID = 1L;

        OriginBusyException(final String message)
        {
            super(message);
        }
    }

    /**
     * A response body as a blocking stream fed by the client, one buffer list requested at a time, with a read
     * timeout. The permit is given back when the body ends, fails or is closed.
     */
    private static final class BodyStream extends InputStream implements HttpResponse.BodySubscriber<InputStream>
    {
        private static final List<ByteBuffer> END = List.of();

        private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
        private final long timeoutMs;
        private final Runnable release;
        private volatile Flow.Subscription subscription;
        private ByteBuffer current;
        private List<ByteBuffer> buffers = List.of();
        private int nextBuffer;
        private boolean ended;
        private boolean closed;

        BodyStream(final long timeoutMs, final Runnable release)
        {
            this.timeoutMs = timeoutMs;
            this.release = release;
        }

        @Override
        public CompletionStage<InputStream> getBody()
        {
            return CompletableFuture.completedFuture(this);
        }

        @Override
        public void onSubscribe(final Flow.Subscription subscription)
        {
            this.subscription = subscription;
            subscription.request(1);
        }

        @Override
        public void onNext(final List<ByteBuffer> item)
        {
            queue.add(item);
        }

        @Override
        public void onError(final Throwable throwable)
        {
            queue.add(throwable);
            release.run();
        }

        @Override
        public void onComplete()
        {
            queue.add(END);
            release.run();
        }

        @Override
        public int read() throws IOException
        {
            final byte[] one = new byte[1];
            final int read = read(one, 0, 1);
            return read < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(final byte[] bytes, final int offset, final int length) throws IOException
        {
            if (length == 0)
            {
                return 0;
            }
            if (!advance())
            {
                return -1;
            }
            final int count = Math.min(length, current.remaining());
            current.get(bytes, offset, count);
            return count;
        }

        @SuppressWarnings("unchecked")
        private boolean advance() throws IOException
        {
            while (null == current || !current.hasRemaining())
            {
                if (closed)
                {
                    throw new IOException("origin response body closed");
                }
                if (ended)
                {
                    return false;
                }
                if (nextBuffer < buffers.size())
                {
                    current = buffers.get(nextBuffer++);
                    continue;
                }
                final Object item;
                try
                {
                    item = queue.poll(timeoutMs, TimeUnit.MILLISECONDS);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    close();
                    throw new IOException("interrupted while reading the origin response", ex);
                }
                if (null == item)
                {
                    close();
                    throw new HttpTimeoutException("the origin sent nothing for " + timeoutMs + " ms");
                }
                if (item instanceof Throwable)
                {
                    ended = true;
                    throw item instanceof IOException ? (IOException)item :
                        new IOException("origin response failed", (Throwable)item);
                }
                if (item == END)
                {
                    ended = true;
                    return false;
                }
                buffers = (List<ByteBuffer>)item;
                nextBuffer = 0;
                subscription.request(1);
            }
            return true;
        }

        @Override
        public void close()
        {
            if (!closed)
            {
                closed = true;
                if (!ended && null != subscription)
                {
                    subscription.cancel();
                }
                release.run();
            }
        }
    }
}
