package io.meridian.sim;

import io.meridian.codecs.interlink.OrderResult;
import io.meridian.codecs.interlink.OrderStatus;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Validity;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static io.meridian.sim.SimOrderBook.ASK;
import static io.meridian.sim.SimOrderBook.BID;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SimBrokerTest
{
    private static final long EPOCH_MS = 1_710_460_800_000L;
    private static final long SEED = 42;
    private static final SimBroker.Listener QUIET = new SimBroker.Listener()
    {
    };

    private final CachedEpochClock clock = new CachedEpochClock();
    private final List<String> events = new ArrayList<>();
    private final SimBroker.Listener recorder = new SimBroker.Listener()
    {
        public void onAccountAdded(final SimAccount account)
        {
            events.add("account+ " + account.id);
        }

        public void onOrderAdded(final SimClientOrder order)
        {
            events.add("order+ " + order.id + " " + order.account.id + " " + order.status);
        }

        public void onOrderChanged(final SimClientOrder order)
        {
            events.add("order " + order.id + " " + order.status + " " + order.executedQuantity);
        }

        public void onOrderRemoved(final SimClientOrder order, final SimAccount account)
        {
            events.add("order- " + order.id + " " + account.id);
        }

        public void onHoldingChanged(final SimHolding holding, final boolean added)
        {
            events.add("holding" + (added ? "+ " : " ") + holding.account.id + " " + holding.security.key + " " +
                holding.quantity + " " + holding.available());
        }

        public void onHoldingRemoved(final SimHolding holding)
        {
            events.add("holding- " + holding.account.id + " " + holding.security.key);
        }

        public void onBalanceChanged(final SimAccount account, final int type)
        {
            events.add("balance " + account.id + " " + SimAccount.BALANCE_TYPES.get(type) + " " +
                account.balance(type));
        }
    };
    private final SimBrokerRequest request = new SimBrokerRequest();
    private SimExchange exchange;
    private SimBroker broker;

    @Test
    void shouldProvisionTwoDemoAccountsPerUserWithStableIds()
    {
        start(20, 0, 40);
        final List<SimAccount> accounts = broker.accounts("alice");

        assertEquals(2, accounts.size());
        final SimAccount cash = accounts.get(0);
        final SimAccount margin = accounts.get(1);
        assertEquals("ALICE-1", cash.id);
        assertEquals("alice cash", cash.name);
        assertEquals("ALICE-2", margin.id);
        assertEquals("alice margin", margin.name);
        assertEquals(100_000_000L, cash.balance(SimAccount.NET_BALANCE));
        assertEquals(100_000_000L, cash.balance(SimAccount.TRADING));
        assertEquals(0, cash.balance(SimAccount.UNFILLED_BUYS));
        assertEquals(25_000_000L, margin.balance(SimAccount.NET_BALANCE));
        for (final SimAccount account : accounts)
        {
            assertEquals("alice", account.user);
            assertEquals(3, account.holdings.size());
            final Set<String> keys = new HashSet<>();
            for (final SimHolding holding : account.holdings)
            {
                keys.add(holding.security.key);
                assertEquals(1_000, holding.quantity);
                assertEquals(1_000, holding.available());
                assertEquals(1_000 * holding.security.closePrice, holding.cost);
                assertEquals(holding.security.closePrice * 100, holding.averagePrice());
            }
            assertEquals(3, keys.size());
        }
        assertEquals(List.of("account+ ALICE-1", "account+ ALICE-2"), events.subList(0, 2));
        assertSame(cash, broker.account("ALICE-1"));

        events.clear();
        assertEquals(accounts, broker.accounts("alice"));
        assertEquals(List.of(), events);

        final SimBroker again = new SimBroker(newExchange(20, 0, 40), clock, true, QUIET);
        final List<SimAccount> rerun = again.accounts("alice");
        assertEquals(List.of("ALICE-1", "ALICE-2"), rerun.stream().map(a -> a.id).toList());
        assertEquals(cash.holdings.stream().map(h -> h.security.key).toList(),
            rerun.get(0).holdings.stream().map(h -> h.security.key).toList());
    }

    @Test
    void shouldNormaliseOrRefuseOddUserNames()
    {
        start(5, 0, 40);

        assertEquals(List.of("BOB-SMITH-1", "BOB-SMITH-2"), ids(broker.accounts("bob.smith")));
        assertEquals(List.of(), ids(broker.accounts("BOB_SMITH")), "ids taken by another user");
        assertEquals(List.of(), ids(broker.accounts("")));
        assertEquals(List.of(), ids(broker.accounts("@@@")));
        assertEquals(List.of(), ids(broker.accounts("tab\tname")));
        assertEquals(List.of(), ids(broker.accounts("x".repeat(SimBroker.MAX_USER_LENGTH + 1))));
        assertEquals(List.of("ABCDEFGHIJKLMNOPQRSTUVWX-1", "ABCDEFGHIJKLMNOPQRSTUVWX-2"),
            ids(broker.accounts("abcdefghijklmnopqrstuvwxyz")));
        assertEquals(List.of("J-RG-1", "J-RG-2"), ids(broker.accounts("jörg")));

        final SimBroker plain = new SimBroker(newExchange(5, 0, 40), clock, false, recorder);
        assertEquals(List.of(), plain.accounts("alice"));
        final SimAccount account = plain.addAccount("alice", "1234[Demo]", "Alice", 5_000);
        assertEquals(List.of(account), plain.accounts("alice"));
        assertThrows(IllegalArgumentException.class, () -> plain.addAccount("bob", "1234[Demo]", "Bob", 0));
        assertThrows(IllegalArgumentException.class, () -> plain.addAccount("bob", "has space", "Bob", 0));
    }

    @Test
    void shouldFillCrossingLimitBuyAtRestingPricesAndMoveHoldingAndCashExactly()
    {
        start(5, 0, 40);
        final SimSecurity security = exchange.securities()[0];
        final long p = security.closePrice;
        final long tick = security.tickSize;
        final long lot = security.lotSize;
        book(security, new long[]{p - tick, 5 * lot}, new long[]{p, 2 * lot, p + tick, 3 * lot});
        final SimAccount account = broker.accounts("alice").get(0);
        final long heldBefore = held(account, security);
        final long costBefore = null == account.holding(security) ? 0 : account.holding(security).cost;
        events.clear();
        clock.update(EPOCH_MS + 5);

        final SimBroker.Answer answer = broker.execute(request.place("alice", "ALICE-1").security(security).buy()
            .limitPrice(p + tick).quantity(4 * lot));

        assertEquals(new SimBroker.Answer(OrderResult.Success, "O1", "ALICE-1", List.of()), answer);
        final SimClientOrder order = broker.order("O1");
        final long value = 2 * lot * p + 2 * lot * (p + tick);
        assertEquals(OrderStatus.Filled, order.status);
        assertEquals(4 * lot, order.executedQuantity);
        assertEquals(value, order.executedValue);
        assertEquals(value, order.currentValue());
        assertEquals(SimSecurity.vwap(value, 4 * lot), order.averagePrice());
        assertEquals(0, order.workingQuantity);
        assertEquals(EPOCH_MS + 5, order.createdMs);
        assertEquals(EPOCH_MS + 5, order.updatedMs);
        assertEquals(100_000_000L - value, account.balance(SimAccount.NET_BALANCE));
        assertEquals(100_000_000L - value, account.balance(SimAccount.TRADING));
        assertEquals(0, account.balance(SimAccount.UNFILLED_BUYS));
        assertEquals(heldBefore + 4 * lot, held(account, security));
        assertEquals(costBefore + value, account.holding(security).cost);
        assertEquals(2, broker.fills());
        assertEquals(1, security.book.orderCount(ASK));
        assertEquals(p + tick, security.book.orderPrice(ASK, 0));
        assertEquals(lot, security.book.orderQuantity(ASK, 0));

        final String holding = (0 == heldBefore ? "holding+ " : "holding ") + "ALICE-1 " + security.key + " " +
            (heldBefore + 4 * lot) + " " + (heldBefore + 4 * lot);
        assertEquals(List.of("order+ O1 ALICE-1 Filled", holding,
            "balance ALICE-1 NetBalance " + (100_000_000L - value),
            "balance ALICE-1 Trading " + (100_000_000L - value)), events);
    }

    @Test
    void shouldRestRemainderAndFillItLaterFromTheSimulationFlow()
    {
        start(5, 0, 40);
        final SimSecurity security = exchange.securities()[1];
        final long p = security.closePrice;
        final long tick = security.tickSize;
        final long lot = security.lotSize;
        book(security, new long[]{p - 2 * tick, 5 * lot}, new long[]{p, lot});
        final SimAccount account = broker.accounts("alice").get(0);
        final long heldBefore = held(account, security);
        clock.update(EPOCH_MS);

        broker.execute(request.place("alice", "ALICE-1").security(security).buy().limitPrice(p).quantity(3 * lot));

        final SimClientOrder order = broker.order("O1");
        assertEquals(OrderStatus.PartiallyFilled, order.status);
        assertEquals(lot, order.executedQuantity);
        assertEquals(2 * lot, order.workingQuantity);
        assertEquals(lot * p + 2 * lot * p, order.currentValue());
        assertEquals(2 * lot * p, account.balance(SimAccount.UNFILLED_BUYS));
        assertEquals(100_000_000L - lot * p, account.balance(SimAccount.NET_BALANCE));
        assertEquals(100_000_000L - 3 * lot * p, account.balance(SimAccount.TRADING));
        final SimOrderBook book = security.book;
        assertEquals(p, book.orderPrice(BID, 0));
        assertEquals(2 * lot, book.orderQuantity(BID, 0));
        assertEquals(order.bookOrderId, book.orderId(BID, 0));
        assertTrue(book.isClientOrder(order.bookOrderId));
        assertEquals(0, book.orderCount(ASK));

        events.clear();
        book.submit(ASK, p - tick, 2 * lot, true, EPOCH_MS + 1_000);

        assertEquals(OrderStatus.Filled, order.status);
        assertEquals(3 * lot, order.executedQuantity);
        assertEquals(3 * lot * p, order.executedValue);
        assertEquals(EPOCH_MS + 1_000, order.updatedMs);
        assertEquals(0, account.balance(SimAccount.UNFILLED_BUYS));
        assertEquals(100_000_000L - 3 * lot * p, account.balance(SimAccount.NET_BALANCE));
        assertEquals(100_000_000L - 3 * lot * p, account.balance(SimAccount.TRADING));
        assertEquals(heldBefore + 3 * lot, held(account, security));
        assertFalse(book.isClientOrder(order.bookOrderId));
        assertEquals("order O1 Filled " + 3 * lot, events.get(0));
        assertTrue(events.contains("balance ALICE-1 UnfilledBuys 0"), events.toString());
        assertEquals(2, broker.fills());
    }

    @Test
    void shouldSellFromHoldingAtItsAverageCost()
    {
        start(5, 0, 40);
        final SimAccount account = broker.accounts("alice").get(0);
        final SimHolding holding = account.holdings.get(0);
        final SimSecurity security = holding.security;
        final long p = security.closePrice;
        final long tick = security.tickSize;
        book(security, new long[]{p + tick, 400}, new long[]{p + 5 * tick, 100});
        final long cost = holding.cost;

        broker.execute(request.place("alice", "ALICE-1").security(security).sell().limitPrice(p).quantity(600));

        final SimClientOrder order = broker.order("O1");
        assertEquals(OrderStatus.PartiallyFilled, order.status);
        assertEquals(400, order.executedQuantity);
        assertEquals(600, holding.quantity);
        assertEquals(400, holding.available());
        assertEquals(cost - cost * 400 / 1_000, holding.cost);
        assertEquals(100_000_000L + 400 * (p + tick), account.cash);
        assertEquals(p, security.book.orderPrice(ASK, 0));
        assertEquals(200, security.book.orderQuantity(ASK, 0));

        events.clear();
        broker.execute(request.place("alice", "ALICE-1").security(security).sell().limitPrice(p).quantity(500));
        assertEquals(OrderStatus.Rejected, broker.order("O2").status);

        broker.execute(request.place("alice", "ALICE-1").security(security).sell().limitPrice(p).quantity(400));
        security.book.submit(BID, p, 600, true, EPOCH_MS);

        assertEquals(OrderStatus.Filled, order.status);
        assertEquals(OrderStatus.Filled, broker.order("O3").status);
        assertNull(account.holding(security));
        assertFalse(account.holdings.contains(holding));
        assertEquals(100_000_000L + 400 * (p + tick) + 600 * p, account.cash);
        assertTrue(events.contains("holding- ALICE-1 " + security.key), events.toString());
    }

    @Test
    void shouldAmendQuantityKeepingPriorityAndPriceLosingIt()
    {
        start(5, 0, 40);
        final SimSecurity security = exchange.securities()[2];
        final long p = security.closePrice;
        final long tick = security.tickSize;
        final long lot = security.lotSize;
        book(security, new long[]{p - 5 * tick, lot}, new long[]{p, lot});
        final SimAccount account = broker.accounts("alice").get(0);
        final long bid = p - 5 * tick;
        broker.execute(request.place("alice", "ALICE-1").security(security).buy().limitPrice(bid).quantity(5 * lot));
        final SimClientOrder order = broker.order("O1");
        final long firstBookId = order.bookOrderId;
        assertEquals(firstBookId, security.book.orderId(BID, 1), "behind the older order at its price");
        clock.update(EPOCH_MS + 10);

        events.clear();
        assertEquals(OrderResult.Success,
            broker.execute(request.amend("alice", "ALICE-1", "O1").quantity(3 * lot)).result());
        assertEquals(firstBookId, order.bookOrderId);
        assertEquals(firstBookId, security.book.orderId(BID, 1));
        assertEquals(3 * lot, security.book.orderQuantity(BID, 1));
        assertEquals(3 * lot, order.quantity);
        assertEquals(3 * lot * bid, account.balance(SimAccount.UNFILLED_BUYS));
        assertEquals(EPOCH_MS + 10, order.updatedMs);
        assertEquals(List.of("order O1 Working 0", "balance ALICE-1 Trading " + (100_000_000L - 3 * lot * bid),
            "balance ALICE-1 UnfilledBuys " + 3 * lot * bid), events);

        broker.execute(request.amend("alice", "ALICE-1", "O1").quantity(3 * lot).limitPrice(bid + tick));
        assertNotEquals(firstBookId, order.bookOrderId);
        assertEquals(order.bookOrderId, security.book.orderId(BID, 0));
        assertEquals(3 * lot * (bid + tick), account.balance(SimAccount.UNFILLED_BUYS));

        final SimBroker.Answer crossing =
            broker.execute(request.amend("alice", "ALICE-1", "O1").quantity(4 * lot).limitPrice(p));
        assertEquals(OrderResult.Success, crossing.result());
        assertEquals(OrderStatus.PartiallyFilled, order.status);
        assertEquals(lot, order.executedQuantity);
        assertEquals(3 * lot, order.workingQuantity);
        assertEquals(3 * lot * p, account.balance(SimAccount.UNFILLED_BUYS));
        assertEquals(100_000_000L - lot * p, account.cash);

        assertAnswer(OrderResult.Invalid, "TotalQuantity",
            broker.execute(request.amend("alice", "ALICE-1", "O1").quantity(lot)));
        assertAnswer(OrderResult.Invalid, "TotalQuantity",
            broker.execute(request.amend("alice", "ALICE-1", "O1").quantity(0)));
        assertAnswer(OrderResult.Invalid, "LimitPrice",
            broker.execute(request.amend("alice", "ALICE-1", "O1").quantity(4 * lot).limitPrice(p * 10 + 1, -3)));
        assertAnswer(OrderResult.Rejected, "TotalValue.Balance", broker.execute(
            request.amend("alice", "ALICE-1", "O1").quantity(lot * (100_000_000L / (p * lot) + 2))));
        assertEquals(4 * lot, order.quantity);
        assertEquals(3 * lot * p, account.balance(SimAccount.UNFILLED_BUYS));
    }

    @Test
    void shouldCancelAndReleaseWhatTheOrderHeldBack()
    {
        start(5, 0, 40);
        final SimAccount account = broker.accounts("alice").get(0);
        final SimHolding holding = account.holdings.get(0);
        final SimSecurity security = holding.security;
        final long p = security.closePrice;
        final long tick = security.tickSize;
        book(security, new long[]{p - 10 * tick, 10}, new long[]{p + 10 * tick, 10});

        broker.execute(request.place("alice", "ALICE-1").security(security).buy().limitPrice(p).quantity(100)
            .validity(Validity.UntilCancel));
        broker.execute(request.place("alice", "ALICE-1").security(security).sell().limitPrice(p + tick)
            .quantity(300));
        assertEquals(100 * p, account.balance(SimAccount.UNFILLED_BUYS));
        assertEquals(100_000_000L - 100 * p, account.balance(SimAccount.TRADING));
        assertEquals(700, holding.available());
        assertEquals(2, security.book.orderCount(BID));
        clock.update(EPOCH_MS + 99);

        assertAnswer(OrderResult.Success, null, broker.execute(request.cancel("alice", "ALICE-1", "O1")));
        assertAnswer(OrderResult.Success, null, broker.execute(request.cancel("alice", "ALICE-1", "O2")));

        assertEquals(OrderStatus.Cancelled, broker.order("O1").status);
        assertEquals(EPOCH_MS + 99, broker.order("O1").updatedMs);
        assertEquals(0, broker.order("O1").currentValue());
        assertEquals(OrderStatus.Cancelled, broker.order("O2").status);
        assertEquals(0, account.balance(SimAccount.UNFILLED_BUYS));
        assertEquals(100_000_000L, account.balance(SimAccount.TRADING));
        assertEquals(1_000, holding.available());
        assertEquals(1, security.book.orderCount(BID));
        assertEquals(1, security.book.orderCount(ASK));

        assertAnswer(OrderResult.Rejected, "Order.Status", broker.execute(request.cancel("alice", "ALICE-1", "O1")));
        assertAnswer(OrderResult.Invalid, "Order", broker.execute(request.cancel("alice", "ALICE-1", "O99")));
        assertAnswer(OrderResult.Invalid, "Order", broker.execute(request.cancel("alice", "ALICE-2", "O1")));
    }

    @Test
    void shouldMoveWorkingOrderAndItsReservationBetweenAccountsOfOneUser()
    {
        start(5, 0, 40);
        final SimSecurity security = exchange.securities()[3];
        final long p = security.closePrice;
        final long tick = security.tickSize;
        final long lot = security.lotSize;
        book(security, new long[]{p - 5 * tick, lot}, new long[]{p + 5 * tick, lot});
        final SimAccount first = broker.accounts("alice").get(0);
        final SimAccount second = broker.accounts("alice").get(1);
        broker.accounts("bob");
        broker.execute(request.place("alice", "ALICE-1").security(security).buy().limitPrice(p).quantity(2 * lot));
        final SimClientOrder order = broker.order("O1");
        events.clear();

        assertEquals(new SimBroker.Answer(OrderResult.Success, "O1", "ALICE-2", List.of()),
            broker.execute(request.move("alice", "ALICE-1", "O1", "ALICE-2")));

        assertSame(second, order.account);
        assertFalse(first.orders.contains(order));
        assertTrue(second.orders.contains(order));
        assertEquals(0, first.balance(SimAccount.UNFILLED_BUYS));
        assertEquals(2 * lot * p, second.balance(SimAccount.UNFILLED_BUYS));
        assertEquals(List.of("order- O1 ALICE-1", "order+ O1 ALICE-2 Working",
            "balance ALICE-1 Trading 100000000", "balance ALICE-1 UnfilledBuys 0",
            "balance ALICE-2 Trading " + (25_000_000L - 2 * lot * p),
            "balance ALICE-2 UnfilledBuys " + 2 * lot * p), events);

        security.book.submit(ASK, p, lot, true, EPOCH_MS);
        assertEquals(lot, order.executedQuantity);
        assertEquals(25_000_000L - lot * p, second.cash);
        assertEquals(100_000_000L, first.cash);

        assertAnswer(OrderResult.Rejected, "Account", broker.execute(request.move("alice", "ALICE-2", "O1", "BOB-1")));
        assertAnswer(OrderResult.Rejected, "Account", broker.execute(request.move("alice", "ALICE-2", "O1", "X-9")));
        assertAnswer(OrderResult.Invalid, "Order", broker.execute(request.move("alice", "ALICE-1", "O1", "ALICE-2")));

        final long big = lot * (30_000_000L / (p * lot) + 1);
        broker.execute(request.place("alice", "ALICE-1").security(security).buy().limitPrice(p).quantity(big));
        assertAnswer(OrderResult.Rejected, "TotalValue.Balance",
            broker.execute(request.move("alice", "ALICE-1", "O2", "ALICE-2")));
        assertSame(first, broker.order("O2").account);
    }

    @Test
    void shouldRejectRequestsWithTheZenithErrorCodes()
    {
        start(5, 100, 40);
        final SimAccount account = broker.accounts("alice").get(0);
        broker.accounts("bob");
        final SimHolding holding = account.holdings.get(0);
        final SimSecurity security = holding.security;
        final long p = security.closePrice;
        final long tick = security.tickSize;
        final long lot = security.lotSize;
        book(security, new long[]{p - tick, 2 * lot}, new long[]{p + tick, 2 * lot});

        assertAnswer(OrderResult.Rejected, "Account", broker.execute(place("NOBODY-1", security).quantity(lot)));
        assertAnswer(OrderResult.Rejected, "Account", broker.execute(place("BOB-1", security).quantity(lot)));
        assertAnswer(OrderResult.Invalid, "Symbol",
            broker.execute(place("ALICE-1", security).security(security.market.code, "NOPE").quantity(lot)));
        assertAnswer(OrderResult.Invalid, "TotalQuantity", broker.execute(place("ALICE-1", security).quantity(0)));
        assertAnswer(OrderResult.Invalid, "TotalQuantity", broker.execute(place("ALICE-1", security).quantity(-lot)));
        assertAnswer(OrderResult.Invalid, "TotalQuantity.Maximum 1000000000",
            broker.execute(place("ALICE-1", security).quantity(2_000_000_000L)));
        assertAnswer(OrderResult.Invalid, "LimitPrice",
            broker.execute(place("ALICE-1", security).quantity(lot).limitPrice(p * 10 + 1, -3)));
        assertAnswer(OrderResult.Invalid, "LimitPrice",
            broker.execute(place("ALICE-1", security).quantity(lot).limitPrice(0)));
        assertAnswer(OrderResult.Invalid, "LimitPrice.Maximum 1000000.00",
            broker.execute(place("ALICE-1", security).quantity(lot).limitPrice(1, 7)));
        assertAnswer(OrderResult.Incomplete, "LimitPrice.Missing",
            broker.execute(place("ALICE-1", security).quantity(lot).noLimitPrice()));
        assertAnswer(OrderResult.Invalid, "LimitPrice.Given",
            broker.execute(place("ALICE-1", security).quantity(lot).orderType(OrderType.Market)));
        assertAnswer(OrderResult.Invalid, "Route.Market",
            broker.execute(place("ALICE-1", security).quantity(lot).tradingMarket("XZX")));
        assertEquals(new SimBroker.Answer(OrderResult.Invalid, "", "ALICE-1", List.of("Side", "OrderType",
            "Validity", "TotalQuantity")), broker.execute(place("ALICE-1", security).side(null).orderType(null)
            .validity(null).quantity(0).noLimitPrice()));
        assertAnswer(OrderResult.Invalid, "RequestID",
            broker.execute(place("ALICE-1", security).quantity(lot).clientRequestId("r".repeat(65))));
        assertEquals(0, account.orders.size(), "syntax errors make no order");

        final long tooMany = lot * (100_000_000L / (p * lot) + 1);
        final SimBroker.Answer poor = broker.execute(place("ALICE-1", security).limitPrice(p).quantity(tooMany));
        assertAnswer(OrderResult.Rejected, "TotalValue.Balance", poor);
        assertEquals("O1", poor.orderId());
        assertEquals(OrderStatus.Rejected, broker.order("O1").status);
        assertEquals(1, account.orders.size(), "a business rejection is kept as a Rejected order");

        assertAnswer(OrderResult.Rejected, "TotalQuantity.Holdings",
            broker.execute(place("ALICE-1", security).sell().quantity(1_000 + lot)));
        assertAnswer(OrderResult.Rejected, "TotalQuantity.Maximum " + 2 * lot, broker.execute(
            place("ALICE-1", security).limitPrice(p + tick).quantity(3 * lot).validity(Validity.FillOrKill)));
        assertAnswer(OrderResult.Rejected, "TotalQuantity.Maximum " + 2 * lot, broker.execute(
            place("ALICE-1", security).limitPrice(p + tick).quantity(3 * lot).validity(Validity.AllOrNone)));
        assertEquals(2 * lot, security.book.orderQuantity(ASK, 0), "a killed order changes nothing");
        assertEquals(100_000_000L, account.cash);

        assertAnswer(OrderResult.Rejected, "Order.Status", broker.execute(
            request.amend("alice", "ALICE-1", "O1").quantity(lot)));
        assertAnswer(OrderResult.Invalid, "Order", broker.execute(
            request.amend("alice", "ALICE-1", "O404").quantity(lot)));

        exchange.updateTradingStates(90_000, EPOCH_MS);
        assertEquals(TradingState.PreOpen, security.market.state);
        assertAnswer(OrderResult.Rejected, "OrderType.Status", broker.execute(
            place("ALICE-1", security).noLimitPrice().orderType(OrderType.Market).quantity(lot)));
        assertAnswer(OrderResult.Rejected, "OrderType.Status", broker.execute(
            place("ALICE-1", security).limitPrice(p).quantity(lot).validity(Validity.FillAndKill)));

        exchange.updateTradingStates(100_000, EPOCH_MS);
        book(security, new long[]{p - tick, lot}, new long[0]);
        assertAnswer(OrderResult.Rejected, "TotalQuantity.Maximum 0", broker.execute(
            place("ALICE-1", security).noLimitPrice().orderType(OrderType.Market).quantity(lot)));
        assertAnswer(OrderResult.Rejected, "TotalQuantity.Maximum 0", broker.execute(
            place("ALICE-1", security).noLimitPrice().orderType(OrderType.MarketToLimit).quantity(lot)));

        exchange.updateTradingStates(180_000, EPOCH_MS);
        assertEquals(TradingState.Closed, security.market.state);
        assertAnswer(OrderResult.Rejected, "Symbol.Status",
            broker.execute(place("ALICE-1", security).limitPrice(p).quantity(lot)));
    }

    @Test
    void shouldTradeMarketFillAndKillAndMarketToLimitOrdersAsTheirTypeAndValiditySay()
    {
        start(5, 0, 40);
        final SimSecurity security = exchange.securities()[4];
        final long p = security.closePrice;
        final long tick = security.tickSize;
        final long lot = security.lotSize;
        final SimAccount account = broker.accounts("alice").get(0);

        book(security, new long[]{p - tick, lot}, new long[]{p, lot, p + tick, lot});
        broker.execute(place("ALICE-1", security).noLimitPrice().orderType(OrderType.Market).quantity(3 * lot));
        final SimClientOrder market = broker.order("O1");
        assertEquals(OrderStatus.Cancelled, market.status);
        assertEquals(2 * lot, market.executedQuantity);
        assertEquals(lot * p + lot * (p + tick), market.executedValue);
        assertEquals(0, security.book.orderCount(ASK));
        assertEquals(1, security.book.orderCount(BID));

        book(security, new long[]{p - tick, lot}, new long[]{p, lot, p + tick, lot});
        broker.execute(place("ALICE-1", security).limitPrice(p).quantity(2 * lot).validity(Validity.FillAndKill));
        final SimClientOrder fillAndKill = broker.order("O2");
        assertEquals(OrderStatus.Cancelled, fillAndKill.status);
        assertEquals(lot, fillAndKill.executedQuantity);
        assertEquals(1, security.book.orderCount(BID));

        broker.execute(place("ALICE-1", security).limitPrice(p).quantity(lot).validity(Validity.FillAndKill));
        assertEquals(OrderStatus.Cancelled, broker.order("O3").status);
        assertEquals(0, broker.order("O3").executedQuantity);

        broker.execute(place("ALICE-1", security).noLimitPrice().orderType(OrderType.MarketToLimit)
            .quantity(3 * lot));
        final SimClientOrder toLimit = broker.order("O4");
        assertEquals(OrderStatus.PartiallyFilled, toLimit.status);
        assertTrue(toLimit.hasLimitPrice);
        assertEquals(p + tick, toLimit.limitPrice);
        assertEquals(2 * lot, toLimit.workingQuantity);
        assertEquals(p + tick, security.book.orderPrice(BID, 0));

        broker.execute(place("ALICE-1", security).limitPrice(p + 2 * tick).quantity(lot)
            .validity(Validity.FillOrKill));
        assertEquals(OrderStatus.Rejected, broker.order("O5").status);

        final long spent = market.executedValue + fillAndKill.executedValue + toLimit.executedValue;
        assertEquals(100_000_000L - spent, account.cash);
        assertEquals(2 * lot * (p + tick), account.reservedForBuys);
    }

    @Test
    void shouldAnswerARepeatedClientRequestIdWithTheFirstAnswerAndPlaceOneOrder()
    {
        start(5, 0, 40);
        final SimSecurity security = exchange.securities()[0];
        final long p = security.closePrice;
        final long lot = security.lotSize;
        book(security, new long[]{p - 10 * security.tickSize, lot}, new long[]{p + 10 * security.tickSize, lot});
        final SimAccount account = broker.accounts("alice").get(0);

        final SimBroker.Answer first = broker.execute(place("ALICE-1", security).limitPrice(p).quantity(lot)
            .clientRequestId("req-1"));
        events.clear();
        final SimBroker.Answer second = broker.execute(place("ALICE-1", security).limitPrice(p).quantity(2 * lot)
            .clientRequestId("req-1"));

        assertSame(first, second);
        assertEquals("O1", second.orderId());
        assertEquals(1, account.orders.size());
        assertEquals(lot * p, account.reservedForBuys);
        assertEquals(List.of(), events);
        assertEquals(1, broker.repeatedRequests());

        final SimBroker.Answer cancel = broker.execute(request.cancel("alice", "ALICE-1", "O1")
            .clientRequestId("req-2"));
        assertEquals(OrderResult.Success, cancel.result());
        assertSame(cancel, broker.execute(request.cancel("alice", "ALICE-1", "O1").clientRequestId("req-2")));

        final SimBroker.Answer otherAccount = broker.execute(place("ALICE-2", security).limitPrice(p).quantity(lot)
            .clientRequestId("req-1"));
        assertEquals("O2", otherAccount.orderId(), "client request ids are per account");
    }

    @Test
    void shouldExpireOrdersAtTheCloseAndFillClientOrdersInTheOpeningUncross()
    {
        start(5, 100, 40);
        final SimAccount account = broker.accounts("alice").get(0);
        final SimHolding holding = account.holdings.get(0);
        final SimSecurity security = holding.security;
        final long p = security.closePrice;
        final long tick = security.tickSize;
        final long lot = security.lotSize;
        book(security, new long[]{p - 5 * tick, lot}, new long[]{p + 5 * tick, lot});
        broker.execute(place("ALICE-1", security).limitPrice(p).quantity(lot));
        broker.execute(place("ALICE-1", security).sell().limitPrice(p + tick).quantity(100)
            .validity(Validity.UntilCancel));
        assertEquals(900, holding.available());
        clock.update(EPOCH_MS + 80_000);
        events.clear();

        exchange.updateTradingStates(80_000, EPOCH_MS + 80_000);

        assertEquals(TradingState.Closed, security.market.state);
        assertEquals(OrderStatus.Expired, broker.order("O1").status);
        assertEquals(OrderStatus.Expired, broker.order("O2").status);
        assertEquals(EPOCH_MS + 80_000, broker.order("O1").updatedMs);
        assertEquals(0, account.reservedForBuys);
        assertEquals(1_000, holding.available());
        assertTrue(events.contains("order O1 Expired 0"), events.toString());
        assertTrue(events.contains("order O2 Expired 0"), events.toString());

        exchange.updateTradingStates(90_000, EPOCH_MS + 90_000);
        assertEquals(TradingState.PreOpen, security.market.state);
        security.book.submit(ASK, p, 2 * lot, false, EPOCH_MS + 90_000);
        broker.execute(place("ALICE-1", security).limitPrice(p + tick).quantity(lot));
        final SimClientOrder preOpen = broker.order("O3");
        assertEquals(OrderStatus.Working, preOpen.status);
        assertTrue(security.book.isCrossed());
        assertEquals(lot * (p + tick), account.reservedForBuys);

        exchange.updateTradingStates(100_000, EPOCH_MS + 100_000);

        assertEquals(TradingState.Open, security.market.state);
        assertEquals(OrderStatus.Filled, preOpen.status);
        assertEquals(lot * p, preOpen.executedValue, "at the price of the older order");
        assertEquals(EPOCH_MS + 100_000, preOpen.updatedMs);
        assertEquals(0, account.reservedForBuys);
        assertEquals(100_000_000L - lot * p, account.cash);
        assertEquals(1_000 + lot, holding.quantity);
    }

    @Test
    void shouldCancelAClientOrderAFullSideEvicts()
    {
        start(5, 0, 4);
        final SimSecurity security = exchange.securities()[0];
        final long p = security.closePrice;
        final long tick = security.tickSize;
        final long lot = security.lotSize;
        book(security, new long[0], new long[]{p + 10 * tick, lot});
        final SimAccount account = broker.accounts("alice").get(0);
        broker.execute(place("ALICE-1", security).limitPrice(p).quantity(lot));
        for (int i = 1; i <= 3; i++)
        {
            security.book.submit(BID, p - i * tick, lot, true, EPOCH_MS);
        }
        assertEquals(OrderStatus.Working, broker.order("O1").status);
        events.clear();

        security.book.submit(BID, p - 4 * tick, lot, true, EPOCH_MS);

        assertEquals(OrderStatus.Cancelled, broker.order("O1").status);
        assertEquals(0, account.reservedForBuys);
        assertEquals(4, security.book.orderCount(BID));
        assertEquals(p - tick, security.book.orderPrice(BID, 0));
        assertEquals("order O1 Cancelled 0", events.get(0));
    }

    @Test
    void shouldNeverLetTheRandomFlowAmendOrCancelAClientOrder()
    {
        start(1, 0, 400);
        final SimSecurity security = exchange.securities()[0];
        final long tick = security.tickSize;
        broker.execute(place("ALICE-1", security).limitPrice(tick).quantity(security.lotSize)
            .validity(Validity.UntilCancel));
        final SimClientOrder bid = broker.order("O1");
        final long sellPrice = SimBroker.MAX_PRICE - SimBroker.MAX_PRICE % tick;
        final SimHolding holding = broker.accounts("alice").get(0).holdings.get(0);
        broker.execute(place("ALICE-1", holding.security).sell().limitPrice(sellPrice)
            .quantity(holding.security.lotSize).validity(Validity.UntilCancel));
        final SimClientOrder ask = broker.order("O2");

        for (int i = 0; i < 20_000; i++)
        {
            exchange.step(EPOCH_MS + i);
            for (final SimClientOrder order : List.of(bid, ask))
            {
                assertEquals(order.workingQuantity, bookQuantity(order), order.toString());
                assertEquals(order.quantity, order.executedQuantity + order.workingQuantity, order.toString());
            }
        }
        assertEquals(OrderStatus.Working, bid.status);
        assertEquals(OrderStatus.Working, ask.status);
    }

    private void start(final int securities, final int sessionSeconds, final int maxOrdersPerSide)
    {
        clock.update(EPOCH_MS);
        exchange = newExchange(securities, sessionSeconds, maxOrdersPerSide);
        broker = new SimBroker(exchange, clock, true, recorder);
    }

    private static SimExchange newExchange(final int securities, final int sessionSeconds, final int maxOrders)
    {
        return new SimExchange(List.of("XSX", "XNX"), securities, SEED, maxOrders, 100, sessionSeconds,
            SimListener.NONE);
    }

    /**
     * A request of alice's: a day limit buy at the previous close.
     */
    private SimBrokerRequest place(final String accountId, final SimSecurity security)
    {
        return request.place("alice", accountId).security(security).buy().limitPrice(security.closePrice);
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

    private static long bookQuantity(final SimClientOrder order)
    {
        final SimOrderBook book = order.security.book;
        for (int rank = 0; rank < book.orderCount(order.side); rank++)
        {
            if (book.orderId(order.side, rank) == order.bookOrderId)
            {
                return book.orderQuantity(order.side, rank);
            }
        }
        return 0;
    }

    private static long held(final SimAccount account, final SimSecurity security)
    {
        final SimHolding holding = account.holding(security);
        return null == holding ? 0 : holding.quantity;
    }

    private static List<String> ids(final List<SimAccount> accounts)
    {
        return accounts.stream().map(a -> a.id).toList();
    }

    private static void assertAnswer(final OrderResult result, final String error, final SimBroker.Answer answer)
    {
        assertNotNull(answer);
        assertEquals(result, answer.result(), answer.toString());
        assertEquals(null == error ? List.of() : List.of(error), answer.errors(), answer.toString());
    }
}
