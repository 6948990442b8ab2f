package io.meridian.gateway;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A plain JDK WebSocket client speaking Zenith JSON, for system tests: sends text, collects every frame received.
 */
final class ZenithTestClient implements WebSocket.Listener, AutoCloseable
{
    static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    private final LinkedBlockingQueue<JsonNode> received = new LinkedBlockingQueue<>();
    private final List<String> raw = new ArrayList<>();
    private final StringBuilder partial = new StringBuilder();
    private final WebSocket webSocket;
    volatile int closeCode = -1;
    private volatile boolean paused;
    private volatile boolean demandOwed;
    volatile String closeReason;
    /** Why the connection failed without a close frame, if it did. */
    volatile Throwable error;

    ZenithTestClient(final int port, final String bearerToken) throws Exception
    {
        this(HttpClient.newHttpClient(), URI.create("ws://127.0.0.1:" + port + "/Zenith?version=2.0"), bearerToken);
    }

    /**
     * Connect to any endpoint URI with a given HTTP client, e.g. over {@code wss} with a client whose SSL context
     * trusts a test certificate.
     */
    ZenithTestClient(final HttpClient http, final URI endpoint, final String bearerToken) throws Exception
    {
        final WebSocket.Builder builder = http.newWebSocketBuilder()
            .subprotocols("ZenithJson")
            .connectTimeout(Duration.ofSeconds(5));
        if (null != bearerToken)
        {
            builder.header("Authorization", "Bearer " + bearerToken);
        }
        webSocket = builder.buildAsync(endpoint, this).get(10, TimeUnit.SECONDS);
    }

    String subprotocol()
    {
        return webSocket.getSubprotocol();
    }

    void send(final String text) throws Exception
    {
        webSocket.sendText(text, true).get(5, TimeUnit.SECONDS);
    }

    void sendBinary(final byte[] bytes) throws Exception
    {
        webSocket.sendBinary(java.nio.ByteBuffer.wrap(bytes), true).get(5, TimeUnit.SECONDS);
    }

    /**
     * @return every frame received and not yet taken, without waiting.
     */
    List<JsonNode> takeAll()
    {
        final List<JsonNode> frames = new ArrayList<>();
        received.drainTo(frames);
        return frames;
    }

    /**
     * Wait for the next frame matching the predicate, discarding the frames before it.
     */
    JsonNode await(final Predicate<JsonNode> match, final long timeoutMs) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        while (true)
        {
            final long left = deadline - System.currentTimeMillis();
            final JsonNode next = left > 0 ? received.poll(left, TimeUnit.MILLISECONDS) : null;
            if (null == next)
            {
                throw new AssertionError("no matching frame within " + timeoutMs + " ms; raw so far: " + rawTail());
            }
            if (match.test(next))
            {
                return next;
            }
        }
    }

    /**
     * Collect every frame that arrives within the given time.
     */
    List<JsonNode> drain(final long waitMs) throws InterruptedException
    {
        final List<JsonNode> frames = new ArrayList<>();
        final long deadline = System.currentTimeMillis() + waitMs;
        long left;
        while ((left = deadline - System.currentTimeMillis()) > 0)
        {
            final JsonNode next = received.poll(left, TimeUnit.MILLISECONDS);
            if (null != next)
            {
                frames.add(next);
            }
        }
        return frames;
    }

    private synchronized String rawTail()
    {
        return raw.subList(Math.max(0, raw.size() - 10), raw.size()).toString();
    }

    static Predicate<JsonNode> transaction(final long id)
    {
        return node -> node.path("TransactionID").asLong(-1) == id;
    }

    static Predicate<JsonNode> data(final String topic)
    {
        return node -> topic.equals(node.path("Topic").asText()) && !node.has("Action") &&
            !node.has("TransactionID");
    }

    /**
     * @param status a feed status name.
     * @return matches a {@code Zenith/Feeds} data message in which the trading feed ({@code OMS}) has that status.
     */
    static Predicate<JsonNode> tradingFeedStatus(final String status)
    {
        return node ->
        {
            if (!data("Feeds").test(node))
            {
                return false;
            }
            for (final JsonNode feed : node.get("Data"))
            {
                if ("OMS".equals(feed.path("Name").asText()))
                {
                    return status.equals(feed.path("Status").asText());
                }
            }
            return false;
        };
    }

    static Predicate<JsonNode> action(final String topic, final String action)
    {
        return node -> topic.equals(node.path("Topic").asText()) && action.equals(node.path("Action").asText());
    }

    @Override
    public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
    {
        partial.append(data);
        if (last)
        {
            final String text = partial.toString();
            partial.setLength(0);
            synchronized (this)
            {
                raw.add(text);
            }
            try
            {
                received.add(JSON.readTree(text));
            }
            catch (final Exception ex)
            {
                received.add(JSON.createObjectNode().put("__unparseable", text));
            }
        }
        if (paused)
        {
            demandOwed = true;
        }
        else
        {
            webSocket.request(1);
        }
        return null;
    }

    @Override
    public CompletionStage<?> onPing(final WebSocket webSocket, final java.nio.ByteBuffer message)
    {
        // A paused client takes nothing more from the socket, pings included, so it stops answering them too.
        if (paused)
        {
            demandOwed = true;
        }
        else
        {
            webSocket.request(1);
        }
        return null;
    }

    /**
     * Stop reading: no more frames are taken from the socket, so the server's queue for this client fills up.
     */
    void pause()
    {
        paused = true;
    }

    /**
     * Read again after {@link #pause()}.
     */
    void resume()
    {
        paused = false;
        if (demandOwed)
        {
            demandOwed = false;
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason)
    {
        closeCode = statusCode;
        closeReason = reason;
        return null;
    }

    @Override
    public void onError(final WebSocket webSocket, final Throwable error)
    {
        this.error = error;
    }

    @Override
    public void close()
    {
        webSocket.abort();
    }
}
