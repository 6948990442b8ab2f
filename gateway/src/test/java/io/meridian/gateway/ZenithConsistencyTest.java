package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static io.meridian.gateway.ZenithTestClient.action;
import static io.meridian.gateway.ZenithTestClient.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Many WebSocket clients with different subscriptions, some joining late: every client that subscribes to a
 * security, or to an order book by order or by level, sees from its snapshot on exactly the states a client
 * subscribed from the start saw, in the same order.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ZenithConsistencyTest
{
    private static final int CLIENTS = 100;
    private static final int SECURITIES = 20;
    private static final long WAIT_MS = 15_000;
    private static final String NO_START = "no start";
    private static MeridianServer server;

    @BeforeAll
    static void start()
    {
        server = MeridianServer.start(MeridianConfig.of(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "server.io-threads", "2",
            "sim.securities", Integer.toString(SECURITIES),
            "sim.update-rate", "1000")));
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
    void lateJoinersSeeOnlyStatesThatEarlyClientsSaw() throws Exception
    {
        final List<String> keys = server.feedServer().securityKeys();
        final HttpClient http = HttpClient.newHttpClient();
        final List<ZenithTestClient> clients = new ArrayList<>();
        final List<List<String>> topicsByClient = new ArrayList<>();
        try
        {
            for (int i = 0; i < CLIENTS; i++)
            {
                final ZenithTestClient client = new ZenithTestClient(server.port(), token(http, "user" + i));
                clients.add(client);
                final List<String> topics = new ArrayList<>();
                for (final int index : new int[]{ i % SECURITIES, (i * 7 + 3) % SECURITIES, (i * 13 + 5) % SECURITIES })
                {
                    final String topic = "Security!" + keys.get(index);
                    if (!topics.contains(topic))
                    {
                        topics.add(topic);
                    }
                }
                // A quarter also watch an order book by order, another quarter by level.
                if (i % 4 == 0)
                {
                    topics.add("Depth!" + keys.get(i % SECURITIES));
                }
                else if (i % 4 == 1)
                {
                    topics.add("Levels!" + keys.get(i % SECURITIES));
                }
                topicsByClient.add(topics);
            }

            // The first half subscribe now, the second half a second later, while updates flow.
            for (int i = 0; i < CLIENTS / 2; i++)
            {
                subscribeAll(clients.get(i), topicsByClient.get(i));
            }
            Thread.sleep(1000);
            for (int i = CLIENTS / 2; i < CLIENTS; i++)
            {
                subscribeAll(clients.get(i), topicsByClient.get(i));
            }
            // Watch for at least 3 s, and until the simulation has moved every security many times over: on a slow
            // or busy machine the simulated flow falls behind the clock.
            final long securityUpdatesBefore = server.engine().counters().securityUpdates();
            final long deadline = System.currentTimeMillis() + WAIT_MS;
            Thread.sleep(3000);
            while (server.engine().counters().securityUpdates() - securityUpdatesBefore < 20L * SECURITIES &&
                System.currentTimeMillis() < deadline)
            {
                Thread.sleep(200);
            }

            // A query answered after all data so far marks the end of what each client is judged on.
            final List<Map<String, List<ObjectNode>>> histories = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++)
            {
                final ZenithTestClient client = clients.get(i);
                for (final String topic : topicsByClient.get(i))
                {
                    client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Unsub\"}");
                }
                client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":99}");
            }
            for (int i = 0; i < CLIENTS; i++)
            {
                histories.add(collectStates(clients.get(i), topicsByClient.get(i)));
            }

            assertEquals(0, server.engine().counters().slowConsumerResyncs(),
                "the premise of this test is that no client fell behind");
            assertEquals(0, server.engine().counters().sequenceGaps());

            // Compare every client's history of a topic with every early client's history of it, where they
            // overlap; a late joiner must overlap with at least one early client.
            int lateChecked = 0;
            int judged = 0;
            int withUpdates = 0;
            for (int i = 0; i < CLIENTS; i++)
            {
                for (final Map.Entry<String, List<ObjectNode>> entry : histories.get(i).entrySet())
                {
                    final List<ObjectNode> states = entry.getValue();
                    judged++;
                    if (states.size() >= 2)
                    {
                        withUpdates++;
                    }
                    int overlaps = 0;
                    for (int e = 0; e < CLIENTS / 2; e++)
                    {
                        final List<ObjectNode> early = histories.get(e).get(entry.getKey());
                        if (e != i && null != early && overlap(states, early, "client " + i + " vs " + e + ", " +
                            entry.getKey()))
                        {
                            overlaps++;
                        }
                    }
                    assertTrue(overlaps > 0, "client " + i + ": no early client saw the states of " +
                        entry.getKey() + " that it saw, starting " + states.get(0));
                    if (i >= CLIENTS / 2)
                    {
                        lateChecked++;
                    }
                }
            }
            assertTrue(lateChecked >= CLIENTS / 2, "late joiners were checked: " + lateChecked);
            // A quiet security or book may not change while a late joiner watches it; its snapshot was still
            // checked above. Most histories must have moved, or the test proves little.
            assertTrue(withUpdates * 4 >= judged * 3, withUpdates + " of " + judged + " histories had updates");
        }
        finally
        {
            for (final ZenithTestClient client : clients)
            {
                client.close();
            }
        }
    }

    /**
     * If one history starts inside the other, assert they agree state by state from there on. A state can recur
     * (a quantity that goes down and back up), so every place a history's first state occurs in the other is tried,
     * in both directions: the first state of the client that subscribed first can recur later in the other's
     * history. The histories agree if one of those alignments lines up.
     *
     * @return true if they overlap.
     */
    private static boolean overlap(final List<ObjectNode> a, final List<ObjectNode> b, final String what)
    {
        final String aInB = align(a, b);
        if (null == aInB)
        {
            return true;
        }
        final String bInA = align(b, a);
        if (null == bInA)
        {
            return true;
        }
        if (NO_START.equals(aInB) && NO_START.equals(bInA))
        {
            return false;
        }
        throw new AssertionError(what + ": " + (NO_START.equals(aInB) ? bInA : aInB));
    }

    /**
     * @return null if {@code later} lines up with {@code earlier} at some place where its first state occurs,
     * {@link #NO_START} if its first state never occurs there, otherwise the first mismatch of the last place tried.
     */
    private static String align(final List<ObjectNode> later, final List<ObjectNode> earlier)
    {
        String mismatch = NO_START;
        for (int offset = 0; offset < earlier.size(); offset++)
        {
            if (!earlier.get(offset).equals(later.get(0)))
            {
                continue;
            }
            mismatch = firstMismatch(later, earlier, offset);
            if (null == mismatch)
            {
                return null;
            }
        }
        return mismatch;
    }

    private static String firstMismatch(final List<ObjectNode> later, final List<ObjectNode> earlier, final int offset)
    {
        for (int k = 0; k < later.size() && offset + k < earlier.size(); k++)
        {
            if (!earlier.get(offset + k).equals(later.get(k)))
            {
                return "state " + k + " expected " + earlier.get(offset + k) + " but was " + later.get(k);
            }
        }
        return null;
    }

    private static void subscribeAll(final ZenithTestClient client, final List<String> topics) throws Exception
    {
        for (final String topic : topics)
        {
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
        }
    }

    /**
     * Rebuild each topic's state from its full state and deltas, keeping every distinct state in order, up to the
     * end-marker query's reply.
     */
    private static Map<String, List<ObjectNode>> collectStates(final ZenithTestClient client, final List<String> topics)
        throws InterruptedException
    {
        final Map<String, List<ObjectNode>> states = new HashMap<>();
        final Map<String, ObjectNode> current = new HashMap<>();
        int confirms = 0;
        while (true)
        {
            final JsonNode frame = client.await(node -> true, WAIT_MS);
            if (transaction(99).test(frame))
            {
                break;
            }
            final String topic = frame.path("Topic").asText();
            if (action(topic, "Sub").test(frame))
            {
                assertTrue(frame.path("Confirm").asBoolean(), "confirmed: " + frame);
                confirms++;
                continue;
            }
            assertTrue(topics.contains(topic) && frame.has("Data") && !frame.has("Action"), "data: " + frame);
            final JsonNode data = frame.get("Data");
            ObjectNode state = current.get(topic);
            if (data.isArray())
            {
                state = applyBookChanges(state, data, topic.startsWith("Depth!") ? "Order" : "Level", frame);
            }
            else if (data.has("Code"))
            {
                state = ((ObjectNode)data).deepCopy();
            }
            else
            {
                assertTrue(null != state, "a delta never comes before the full state: " + frame);
                state = state.deepCopy();
                for (final Iterator<Map.Entry<String, JsonNode>> it = data.fields(); it.hasNext();)
                {
                    final Map.Entry<String, JsonNode> field = it.next();
                    state.set(field.getKey(), field.getValue());
                }
            }
            current.put(topic, state);
            final List<ObjectNode> history = states.computeIfAbsent(topic, t -> new ArrayList<>());
            if (history.isEmpty() || !history.get(history.size() - 1).equals(state))
            {
                history.add(state);
            }
        }
        assertEquals(topics.size(), confirms, "every Sub was confirmed");
        return states;
    }

    /**
     * A book as a client holds it, rebuilt from Depth or Levels changes: an object of entries by ID.
     */
    private static ObjectNode applyBookChanges(
        final ObjectNode before, final JsonNode changes, final String member, final JsonNode frame)
    {
        ObjectNode state = null == before ? null : before.deepCopy();
        for (final JsonNode change : changes)
        {
            final String o = change.get("O").asText();
            if ("C".equals(o))
            {
                state = ZenithTestClient.JSON.createObjectNode();
                continue;
            }
            assertTrue(null != state, "a change never comes before the full state: " + frame);
            final JsonNode entry = change.get(member);
            final String id = entry.get("ID").asText();
            switch (o)
            {
                case "A":
                    assertFalse(state.has(id), "added twice: " + id + " in " + frame);
                    state.set(id, entry);
                    break;
                case "U":
                    assertTrue(state.has(id), "update of an unknown entry: " + frame);
                    final ObjectNode updated = ((ObjectNode)state.get(id)).deepCopy();
                    entry.fields().forEachRemaining(field -> updated.set(field.getKey(), field.getValue()));
                    state.set(id, updated);
                    break;
                case "R":
                    assertTrue(state.has(id), "removal of an unknown entry: " + frame);
                    state.remove(id);
                    break;
                default:
                    throw new AssertionError("unknown O-code in " + frame);
            }
        }
        return state;
    }

    private static String token(final HttpClient http, final String user) throws Exception
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.port() + "/demo/token?user=" + user))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode());
        return ZenithTestClient.JSON.readTree(response.body()).get("access_token").asText();
    }
}
