package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.meridian.gateway.ZenithTestClient.action;
import static io.meridian.gateway.ZenithTestClient.data;
import static io.meridian.gateway.ZenithTestClient.tradingFeedStatus;
import static io.meridian.gateway.ZenithTestClient.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Trading over WebSocket against the embedded Trading Agent, whose orders match against the simulated books. The
 * simulation's own order flow is off (update rate 0) so the books stand still and every fill is the test's doing.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TradingSystemTest
{
    private static final long WAIT_MS = 10_000;
    private static MeridianServer server;

    @BeforeAll
    static void start()
    {
        server = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.markets", "2",
            "sim.securities", "40",
            "sim.update-rate", "0",
            "sim.session-seconds", "0",
            "upstream.heartbeat-interval-ms", "100",
            "upstream.liveness-timeout-ms", "1000")));
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
    void placePartialFillFillAmendCancelAndMoveWithHoldingsAndBalancesMoving() throws Exception
    {
        final long successesBefore =
            server.engine().counters().orderResults(io.meridian.codecs.interlink.OrderResult.Success);
        try (ZenithTestClient client = client("trader", null))
        {
            final JsonNode accounts = subscribe(client, "Accounts");
            assertEquals(2, accounts.size(), accounts.toString());
            assertEquals("TRADER-1", accounts.get(0).get("ID").asText());
            assertEquals("TRADER-2", accounts.get(1).get("ID").asText());
            assertEquals("OMS", accounts.get(0).get("Provider").asText());
            final JsonNode operations = subscribe(client, "TradingAccounts");
            assertEquals("Clear", operations.get(0).get("Operation").asText());
            assertEquals("TRADER-1", operations.get(1).get("Account").get("ID").asText());

            final JsonNode holdings = subscribe(client, "Holdings!TRADER-1");
            assertEquals("{\"O\":\"C\",\"Account\":\"TRADER-1\"}", holdings.get(0).toString());
            assertTrue(holdings.size() >= 2, "demo accounts start with holdings: " + holdings);
            // A security the second account holds and the first does not: the first buys, the second sells.
            final JsonNode held = subscribe(client, "Holdings!TRADER-2").get(1).get("Holding");
            final String exchange = held.get("Exchange").asText();
            final String code = held.get("Code").asText();
            for (final JsonNode change : holdings)
            {
                assertNotEquals(code, change.path("Holding").path("Code").asText());
            }
            final long heldBefore = 0;
            final JsonNode balances = subscribe(client, "Balances!TRADER-1");
            assertEquals("", balances.get(0).get("Type").asText(), "balances start with the clear record");
            final BigDecimal cashBefore = balance(balances, "NetBalance");
            assertEquals(0, new BigDecimal("1000000").compareTo(cashBefore), balances.toString());
            final JsonNode orders = subscribe(client, "Orders!TRADER-1");
            assertEquals("{\"O\":\"C\",\"Account\":\"TRADER-1\"}", orders.get(0).toString());
            subscribe(client, "Orders!TRADER-2");

            // The best ask level of a security the account holds, from Levels.
            final JsonNode levels = subscribe(client, "Levels!" + code + "." + exchange);
            JsonNode bestAsk = null;
            for (final JsonNode change : levels)
            {
                final JsonNode level = change.get("Level");
                if (null != level && "Ask".equals(level.get("Side").asText()) && (null == bestAsk ||
                    level.get("Price").decimalValue().compareTo(bestAsk.get("Price").decimalValue()) < 0))
                {
                    bestAsk = level;
                }
            }
            assertTrue(null != bestAsk, "the book has asks: " + levels);
            final BigDecimal askPrice = bestAsk.get("Price").decimalValue();
            final long askVolume = bestAsk.get("Volume").asLong();
            final long lot = lotSize(client, code, exchange);

            // Buy the whole best ask level and one lot more: a partial fill, the rest resting at that price.
            final JsonNode placed = order(client, 10, "PlaceOrder", "{\"Account\":\"TRADER-1\",\"Details\":{" +
                "\"Exchange\":\"" + exchange + "\",\"Code\":\"" + code + "\",\"Side\":\"Bid\",\"Style\":\"Market\"," +
                "\"Type\":\"Limit\",\"LimitPrice\":" + askPrice.toPlainString() + ",\"Quantity\":" +
                (askVolume + lot) + ",\"Validity\":\"UntilCancel\",\"Instructions\":[]},\"Route\":{" +
                "\"Algorithm\":\"Market\",\"Market\":\"" + exchange + "\"}}");
            assertEquals("Success", placed.get("Result").asText(), placed.toString());
            final String orderId = placed.get("Order").get("ID").asText();
            assertEquals("PartiallyFilled", placed.get("Order").get("Status").asText(),
                "the order the reply carries is the cache's, already updated: " + placed);
            assertEquals(askVolume, placed.get("Order").get("ExecutedQuantity").asLong());
            assertEquals(22, placed.get("RequestID").asText().length(), "a request id is made when none is sent");
            final JsonNode partial = lastOrderState(client, "Orders!TRADER-1", orderId);
            assertEquals("PartiallyFilled", partial.get("Status").asText());

            // The other account sells the last lot into the resting bid: filled.
            final JsonNode sold = order(client, 11, "PlaceOrder", "{\"Account\":\"TRADER-2\",\"Details\":{" +
                "\"Exchange\":\"" + exchange + "\",\"Code\":\"" + code + "\",\"Side\":\"Ask\",\"Style\":\"Market\"," +
                "\"Type\":\"Limit\",\"LimitPrice\":" + askPrice.toPlainString() + ",\"Quantity\":" + lot +
                ",\"Validity\":\"UntilDay\"}}");
            assertEquals("Success", sold.get("Result").asText(), sold.toString());
            final JsonNode filled = awaitOrderStatus(client, "Orders!TRADER-1", orderId, "Filled");
            assertEquals(askVolume + lot, filled.get("ExecutedQuantity").asLong());

            final JsonNode holding = awaitHolding(client, "Holdings!TRADER-1", code, heldBefore + askVolume + lot);
            assertEquals(heldBefore + askVolume + lot, holding.get("TotalQuantity").asLong());
            final BigDecimal spentAtMost = askPrice.multiply(BigDecimal.valueOf(askVolume + lot));
            final BigDecimal cashAfter = awaitBalanceBelow(client, cashBefore);
            assertTrue(cashAfter.compareTo(cashBefore.subtract(spentAtMost)) >= 0,
                "paid no more than the limit: " + cashAfter);

            // A resting order: amend its quantity, then cancel it.
            final JsonNode resting = order(client, 12, "PlaceOrder", "{\"Account\":\"TRADER-1\",\"Details\":{" +
                "\"Exchange\":\"" + exchange + "\",\"Code\":\"" + code + "\",\"Side\":\"Bid\",\"Type\":\"Limit\"," +
                "\"LimitPrice\":" + lowPrice(askPrice, client, code, exchange) + ",\"Quantity\":" + lot + "}}");
            assertEquals("Success", resting.get("Result").asText(), resting.toString());
            assertEquals("Working", resting.get("Order").get("Status").asText(), "resting, nothing traded");
            final String restingId = resting.get("Order").get("ID").asText();
            assertEquals("Working", lastOrderState(client, "Orders!TRADER-1", restingId).get("Status").asText());
            final JsonNode amended = order(client, 13, "AmendOrder", "{\"Account\":\"TRADER-1\",\"OrderID\":\"" +
                restingId + "\",\"Details\":{\"Exchange\":\"" + exchange + "\",\"Code\":\"" + code +
                "\",\"Side\":\"Bid\",\"Type\":\"Limit\",\"LimitPrice\":" + lowPrice(askPrice, client, code, exchange) +
                ",\"Quantity\":" + (2 * lot) + "}}");
            assertEquals("Success", amended.get("Result").asText(), amended.toString());
            assertEquals(2 * lot, lastOrderState(client, "Orders!TRADER-1", restingId).get("Details")
                .get("Quantity").asLong());

            // Move it to the user's other account: removed from one list, added to the other.
            final JsonNode moved = order(client, 14, "MoveOrder", "{\"Account\":\"TRADER-1\",\"OrderID\":\"" +
                restingId + "\",\"Destination\":\"TRADER-2\"}");
            assertEquals("Success", moved.get("Result").asText(), moved.toString());
            awaitChange(client, "Orders!TRADER-1", "R", restingId);
            awaitChange(client, "Orders!TRADER-2", "A", restingId);

            final JsonNode cancelled = order(client, 15, "CancelOrder", "{\"Account\":\"TRADER-2\",\"OrderID\":\"" +
                restingId + "\"}");
            assertEquals("Success", cancelled.get("Result").asText(), cancelled.toString());
            awaitOrderStatus(client, "Orders!TRADER-2", restingId, "Cancelled");
        }
        assertEquals(successesBefore + 6,
            server.engine().counters().orderResults(io.meridian.codecs.interlink.OrderResult.Success),
            "six requests answered Success: two places, a resting place, an amend, a move and a cancel");
    }

    @Test
    void rejectionsCarryTheReferenceOrderErrorCodes() throws Exception
    {
        try (ZenithTestClient client = client("rejects", null))
        {
            final JsonNode holdings = subscribe(client, "Holdings!REJECTS-1");
            final JsonNode held = holdings.get(1).get("Holding");
            final String exchange = held.get("Exchange").asText();
            final String code = held.get("Code").asText();
            final long lot = lotSize(client, code, exchange);
            final String price = lowPrice(BigDecimal.ONE, client, code, exchange);

            JsonNode answer = order(client, 1, "PlaceOrder", sell("REJECTS-1", exchange, code, price,
                held.get("TotalQuantity").asLong() + lot));
            assertEquals("Rejected", answer.get("Result").asText(), answer.toString());
            assertEquals("[\"TotalQuantity.Holdings\"]", answer.get("Errors").toString());

            if (lot > 1)
            {
                answer = order(client, 2, "PlaceOrder", sell("REJECTS-1", exchange, code, price, lot + 1));
                assertEquals("Invalid", answer.get("Result").asText(), answer.toString());
                assertEquals("[\"TotalQuantity\"]", answer.get("Errors").toString());
            }

            answer = order(client, 3, "PlaceOrder", sell("REJECTS-1", exchange, "NOPE", price, lot));
            assertEquals("Invalid", answer.get("Result").asText(), answer.toString());
            assertEquals("[\"Symbol\"]", answer.get("Errors").toString());

            answer = order(client, 4, "PlaceOrder", "{\"Account\":\"REJECTS-1\",\"Details\":{\"Exchange\":\"" +
                exchange + "\",\"Code\":\"" + code + "\",\"Side\":\"Bid\",\"Type\":\"Limit\",\"Quantity\":" + lot +
                "}}");
            assertEquals("Incomplete", answer.get("Result").asText(), answer.toString());
            assertEquals("[\"LimitPrice.Missing\"]", answer.get("Errors").toString());

            answer = order(client, 5, "PlaceOrder", "{\"Account\":\"REJECTS-1\",\"Details\":{\"Exchange\":\"" +
                exchange + "\",\"Code\":\"" + code + "\",\"Side\":\"Up\",\"Type\":\"Limit\",\"LimitPrice\":1," +
                "\"Quantity\":" + lot + "}}");
            assertEquals("Invalid", answer.get("Result").asText());
            assertEquals("[\"Side\"]", answer.get("Errors").toString());

            answer = order(client, 6, "CancelOrder", "{\"Account\":\"REJECTS-1\",\"OrderID\":\"NO-SUCH-ORDER\"}");
            assertNotEquals("Success", answer.get("Result").asText(), answer.toString());
            assertEquals("[\"Order\"]", answer.get("Errors").toString());
        }
    }

    @Test
    void aUserReachesOnlyItsOwnAccountsAndNeedsTheOrderPadRightToTrade() throws Exception
    {
        try (ZenithTestClient owner = client("owner", null); ZenithTestClient other = client("intruder", null))
        {
            subscribe(owner, "Accounts");
            subscribe(other, "Accounts");
            other.send("{\"Controller\":\"Trading\",\"Topic\":\"Orders!OWNER-1\",\"Action\":\"Sub\",\"Confirm\":true}");
            final JsonNode refused = other.await(action("Orders!OWNER-1", "Error"), WAIT_MS);
            assertEquals("Account.Authority OWNER-1", refused.get("Data").asText());
            assertFalse(other.await(action("Orders!OWNER-1", "Sub"), WAIT_MS).has("Confirm"));

            final JsonNode answer = order(other, 2, "CancelOrder", "{\"Account\":\"OWNER-1\",\"OrderID\":\"O1\"}");
            assertEquals("Rejected", answer.get("Result").asText(), answer.toString());
            assertEquals("[\"Authority\"]", answer.get("Errors").toString());
        }
        final String marketAndTrading = server.demoIssuer().mint("viewer", "zenith/market zenith/trading");
        try (ZenithTestClient viewer = client("viewer", marketAndTrading))
        {
            assertEquals(2, subscribe(viewer, "Accounts").size(), "trading data needs only the trading right");
            final JsonNode answer = order(viewer, 3, "CancelOrder", "{\"Account\":\"VIEWER-1\",\"OrderID\":\"O1\"}");
            assertEquals("Rejected", answer.get("Result").asText());
            assertEquals("[\"Authority\"]", answer.get("Errors").toString(), "no order pad right");
        }
    }

    @Test
    void theSameRequestIdTwicePlacesOneOrderAndRepeatsTheAnswer() throws Exception
    {
        try (ZenithTestClient client = client("retrier", null))
        {
            final JsonNode holdings = subscribe(client, "Holdings!RETRIER-1");
            final JsonNode held = holdings.get(1).get("Holding");
            final String exchange = held.get("Exchange").asText();
            final String code = held.get("Code").asText();
            final long lot = lotSize(client, code, exchange);
            subscribe(client, "Orders!RETRIER-1");
            final String request = "{\"Account\":\"RETRIER-1\",\"RequestID\":\"retry-1\",\"Details\":{\"Exchange\":\"" +
                exchange + "\",\"Code\":\"" + code + "\",\"Side\":\"Bid\",\"Type\":\"Limit\",\"LimitPrice\":" +
                lowPrice(BigDecimal.ONE, client, code, exchange) + ",\"Quantity\":" + lot + "}}";
            final JsonNode first = order(client, 1, "PlaceOrder", request);
            final JsonNode second = order(client, 2, "PlaceOrder", request);
            assertEquals("Success", first.get("Result").asText(), first.toString());
            assertEquals("retry-1", first.get("RequestID").asText());
            assertEquals(first.get("Order").get("ID"), second.get("Order").get("ID"), "the same order both times");
            assertEquals(first.get("Result"), second.get("Result"));

            final JsonNode answer = query(client, 3, "QueryOrders", "{\"Account\":\"RETRIER-1\"}");
            assertEquals(1, answer.size(), "one order placed: " + answer);
            final String orderId = first.get("Order").get("ID").asText();
            assertEquals(orderId, answer.get(0).get("ID").asText(), "the query answers with orders, not changes");
            assertEquals(1, query(client, 4, "QueryOrders", "{\"Account\":\"RETRIER-1\",\"OrderID\":\"" + orderId +
                "\"}").size());
            assertEquals(0, query(client, 5, "QueryOrders", "{\"Account\":\"RETRIER-1\",\"OrderID\":\"NONE\"}")
                .size());

            final JsonNode allHoldings = query(client, 6, "QueryHoldings", "{\"Account\":\"RETRIER-1\"}");
            assertEquals(holdings.size() - 1, allHoldings.size(), "every holding, without the clear record");
            final JsonNode oneHolding = query(client, 7, "QueryHoldings", "{\"Account\":\"RETRIER-1\"," +
                "\"Exchange\":\"" + exchange + "\",\"Code\":\"" + code + "\"}");
            assertEquals(1, oneHolding.size(), oneHolding.toString());
            assertEquals(code, oneHolding.get(0).get("Code").asText());

            final JsonNode balances = query(client, 8, "QueryBalances", "{\"Account\":\"RETRIER-1\"}");
            assertTrue(balances.size() >= 1, balances.toString());
            assertFalse(balances.get(0).get("Type").asText().isEmpty(), "no clear record in a query answer");
            final JsonNode accounts = query(client, 9, "QueryAccounts", "{}");
            assertEquals("RETRIER-1", accounts.get(0).get("ID").asText());
            final JsonNode statuses = query(client, 10, "QueryOrderStatuses", "{\"Provider\":\"OMS\"}");
            assertEquals("Working", statuses.get(0).get("Code").asText());
            assertEquals("Trade,Amend,Cancel,Move", statuses.get(0).get("Allows").asText());
            assertTrue(query(client, 11, "QueryTradingMarkets", "{\"Provider\":\"OMS\"}").size() >= 1);
        }
    }

    @Test
    void whenTheTradingAgentIsDownRequestsGetAnErrorAndAResultAndAccountItemsResyncWhenItIsBack() throws Exception
    {
        try (ZenithTestClient client = client("outage", null))
        {
            subscribe(client, "Accounts");
            subscribe(client, "Orders!OUTAGE-1");
            client.send("{\"Controller\":\"Zenith\",\"Topic\":\"Feeds\",\"Action\":\"Sub\",\"Confirm\":true}");
            client.await(tradingFeedStatus("Active"), WAIT_MS);

            server.tradingServer().pause();
            try
            {
                client.await(tradingFeedStatus("Impaired"), WAIT_MS);
                client.send("{\"Controller\":\"Trading\",\"Topic\":\"CancelOrder\",\"TransactionID\":7," +
                    "\"Data\":{\"Account\":\"OUTAGE-1\",\"OrderID\":\"O1\"}}");
                final JsonNode error = client.await(transaction(7), WAIT_MS);
                assertEquals("Error", error.get("Action").asText(), error.toString());
                assertEquals("Account.Unavailable OUTAGE-1", error.get("Data").asText());
                final JsonNode result = client.await(transaction(7), WAIT_MS);
                assertEquals("Error", result.get("Data").get("Result").asText());
                assertEquals("[\"Retry\"]", result.get("Data").get("Errors").toString());
            }
            finally
            {
                server.tradingServer().resume();
            }
            client.await(tradingFeedStatus("Active"), WAIT_MS);
            final JsonNode resync = client.await(data("Orders!OUTAGE-1"), WAIT_MS);
            assertEquals("{\"O\":\"C\",\"Account\":\"OUTAGE-1\"}", resync.get("Data").get(0).toString(),
                "full state again after the Trading Agent came back");
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private static ZenithTestClient client(final String user, final String token) throws Exception
    {
        return new ZenithTestClient(server.port(), null == token ? server.demoIssuer().mint(user) : token);
    }

    /** Every frame each client has read through {@link #next}, oldest first. */
    private static final Map<ZenithTestClient, java.util.List<JsonNode>> HISTORY =
        new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * The next frame matching, keeping every frame read on the way in the client's history, so that changes that
     * came before an answer can still be looked at.
     */
    private static JsonNode next(final ZenithTestClient client, final Predicate<JsonNode> match) throws Exception
    {
        final java.util.List<JsonNode> history = HISTORY.computeIfAbsent(client, c -> new java.util.ArrayList<>());
        while (true)
        {
            final JsonNode frame = client.await(node -> true, WAIT_MS);
            history.add(frame);
            if (match.test(frame))
            {
                return frame;
            }
        }
    }

    /**
     * The latest frame already read that matches, else the next one.
     */
    private static JsonNode seenOrNext(final ZenithTestClient client, final Predicate<JsonNode> match)
        throws Exception
    {
        final java.util.List<JsonNode> history = HISTORY.getOrDefault(client, java.util.List.of());
        for (int i = history.size() - 1; i >= 0; i--)
        {
            if (match.test(history.get(i)))
            {
                return history.get(i);
            }
        }
        return next(client, match);
    }

    /**
     * The latest state of an order seen on a topic so far, in the client's history.
     */
    private static JsonNode seenOrder(final ZenithTestClient client, final String topic, final String orderId)
    {
        JsonNode last = null;
        for (final JsonNode frame : HISTORY.getOrDefault(client, java.util.List.of()))
        {
            if (data(topic).test(frame))
            {
                for (final JsonNode change : frame.get("Data"))
                {
                    if (orderId.equals(change.path("Order").path("ID").asText()))
                    {
                        last = change;
                    }
                }
            }
        }
        return last;
    }

    /**
     * Subscribe to a Trading topic (or a Market one for Levels) and return the Data of its full state.
     */
    private static JsonNode subscribe(final ZenithTestClient client, final String topic) throws Exception
    {
        // A second Sub of a topic only adds a reference and gets a confirmation, so the first full state is kept.
        final Map<String, JsonNode> full = FULL_STATES.computeIfAbsent(client, c -> new java.util.HashMap<>());
        final JsonNode known = full.get(topic);
        if (null != known)
        {
            return known;
        }
        final JsonNode state = subscribeOnce(client, topic);
        full.put(topic, state);
        return state;
    }

    private static final Map<ZenithTestClient, Map<String, JsonNode>> FULL_STATES =
        new java.util.concurrent.ConcurrentHashMap<>();

    private static JsonNode subscribeOnce(final ZenithTestClient client, final String topic) throws Exception
    {
        final String controller = topic.startsWith("Levels!") || topic.startsWith("Security!") ? "Market" : "Trading";
        client.send("{\"Controller\":\"" + controller + "\",\"Topic\":\"" + topic +
            "\",\"Action\":\"Sub\",\"Confirm\":true}");
        final JsonNode first = next(client, node -> topic.equals(node.path("Topic").asText()) &&
            (node.has("Data") || "Error".equals(node.path("Action").asText())));
        assertFalse("Error".equals(first.path("Action").asText()), first.toString());
        return first.get("Data");
    }

    private static JsonNode order(
        final ZenithTestClient client, final long transactionId, final String topic, final String data)
        throws Exception
    {
        client.send("{\"Controller\":\"Trading\",\"Topic\":\"" + topic + "\",\"TransactionID\":" + transactionId +
            ",\"Data\":" + data + "}");
        final JsonNode reply = next(client, node -> transaction(transactionId).test(node) && !node.has("Action"));
        assertEquals(topic, reply.get("Topic").asText());
        return reply.get("Data");
    }

    private static JsonNode query(
        final ZenithTestClient client, final long transactionId, final String topic, final String data)
        throws Exception
    {
        return order(client, transactionId, topic, data);
    }

    private static String sell(
        final String account, final String exchange, final String code, final String price, final long quantity)
    {
        return "{\"Account\":\"" + account + "\",\"Details\":{\"Exchange\":\"" + exchange + "\",\"Code\":\"" + code +
            "\",\"Side\":\"Ask\",\"Type\":\"Limit\",\"LimitPrice\":" + price + ",\"Quantity\":" + quantity + "}}";
    }

    private static long lotSize(final ZenithTestClient client, final String code, final String exchange)
        throws Exception
    {
        final JsonNode security = subscribe(client, "Security!" + code + "." + exchange);
        return security.get("LotSize").asLong();
    }

    /**
     * A valid price well under the market for a resting buy: the lowest bid level's price.
     */
    private static String lowPrice(
        final BigDecimal fallback, final ZenithTestClient client, final String code, final String exchange)
        throws Exception
    {
        final JsonNode levels = subscribe(client, "Levels!" + code + "." + exchange);
        BigDecimal lowest = null;
        for (final JsonNode change : levels)
        {
            final JsonNode level = change.get("Level");
            if (null != level && "Bid".equals(level.get("Side").asText()) && (null == lowest ||
                level.get("Price").decimalValue().compareTo(lowest) < 0))
            {
                lowest = level.get("Price").decimalValue();
            }
        }
        return (null == lowest ? fallback : lowest).toPlainString();
    }

    private static BigDecimal balance(final JsonNode balances, final String type)
    {
        for (final JsonNode balance : balances)
        {
            if (type.equals(balance.get("Type").asText()))
            {
                return balance.get("Amount").decimalValue();
            }
        }
        throw new AssertionError("no " + type + " in " + balances);
    }

    private static Predicate<JsonNode> change(final String topic, final String o, final String orderId)
    {
        return node ->
        {
            if (!data(topic).test(node))
            {
                return false;
            }
            for (final JsonNode change : node.get("Data"))
            {
                if (o.equals(change.path("O").asText()) && orderId.equals(change.path("Order").path("ID").asText()))
                {
                    return true;
                }
            }
            return false;
        };
    }

    /**
     * The latest state of an order on a topic: from what was already read, else the next change of it.
     */
    private static JsonNode lastOrderState(final ZenithTestClient client, final String topic, final String orderId)
        throws Exception
    {
        final JsonNode seen = seenOrder(client, topic, orderId);
        if (null != seen)
        {
            return seen.get("Order");
        }
        next(client, node -> data(topic).test(node) && null != orderIn(node, orderId));
        return seenOrder(client, topic, orderId).get("Order");
    }

    private static JsonNode orderIn(final JsonNode frame, final String orderId)
    {
        for (final JsonNode change : frame.get("Data"))
        {
            if (orderId.equals(change.path("Order").path("ID").asText()))
            {
                return change;
            }
        }
        return null;
    }

    private static JsonNode awaitOrderStatus(
        final ZenithTestClient client, final String topic, final String orderId, final String status)
        throws Exception
    {
        final JsonNode seen = seenOrder(client, topic, orderId);
        if (null != seen && status.equals(seen.path("Order").path("Status").asText()))
        {
            return seen.get("Order");
        }
        final JsonNode frame = next(client, node -> data(topic).test(node) && null != orderIn(node, orderId) &&
            status.equals(orderIn(node, orderId).path("Order").path("Status").asText()));
        return orderIn(frame, orderId).get("Order");
    }

    /**
     * Wait for a change of an order (A, U or R) on a topic, looking at what was already read first.
     */
    private static void awaitChange(
        final ZenithTestClient client, final String topic, final String o, final String orderId) throws Exception
    {
        final JsonNode seen = seenOrder(client, topic, orderId);
        if (null != seen && o.equals(seen.path("O").asText()))
        {
            return;
        }
        next(client, change(topic, o, orderId));
    }

    private static JsonNode awaitHolding(
        final ZenithTestClient client, final String topic, final String code, final long quantity) throws Exception
    {
        final JsonNode frame = seenOrNext(client, node ->
        {
            if (!data(topic).test(node))
            {
                return false;
            }
            for (final JsonNode change : node.get("Data"))
            {
                final JsonNode holding = change.path("Holding");
                if (code.equals(holding.path("Code").asText()) && quantity == holding.path("TotalQuantity").asLong())
                {
                    return true;
                }
            }
            return false;
        });
        for (final JsonNode change : frame.get("Data"))
        {
            if (code.equals(change.path("Holding").path("Code").asText()))
            {
                return change.get("Holding");
            }
        }
        throw new AssertionError(frame.toString());
    }

    private static BigDecimal awaitBalanceBelow(final ZenithTestClient client, final BigDecimal before)
        throws Exception
    {
        final JsonNode frame = seenOrNext(client, node ->
        {
            if (!data("Balances!TRADER-1").test(node))
            {
                return false;
            }
            for (final JsonNode balance : node.get("Data"))
            {
                if ("NetBalance".equals(balance.path("Type").asText()) &&
                    balance.get("Amount").decimalValue().compareTo(before) < 0)
                {
                    return true;
                }
            }
            return false;
        });
        return balance(frame.get("Data"), "NetBalance");
    }
}
