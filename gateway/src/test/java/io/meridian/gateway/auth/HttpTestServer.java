package io.meridian.gateway.auth;

import io.undertow.Undertow;
import io.undertow.server.handlers.PathHandler;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;

/**
 * A real Undertow on an ephemeral loopback port serving the demo auth endpoints, for the handler tests.
 */
final class HttpTestServer implements AutoCloseable
{
    final DemoIssuer issuer;
    final HttpClient client;
    private final Undertow undertow;
    private final int port;

    HttpTestServer(final DemoIssuer issuer)
    {
        this.issuer = issuer;
        final PathHandler paths = new PathHandler()
            .addExactPath(DemoTokenHandler.PATH, new DemoTokenHandler(issuer))
            .addExactPath(JwksHandler.PATH, new JwksHandler(issuer));
        undertow = Undertow.builder()
            .addHttpListener(0, "127.0.0.1")
            .setIoThreads(1)
            .setWorkerThreads(2)
            .setHandler(paths)
            .build();
        undertow.start();
        port = ((InetSocketAddress)undertow.getListenerInfo().get(0).getAddress()).getPort();
        client = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    }

    URI uri(final String pathAndQuery)
    {
        return URI.create("http://127.0.0.1:" + port + pathAndQuery);
    }

    @Override
    public void close()
    {
        undertow.stop();
    }
}
