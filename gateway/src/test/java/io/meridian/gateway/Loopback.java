package io.meridian.gateway;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * What tests that run proxies on loopback UDP share: free ports, Aeron channels on them, and waiting for a proxy to be
 * ready.
 */
final class Loopback
{
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private Loopback()
    {
    }

    /**
     * @return an Aeron UDP channel on that loopback port.
     */
    static String udp(final int port)
    {
        return "aeron:udp?endpoint=127.0.0.1:" + port;
    }

    /**
     * @return a UDP port on loopback that was free a moment ago.
     */
    static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final SocketException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Wait until the proxy on that port answers {@code /ready} with 200.
     *
     * @param what   names the proxy in the failure.
     * @param waitMs how long to wait.
     */
    static void awaitReady(final int port, final String what, final long waitMs) throws Exception
    {
        final long deadline = System.currentTimeMillis() + waitMs;
        HttpResponse<String> ready = null;
        while (System.currentTimeMillis() < deadline)
        {
            ready = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/ready"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (200 == ready.statusCode())
            {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError(what + " never ready: " + (null == ready ? "" : ready.body()));
    }
}
