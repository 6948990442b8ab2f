package io.meridian.gateway.http;

import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * An origin server for the cache's tests: each test says what a path answers, and the origin counts and keeps the
 * requests it gets. Its {@code Date} comes from the tests' clock, so moving that clock ages responses consistently.
 */
final class TestOrigin implements AutoCloseable
{
    /**
     * What a path answers to a request.
     */
    interface Route
    {
        Reply answer(Seen request) throws Exception;
    }

    /**
     * A request as the origin saw it.
     *
     * @param method  request method.
     * @param target  path and query.
     * @param headers its header.
     * @param body    its body.
     */
    record Seen(String method, String target, HttpFields headers, byte[] body)
    {
    }

    private final LongSupplier clock;
    private final Map<String, Route> routes = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final List<Seen> seen = Collections.synchronizedList(new ArrayList<>());
    private final Undertow server;
    private final int port;

    TestOrigin(final LongSupplier clock)
    {
        this.clock = clock;
        server = Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setIoThreads(1)
            .setWorkerThreads(48)
            .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 64L << 20)
            .setHandler(this::handle)
            .build();
        server.start();
        port = ((InetSocketAddress)server.getListenerInfo().get(0).getAddress()).getPort();
    }

    String url()
    {
        return "http://127.0.0.1:" + port;
    }

    /**
     * @param path  a path, without query.
     * @param route what it answers.
     * @return this origin.
     */
    TestOrigin on(final String path, final Route route)
    {
        routes.put(path, route);
        return this;
    }

    /**
     * @param path a path, without query.
     * @return how many requests for it arrived.
     */
    int hits(final String path)
    {
        final AtomicInteger count = hits.get(path);
        return null == count ? 0 : count.get();
    }

    /**
     * @param path a path, without query.
     * @return the last request for it, or null.
     */
    Seen last(final String path)
    {
        synchronized (seen)
        {
            for (int i = seen.size() - 1; i >= 0; i--)
            {
                if (seen.get(i).target.startsWith(path))
                {
                    return seen.get(i);
                }
            }
        }
        return null;
    }

    @Override
    public void close()
    {
        server.stop();
    }

    private void handle(final HttpServerExchange exchange) throws Exception
    {
        if (exchange.isInIoThread())
        {
            exchange.dispatch(this::handle);
            return;
        }
        exchange.startBlocking();
        final byte[] body = exchange.getInputStream().readAllBytes();
        final HttpFields.Builder headers = HttpFields.builder();
        for (final HeaderValues values : exchange.getRequestHeaders())
        {
            for (final String value : values)
            {
                headers.add(values.getHeaderName().toString(), value);
            }
        }
        final String query = exchange.getQueryString();
        final String target = exchange.getRequestURI() + (query.isEmpty() ? "" : "?" + query);
        final Seen request = new Seen(exchange.getRequestMethod().toString(), target, headers.build(), body);
        seen.add(request);
        hits.computeIfAbsent(exchange.getRequestPath(), p -> new AtomicInteger()).incrementAndGet();

        final Route route = routes.get(exchange.getRequestPath());
        final Reply reply = null == route ? Reply.status(404, "no route") : route.answer(request);
        if (null != reply.gate && !reply.gate.await(30, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("the test never opened the gate");
        }
        exchange.setStatusCode(reply.status);
        boolean dated = false;
        for (final String[] header : reply.headers)
        {
            exchange.getResponseHeaders().add(new HttpString(header[0]), header[1]);
            dated |= "Date".equalsIgnoreCase(header[0]);
        }
        if (!dated)
        {
            exchange.getResponseHeaders().put(Headers.DATE, HttpDate.format(clock.getAsLong()));
        }
        if (!reply.chunked)
        {
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH, reply.body.length);
        }
        try (OutputStream out = exchange.getOutputStream())
        {
            if (!"HEAD".equals(request.method) && null != reply.stall)
            {
                out.write(reply.body, 0, reply.body.length / 2);
                out.flush();
                reply.stall.await(30, TimeUnit.SECONDS);
                out.write(reply.body, reply.body.length / 2, reply.body.length - reply.body.length / 2);
            }
            else if (!"HEAD".equals(request.method))
            {
                out.write(reply.body);
            }
        }
    }

    /**
     * A response for a route to give.
     */
    static final class Reply
    {
        int status = 200;
        final List<String[]> headers = new ArrayList<>();
        byte[] body = new byte[0];
        boolean chunked;
        CountDownLatch gate;
        CountDownLatch stall;

        static Reply ok(final String body)
        {
            return status(200, body);
        }

        static Reply status(final int status, final String body)
        {
            final Reply reply = new Reply();
            reply.status = status;
            reply.body = body.getBytes(StandardCharsets.UTF_8);
            return reply;
        }

        Reply header(final String name, final String value)
        {
            headers.add(new String[]{ name, value });
            return this;
        }

        Reply body(final byte[] bytes)
        {
            body = bytes;
            return this;
        }

        /**
         * @return this reply without {@code Content-Length}: sent chunked.
         */
        Reply chunked()
        {
            chunked = true;
            return this;
        }

        /**
         * @param latch what the origin waits for in the middle of the body.
         * @return this reply.
         */
        Reply stallUntil(final CountDownLatch latch)
        {
            stall = latch;
            return this;
        }

        /**
         * @param latch what the origin waits for before it answers.
         * @return this reply.
         */
        Reply after(final CountDownLatch latch)
        {
            gate = latch;
            return this;
        }
    }
}
