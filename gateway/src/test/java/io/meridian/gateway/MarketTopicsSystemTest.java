package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import static io.meridian.gateway.ZenithTestClient.action;
import static io.meridian.gateway.ZenithTestClient.data;
import static io.meridian.gateway.ZenithTestClient.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Market controller's book, trade and symbol topics over WebSocket against the simulated exchange: the
 * reference's example requests (with our symbols in them) are understood, and what comes back has the reference's
 * shape, field by field.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class MarketTopicsSystemTest
{
    private static final long WAIT_MS = 15_000;
    private static final Set<String> SIDES = Set.of("Bid", "Ask");
    private static MeridianServer server;
    private static String key;
    private static String code;
    private static String market;

    @BeforeAll
    static void start()
    {
        server = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.markets", "2",
            "sim.securities", "10",
            "sim.update-rate", "5000")));
        key = server.feedServer().securityKeys().get(0);
        code = key.substring(0, key.lastIndexOf('.'));
        market = key.substring(key.lastIndexOf('.') + 1);
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void depthByOrderHasTheReferenceShape() throws Exception
    {
        try (ZenithTestClient client = authenticated("depth"))
        {
            final String topic = "Depth!" + key;
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            final JsonNode full = client.await(data(topic), WAIT_MS);
            assertEquals("C", full.get("Data").get(0).get("O").asText(), "full state starts with a clear");
            assertTrue(full.get("Data").size() > 1, "the simulated book has orders: " + full);
            for (int i = 1; i < full.get("Data").size(); i++)
            {
                assertAddedOrder(full.get("Data").get(i));
            }
            assertTrue(client.await(action(topic, "Sub"), WAIT_MS).get("Confirm").asBoolean());

            final Set<String> seen = new java.util.HashSet<>();
            while (seen.size() < 3)
            {
                for (final JsonNode change : client.await(data(topic), WAIT_MS).get("Data"))
                {
                    final String o = change.get("O").asText();
                    seen.add(o);
                    switch (o)
                    {
                        case "A":
                            assertAddedOrder(change);
                            break;
                        case "U":
                            assertTrue(change.get("Order").get("ID").asText().matches("\\d+"));
                            assertFalse(change.get("Order").has("Side"), "side is sent on additions only");
                            break;
                        case "R":
                            assertEquals(1, change.get("Order").size(), "a removal names only the order");
                            break;
                        default:
                            assertEquals("C", o, change.toString());
                            break;
                    }
                }
            }
        }
    }

    @Test
    void levelsHaveTheReferenceShape() throws Exception
    {
        try (ZenithTestClient client = authenticated("levels"))
        {
            final String topic = "Levels!" + key;
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            final JsonNode full = client.await(data(topic), WAIT_MS).get("Data");
            assertEquals("C", full.get(0).get("O").asText());
            for (int i = 1; i < full.size(); i++)
            {
                final JsonNode level = full.get(i).get("Level");
                assertEquals("A", full.get(i).get("O").asText());
                assertTrue(level.get("ID").isTextual());
                assertTrue(SIDES.contains(level.get("Side").asText()));
                assertTrue(level.get("Price").isNumber());
                assertTrue(level.get("Volume").isNumber());
                assertTrue(level.get("Count").asInt() > 0);
            }
            client.await(action(topic, "Sub"), WAIT_MS);
            final JsonNode update = awaitChange(client, topic, "U");
            assertTrue(update.get("Level").get("Volume").isNumber(), "every update carries the volume");
            assertTrue(update.get("Level").get("Count").isInt(), "and the count");
        }
    }

    @Test
    void tradesInitialiseBeforeTheConfirmAndHistoryComesFromQueryTrades() throws Exception
    {
        try (ZenithTestClient client = authenticated("trades"))
        {
            final String topic = "Trades!" + key;
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            final JsonNode first = client.await(node -> topic.equals(node.path("Topic").asText()), WAIT_MS);
            assertFalse(first.has("Action"), "the initialise record comes before the confirmation: " + first);
            final JsonNode initialise = first.get("Data").get(0);
            assertEquals("I", initialise.get("O").asText());
            assertTrue(initialise.get("ID").isIntegralNumber());
            final long lastId = initialise.get("ID").asLong();
            client.await(action(topic, "Sub"), WAIT_MS);

            // The reference's example request, with our symbol.
            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryTrades\",\"TransactionID\":1234,\"Data\":" +
                "{\"Market\":\"" + market + "\",\"Code\":\"" + code + "\",\"LastTradeID\":" + lastId +
                ",\"Count\":100}}");
            final JsonNode history = client.await(transaction(1234), WAIT_MS);
            assertEquals("QueryTrades", history.get("Topic").asText());
            assertFalse(history.has("Action"), history.toString());
            long previous = 0;
            for (final JsonNode change : history.get("Data"))
            {
                assertEquals("A", change.get("O").asText());
                final JsonNode trade = change.get("Trade");
                assertTradeShape(trade);
                assertTrue(trade.get("ID").asLong() > previous, "oldest first");
                assertTrue(trade.get("ID").asLong() <= lastId, "up to and including LastTradeID");
                previous = trade.get("ID").asLong();
            }
            assertTrue(history.get("Data").size() <= 100);
            if (lastId > 0)
            {
                assertEquals(lastId, previous, "the newest trade asked for is there");
            }

            final JsonNode added = awaitChange(client, topic, "A");
            assertTradeShape(added.get("Trade"));
            assertTrue(added.get("Trade").get("ID").asLong() > lastId);
        }
    }

    @Test
    void queriesAnswerWithTheReferenceShapes() throws Exception
    {
        try (ZenithTestClient client = authenticated("queries"))
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryDepthFull\",\"TransactionID\":1,\"Data\":" +
                "{\"Code\":\"" + code + "\",\"Market\":\"" + market + "\"}}");
            final JsonNode depth = client.await(transaction(1), WAIT_MS).get("Data");
            assertEquals("C", depth.get(0).get("O").asText());
            for (int i = 1; i < depth.size(); i++)
            {
                assertAddedOrder(depth.get(i));
            }

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryDepthLevels\",\"TransactionID\":2,\"Data\":" +
                "{\"Code\":\"" + code + "\",\"Market\":\"" + market + "\"}}");
            final JsonNode levels = client.await(transaction(2), WAIT_MS).get("Data");
            assertEquals("C", levels.get(0).get("O").asText());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryTradingStates\",\"TransactionID\":3," +
                "\"Data\":{\"Market\":\"" + market + "\"}}");
            final JsonNode states = client.await(transaction(3), WAIT_MS).get("Data");
            final List<String> names = new ArrayList<>();
            for (final JsonNode state : states)
            {
                names.add(state.get("Name").asText());
                assertTrue(Set.of("Normal", "Suspend").contains(state.get("Reason").asText()));
                assertTrue(state.get("Allows").isTextual());
            }
            assertEquals(List.of("PreOpen", "Open", "Closed", "Suspended"), names);

            // The reference's partial search example, with our market and code.
            client.send("{\"Controller\":\"Market\",\"Topic\":\"SearchSymbols\",\"TransactionID\":4,\"Data\":" +
                "{\"Market\":\"" + market + "\",\"Conditions\":[{\"Text\":\"" + code + "\"}]}}");
            final JsonNode found = client.await(transaction(4), WAIT_MS).get("Data");
            boolean exact = false;
            for (final JsonNode symbol : found)
            {
                assertEquals(market, symbol.get("Market").asText());
                assertTrue(Set.of("Market", "ManagedFund").contains(symbol.get("Class").asText()));
                assertTrue(symbol.get("SubscriptionData").isTextual());
                assertTrue(symbol.get("TradingMarkets").isArray());
                exact |= code.equals(symbol.get("Code").asText());
            }
            assertTrue(exact, "the code searched for is found: " + found);

            // How Motif looks a symbol up.
            client.send("{\"Controller\":\"Market\",\"Topic\":\"SearchSymbols\",\"Action\":\"Publish\"," +
                "\"TransactionID\":5,\"Data\":{\"Conditions\":[{\"Field\":\"Code\",\"Group\":\"--Common%%\"," +
                "\"IsCaseSensitive\":true,\"Match\":\"Exact\",\"Text\":\"" + code + "\"}],\"FullSymbol\":true," +
                "\"Markets\":[\"" + market + "\"],\"PreferExact\":true}}");
            final JsonNode lookup = client.await(transaction(5), WAIT_MS).get("Data");
            assertEquals(1, lookup.size(), lookup.toString());
            assertEquals(code, lookup.get(0).get("Code").asText());
            assertTrue(lookup.get(0).has("CFI"), "a full symbol");

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QuerySymbols\",\"TransactionID\":6,\"Data\":" +
                "{\"Market\":\"" + market + "\",\"SearchText\":\"" + code + "\",\"IsPartial\":false}}");
            final JsonNode query = client.await(transaction(6), WAIT_MS).get("Data");
            assertEquals(1, query.size(), query.toString());
        }
    }

    @Test
    void badTopicsAndParametersGetTheReferenceErrorCodes() throws Exception
    {
        try (ZenithTestClient client = authenticated("errors"))
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"Depth!NOPE.XX\",\"Action\":\"Sub\",\"Confirm\":true}");
            assertEquals("Market.NotFound XX",
                client.await(action("Depth!NOPE.XX", "Error"), WAIT_MS).get("Data").asText());
            assertFalse(client.await(action("Depth!NOPE.XX", "Sub"), WAIT_MS).has("Confirm"));

            final String unknown = "Levels!NOPE." + market;
            client.send(
                "{\"Controller\":\"Market\",\"Topic\":\"" + unknown + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            assertEquals("Symbol.NotFound NOPE." + market,
                client.await(action(unknown, "Error"), WAIT_MS).get("Data").asText());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"Trades!nodot\",\"Action\":\"Sub\",\"Confirm\":true}");
            assertEquals("Symbol nodot", client.await(action("Trades!nodot", "Error"), WAIT_MS).get("Data").asText());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryTrades\",\"TransactionID\":7,\"Data\":" +
                "{\"Market\":\"" + market + "\",\"Code\":\"" + code + "\",\"Count\":\"ten\"}}");
            assertEquals("Data.Deserialise", client.await(transaction(7), WAIT_MS).get("Data").asText());
            assertEquals("[]", client.await(transaction(7), WAIT_MS).get("Data").toString(),
                "an array-typed query ends with an empty result");

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryDepthFull\",\"TransactionID\":8,\"Data\":" +
                "{\"Market\":\"" + market + "\"}}");
            assertEquals("Code", client.await(transaction(8), WAIT_MS).get("Data").asText());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"SearchSymbols\",\"TransactionID\":9,\"Data\":" +
                "{\"Markets\":[\"ZZ\"],\"Conditions\":[{\"Text\":\"A\"}]}}");
            assertEquals("Market.NotFound ZZ", client.await(transaction(9), WAIT_MS).get("Data").asText());
            assertEquals("[]", client.await(transaction(9), WAIT_MS).get("Data").toString());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryTradingStates\",\"TransactionID\":10," +
                "\"Data\":{\"Market\":\"ZZ\"}}");
            assertEquals("Market.NotFound ZZ", client.await(transaction(10), WAIT_MS).get("Data").asText());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":11}");
            assertTrue(client.await(transaction(11), WAIT_MS).get("Data").size() > 0, "the session goes on");
        }
    }

    private static JsonNode awaitChange(final ZenithTestClient client, final String topic, final String o)
        throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (System.currentTimeMillis() < deadline)
        {
            for (final JsonNode change : client.await(data(topic), WAIT_MS).get("Data"))
            {
                if (o.equals(change.get("O").asText()))
                {
                    return change;
                }
            }
        }
        throw new AssertionError("no " + o + " change on " + topic);
    }

    private static void assertAddedOrder(final JsonNode change)
    {
        assertEquals("A", change.get("O").asText(), change.toString());
        final JsonNode order = change.get("Order");
        assertTrue(order.get("ID").isTextual() && order.get("ID").asText().matches("\\d+"), order.toString());
        assertTrue(SIDES.contains(order.get("Side").asText()), order.toString());
        assertTrue(order.get("Price").isNumber(), order.toString());
        assertTrue(order.get("Position").isIntegralNumber(), order.toString());
        assertTrue(order.get("Quantity").isNumber() || order.get("Quantity").isNull(), order.toString());
    }

    private static void assertTradeShape(final JsonNode trade)
    {
        assertTrue(trade.get("ID").isIntegralNumber(), trade.toString());
        assertTrue(trade.get("Price").isNumber(), trade.toString());
        assertTrue(trade.get("Quantity").isNumber(), trade.toString());
        assertTrue(trade.get("Time").asText().matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}\\+00:00"),
            trade.toString());
        assertTrue(Set.of("None", "Up", "Down").contains(trade.get("Trend").asText()), trade.toString());
        if (trade.has("Side"))
        {
            assertTrue(SIDES.contains(trade.get("Side").asText()), trade.toString());
        }
        if (trade.has("Affects"))
        {
            assertTrue(trade.get("Affects").asText().matches("(None|Price|Volume|VWAP)(,(Price|Volume|VWAP))*"),
                trade.toString());
        }
    }

    private static ZenithTestClient authenticated(final String user) throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/demo/token?user=" + user))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        final String token = ZenithTestClient.JSON.readTree(response.body()).get("access_token").asText();
        final ZenithTestClient client = new ZenithTestClient(server.port(), token);
        return client;
    }
}
