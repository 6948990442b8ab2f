package io.meridian.sim;

import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SubscribeEncoder;
import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import static io.meridian.sim.SimTestBed.EPOCH_MS;
import static io.meridian.sim.SimTestBed.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class FeedServerTest
{
    private SimTestBed bed;
    private FeedServer server;

    @BeforeEach
    void setUp()
    {
        bed = new SimTestBed("meridian-sim-");
    }

    @AfterEach
    void tearDown()
    {
        bed.close(server);
    }

    @Test
    void shouldWelcomeLinkAndSendHeartbeats()
    {
        startServer(ctx -> ctx.updateRate(0));
        final TestLink link = newLink(7, "aeron:ipc");

        link.hello("");
        final TestLink.Received welcome = link.next();
        assertEquals("Welcome", welcome.type());
        assertEquals(7, welcome.linkId());
        assertEquals("ACCEPTED", welcome.status());
        assertEquals("meridian-sim", welcome.text());
        assertEquals("", welcome.reason());
        assertEquals(1, server.linkCount());

        bed.nanoClock.advance(1_000 * MS);
        bed.epochClock.advance(1_000);
        final TestLink.Received heartbeat = awaitType(link, "Heartbeat");
        assertEquals(7, heartbeat.linkId());
        assertEquals(EPOCH_MS + 1_000, heartbeat.timestampMs());
    }

    @Test
    void shouldRejectWrongServiceToken()
    {
        startServer(ctx -> ctx.serviceToken("secret").updateRate(0));
        final TestLink link = newLink(8, "aeron:ipc");

        link.hello("guess");
        final TestLink.Received welcome = link.next();
        assertEquals("REJECTED", welcome.status());
        assertTrue(welcome.reason().contains("service token"), welcome.reason());
        awaitLinkCount(0);

        link.subscribe(1, ItemType.MARKETS, InterlinkProtocol.MARKETS_KEY);
        awaitUnknownLinkMessages(1);
    }

    @Test
    void shouldAcceptRightServiceTokenAndRejectWrongProtocolVersion()
    {
        startServer(ctx -> ctx.serviceToken("secret").updateRate(0));
        final TestLink good = newLink(1, "aeron:ipc");
        good.hello("secret");
        assertEquals("ACCEPTED", good.next().status());

        final TestLink old = new TestLink(bed.aeron, server::doWork, 2, "aeron:ipc", 2002);
        bed.closeAtEnd(old);
        old.hello(InterlinkProtocol.PROTOCOL_VERSION + 1, "secret");
        final TestLink.Received welcome = old.next();
        assertEquals("REJECTED", welcome.status());
        assertTrue(welcome.reason().contains("protocol version"), welcome.reason());
    }

    @Test
    void shouldSnapshotMarkets()
    {
        startServer(ctx -> ctx.updateRate(0));
        final TestLink link = openLink(3);

        link.subscribe(11, ItemType.MARKETS, InterlinkProtocol.MARKETS_KEY);
        final TestLink.Received result = link.next();
        assertEquals("SubscribeResult", result.type());
        assertEquals(11, result.requestId());
        assertEquals("OK", result.status());
        assertEquals(FeedServer.MARKETS_ITEM_ID, result.itemId());

        final TestLink.Received begin = link.next();
        assertEquals("SnapshotBegin", begin.type());
        final List<String> markets = new ArrayList<>();
        TestLink.Received message;
        while ((message = link.next()).is("MarketUpdate"))
        {
            assertEquals("Active", message.status());
            assertEquals("Open", message.text());
            assertEquals(20240315, message.tradingDate());
            markets.add(message.code());
        }
        assertEquals("SnapshotEnd", message.type());
        assertEquals(begin.seqNo(), message.seqNo());
        assertEquals(List.of("XSX", "XNX", "XLX", "XMX"), markets);
        assertEquals(server.marketCodes(), markets);
    }

    @Test
    void shouldSnapshotSecurityThenSendDeltasInSequence()
    {
        startServer(ctx -> ctx.securities(3).updateRate(1_000));
        final TestLink link = openLink(4);
        final String key = server.securityKeys().get(0);

        link.subscribe(21, ItemType.SECURITY, key);
        final TestLink.Received result = link.next();
        assertEquals("OK", result.status());
        final long itemId = result.itemId();
        assertEquals(server.securityItemId(key), itemId);

        long seqNo = assertSecuritySnapshot(link, itemId, key);

        int deltas = 0;
        while (deltas < 5)
        {
            final TestLink.Received delta = nextAdvancingClock(link);
            assertEquals("SecurityUpdate", delta.type());
            assertEquals(itemId, delta.itemId());
            assertEquals(seqNo + 1, delta.seqNo());
            assertEquals(0, delta.presence() & SecurityFields.STATIC);
            assertNotEquals(0, delta.presence());
            assertEquals("", delta.code());
            seqNo = delta.seqNo();
            deltas++;
        }

        link.subscribe(22, ItemType.SECURITY, key);
        TestLink.Received again = link.next();
        while (again.is("SecurityUpdate"))
        {
            again = link.next();
        }
        assertEquals("SubscribeResult", again.type());
        assertEquals("OK", again.status());
        assertEquals(itemId, again.itemId());
        assertSecuritySnapshot(link, itemId, key);
    }

    @Test
    void stampedUpdatesCarryTheTimeTheyWereDueRoundRobinOverTheSecurities()
    {
        startServer(ctx -> ctx.securities(2).updateRate(0).stampRate(1_000));
        final TestLink link = openLink(5);
        final String key = server.securityKeys().get(1);
        link.subscribe(31, ItemType.SECURITY, key);
        final long itemId = link.next().itemId();
        long seqNo = assertSecuritySnapshot(link, itemId, key);

        // 1,000 a second over two securities: this one every 2 ms, each stamped with when it was due.
        long previous = 0;
        for (int i = 0; i < 5; i++)
        {
            final TestLink.Received delta = nextAdvancingClock(link);
            assertEquals("SecurityUpdate", delta.type());
            assertEquals(seqNo + 1, delta.seqNo());
            assertEquals(SecurityFields.VALUE_TRADED, delta.presence());
            assertTrue(delta.valueTraded <= bed.nanoClock.nanoTime(), "due no later than sent");
            assertTrue(bed.nanoClock.nanoTime() - delta.valueTraded < MS, "sent in the millisecond it was due");
            if (i > 0)
            {
                assertEquals(2_000_000, delta.valueTraded - previous);
            }
            previous = delta.valueTraded;
            seqNo = delta.seqNo();
        }
    }

    @Test
    void shouldAnswerNotFoundAndInvalid()
    {
        startServer(ctx -> ctx.updateRate(0));
        final TestLink link = openLink(5);

        link.subscribe(31, ItemType.SECURITY, "ZZZZZZ.XSX");
        final TestLink.Received notFound = link.next();
        assertEquals("NOT_FOUND", notFound.status());
        assertEquals(0, notFound.itemId());
        assertEquals(31, notFound.requestId());
        assertEquals("Symbol.NotFound ZZZZZZ.XSX", notFound.reason());

        link.subscribe(32, ItemType.SECURITY, "NODOT");
        assertEquals("INVALID", link.next().status());
        link.subscribe(33, ItemType.SECURITY, "");
        assertEquals("INVALID", link.next().status());
    }

    @Test
    void shouldCountASubscribeWhoseKeyLengthIsWrongAsMalformedAndGoOn()
    {
        startServer(ctx -> ctx.updateRate(0));
        final TestLink link = openLink(5);
        // Key length fields of 2 GiB (decoding would try to allocate that much) and of 4 GiB - 1 (read as -1).
        final int[] keyLengths = { Integer.MAX_VALUE, -1 };
        for (int i = 0; i < keyLengths.length; i++)
        {
            final int bodyLength = new SubscribeEncoder().wrapAndApplyHeader(link.buffer, 0, link.headerEncoder)
                .linkId(5).requestId(41 + i).itemType(ItemType.SECURITY).itemKey("ALP.XSX").encodedLength();
            link.buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + SubscribeEncoder.BLOCK_LENGTH, keyLengths[i]);
            link.send(bodyLength);
            final long deadline = System.nanoTime() + TestLink.TIMEOUT_NS;
            while (server.malformedMessages() == i)
            {
                assertTrue(System.nanoTime() < deadline, "key length " + keyLengths[i] + " not counted as malformed");
                server.doWork();
            }
        }

        link.subscribe(43, ItemType.SECURITY, "ZZZZZZ.XSX");
        final TestLink.Received answer = link.next();
        assertEquals(43, answer.requestId(), "the broken Subscribes got no answer, the next one did");
        assertEquals("NOT_FOUND", answer.status());
    }

    @Test
    void shouldStopDeltasAfterUnsubscribe()
    {
        startServer(ctx -> ctx.securities(2).updateRate(1_000));
        final TestLink link = openLink(6);
        final String key = server.securityKeys().get(1);

        link.subscribe(41, ItemType.SECURITY, key);
        final long itemId = link.next().itemId();
        assertSecuritySnapshot(link, itemId, key);
        assertEquals("SecurityUpdate", nextAdvancingClock(link).type());

        link.unsubscribe(42, itemId);
        link.subscribe(43, ItemType.MARKETS, InterlinkProtocol.MARKETS_KEY);
        TestLink.Received message = link.next();
        while (!message.is("SubscribeResult"))
        {
            message = link.next();
        }
        assertEquals(43, message.requestId());

        final long updatesBefore = server.updates();
        for (int i = 0; i < 100; i++)
        {
            bed.nanoClock.advance(MS);
            link.drive();
        }
        assertTrue(server.updates() >= updatesBefore + 50);
        for (final TestLink.Received after : link.received)
        {
            assertNotEquals("SecurityUpdate", after.type(), "delta after unsubscribe");
        }
    }

    @Test
    void shouldDropSilentLinkAfterLivenessTimeout()
    {
        startServer(ctx -> ctx.updateRate(0).heartbeatIntervalMs(100).livenessTimeoutMs(500));
        final TestLink link = openLink(9);

        bed.nanoClock.advance(400 * MS);
        link.heartbeat();
        link.drive();
        bed.nanoClock.advance(400 * MS);
        link.drive();
        assertEquals(1, server.linkCount());

        bed.nanoClock.advance(101 * MS);
        link.drive();
        assertEquals(0, server.linkCount());
        assertEquals(1, server.droppedLinks());

        link.subscribe(51, ItemType.MARKETS, InterlinkProtocol.MARKETS_KEY);
        awaitUnknownLinkMessages(1);
    }

    @Test
    void shouldResnapshotInsteadOfLosingDeltasUnderBackPressure()
    {
        startServer(ctx -> ctx.securities(3).updateRate(100_000).livenessTimeoutMs(600_000));
        final TestLink link = newLink(10, "aeron:ipc?term-length=65536");
        link.hello("");
        assertEquals("ACCEPTED", link.next().status());

        final Map<Long, Long> lastSeqNo = new HashMap<>();
        for (final String key : server.securityKeys())
        {
            link.subscribe(60, ItemType.SECURITY, key);
            final long itemId = link.next().itemId();
            lastSeqNo.put(itemId, assertSecuritySnapshot(link, itemId, key));
        }

        bed.nanoClock.advance(1_000 * MS);
        server.doWork();
        assertTrue(server.resnapshots() > 0, "expected back pressure on a 64 KiB term");

        int snapshots = 0;
        final Set<Long> inSnapshot = new HashSet<>();
        final long deadline = System.nanoTime() + TestLink.TIMEOUT_NS;
        while (snapshots < 3 && System.nanoTime() < deadline)
        {
            bed.nanoClock.advance(MS);
            link.drive();
            TestLink.Received message;
            while (null != (message = link.received.poll()))
            {
                if (message.is("SnapshotBegin"))
                {
                    inSnapshot.add(message.itemId());
                }
                else if (message.is("SnapshotEnd"))
                {
                    assertTrue(inSnapshot.remove(message.itemId()));
                    assertEquals(lastSeqNo.get(message.itemId()), message.seqNo());
                    snapshots++;
                }
                else if (message.is("SecurityUpdate") && inSnapshot.contains(message.itemId()))
                {
                    assertEquals(SecurityFields.STATIC, message.presence() & SecurityFields.STATIC);
                    assertTrue(message.seqNo() >= lastSeqNo.get(message.itemId()));
                    lastSeqNo.put(message.itemId(), message.seqNo());
                }
                else if (message.is("SecurityUpdate"))
                {
                    assertEquals(lastSeqNo.get(message.itemId()) + 1, message.seqNo(), "gap in deltas");
                    lastSeqNo.put(message.itemId(), message.seqNo());
                }
            }
        }
        assertTrue(snapshots >= 3, "resnapshots after back pressure: " + snapshots);
    }

    @Test
    void shouldBuildDeterministicUniverse()
    {
        startServer(ctx -> ctx.securities(1_000).markets(3).updateRate(0));
        final FeedServer same = new FeedServer(context().securities(1_000).markets(3).updateRate(0));
        final FeedServer other = new FeedServer(context().securities(1_000).markets(3).updateRate(0).seed(7));
        bed.closeAtEnd(same::onClose);
        bed.closeAtEnd(other::onClose);

        final List<String> keys = server.securityKeys();
        assertEquals(1_000, keys.size());
        assertEquals(keys, same.securityKeys());
        assertNotEquals(keys, other.securityKeys());
        assertEquals(1_000, new HashSet<>(keys).size());
        assertEquals(List.of("XSX", "XNX", "XLX"), server.marketCodes());
        for (int i = 0; i < keys.size(); i++)
        {
            final String key = keys.get(i);
            assertTrue(key.matches("[A-Z]{3}\\.X[A-Z]X"), key);
            assertTrue(key.endsWith("." + server.marketCodes().get(i % 3)), key);
        }
    }

    @Test
    void shouldValidateContext()
    {
        final ConfigException noAeron = assertThrows(ConfigException.class, () -> new FeedServer.Context().conclude());
        assertTrue(noAeron.getMessage().startsWith("aeron"), noAeron.getMessage());

        final ConfigException markets = assertThrows(ConfigException.class, () -> context().markets(9).conclude());
        assertTrue(markets.getMessage().startsWith("sim.markets"), markets.getMessage());

        final ConfigException rate = assertThrows(ConfigException.class, () -> context().updateRate(-1).conclude());
        assertTrue(rate.getMessage().startsWith("sim.update-rate"), rate.getMessage());

        final ConfigException session =
            assertThrows(ConfigException.class, () -> context().sessionSeconds(-1).conclude());
        assertTrue(session.getMessage().startsWith("sim.session-seconds"), session.getMessage());

        final ConfigException orders =
            assertThrows(ConfigException.class, () -> context().maxOrdersPerSide(1).conclude());
        assertTrue(orders.getMessage().startsWith("sim.max-orders-per-side"), orders.getMessage());

        final ConfigException history = assertThrows(ConfigException.class, () -> context().tradeHistory(0).conclude());
        assertTrue(history.getMessage().startsWith("sim.trade-history"), history.getMessage());

        final ConfigException liveness = assertThrows(
            ConfigException.class, () -> context().heartbeatIntervalMs(1000).livenessTimeoutMs(1000).conclude());
        assertTrue(liveness.getMessage().startsWith("upstream.liveness-timeout-ms"), liveness.getMessage());
    }

    @Test
    void shouldMapConfig()
    {
        final MeridianConfig config = MeridianConfig.of(Map.ofEntries(
            Map.entry("sim.markets", "4"),
            Map.entry("sim.securities", "12"),
            Map.entry("sim.update-rate", "0"),
            Map.entry("sim.session-seconds", "60"),
            Map.entry("sim.max-orders-per-side", "12"),
            Map.entry("sim.trade-history", "77"),
            Map.entry("sim.seed", "99"),
            Map.entry("sim.service-token", "tok"),
            Map.entry("upstream.channel", "aeron:udp?endpoint=localhost:40123"),
            Map.entry("upstream.control-stream-id", "77"),
            Map.entry("upstream.heartbeat-interval-ms", "250"),
            Map.entry("upstream.liveness-timeout-ms", "900")));

        final FeedServer.Context ctx = FeedServer.Context.fromConfig(config, bed.aeron);
        assertEquals(bed.aeron, ctx.aeron());
        assertEquals(4, ctx.markets());
        assertEquals(12, ctx.securities());
        assertEquals(0, ctx.updateRate());
        assertEquals(60, ctx.sessionSeconds());
        assertEquals(12, ctx.maxOrdersPerSide());
        assertEquals(77, ctx.tradeHistory());
        assertEquals(99, ctx.seed());
        assertEquals("tok", ctx.serviceToken());
        assertEquals("aeron:udp?endpoint=localhost:40123", ctx.controlChannel());
        assertEquals(77, ctx.controlStreamId());
        assertEquals(250, ctx.heartbeatIntervalMs());
        assertEquals(900, ctx.livenessTimeoutMs());
    }

    private long assertSecuritySnapshot(final TestLink link, final long itemId, final String key)
    {
        final TestLink.Received begin = link.next();
        assertEquals("SnapshotBegin", begin.type());
        assertEquals(itemId, begin.itemId());

        final TestLink.Received snapshot = link.next();
        assertEquals("SecurityUpdate", snapshot.type());
        assertEquals(itemId, snapshot.itemId());
        assertEquals(begin.seqNo(), snapshot.seqNo());
        assertEquals(SecurityFields.STATIC, snapshot.presence() & SecurityFields.STATIC);
        assertEquals(SecurityFields.ALL, snapshot.presence() | snapshot.cleared());
        assertEquals(0, snapshot.presence() & snapshot.cleared());
        assertEquals(key, snapshot.code() + "." + snapshot.market());
        assertEquals(snapshot.code() + " Holdings Ltd", snapshot.text());
        assertTrue(snapshot.close() > 0);
        assertEquals(0, snapshot.cleared() & (SecurityFields.CLOSE | SecurityFields.LOT_SIZE |
            SecurityFields.TRADING_STATE | SecurityFields.VOLUME | SecurityFields.NUMBER_OF_TRADES));
        final long both = SecurityFields.BEST_BID | SecurityFields.BEST_ASK;
        if (both == (snapshot.presence() & both))
        {
            assertTrue(snapshot.bestBid() > 0 && snapshot.bestAsk() > snapshot.bestBid());
        }
        if (0 != (snapshot.presence() & SecurityFields.LAST))
        {
            assertTrue(snapshot.last() > 0 && snapshot.open() > 0);
        }
        else
        {
            assertEquals(SimSecurity.NULL_UNTIL_TRADED, snapshot.cleared() & SimSecurity.NULL_UNTIL_TRADED);
        }

        final TestLink.Received end = link.next();
        assertEquals("SnapshotEnd", end.type());
        assertEquals(itemId, end.itemId());
        assertEquals(begin.seqNo(), end.seqNo());
        return end.seqNo();
    }

    private FeedServer.Context context()
    {
        return bed.feedContext();
    }

    private void startServer(final Consumer<FeedServer.Context> customise)
    {
        final FeedServer.Context ctx = context();
        customise.accept(ctx);
        server = new FeedServer(ctx);
    }

    private TestLink newLink(final long linkId, final String responseChannel)
    {
        return bed.newFeedLink(server::doWork, linkId, responseChannel);
    }

    private TestLink openLink(final long linkId)
    {
        return bed.openFeedLink(server::doWork, linkId);
    }

    private TestLink.Received nextAdvancingClock(final TestLink link)
    {
        final long deadline = System.nanoTime() + TestLink.TIMEOUT_NS;
        while (System.nanoTime() < deadline)
        {
            TestLink.Received message;
            while (null != (message = link.received.poll()))
            {
                if (!message.is("Heartbeat"))
                {
                    return message;
                }
            }
            bed.nanoClock.advance(MS);
            link.drive();
        }
        return fail("no message within 5 s");
    }

    private TestLink.Received awaitType(final TestLink link, final String type)
    {
        final long deadline = System.nanoTime() + TestLink.TIMEOUT_NS;
        while (System.nanoTime() < deadline)
        {
            link.drive();
            for (final TestLink.Received message : link.received)
            {
                if (message.is(type))
                {
                    return message;
                }
            }
        }
        return fail("no " + type + " within 5 s");
    }

    private void awaitLinkCount(final int count)
    {
        final long deadline = System.nanoTime() + TestLink.TIMEOUT_NS;
        while (server.linkCount() != count)
        {
            assertTrue(System.nanoTime() < deadline, "link count " + server.linkCount() + ", expected " + count);
            server.doWork();
        }
    }

    private void awaitUnknownLinkMessages(final long count)
    {
        final long deadline = System.nanoTime() + TestLink.TIMEOUT_NS;
        while (server.unknownLinkMessages() < count)
        {
            assertTrue(System.nanoTime() < deadline, "unknown link messages: " + server.unknownLinkMessages());
            server.doWork();
        }
    }
}
