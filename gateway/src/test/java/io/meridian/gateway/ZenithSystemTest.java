package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static io.meridian.gateway.ZenithTestClient.action;
import static io.meridian.gateway.ZenithTestClient.data;
import static io.meridian.gateway.ZenithTestClient.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole stack in one JVM: embedded media driver, simulated Feed Server over Aeron IPC, Disruptor engine,
 * Undertow on an ephemeral port with the demo issuer, driven by the JDK's WebSocket client.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ZenithSystemTest
{
    private static final long WAIT_MS = 10_000;
    private static MeridianServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void start()
    {
        server = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.markets", "2",
            "sim.securities", "10",
            "sim.update-rate", "400",
            "upstream.heartbeat-interval-ms", "200",
            "upstream.liveness-timeout-ms", "2000")));
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    static String demoToken(final String user) throws Exception
    {
        final HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/demo/token?user=" + user))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        final JsonNode body = ZenithTestClient.JSON.readTree(response.body());
        assertEquals("Bearer", body.get("token_type").asText());
        assertTrue(body.get("expires_in").asInt() > 0);
        return body.get("access_token").asText();
    }

    private static ZenithTestClient authenticated(final String user) throws Exception
    {
        final ZenithTestClient client = new ZenithTestClient(server.port(), null);
        client.send("{\"Controller\":\"Auth\",\"Topic\":\"AuthToken\",\"TransactionID\":1," +
            "\"Data\":{\"Provider\":\"Bearer\",\"AccessToken\":\"" + demoToken(user) + "\"}}");
        final JsonNode reply = client.await(transaction(1), WAIT_MS);
        assertEquals("Success", reply.get("Data").get("Result").asText(), reply.toString());
        return client;
    }

    @Test
    void authenticatesQueriesMarketsAndStreamsASecurity() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), null))
        {
            assertEquals("ZenithJson", client.subprotocol());
            final String token = demoToken("alice");
            client.send("{\"Controller\":\"Auth\",\"Topic\":\"AuthToken\",\"TransactionID\":1," +
                "\"Data\":{\"Provider\":\"Bearer\",\"AccessToken\":\"" + token + "\"}}");
            final JsonNode auth = client.await(transaction(1), WAIT_MS);
            assertEquals("Auth", auth.get("Controller").asText());
            assertEquals("AuthToken", auth.get("Topic").asText());
            assertEquals("Success", auth.get("Data").get("Result").asText());
            assertEquals(token, auth.get("Data").get("AccessToken").asText());
            assertEquals("alice", auth.get("Data").get("UserID").asText());
            assertTrue(auth.get("Data").get("ExpiresIn").asText().matches("^\\d{2}:\\d{2}:\\d{2}\\.\\d+$"),
                auth.toString());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":2}");
            final JsonNode markets = client.await(transaction(2), WAIT_MS);
            assertFalse(markets.has("Action"), markets.toString());
            assertEquals(2, markets.get("Data").size());
            for (final JsonNode market : markets.get("Data"))
            {
                assertEquals("Active", market.get("Feed").asText());
                assertEquals("Open", market.get("Status").asText());
                assertTrue(market.get("States").isArray());
            }

            final String key = server.feedServer().securityKeys().get(0);
            final String topic = "Security!" + key;
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            final JsonNode full = client.await(data(topic), WAIT_MS);
            final String code = key.substring(0, key.indexOf('.'));
            assertEquals(code, full.get("Data").get("Code").asText());
            assertEquals(key.substring(key.indexOf('.') + 1), full.get("Data").get("Market").asText());
            assertTrue(full.get("Data").has("Last"));
            assertTrue(full.get("Data").has("Volume"));
            final JsonNode confirm = client.await(action(topic, "Sub"), WAIT_MS);
            assertTrue(confirm.get("Confirm").asBoolean());

            for (int i = 0; i < 3; i++)
            {
                final JsonNode delta = client.await(data(topic), WAIT_MS);
                assertFalse(delta.get("Data").has("Code"), "deltas carry only changed fields: " + delta);
                assertTrue(delta.get("Data").size() > 0 && delta.get("Data").size() < full.get("Data").size());
            }

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QuerySecurity\",\"TransactionID\":3," +
                "\"Data\":{\"Market\":\"" + key.substring(key.indexOf('.') + 1) + "\",\"Code\":\"" + code + "\"}}");
            final JsonNode query = client.await(transaction(3), WAIT_MS);
            assertEquals(code, query.get("Data").get("Code").asText());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Unsub\"," +
                "\"Confirm\":false}");
            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":4}");
            client.await(transaction(4), WAIT_MS);
            final List<JsonNode> after = client.drain(500);
            assertTrue(after.stream().noneMatch(data(topic)), "no data after Unsub: " + after);
            assertTrue(server.engine().counters().upstreamSubscribes() >= 2);
        }
    }

    @Test
    void laterClientIsServedFromTheCache() throws Exception
    {
        final String key = server.feedServer().securityKeys().get(1);
        final String topic = "Security!" + key;
        try (ZenithTestClient first = authenticated("bob"))
        {
            first.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            first.await(action(topic, "Sub"), WAIT_MS);
        }
        final long subscribesBefore = server.engine().counters().upstreamSubscribes();
        try (ZenithTestClient second = authenticated("carol"))
        {
            second.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            final JsonNode full = second.await(data(topic), WAIT_MS);
            assertEquals(key.substring(0, key.indexOf('.')), full.get("Data").get("Code").asText());
        }
        assertEquals(subscribesBefore, server.engine().counters().upstreamSubscribes(),
            "the item stayed subscribed upstream after the first client left");
    }

    @Test
    void invalidTokenIsRejectedAndNothingIsServedBeforeAuthentication() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), null))
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"Markets\",\"Action\":\"Sub\",\"Confirm\":true}");
            final JsonNode error = client.await(action("Markets", "Error"), WAIT_MS);
            assertEquals("Authority", error.get("Data").asText());
            final JsonNode echo = client.await(action("Markets", "Sub"), WAIT_MS);
            assertFalse(echo.has("Confirm"));

            client.send("{\"Controller\":\"Auth\",\"Topic\":\"AuthToken\",\"TransactionID\":7," +
                "\"Data\":{\"Provider\":\"Bearer\",\"AccessToken\":\"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.\"}}");
            final JsonNode rejected = client.await(transaction(7), WAIT_MS);
            assertEquals("AuthToken", rejected.get("Topic").asText());
            assertEquals("Rejected", rejected.get("Data").get("Result").asText());
        }

        final ExecutionException failure = assertThrows(ExecutionException.class,
            () -> new ZenithTestClient(server.port(), "not-a-token"));
        assertInstanceOf(WebSocketHandshakeException.class, failure.getCause());
        assertEquals(401, ((WebSocketHandshakeException)failure.getCause()).getResponse().statusCode());
    }

    @Test
    void bearerTokenOnTheUpgradeAuthenticatesTheSession() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), demoToken("dave")))
        {
            client.send("{\"Controller\":\"Auth\",\"Topic\":\"QueryIdentify\",\"TransactionID\":1}");
            final JsonNode identify = client.await(transaction(1), WAIT_MS);
            assertEquals("Success", identify.get("Data").get("Result").asText());
            assertEquals("dave", identify.get("Data").get("UserID").asText());

            client.send("{\"Controller\":\"Zenith\",\"Topic\":\"ServerInfo\",\"Action\":\"Sub\",\"Confirm\":true}");
            final JsonNode info = client.await(data("ServerInfo"), WAIT_MS);
            assertEquals("FeedProxy", info.get("Data").get("Class").asText());
            assertEquals("2.0", info.get("Data").get("Protocol").asText());
            assertTrue(client.await(action("ServerInfo", "Sub"), WAIT_MS).get("Confirm").asBoolean());

            client.send("{\"Controller\":\"Zenith\",\"Topic\":\"Feeds\",\"Action\":\"Sub\",\"Confirm\":true," +
                "\"TransactionID\":9}");
            final JsonNode feeds = client.await(data("Feeds"), WAIT_MS);
            final JsonNode list = feeds.get("Data");
            assertEquals(server.feedServer().marketCodes().size() + 2, list.size(), feeds.toString());
            assertEquals("TradingAuthority", list.get(0).get("Name").asText(), "the authority feed comes first");
            assertEquals("Authority", list.get(0).get("Class").asText());
            final JsonNode trading = list.get(list.size() - 1);
            assertEquals("OMS", trading.get("Name").asText());
            assertEquals("Trading", trading.get("Class").asText());
            for (int i = 1; i < list.size() - 1; i++)
            {
                final JsonNode feed = list.get(i);
                assertEquals("Market", feed.get("Class").asText());
                assertEquals("Active", feed.get("Status").asText());
                assertTrue(server.feedServer().marketCodes().contains(feed.get("Name").asText()));
            }
            assertTrue(client.await(action("Feeds", "Sub"), WAIT_MS).get("Confirm").asBoolean());
        }
    }

    @Test
    void malformedRequestsGetErrorsAndTheSessionGoesOn() throws Exception
    {
        try (ZenithTestClient client = authenticated("erin"))
        {
            client.send("{not json");
            final JsonNode parseError = client.await(node -> "Error".equals(node.path("Action").asText()), WAIT_MS);
            assertEquals("Data.Deserialise", parseError.get("Data").asText());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":\"x\"}");
            assertEquals("Data.Deserialise",
                client.await(node -> "Error".equals(node.path("Action").asText()), WAIT_MS).get("Data").asText());

            client.send("[1,2,3]");
            assertEquals("Data.Deserialise",
                client.await(node -> "Error".equals(node.path("Action").asText()), WAIT_MS).get("Data").asText());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"Security!NOPE.XSX\",\"Action\":\"Sub\"," +
                "\"Confirm\":true}");
            final JsonNode notFound = client.await(action("Security!NOPE.XSX", "Error"), WAIT_MS);
            assertEquals("Symbol.NotFound NOPE.XSX", notFound.get("Data").asText());
            assertFalse(client.await(action("Security!NOPE.XSX", "Sub"), WAIT_MS).has("Confirm"));

            client.send("{\"Controller\":\"Market\",\"Topic\":\"Security!nodot\",\"Action\":\"Sub\",\"Confirm\":true}");
            assertEquals("Symbol nodot", client.await(action("Security!nodot", "Error"), WAIT_MS).get("Data").asText());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"Bogus\",\"TransactionID\":5}");
            final JsonNode unknown = client.await(transaction(5), WAIT_MS);
            assertEquals("Operation.Unknown", unknown.get("Data").asText());
            final JsonNode result = client.await(transaction(5), WAIT_MS);
            assertTrue(result.get("Data").isNull(), "the transaction is closed with a result: " + result);

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":6}");
            final JsonNode markets = client.await(transaction(6), WAIT_MS);
            assertNotNull(markets.get("Data"));
            assertTrue(markets.get("Data").isArray(), "the session still works: " + markets);
        }
    }

    @Test
    void healthReportsTheUpstream() throws Exception
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        HttpResponse<String> response;
        do
        {
            response = HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.port() + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
        }
        while (response.statusCode() != 200 && System.currentTimeMillis() < deadline && pause());
        assertEquals(200, response.statusCode());
        assertEquals("UP", ZenithTestClient.JSON.readTree(response.body()).get("upstream").asText());
    }

    @Test
    void theUpgradeIsCheckedAndAnsweredAsTheProtocolSays() throws Exception
    {
        // The key and its answer are the example of RFC 6455, section 1.3.
        final String good = upgradeHead("13", "dGhlIHNhbXBsZSBub25jZQ==", "chat, ZenithJson");
        assertTrue(good.startsWith("HTTP/1.1 101 "), good);
        assertTrue(good.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"), good);
        assertTrue(good.contains("\r\nSec-WebSocket-Protocol: ZenithJson\r\n"), good);

        final String noProtocol = upgradeHead("13", "dGhlIHNhbXBsZSBub25jZQ==", null);
        assertTrue(noProtocol.startsWith("HTTP/1.1 101 "), noProtocol);
        assertFalse(noProtocol.contains("Sec-WebSocket-Protocol"), noProtocol);

        final String oldVersion = upgradeHead("8", "dGhlIHNhbXBsZSBub25jZQ==", "ZenithJson");
        assertTrue(oldVersion.startsWith("HTTP/1.1 426 "), oldVersion);
        assertTrue(oldVersion.contains("\r\nSec-WebSocket-Version: 13\r\n"), oldVersion);

        final String badKey = upgradeHead("13", "not sixteen bytes", "ZenithJson");
        assertTrue(badKey.startsWith("HTTP/1.1 400 "), badKey);
    }

    private static String upgradeHead(final String version, final String key, final String protocols)
        throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.setSoTimeout((int)WAIT_MS);
            final String request = "GET /Zenith HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n" +
                "Connection: keep-alive, Upgrade\r\nSec-WebSocket-Version: " + version + "\r\n" +
                "Sec-WebSocket-Key: " + key + "\r\n" +
                (null == protocols ? "" : "Sec-WebSocket-Protocol: " + protocols + "\r\n") + "\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            final StringBuilder head = new StringBuilder();
            final InputStream in = socket.getInputStream();
            int b;
            while (head.indexOf("\r\n\r\n") < 0 && (b = in.read()) >= 0)
            {
                head.append((char)b);
            }
            return head.toString();
        }
    }

    private static boolean pause()
    {
        try
        {
            Thread.sleep(50);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        return true;
    }
}
