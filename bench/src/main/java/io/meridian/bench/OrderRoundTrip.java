package io.meridian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.config.MeridianConfig;
import io.meridian.gateway.MeridianServer;
import org.HdrHistogram.Histogram;

import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Order request round trip through the proxy: a WebSocket client places a resting order, waits for its result,
 * cancels it and waits again, one request at a time, and records each round trip in an HdrHistogram. The path is
 * the whole product: the client's JSON over a loopback WebSocket, the gateway's parsing and entitlement checks, the
 * engine's ring, the interlink to the embedded Trading Agent over Aeron IPC, its vetting and book work, and back.
 * The client's own JSON parsing of each answer is inside the measurement.
 * <p>
 * Usage: {@code java -cp bench/target/benchmarks.jar io.meridian.bench.OrderRoundTrip [warmup] [measured]
 * [setting=value ...]} (defaults 2,000 and 20,000 place/cancel pairs; settings as in docs/settings.md, e.g.
 * {@code engine.idle-strategy=yielding}). Needs the {@code --add-opens} Agrona needs.
 */
public final class OrderRoundTrip
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long TIMEOUT_MS = 10_000;
    /** A price on every simulated tick (0.01, 0.05, 0.10) and far under every simulated market: never trades. */
    private static final String PRICE = "0.10";

    private final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;
    private long transactionId;

    private OrderRoundTrip()
    {
    }

    /**
     * @param args warm-up pairs and measured pairs.
     * @throws Exception if the proxy does not answer.
     */
    public static void main(final String[] args) throws Exception
    {
        final int warmup = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
        final int measured = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        final Map<String, String> settings = new java.util.HashMap<>(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.session-seconds", "0",
            // One request at a time goes faster than a client may send by default (200 a second): lift the limit.
            "session.max-requests-per-second", "1000000"));
        for (int i = 2; i < args.length; i++)
        {
            final int equals = args[i].indexOf('=');
            if (equals < 1)
            {
                throw new IllegalArgumentException("expected key=value, got " + args[i]);
            }
            settings.put(args[i].substring(0, equals), args[i].substring(equals + 1));
        }
        try (MeridianServer server = MeridianServer.start(MeridianConfig.of(settings)))
        {
            new OrderRoundTrip().run(server.port(), warmup, measured);
        }
    }

    private void run(final int port, final int warmup, final int measured) throws Exception
    {
        socket = ZenithConnect.open(HttpClient.newHttpClient(), port, "bench", new Listener());

        final JsonNode holdings = subscribe("Trading", "Holdings!BENCH-1");
        final JsonNode holding = holdings.get(1).get("Holding");
        final String exchange = holding.get("Exchange").asText();
        final String code = holding.get("Code").asText();
        final long lot = subscribe("Market", "Security!" + code + "." + exchange).get("LotSize").asLong();
        final String place = "\"Data\":{\"Account\":\"BENCH-1\",\"Details\":{\"Exchange\":\"" + exchange +
            "\",\"Code\":\"" + code + "\",\"Side\":\"Bid\",\"Style\":\"Market\",\"Type\":\"Limit\",\"LimitPrice\":" +
            PRICE + ",\"Quantity\":" + lot + ",\"Validity\":\"UntilCancel\"}}}";

        final Histogram placeTimes = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Histogram cancelTimes = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final long start = System.nanoTime();
        for (int i = 0; i < warmup + measured; i++)
        {
            final boolean record = i >= warmup;
            long sent = System.nanoTime();
            final JsonNode placed = request("PlaceOrder", place);
            long took = System.nanoTime() - sent;
            if (!"Success".equals(placed.path("Result").asText()))
            {
                throw new IllegalStateException("place failed: " + placed);
            }
            if (record)
            {
                placeTimes.recordValue(took);
            }
            final String cancel = "\"Data\":{\"Account\":\"BENCH-1\",\"OrderID\":\"" +
                placed.get("Order").get("ID").asText() + "\"}}";
            sent = System.nanoTime();
            final JsonNode cancelled = request("CancelOrder", cancel);
            took = System.nanoTime() - sent;
            if (!"Success".equals(cancelled.get("Result").asText()))
            {
                throw new IllegalStateException("cancel failed: " + cancelled);
            }
            if (record)
            {
                cancelTimes.recordValue(took);
            }
        }
        final double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%d warm-up and %d measured place/cancel pairs in %.1f s (%s %s, lot %d)%n",
            warmup, measured, seconds, code, exchange, lot);
        Percentiles.print("PlaceOrder", placeTimes);
        Percentiles.print("CancelOrder", cancelTimes);
        socket.abort();
    }


    private JsonNode subscribe(final String controller, final String topic) throws Exception
    {
        socket.sendText("{\"Controller\":\"" + controller + "\",\"Topic\":\"" + topic +
            "\",\"Action\":\"Sub\",\"Confirm\":true}", true).get(5, TimeUnit.SECONDS);
        while (true)
        {
            final JsonNode frame = next();
            if (topic.equals(frame.path("Topic").asText()) && frame.has("Data") && !frame.has("Action"))
            {
                return frame.get("Data");
            }
        }
    }

    private JsonNode request(final String topic, final String data) throws Exception
    {
        final long id = ++transactionId;
        socket.sendText("{\"Controller\":\"Trading\",\"Topic\":\"" + topic + "\",\"TransactionID\":" + id + "," +
            data, true).get(5, TimeUnit.SECONDS);
        while (true)
        {
            final JsonNode frame = next();
            if (frame.path("TransactionID").asLong(-1) == id && !frame.has("Action"))
            {
                return frame.get("Data");
            }
        }
    }

    private JsonNode next() throws Exception
    {
        final String text = received.poll(TIMEOUT_MS, TimeUnit.MILLISECONDS);
        if (null == text)
        {
            throw new IllegalStateException("no message from the proxy within " + TIMEOUT_MS + " ms");
        }
        return JSON.readTree(text);
    }

    private final class Listener implements WebSocket.Listener
    {
        @Override
        public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
        {
            partial.append(data);
            if (last)
            {
                received.add(partial.toString());
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
