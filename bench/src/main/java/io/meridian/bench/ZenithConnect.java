package io.meridian.bench;

import com.fasterxml.jackson.databind.ObjectMapper;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * How the harnesses reach a Meridian in demo mode on loopback: a token from its demo issuer, and a Zenith
 * WebSocket with it.
 */
final class ZenithConnect
{
    private static final ObjectMapper JSON = new ObjectMapper();

    private ZenithConnect()
    {
    }

    /**
     * Open the Zenith WebSocket of the Meridian on that port as that user.
     *
     * @param listener receives the frames.
     * @return the open socket.
     * @throws Exception if Meridian does not answer.
     */
    static WebSocket open(final HttpClient http, final int port, final String user, final WebSocket.Listener listener)
        throws Exception
    {
        final String token = JSON.readTree(http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/demo/token?user=" + user))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString()).body())
            .get("access_token").asText();
        return http.newWebSocketBuilder()
            .subprotocols("ZenithJson")
            .header("Authorization", "Bearer " + token)
            .connectTimeout(Duration.ofSeconds(5))
            .buildAsync(URI.create("ws://127.0.0.1:" + port + "/Zenith?version=2.0"), listener)
            .get(10, TimeUnit.SECONDS);
    }
}
