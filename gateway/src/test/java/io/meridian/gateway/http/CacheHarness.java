package io.meridian.gateway.http;

import io.meridian.config.MeridianConfig;
import io.meridian.gateway.auth.AdminAccess;
import io.meridian.gateway.auth.DemoIssuer;
import io.undertow.Undertow;
import io.undertow.server.handlers.PathHandler;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A test origin and an Undertow listener serving the HTTP cache in front of it, the way {@code MeridianServer}
 * mounts it, on a clock the test can move forward.
 */
final class CacheHarness implements AutoCloseable
{
    static final DemoIssuer ISSUER = new DemoIssuer(1800);
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length: *(\\d+)");

    private final AtomicLong offset = new AtomicLong();
    final LongSupplier clock = () -> System.currentTimeMillis() + offset.get();
    final TestOrigin origin;
    private final boolean ownOrigin;
    final HttpCacheHandler cache;
    private final Undertow proxy;
    final int port;
    final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    CacheHarness()
    {
        this(Map.of());
    }

    CacheHarness(final Map<String, String> settings)
    {
        this(settings, null);
    }

    /**
     * @param settings     settings beyond the origin.
     * @param sharedOrigin an origin another harness made (and closes), or null for one of this harness's own.
     */
    CacheHarness(final Map<String, String> settings, final TestOrigin sharedOrigin)
    {
        ownOrigin = null == sharedOrigin;
        origin = ownOrigin ? new TestOrigin(clock) : sharedOrigin;
        final Map<String, String> all = new HashMap<>(settings);
        all.put("http-cache.origin", origin.url());
        all.putIfAbsent("http-cache.origin-timeout-ms", "5000");
        cache = new HttpCacheHandler(MeridianConfig.of(all),
            new AdminAccess(ISSUER.verifier(List.of("RS256"), 60)), clock);
        proxy = Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setIoThreads(2)
            .setWorkerThreads(16)
            .setHandler(new PathHandler(cache.handler()).addExactPath(HttpCacheHandler.CLEAR_PATH,
                cache.clearHandler()))
            .build();
        proxy.start();
        port = ((InetSocketAddress)proxy.getListenerInfo().get(0).getAddress()).getPort();
    }

    /**
     * @param seconds how far to move the clock of the cache and the origin.
     */
    void advance(final long seconds)
    {
        offset.addAndGet(seconds * 1000);
    }

    HttpResponse<byte[]> get(final String target, final String... headers) throws Exception
    {
        return send("GET", target, null, headers);
    }

    HttpResponse<byte[]> send(final String method, final String target, final byte[] body, final String... headers)
        throws Exception
    {
        return http.send(request(method, target, body, headers), HttpResponse.BodyHandlers.ofByteArray());
    }

    CompletableFuture<HttpResponse<byte[]>> getAsync(final String target, final String... headers)
    {
        return http.sendAsync(request("GET", target, null, headers), HttpResponse.BodyHandlers.ofByteArray());
    }

    private HttpRequest request(final String method, final String target, final byte[] body, final String... headers)
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + target))
            .timeout(Duration.ofSeconds(20))
            .method(method, null == body ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2)
        {
            request.header(headers[i], headers[i + 1]);
        }
        return request.build();
    }

    /**
     * @param request a whole HTTP/1.1 request, for fields the JDK client will not send.
     * @return everything the proxy answered.
     */
    String raw(final String request) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            final StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n"))
            {
                final int c = in.read();
                if (c < 0)
                {
                    return head.toString();
                }
                head.append((char)c);
            }
            final Matcher length = CONTENT_LENGTH.matcher(head);
            final byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
            return head + new String(body, StandardCharsets.ISO_8859_1);
        }
    }

    /**
     * Wait up to 10 s for a condition.
     */
    static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + 10_000;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("timed out waiting for: " + what);
            }
            Thread.sleep(10);
        }
    }

    static String text(final HttpResponse<byte[]> response)
    {
        return new String(response.body(), StandardCharsets.UTF_8);
    }

    static String header(final HttpResponse<?> response, final String name)
    {
        return response.headers().firstValue(name).orElse(null);
    }

    @Override
    public void close()
    {
        proxy.stop();
        cache.close();
        if (ownOrigin)
        {
            origin.close();
        }
    }
}
