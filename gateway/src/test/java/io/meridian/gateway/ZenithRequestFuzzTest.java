package io.meridian.gateway;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.config.MeridianConfig;
import io.meridian.engine.EngineProxy;
import io.meridian.gateway.auth.AuthenticatedUser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.xnio.ChannelPipe;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Arbitrary text as one Zenith request frame, through the real request handler, to a real session of an
 * authenticated user, on a running Meridian with its simulated upstream. The handler must not throw; everything
 * queued for the client (the handler's replies and the engine's answers) must be Zenith JSON; a frame that is not a
 * JSON object gets exactly one {@code Error} {@code Data.Deserialise}; and a request that must be answered at once (a
 * Publish without a TransactionID) is answered, with a result or an {@code Error}.
 * <p>
 * The sessions' WebSocket channel is a closed one on an in-memory pipe: a session then leaves every frame in its
 * outbox, where this test reads them. Every frame gets a session of its own. After each frame a marker command goes
 * through the engine, whose answer comes after everything the engine answered to the frame itself. Requests whose
 * answer waits for the upstream (a Sub, a query of an item not cached yet) may have no answer by then.
 */
class ZenithRequestFuzzTest
{
    /** Frames are cut to this, so that a reply echoing their topic always fits the session's outbox. */
    private static final SessionTraffic TRAFFIC = new SessionTraffic(io.meridian.engine.CountersFile.inMemory(4));
    private static final int MAX_INPUT_BYTES = 1024;
    private static final int OUTBOX_BYTES = 128 * 1024;
    private static final long ENGINE_ANSWER_TIMEOUT_MS = 10_000;
    private static final String MARKER_TOPIC = "Security!FUZZ.MARKER";
    private static final Set<String> MAY_WAIT_FOR_UPSTREAM = Set.of("Sub", "Unsub", "Cancel", "Error");

    private static MeridianServer server;
    private static XnioWorker worker;
    private static ZenithRequestHandler handler;
    private static AuthenticatedUser user;
    private static SessionLimits limits;
    private static WebSocketConnection closedChannel;
    private static long nextSessionId = 1L << 40;

    private final ObjectMapper json = new ObjectMapper();

    @BeforeAll
    static void start() throws Exception
    {
        final MeridianConfig config = MeridianConfig.of(Map.ofEntries(
            Map.entry("server.port", "0"),
            Map.entry("server.host", "127.0.0.1"),
            Map.entry("sim.markets", "2"),
            Map.entry("sim.securities", "8"),
            Map.entry("sim.update-rate", "20")));
        server = MeridianServer.start(config);
        worker = Xnio.getInstance().createWorker(OptionMap.EMPTY);
        handler = new ZenithRequestHandler(server.demoIssuer().verifier(config.authAlgorithms(),
            config.authClockSkewSeconds()), config.serverName(), MeridianServer.VERSION, true);
        user = server.demoIssuer().verifier(config.authAlgorithms(), config.authClockSkewSeconds())
            .verify(server.demoIssuer().mint("fuzz"));
        limits = SessionLimits.fromConfig(config);
        closedChannel = newClosedChannel();
    }

    @AfterAll
    static void stop()
    {
        if (null != worker)
        {
            worker.shutdownNow();
        }
        if (null != server)
        {
            server.close();
        }
    }

