package io.meridian.sim;

import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.OrderRequestKind;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.Side;
import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static io.meridian.sim.SimOrderBook.ASK;
import static io.meridian.sim.SimOrderBook.BID;
import static io.meridian.sim.SimTestBed.EPOCH_MS;
import static io.meridian.sim.SimTestBed.MS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class TradingServerTest
{
    private static final int CONTROL_STREAM_ID = 1003;

    private final Map<Long, Long> seqNos = new HashMap<>();
    private long lastSnapshotItemId;
    private SimTestBed bed;
    private FeedServer feedServer;
    private TradingServer server;

    @BeforeEach
    void setUp()
    {
        bed = new SimTestBed("meridian-trading-");
    }

    @AfterEach
    void tearDown()
    {
        bed.close(server, feedServer);
    }

    @Test
    void shouldServeAccountItemsAndSendTheOrderBeforeTheAnswer()
    {
        startServers(ctx -> ctx.serviceToken("secret"));
        final TradingTestLink link = openLink(7, "secret");

        final List<TradingTestLink.Received> accounts = snapshot(link, 1, ItemType.ACCOUNTS, "alice");
        assertEquals(2, accounts.size());
        assertAccount(accounts.get(0), "ALICE-1", "alice cash");
        assertAccount(accounts.get(1), "ALICE-2", "alice margin");

        final List<TradingTestLink.Received> orders = snapshot(link, 2, ItemType.ORDERS, "ALICE-1");
        assertEquals(1, orders.size());
        assertEquals("CLEAR", orders.get(0).action);
        assertEquals("ALICE-1", orders.get(0).accountId);

        final List<TradingTestLink.Received> holdings = snapshot(link, 3, ItemType.HOLDINGS, "ALICE-1");
        assertEquals(4, holdings.size());
        assertEquals("CLEAR", holdings.get(0).action);
        for (final TradingTestLink.Received holding : holdings.subList(1, 4))
        {
            final SimSecurity security = security(holding.code + "." + holding.exchange);
            assertEquals("ADD", holding.action);
            assertEquals("ALICE-1", holding.accountId);
            assertEquals(1_000, holding.quantity);
            assertEquals(1_000, holding.totalAvailable);
            assertEquals(1_000 * security.closePrice, holding.cost);
            assertEquals(security.closePrice * 100, holding.averagePrice);
            assertEquals(-4, holding.averagePriceExponent);
            assertEquals("USD", holding.currency);
        }

        final List<TradingTestLink.Received> balances = snapshot(link, 4, ItemType.BALANCES, "ALICE-1");
        assertEquals(List.of("CLEAR :0", "UPDATE NetBalance:100000000", "UPDATE Trading:100000000",
            "UPDATE UnfilledBuys:0"), balances.stream().map(b -> b.action + " " + b.balanceType + ":" + b.amount)
            .toList());
        assertEquals(-2, balances.get(1).amountExponent);
        assertEquals("USD", balances.get(1).currency);

        final SimSecurity security = server.broker().exchange().securities()[0];
        final long p = security.closePrice;
        final long tick = security.tickSize;
        final long lot = security.lotSize;
        book(security, new long[]{p - 5 * tick, lot}, new long[]{p, 2 * lot});
        bed.epochClock.update(EPOCH_MS + 7);

        link.place(100, "c-1", "alice", "ALICE-1", security, Side.BID, p, lot);
        final List<TradingTestLink.Received> placed = untilResponse(link);

        assertEquals(List.of("OrderUpdate", "HoldingUpdate", "BalanceUpdate", "BalanceUpdate", "OrderResponse"),
            types(placed));
        final TradingTestLink.Received order = placed.get(0);
        assertEquals("ADD", order.action);
        assertEquals("Filled", order.status);
        assertEquals("BID", order.side);
        assertEquals("Limit", order.orderType);
        assertEquals("UntilDay", order.validity);
        assertTrue(order.hasLimitPrice);
        assertEquals(p, order.limitPrice);
        assertEquals(lot, order.quantity);
        assertEquals(lot, order.executedQuantity);
        assertEquals(p * 100, order.averagePrice);
        assertEquals(-4, order.averagePriceExponent);
        assertEquals(p * lot, order.currentValue);
        assertEquals(EPOCH_MS + 7, order.createdMs);
        assertEquals(EPOCH_MS + 7, order.updatedMs);
        assertEquals("O1", order.orderId);
        assertEquals("ALICE-1", order.accountId);
        assertEquals(security.market.code, order.exchange);
        assertEquals(security.code, order.code);
        assertEquals(security.market.code, order.tradingMarket);
        assertEquals("USD", order.currency);
        assertEquals(security.code, placed.get(1).code);
        assertEquals("NetBalance:" + (100_000_000L - p * lot), placed.get(2).balanceType + ":" + placed.get(2).amount);
        assertEquals("Trading:" + (100_000_000L - p * lot), placed.get(3).balanceType + ":" + placed.get(3).amount);
        assertResponse(placed.get(4), 100, "Success", "c-1", "O1", "ALICE-1", "");

        link.place(101, "c-2", "alice", "ALICE-1", security, Side.BID, p - tick, lot);
        final List<TradingTestLink.Received> resting = untilResponse(link);
        assertEquals(List.of("OrderUpdate", "BalanceUpdate", "BalanceUpdate", "OrderResponse"), types(resting));
        assertEquals("ADD Working O2", resting.get(0).action + " " + resting.get(0).status + " " +
            resting.get(0).orderId);
        assertEquals("UnfilledBuys:" + (p - tick) * lot, resting.get(2).balanceType + ":" + resting.get(2).amount);
        assertResponse(resting.get(3), 101, "Success", "c-2", "O2", "ALICE-1", "");

        security.book.submit(ASK, p - 2 * tick, lot, true, EPOCH_MS + 50);
        final TradingTestLink.Received filled = nextDelta(link);
        assertEquals("UPDATE Filled O2", filled.action + " " + filled.status + " " + filled.orderId);
        assertEquals(lot, filled.executedQuantity);
        assertEquals(EPOCH_MS + 50, filled.updatedMs);
        assertEquals("HoldingUpdate", nextDelta(link).type);
        assertEquals("NetBalance", nextDelta(link).balanceType);
        assertEquals("UnfilledBuys", nextDelta(link).balanceType);
        assertEquals(2, server.fills());

        link.orderRequest(102, OrderRequestKind.CANCEL, "", "alice", "ALICE-1", "O2", "", "", "", Side.NONE,
            OrderType.Limit, 0, 0);
        assertResponse(link.next(), 102, "Rejected", "", "O2", "ALICE-1", "Order.Status");
        assertEquals(3, server.requests());
        assertEquals(3, server.responses());
    }

    @Test
    void shouldAnswerARepeatedClientRequestIdWithTheFirstAnswerOnly()
    {
        startServers(ctx ->
        {
        });
        final TradingTestLink link = openLink(8, "");
        snapshot(link, 1, ItemType.ACCOUNTS, "alice");
        snapshot(link, 2, ItemType.ORDERS, "ALICE-1");
        final SimSecurity security = server.broker().exchange().securities()[1];
        final long price = security.book.orderPrice(BID, 0) - security.tickSize;

        link.place(10, "same", "alice", "ALICE-1", security, Side.BID, price, security.lotSize);
        final List<TradingTestLink.Received> first = untilResponse(link);
        assertEquals(List.of("OrderUpdate", "OrderResponse"), types(first));
        assertResponse(first.get(1), 10, "Success", "same", "O1", "ALICE-1", "");

        link.place(11, "same", "alice", "ALICE-1", security, Side.BID, price, 2 * security.lotSize);
        final List<TradingTestLink.Received> second = untilResponse(link);
        assertEquals(List.of("OrderResponse"), types(second));
        assertResponse(second.get(0), 11, "Success", "same", "O1", "ALICE-1", "");
        assertEquals(1, server.broker().account("ALICE-1").orders.size());
        assertEquals(security.lotSize, server.broker().order("O1").quantity);
    }

    @Test
    void shouldAnswerAfterTheSnapshotStillOwedToTheLink()
    {
        startServers(ctx ->
        {
        });
        final TradingTestLink link = openLink(14, "");
        server.broker().accounts("alice");
        final SimSecurity security = server.broker().exchange().securities()[0];
        final long price = security.book.orderPrice(BID, 0) - security.tickSize;

        link.subscribe(1, ItemType.ORDERS, "ALICE-1");
        link.place(2, "", "alice", "ALICE-1", security, Side.BID, price, security.lotSize);

        assertEquals("SubscribeResult", link.next().type);
        assertEquals("SnapshotBegin", link.next().type);
        assertEquals("CLEAR", link.next().action);
        final TradingTestLink.Received order = link.next();
        assertEquals("ADD O1 Working", order.action + " " + order.orderId + " " + order.status);
        assertEquals("SnapshotEnd", link.next().type);
        assertResponse(link.next(), 2, "Success", "", "O1", "ALICE-1", "");
    }

    @Test
    void shouldRefuseUnknownAccountsAndInvalidKeys()
    {
        startServers(ctx ->
        {
        });
        final TradingTestLink link = openLink(9, "");

        for (final ItemType type : List.of(ItemType.ORDERS, ItemType.HOLDINGS, ItemType.BALANCES))
        {
            link.subscribe(1, type, "NOBODY-1");
            final TradingTestLink.Received result = link.next();
            assertEquals("NOT_FOUND", result.status);
            assertEquals("Account.NotFound NOBODY-1", result.reason);
        }
        link.subscribe(2, ItemType.SECURITY, "alice");
        assertEquals("INVALID", link.next().status);
        link.subscribe(3, ItemType.ACCOUNTS, "a".repeat(TradingServer.MAX_ITEM_KEY_LENGTH + 1));
        assertEquals("INVALID", link.next().status);

        final SimSecurity security = server.broker().exchange().securities()[0];
        link.place(4, "", "alice", "NOBODY-1", security, Side.BID, security.closePrice, security.lotSize);
        assertResponse(link.next(), 4, "Rejected", "", "", "NOBODY-1", "Account");

        server.broker().accounts("bob");
        link.place(5, "", "alice", "BOB-1", security, Side.BID, security.closePrice, security.lotSize);
        assertResponse(link.next(), 5, "Rejected", "", "", "BOB-1", "Account");

        link.subscribe(6, ItemType.ORDERS, "BOB-1");
        assertEquals("OK", link.next().status, "entitlement is the downstream's to check");
    }

    @Test
    void shouldPublishAMoveAsARemoveAndAnAdd()
    {
        startServers(ctx ->
        {
        });
        final TradingTestLink link = openLink(10, "");
        snapshot(link, 1, ItemType.ACCOUNTS, "alice");
        final long first = snapshotItemId(link, 2, ItemType.ORDERS, "ALICE-1");
        final long second = snapshotItemId(link, 3, ItemType.ORDERS, "ALICE-2");
        final SimSecurity security = server.broker().exchange().securities()[2];
        final long price = security.book.orderPrice(BID, 0) - security.tickSize;
        link.place(4, "", "alice", "ALICE-1", security, Side.BID, price, security.lotSize);
        untilResponse(link);

        link.orderRequest(5, OrderRequestKind.MOVE, "m-1", "alice", "ALICE-1", "O1", "ALICE-2", "", "", Side.NONE,
            OrderType.Limit, 0, 0);
        final List<TradingTestLink.Received> moved = untilResponse(link);

        assertEquals(List.of("OrderUpdate", "OrderUpdate", "OrderResponse"), types(moved));
        assertEquals(List.of(first, second), List.of(moved.get(0).itemId, moved.get(1).itemId));
        assertEquals("REMOVE O1 ALICE-1", moved.get(0).action + " " + moved.get(0).orderId + " " +
            moved.get(0).accountId);
        assertEquals("ADD O1 ALICE-2 Working", moved.get(1).action + " " + moved.get(1).orderId + " " +
            moved.get(1).accountId + " " + moved.get(1).status);
        assertResponse(moved.get(2), 5, "Success", "m-1", "O1", "ALICE-2", "");
    }

    @Test
    void shouldFallSilentWhilePausedAndWelcomeAHelloAfterResume()
    {
        startServers(ctx ->
        {
        });
        final TradingTestLink link = openLink(11, "");
        snapshot(link, 1, ItemType.ACCOUNTS, "alice");
        snapshot(link, 2, ItemType.ORDERS, "ALICE-1");
        bed.nanoClock.advance(1_000 * MS);
        awaitHeartbeat(link);

        server.pause();
        assertTrue(server.isPaused());
        final SimSecurity security = server.broker().exchange().securities()[0];
        server.broker().execute(new SimBrokerRequest().place("alice", "ALICE-1").security(security).buy()
            .limitPrice(security.book.orderPrice(BID, 0)).quantity(security.lotSize));
        for (int i = 0; i < 60; i++)
        {
            bed.nanoClock.advance(100 * MS);
            bed.epochClock.advance(100);
            assertEquals(0, server.doWork());
            feedServer.doWork();
            link.poll();
        }
        assertEquals(List.of(), List.copyOf(link.received), "nothing at all for longer than the liveness timeout");
        assertEquals(1, server.linkCount());

        server.resume();
        server.doWork();
        assertEquals(0, server.linkCount());
        assertEquals(1, server.droppedLinks());

        link.hello("");
        final TradingTestLink.Received welcome = link.nextOfType("Welcome");
        assertEquals("ACCEPTED", welcome.status);
        seqNos.clear();
        final List<TradingTestLink.Received> orders = snapshot(link, 3, ItemType.ORDERS, "ALICE-1");
        assertEquals(List.of("CLEAR", "ADD"), orders.stream().map(o -> o.action).toList());
        assertEquals("O1", orders.get(1).orderId);
    }

    @Test
    void shouldKeepEveryMessageWithinTheInterlinkMaximum()
    {
        startServers(ctx ->
        {
        });
        final TradingTestLink link = openLink(12, "");
        final SimSecurity security = server.broker().exchange().securities()[0];
        final String longId = "r".repeat(300);
        final String longAccount = "é".repeat(300);

        link.place(1, longId, "alice", "ALICE-1", security, Side.BID, security.closePrice, security.lotSize);
        final TradingTestLink.Received invalid = link.next();
        assertResponse(invalid, 1, "Invalid", "r".repeat(TradingEncoder.MAX_ECHO_BYTES), "", "ALICE-1",
            "RequestID");

        link.place(2, "", "ü".repeat(64), longAccount, security, Side.BID, security.closePrice, security.lotSize);
        final TradingTestLink.Received rejected = link.next();
        assertEquals("é".repeat(TradingEncoder.MAX_ECHO_BYTES / 2), rejected.accountId);
        assertEquals("Account", rejected.errors);

        snapshot(link, 3, ItemType.ACCOUNTS, "ü".repeat(64));
        assertTrue(link.longestMessage <= InterlinkProtocol.MAX_MESSAGE_LENGTH, "longest " + link.longestMessage);
    }

    @Test
    void shouldRejectAWrongServiceToken()
    {
        startServers(ctx -> ctx.serviceToken("secret"));
        final TradingTestLink link = newLink(13);
        link.hello("guess");
        final TradingTestLink.Received welcome = link.next();
        assertEquals("REJECTED", welcome.status);
        assertEquals("Invalid service token", welcome.reason);
    }

    @Test
    void shouldMapConfigAndRejectBadSettings()
    {
        final MeridianConfig config = MeridianConfig.of(Map.ofEntries(
            Map.entry("trading.channel", "aeron:udp?endpoint=localhost:40124"),
            Map.entry("trading.control-stream-id", "77"),
            Map.entry("sim.service-token", "tok"),
            Map.entry("upstream.heartbeat-interval-ms", "250"),
            Map.entry("upstream.liveness-timeout-ms", "900")));

        final TradingServer.Context ctx = TradingServer.Context.fromConfig(config, bed.aeron);
        assertEquals("aeron:udp?endpoint=localhost:40124", ctx.controlChannel());
        assertEquals(77, ctx.controlStreamId());
        assertEquals("tok", ctx.serviceToken());
        assertEquals(250, ctx.heartbeatIntervalMs());
        assertEquals(900, ctx.livenessTimeoutMs());
        assertTrue(ctx.demoAccounts());
        assertEquals(CONTROL_STREAM_ID, new TradingServer.Context().controlStreamId());

        final ConfigException channel = assertThrows(ConfigException.class,
            () -> new TradingServer.Context().aeron(bed.aeron).controlChannel("udp://x").conclude());
        assertTrue(channel.getMessage().startsWith("trading.channel"), channel.getMessage());
        final ConfigException liveness = assertThrows(ConfigException.class, () -> new TradingServer.Context()
            .aeron(bed.aeron).heartbeatIntervalMs(500).livenessTimeoutMs(500).conclude());
        assertTrue(liveness.getMessage().startsWith("upstream.liveness-timeout-ms"), liveness.getMessage());
    }

    private void startServers(final Consumer<TradingServer.Context> customise)
    {
        feedServer = new FeedServer(bed.feedContext().updateRate(0).sessionSeconds(0));
        final TradingServer.Context ctx = new TradingServer.Context()
            .aeron(bed.aeron)
            .nanoClock(bed.nanoClock)
            .epochClock(bed.epochClock);
        customise.accept(ctx);
        server = new TradingServer(ctx, feedServer);
    }

    private int driveBoth()
    {
        return feedServer.doWork() + server.doWork();
    }

    private TradingTestLink newLink(final long linkId)
    {
        return bed.closeAtEnd(
            new TradingTestLink(bed.aeron, this::driveBoth, CONTROL_STREAM_ID, linkId, 2000 + (int)linkId));
    }

    private TradingTestLink openLink(final long linkId, final String serviceToken)
    {
        final TradingTestLink link = newLink(linkId);
        link.hello(serviceToken);
        final TradingTestLink.Received welcome = link.next();
        assertEquals("Welcome", welcome.type);
        assertEquals(linkId, welcome.linkId);
        assertEquals("ACCEPTED", welcome.status);
        assertEquals("meridian-trading-sim", welcome.name);
        return link;
    }

    /**
     * Subscribe and read the SubscribeResult and the whole snapshot, checking its sequence numbers.
     *
     * @return the messages between SnapshotBegin and SnapshotEnd.
     */
    private List<TradingTestLink.Received> snapshot(
        final TradingTestLink link, final long requestId, final ItemType type, final String key)
    {
        link.subscribe(requestId, type, key);
        final TradingTestLink.Received result = link.next();
        assertEquals("SubscribeResult", result.type);
        assertEquals(requestId, result.requestId);
        assertEquals("OK", result.status, result.reason);
        final TradingTestLink.Received begin = link.next();
        assertEquals("SnapshotBegin", begin.type);
        assertEquals(result.itemId, begin.itemId);
        final List<TradingTestLink.Received> body = new ArrayList<>();
        TradingTestLink.Received message;
        while (!(message = link.next()).is("SnapshotEnd"))
        {
            assertEquals(result.itemId, message.itemId, message.toString());
            assertEquals(begin.seqNo, message.seqNo, message.toString());
            body.add(message);
        }
        assertEquals(begin.seqNo, message.seqNo);
        seqNos.put(result.itemId, begin.seqNo);
        lastSnapshotItemId = result.itemId;
        return body;
    }

    private long snapshotItemId(
        final TradingTestLink link, final long requestId, final ItemType type, final String key)
    {
        snapshot(link, requestId, type, key);
        return lastSnapshotItemId;
    }

    /**
     * @return the deltas that arrive before the next OrderResponse, each one after its item's last, then the response.
     */
    private List<TradingTestLink.Received> untilResponse(final TradingTestLink link)
    {
        final List<TradingTestLink.Received> messages = new ArrayList<>();
        while (true)
        {
            final TradingTestLink.Received message = link.next();
            messages.add(message);
            if (message.is("OrderResponse"))
            {
                return messages;
            }
            checkDelta(message);
        }
    }

    private TradingTestLink.Received nextDelta(final TradingTestLink link)
    {
        final TradingTestLink.Received message = link.next();
        checkDelta(message);
        return message;
    }

    private void checkDelta(final TradingTestLink.Received message)
    {
        final Long last = seqNos.get(message.itemId);
        if (null == last)
        {
            fail("delta of an item not subscribed: " + message);
        }
        assertEquals(last + 1, message.seqNo, message.toString());
        seqNos.put(message.itemId, message.seqNo);
    }

    private void awaitHeartbeat(final TradingTestLink link)
    {
        final long deadline = System.nanoTime() + TradingTestLink.TIMEOUT_NS;
        while (System.nanoTime() < deadline)
        {
            link.drive();
            for (final TradingTestLink.Received message : link.received)
            {
                if (message.is("Heartbeat"))
                {
                    link.received.clear();
                    return;
                }
            }
        }
        fail("no Heartbeat within 5 s");
    }

    private SimSecurity security(final String key)
    {
        return server.broker().exchange().security(key);
    }

    /**
     * Replace the book with simulation orders: price and quantity pairs, best first.
     */
    private static void book(final SimSecurity security, final long[] bids, final long[] asks)
    {
        security.book.clear();
        for (int i = 0; i < bids.length; i += 2)
        {
            security.book.submit(BID, bids[i], bids[i + 1], false, EPOCH_MS);
        }
        for (int i = 0; i < asks.length; i += 2)
        {
            security.book.submit(ASK, asks[i], asks[i + 1], false, EPOCH_MS);
        }
    }

    private static List<String> types(final List<TradingTestLink.Received> messages)
    {
        return messages.stream().map(m -> m.type).toList();
    }

    private static void assertAccount(final TradingTestLink.Received account, final String id, final String name)
    {
        assertEquals("AccountUpdate", account.type);
        assertEquals("ADD", account.action);
        assertEquals("Active", account.status);
        assertEquals(id, account.accountId);
        assertEquals(name, account.name);
        assertEquals("USD", account.currency);
    }

    private static void assertResponse(
        final TradingTestLink.Received response,
        final long requestId,
        final String result,
        final String clientRequestId,
        final String orderId,
        final String accountId,
        final String errors)
    {
        assertEquals("OrderResponse", response.type, response.toString());
        assertEquals(requestId, response.requestId);
        assertEquals(result, response.status, response.toString());
        assertEquals(clientRequestId, response.clientRequestId);
        assertEquals(orderId, response.orderId);
        assertEquals(accountId, response.accountId);
        assertEquals(errors, response.errors);
    }
}