    @DictionaryEntries({"\"Controller\":", "\"Topic\":", "\"Action\":", "\"TransactionID\":", "\"Data\":",
        "\"Confirm\":true", "\"Zenith\"", "\"Market\"", "\"Trading\"", "\"Auth\"", "\"Sub\"", "\"Unsub\"",
        "\"Publish\"", "\"Cancel\"", "\"Error\"", "\"ServerInfo\"", "\"Feeds\"", "\"Markets\"", "Security!", "Depth!",
        "Levels!", "Trades!", "Orders!", "Holdings!", "Balances!", "\"Accounts\"", "\"TradingAccounts\"",
        "\"QueryMarkets\"", "\"QuerySecurity\"", "\"QueryDepthFull\"", "\"QueryDepthLevels\"", "\"QueryTrades\"",
        "\"QueryTradingStates\"", "\"SearchSymbols\"", "\"QuerySymbols\"", "\"QueryTradingMarkets\"",
        "\"QueryAccounts\"", "\"QueryOrders\"", "\"QueryHoldings\"", "\"QueryBalances\"", "\"QueryOrderStatuses\"",
        "\"PlaceOrder\"", "\"AmendOrder\"", "\"CancelOrder\"", "\"MoveOrder\"", "\"AuthToken\"", "\"QueryIdentify\"",
        "\"AccessToken\":", "\"Provider\":\"Bearer\"", "\"Code\":", "\"Market\":", "\"Count\":", "\"RequestID\":",
        "\"Account\":", "\"Side\":", "\"Quantity\":", "\"TotalQuantity\":", "\"LimitPrice\":", "\"OrderType\":",
        "\"Validity\":", "\"Details\":", "\"Route\":", "\"Destination\":", "\"OrderID\":", "\"Exchange\":",
        "\"Symbol\":", "\"SearchText\":", "\"Conditions\":", "\"Field\":", "\"StartIndex\":", "\"FirstTradeID\":",
        "\"LastTradeID\":", "\"TradingDate\":", "\"FullSymbol\":", "\"Exact\":", "\"Class\":", "\"Algorithm\":",
        "XSX", "XNX", "-9223372036854775808", "1e999", "null", "true", "[]", "{}"})
    @FuzzTest(maxDuration = "25s")
    void everyFrameGetsZenithJsonBackAndNothingThrows(final byte[] input) throws Exception
    {
        final String text = new String(input, 0, Math.min(input.length, MAX_INPUT_BYTES), StandardCharsets.UTF_8);
        final ZenithSession session = new ZenithSession(
            nextSessionId++, OUTBOX_BYTES, closedChannel, server.engine().proxy(), user, limits, TRAFFIC);
        try
        {
            handler.onText(session, text);
            final List<JsonNode> frames = framesUpToMarker(session);
            for (final JsonNode frame : frames)
            {
                assertTrue(frame.path("Controller").isTextual(), "a Zenith message: " + frame);
                if ("Error".equals(frame.path("Action").asText()))
                {
                    assertFalse(frame.path("Data").asText().isEmpty(), "an Error names its code: " + frame);
                }
            }

            final JsonNode request = jsonObject(text);
            if (null == request)
            {
                assertEquals(1, frames.size(), "one answer to a frame that is not a JSON object: " + frames);
                assertEquals("Error", frames.get(0).path("Action").asText());
                assertEquals("Data.Deserialise", frames.get(0).path("Data").asText());
            }
            else if (frames.isEmpty())
            {
                final JsonNode action = request.get("Action");
                final JsonNode transactionId = request.get("TransactionID");
                final boolean waits = (null != action && MAY_WAIT_FOR_UPSTREAM.contains(action.asText())) ||
                    (null != transactionId && transactionId.isIntegralNumber() && transactionId.canConvertToLong());
                assertTrue(waits, "a request that must be answered at once got nothing: " + text);
            }
        }
        finally
        {
            session.released();
            server.engine().proxy().sessionClosed(session);
        }
    }

    /**
     * @return the request as a JSON object, or null when the handler cannot take it for one.
     */
    private JsonNode jsonObject(final String text)
    {
        try
        {
            final JsonNode node = json.readTree(text);
            return null != node && node.isObject() ? node : null;
        }
        catch (final JsonProcessingException ex)
        {
            return null;
        }
    }

    /**
     * Send the marker through the engine and take every frame queued before its answer.
     */
    private List<JsonNode> framesUpToMarker(final ZenithSession session) throws Exception
    {
        final EngineProxy engine = server.engine().proxy();
        final long deadline = System.currentTimeMillis() + ENGINE_ANSWER_TIMEOUT_MS;
        while (!engine.unsubscribe(session, "Market", MARKER_TOPIC, true))
        {
            waitOrFail(deadline, "the engine took no command");
        }
        final List<String> texts = new ArrayList<>();
        final List<JsonNode> frames = new ArrayList<>();
        while (true)
        {
            texts.clear();
            session.outbox().drain((type, buffer, index, length) ->
                texts.add(buffer.getStringWithoutLengthUtf8(index, length)), Integer.MAX_VALUE);
            for (final String frame : texts)
            {
                final JsonNode node = json.readTree(frame);
                assertNotNull(node, "an empty frame");
                assertTrue(node.isObject(), "a JSON object: " + frame);
                if (MARKER_TOPIC.equals(node.path("Topic").asText()) && "Unsub".equals(node.path("Action").asText()))
                {
                    return frames;
                }
                frames.add(node);
            }
            waitOrFail(deadline, "no answer from the engine");
        }
    }

    private static void waitOrFail(final long deadline, final String what)
    {
        if (System.currentTimeMillis() > deadline)
        {
            fail(what + " within " + ENGINE_ANSWER_TIMEOUT_MS + " ms");
        }
        Thread.yield();
    }

    /**
     * A server-side WebSocket connection on an in-memory pipe, already closed: sessions on it keep their frames.
     */
    private static WebSocketConnection newClosedChannel() throws Exception
    {
        final ChannelPipe<StreamConnection, StreamConnection> pipe = worker.createFullDuplexPipeConnection();
        final WebSocketConnection connection = new WebSocketConnection(pipe.getLeftSide(), 65536);
        IoUtils.safeClose(pipe.getLeftSide());
        IoUtils.safeClose(pipe.getRightSide());
        assertFalse(connection.isOpen());
        return connection;
    }
}
