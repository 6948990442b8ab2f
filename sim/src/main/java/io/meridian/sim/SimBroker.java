package io.meridian.sim;

import io.meridian.codecs.TradingStates;
import io.meridian.codecs.interlink.OrderResult;
import io.meridian.codecs.interlink.OrderStatus;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.Validity;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.EpochClock;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The simulated broker behind the Trading Agent: users, their accounts, and each account's cash, holdings and orders.
 * Client orders trade in the {@link SimExchange}'s books as ordinary book orders, so they show in depth and can be
 * filled by the simulation's own flow; the broker observes the exchange to learn of every fill. Single-threaded: it
 * must run on the thread that runs the exchange.
 * <p>
 * <b>Demo accounts.</b> When enabled, the first time a user name is seen (its account list is asked for, or it sends
 * a request) the user gets two accounts, {@code <PREFIX>-1} named {@code "<user> cash"} with 1,000,000.00 and
 * {@code <PREFIX>-2} named {@code "<user> margin"} with 250,000.00, both in USD, each holding 1,000 units of three
 * securities chosen from the user name. The prefix is the user name upper-cased, with every character other than
 * {@code A-Z} and {@code 0-9} turned into {@code -}, cut to {@value #MAX_ACCOUNT_PREFIX} characters, so the ids are the
 * same on every run. A name that is empty, longer than {@value #MAX_USER_LENGTH} characters, holds control
 * characters or no letter or digit, or whose ids another user already has, gets no accounts.
 * <p>
 * <b>Orders.</b> A place is vetted, then entered into the security's book: a limit order trades at once with what it
 * crosses, at the resting orders' prices, and the rest of it rests. Market and Best (treated alike) trade what can
 * trade now and are cancelled for the rest, or rejected when nothing is on the other side. MarketToLimit takes the
 * best opposite price as its limit. Validity FillAndKill cancels what does not trade at once; FillOrKill and AllOrNone
 * (treated as FillOrKill) are rejected, changing nothing, unless all of the quantity can trade at once; UntilDay and
 * UntilCancel rest. While the market is PreOpen nothing matches, so orders that need a price from the other side
 * or must trade at once (Market, Best, MarketToLimit; FillAndKill, FillOrKill, AllOrNone) are rejected. An order
 * moves from Working through PartiallyFilled to Filled, or ends Cancelled (by its owner, by its validity, or because a
 * full book side cancelled its oldest order to make room) or Expired (at the close, whose clearing of the book expires
 * UntilCancel orders as well as UntilDay ones). A place that passes the syntax checks but fails a business check is
 * kept as an order with status Rejected. Each account keeps its {@value #MAX_FINISHED_ORDERS} latest finished orders;
 * older ones are removed.
 * <p>
 * An amend gives a working order a new total quantity, above what it executed, and optionally a new limit price; a
 * lower quantity at the same price keeps the order's place in the book, anything else enters it again behind the
 * orders at its price, where it may trade at once. A move hands a working order, and what it holds back, to another
 * account of the same user; fills from then on go to that account.
 * <p>
 * <b>Money.</b> A buy needs Trading cash for its quantity at its limit price (a Market or Best order: for the quantity
 * that can trade now, at the worst price it reaches) and holds that back while it works; a sell needs its quantity
 * available in the holding, and holds those units back while it works. A fill moves cash by its value and the holding
 * by its quantity: a buy adds its value to the holding's cost, a sell takes off the holding's average cost.
 * <p>
 * <b>Requests</b> ({@link #execute}) are answered with the Zenith order error codes: {@code Account} (Rejected) for an
 * account that is unknown or another user's, also as the destination of a move; {@code Symbol} (Invalid);
 * {@code Route.Market}, {@code Side}, {@code OrderType}, {@code Validity}, {@code TotalQuantity} (not a positive
 * multiple of the lot), {@code TotalQuantity.Maximum}, {@code LimitPrice} (off the tick), {@code LimitPrice.Maximum},
 * {@code LimitPrice.Given} (Invalid); {@code LimitPrice.Missing} (Incomplete); {@code Symbol.Status} (market Closed),
 * {@code OrderType.Status} (PreOpen), {@code TotalQuantity.Maximum <n>} (only n can trade now),
 * {@code TotalValue.Balance}, {@code TotalQuantity.Holdings}, {@code Order.Status} (order finished) (Rejected);
 * {@code Order} (Invalid) for an order id unknown in the account. A request whose client request id
 * its account has seen among its last {@value SimAccount#MAX_REMEMBERED_REQUESTS} gets the first answer again and
 * changes nothing. Every change is reported to the {@link Listener}, coalesced: once per request, fill, eviction or
 * clearing of a book.
 */
final class SimBroker
{
    /** Cash of a user's first demo account: 1,000,000.00. */
    static final long DEMO_CASH_FIRST = 100_000_000L;
    /** Cash of a user's second demo account: 250,000.00. */
    static final long DEMO_CASH_SECOND = 25_000_000L;
    /** Units of each security a demo account starts with. */
    static final long DEMO_HOLDING_QUANTITY = 1_000;
    /** Securities a demo account starts with. */
    static final int DEMO_HOLDINGS = 3;
    static final int MAX_USER_LENGTH = 64;
    static final int MAX_ACCOUNT_PREFIX = 24;
    static final int MAX_ACCOUNT_ID_LENGTH = 64;
    static final int MAX_ACCOUNT_NAME_LENGTH = 128;
    /** Longest client request id accepted. */
    static final int MAX_CLIENT_REQUEST_ID_LENGTH = 64;
    static final long MAX_QUANTITY = 1_000_000_000L;
    /** Highest limit price accepted, 1,000,000.00, so no order value overflows. */
    static final long MAX_PRICE = 100_000_000L;
    static final int MAX_FINISHED_ORDERS = 200;

    static final String ACCOUNT = "Account";
    static final String SYMBOL = "Symbol";
    static final String SYMBOL_STATUS = "Symbol.Status";
    static final String ROUTE_MARKET = "Route.Market";
    static final String SIDE = "Side";
    static final String ORDER_TYPE = "OrderType";
    static final String ORDER_TYPE_STATUS = "OrderType.Status";
    static final String VALIDITY = "Validity";
    static final String TOTAL_QUANTITY = "TotalQuantity";
    static final String TOTAL_QUANTITY_MAXIMUM = "TotalQuantity.Maximum";
    static final String TOTAL_QUANTITY_HOLDINGS = "TotalQuantity.Holdings";
    static final String LIMIT_PRICE = "LimitPrice";
    static final String LIMIT_PRICE_MISSING = "LimitPrice.Missing";
    static final String LIMIT_PRICE_GIVEN = "LimitPrice.Given";
    static final String LIMIT_PRICE_MAXIMUM = "LimitPrice.Maximum";
    static final String TOTAL_VALUE_BALANCE = "TotalValue.Balance";
    static final String ORDER = "Order";
    static final String ORDER_STATUS = "Order.Status";
    static final String OPERATION = "Operation";
    /** Not a Zenith code: the client request id is longer than {@link #MAX_CLIENT_REQUEST_ID_LENGTH}. */
    static final String REQUEST_ID = "RequestID";

    /**
     * The answer to a request.
     *
     * @param result    the Zenith result.
     * @param orderId   the order the request made or changed; empty when there is none.
     * @param accountId the order's account after the request, or the account the request named.
     * @param errors    Zenith order error codes, each perhaps followed by a space and a value; empty on Success.
     */
    record Answer(OrderResult result, String orderId, String accountId, List<String> errors)
    {
        /**
         * @return the errors separated by newlines.
         */
        String errorText()
        {
            return String.join("\n", errors);
        }
    }

    /**
     * Learns every change the broker makes, after the request or exchange event that made it, in the order made.
     */
    interface Listener
    {
        /**
         * A user's account list gained an account.
         *
         * @param account the account.
         */
        default void onAccountAdded(final SimAccount account)
        {
        }

        /**
         * An account's order list gained an order: a new one, or one moved in from another account.
         *
         * @param order the order, in full.
         */
        default void onOrderAdded(final SimClientOrder order)
        {
        }

        /**
         * An order changed.
         *
         * @param order the order, in full.
         */
        default void onOrderChanged(final SimClientOrder order)
        {
        }

        /**
         * An account's order list lost an order: moved to another account, or an old finished order let go.
         *
         * @param order   the order; its account may already be another.
         * @param account the account that lost it.
         */
        default void onOrderRemoved(final SimClientOrder order, final SimAccount account)
        {
        }

        /**
         * A holding appeared or changed.
         *
         * @param holding the holding.
         * @param added   true when it is new to its account.
         */
        default void onHoldingChanged(final SimHolding holding, final boolean added)
        {
        }

        /**
         * A holding's quantity fell to zero and it was removed.
         *
         * @param holding the holding.
         */
        default void onHoldingRemoved(final SimHolding holding)
        {
        }

        /**
         * A balance's amount changed.
         *
         * @param account the account.
         * @param type    the {@link SimAccount#BALANCE_TYPES} index.
         */
        default void onBalanceChanged(final SimAccount account, final int type)
        {
        }
    }

    private final SimExchange exchange;
    private final EpochClock clock;
    private final boolean demoAccounts;
    private final Listener listener;
    private final Map<String, List<SimAccount>> accountsByUser = new HashMap<>();
    private final Map<String, SimAccount> accountById = new HashMap<>();
    private final Map<String, SimClientOrder> orderById = new HashMap<>();
    private final Int2ObjectHashMap<Long2ObjectHashMap<SimClientOrder>> restingBySecurity =
        new Int2ObjectHashMap<>();
    private final ArrayList<SimClientOrder> dirtyOrders = new ArrayList<>();
    private final ArrayList<SimHolding> dirtyHoldings = new ArrayList<>();
    private final ArrayList<SimAccount> dirtyAccounts = new ArrayList<>();
    private final ArrayList<SimClientOrder> cleared = new ArrayList<>();
    private final ArrayList<String> errors = new ArrayList<>();
    private boolean busy;
    private long lastOrderNumber;
    private long measuredQuantity;
    private long measuredWorstPrice;
    private long submitQuantity;
    private long requests;
    private long repeatedRequests;
    private long fills;

    /**
     * Start observing the exchange, which must have no other observer.
     *
     * @param exchange     the exchange client orders trade on.
     * @param clock        epoch clock for order times other than fills, which take their trade's time.
     * @param demoAccounts whether users get demo accounts when first seen.
     * @param listener     told of every change.
     */
    SimBroker(final SimExchange exchange, final EpochClock clock, final boolean demoAccounts, final Listener listener)
    {
        this.exchange = exchange;
        this.clock = clock;
        this.demoAccounts = demoAccounts;
        this.listener = listener;
        exchange.observer(new ExchangeObserver());
    }

    SimExchange exchange()
    {
        return exchange;
    }

    /**
     * The accounts of a user, in the order they were added; with demo accounts enabled, a user seen for the first time
     * gets them now.
     *
     * @param user the user name.
     * @return the accounts, unmodifiable; empty when the user has none.
     */
    List<SimAccount> accounts(final String user)
    {
        List<SimAccount> accounts = accountsByUser.get(user);
        if (null == accounts && demoAccounts && isValidUser(user))
        {
            accounts = new ArrayList<>();
            accountsByUser.put(user, accounts);
            provision(user);
        }
        return null == accounts ? List.of() : Collections.unmodifiableList(accounts);
    }

    /**
     * @param accountId an account id.
     * @return the account, or null if there is none.
     */
    SimAccount account(final String accountId)
    {
        return accountById.get(accountId);
    }

    /**
     * @param orderId an order id.
     * @return the order, or null if there is none (or it was let go).
     */
    SimClientOrder order(final String orderId)
    {
        return orderById.get(orderId);
    }

    /**
     * Add an account to a user, as demo provisioning does.
     *
     * @param user      the user name.
     * @param accountId the account id, unused so far: 1 to {@value #MAX_ACCOUNT_ID_LENGTH} printable ASCII
     *                  characters other than space.
     * @param name      the account name, at most {@value #MAX_ACCOUNT_NAME_LENGTH} characters.
     * @param cash      its cash, a value mantissa.
     * @return the account.
     * @throws IllegalArgumentException if the id is taken or either is too long or the id is not printable.
     */
    SimAccount addAccount(final String user, final String accountId, final String name, final long cash)
    {
        if (accountId.isEmpty() || accountId.length() > MAX_ACCOUNT_ID_LENGTH ||
            !accountId.chars().allMatch(c -> c > ' ' && c < 0x7F))
        {
            throw new IllegalArgumentException("account id must be 1 to " + MAX_ACCOUNT_ID_LENGTH +
                " printable ASCII characters: '" + accountId + "'");
        }
        if (name.length() > MAX_ACCOUNT_NAME_LENGTH)
        {
            throw new IllegalArgumentException("account name longer than " + MAX_ACCOUNT_NAME_LENGTH + ": " + name);
        }
        if (accountById.containsKey(accountId))
        {
            throw new IllegalArgumentException("account " + accountId + " exists already");
        }
        final SimAccount account = new SimAccount(accountId, user, name, cash);
        accountById.put(accountId, account);
        accountsByUser.computeIfAbsent(user, ignored -> new ArrayList<>()).add(account);
        listener.onAccountAdded(account);
        return account;
    }

    /**
     * Give an account units of a security, as bought at a price.
     *
     * @param account  the account.
     * @param security the security.
     * @param quantity units, more than 0.
     * @param price    price paid per unit, a price mantissa.
     */
    void addHolding(final SimAccount account, final SimSecurity security, final long quantity, final long price)
    {
        final SimHolding holding = holding(account, security);
        holding.quantity += quantity;
        holding.cost += quantity * price;
        dirty(holding);
        flush();
    }

    /**
     * @return requests executed, repeats included.
     */
    long requests()
    {
        return requests;
    }

    /**
     * @return requests answered with the answer remembered for their client request id.
     */
    long repeatedRequests()
    {
        return repeatedRequests;
    }

    /**
     * @return fills of client orders: each side of a trade that involves a client order counts once.
     */
    long fills()
    {
        return fills;
    }

    /**
     * Vet and carry out a place, amend, cancel or move. Every change it makes, including fills against the book, is
     * reported to the listener before this returns.
     *
     * @param request the request.
     * @return the answer.
     */
    Answer execute(final SimBrokerRequest request)
    {
        requests++;
        final SimAccount account = userAccount(request.user, request.accountId);
        if (null == account)
        {
            return new Answer(OrderResult.Rejected, "", request.accountId, List.of(ACCOUNT));
        }

        final String clientRequestId = request.clientRequestId;
        if (clientRequestId.length() > MAX_CLIENT_REQUEST_ID_LENGTH)
        {
            return new Answer(OrderResult.Invalid, "", account.id, List.of(REQUEST_ID));
        }
        if (!clientRequestId.isEmpty())
        {
            final Answer first = account.answers.get(clientRequestId);
            if (null != first)
            {
                repeatedRequests++;
                return first;
            }
        }

        final long nowMs = clock.time();
        final Answer answer;
        busy = true;
        try
        {
            if (null == request.kind)
            {
                answer = new Answer(OrderResult.Invalid, "", account.id, List.of(OPERATION));
            }
            else
            {
                switch (request.kind)
                {
                    case PLACE:
                        answer = place(request, account, nowMs);
                        break;
                    case AMEND:
                        answer = amend(request, account, nowMs);
                        break;
                    case CANCEL:
                        answer = cancel(request, account, nowMs);
                        break;
                    case MOVE:
                        answer = move(request, account, nowMs);
                        break;
                    default:
                        answer = new Answer(OrderResult.Invalid, "", account.id, List.of(OPERATION));
                        break;
                }
            }
        }
        finally
        {
            busy = false;
        }
        flush();

        if (!clientRequestId.isEmpty())
        {
            account.answers.put(clientRequestId, answer);
        }
        return answer;
    }

    /**
     * @param user a user name.
     * @return the account id prefix of its demo accounts, or null when the name cannot have any.
     */
    static String accountPrefix(final String user)
    {
        if (!isValidUser(user))
        {
            return null;
        }
        final StringBuilder prefix = new StringBuilder(MAX_ACCOUNT_PREFIX);
        boolean letterOrDigit = false;
        for (int i = 0, length = user.length(); i < length && prefix.length() < MAX_ACCOUNT_PREFIX; i++)
        {
            final char c = user.charAt(i);
            if (c >= 'a' && c <= 'z')
            {
                prefix.append((char)(c - 'a' + 'A'));
                letterOrDigit = true;
            }
            else if ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
            {
                prefix.append(c);
                letterOrDigit = true;
            }
            else
            {
                prefix.append('-');
            }
        }
        return letterOrDigit ? prefix.toString() : null;
    }

    /**
     * @param mantissa a price mantissa.
     * @param exponent its exponent.
     * @return the same price as a mantissa with {@link SimSecurity#PRICE_EXPONENT}; -1 when it is not above 0 or not
     * a whole number of hundredths; {@link Long#MAX_VALUE} when it is too large to hold.
     */
    static long priceMantissa(final long mantissa, final int exponent)
    {
        if (mantissa <= 0)
        {
            return -1;
        }
        final int shift = exponent - SimSecurity.PRICE_EXPONENT;
        if (0 == shift)
        {
            return mantissa;
        }
        if (shift > 0)
        {
            if (shift > 18)
            {
                return Long.MAX_VALUE;
            }
            final long factor = pow10(shift);
            return mantissa > Long.MAX_VALUE / factor ? Long.MAX_VALUE : mantissa * factor;
        }
        if (-shift > 18)
        {
            return -1;
        }
        final long divisor = pow10(-shift);
        return 0 == mantissa % divisor ? mantissa / divisor : -1;
    }

    /**
     * @param mantissa a price mantissa with {@link SimSecurity#PRICE_EXPONENT}.
     * @return it as decimal text with two decimals.
     */
    static String formatPrice(final long mantissa)
    {
        final long cents = Math.abs(mantissa % 100);
        return mantissa / 100 + (cents < 10 ? ".0" : ".") + cents;
    }

    private static boolean isValidUser(final String user)
    {
        if (user.isEmpty() || user.length() > MAX_USER_LENGTH)
        {
            return false;
        }
        for (int i = 0, length = user.length(); i < length; i++)
        {
            if (Character.isISOControl(user.charAt(i)))
            {
                return false;
            }
        }
        return true;
    }

    private static long pow10(final int power)
    {
        long value = 1;
        for (int i = 0; i < power; i++)
        {
            value *= 10;
        }
        return value;
    }

    private void provision(final String user)
    {
        final String prefix = accountPrefix(user);
        if (null == prefix)
        {
            return;
        }
        final String firstId = prefix + "-1";
        final String secondId = prefix + "-2";
        if (accountById.containsKey(firstId) || accountById.containsKey(secondId))
        {
            return;
        }

        final SimSecurity[] securities = exchange.securities();
        final int hash = prefix.hashCode();
        final SimAccount first = addAccount(user, firstId, user + " cash", DEMO_CASH_FIRST);
        final SimAccount second = addAccount(user, secondId, user + " margin", DEMO_CASH_SECOND);
        int accountNumber = 0;
        for (final SimAccount account : List.of(first, second))
        {
            final int start = Math.floorMod(hash + accountNumber * DEMO_HOLDINGS, securities.length);
            for (int i = 0, count = Math.min(DEMO_HOLDINGS, securities.length); i < count; i++)
            {
                final SimSecurity security = securities[(start + i) % securities.length];
                addHolding(account, security, DEMO_HOLDING_QUANTITY, security.closePrice);
            }
            accountNumber++;
        }
    }

    private SimAccount userAccount(final String user, final String accountId)
    {
        accounts(user);
        final SimAccount account = accountById.get(accountId);
        return null != account && account.user.equals(user) ? account : null;
    }

    private SimClientOrder ownOrder(final SimAccount account, final String orderId)
    {
        final SimClientOrder order = orderById.get(orderId);
        return null != order && order.account == account ? order : null;
    }

    private Answer place(final SimBrokerRequest request, final SimAccount account, final long nowMs)
    {
        final SimSecurity security = exchange.security(request.code + "." + request.exchange);
        if (null == security)
        {
            return new Answer(OrderResult.Invalid, "", account.id, List.of(SYMBOL));
        }

        errors.clear();
        if (!request.tradingMarket.isEmpty() && !request.tradingMarket.equals(security.market.code))
        {
            errors.add(ROUTE_MARKET);
        }
        if (Side.BID != request.side && Side.ASK != request.side)
        {
            errors.add(SIDE);
        }
        if (null == request.orderType)
        {
            errors.add(ORDER_TYPE);
        }
        if (null == request.validity)
        {
            errors.add(VALIDITY);
        }
        checkQuantity(request.quantity, security);
        long limitPrice = 0;
        if (OrderType.Limit == request.orderType)
        {
            if (request.hasLimitPrice)
            {
                limitPrice = limitPrice(request, security);
            }
            else
            {
                errors.add(LIMIT_PRICE_MISSING);
            }
        }
        else if (null != request.orderType && request.hasLimitPrice)
        {
            errors.add(LIMIT_PRICE_GIVEN);
        }
        if (!errors.isEmpty())
        {
            // Incomplete only when nothing given is wrong, just something missing.
            final boolean incomplete = 1 == errors.size() && LIMIT_PRICE_MISSING.equals(errors.get(0));
            return new Answer(incomplete ? OrderResult.Incomplete : OrderResult.Invalid, "", account.id,
                List.copyOf(errors));
        }

        final int side = Side.BID == request.side ? SimOrderBook.BID : SimOrderBook.ASK;
        final SimClientOrder order = new SimClientOrder("O" + ++lastOrderNumber, account, security, side,
            request.orderType, request.validity, request.quantity, nowMs);
        if (OrderType.Limit == request.orderType)
        {
            order.hasLimitPrice = true;
            order.limitPrice = limitPrice;
        }
        orderById.put(order.id, order);
        account.orders.add(order);

        final String rejection = vetPlace(order);
        if (null != rejection)
        {
            order.status = OrderStatus.Rejected;
            finished(order);
            dirty(order);
            return new Answer(OrderResult.Rejected, order.id, account.id, List.of(rejection));
        }

        final boolean matching = 0 != (TradingStates.allows(security.market.state) & TradingStates.MATCH);
        final long quantity = submitQuantity;
        reserve(order, quantity);
        if (quantity > 0)
        {
            submit(order, order.hasLimitPrice ? order.limitPrice : measuredWorstPrice, quantity, matching, nowMs);
        }

        if (isImmediate(order) && order.workingQuantity > 0)
        {
            // Unreachable while only what can trade is submitted; kept so an immediate order can never rest.
            cancelResting(order);
            release(order);
        }
        if (order.executedQuantity == order.quantity)
        {
            order.status = OrderStatus.Filled;
        }
        else if (isImmediate(order))
        {
            order.status = OrderStatus.Cancelled;
            order.updatedMs = nowMs;
            finished(order);
        }
        else
        {
            order.status = 0 == order.executedQuantity ? OrderStatus.Working : OrderStatus.PartiallyFilled;
        }
        dirty(order);
        return new Answer(OrderResult.Success, order.id, account.id, List.of());
    }

    /**
     * The business checks of a place; on success {@link #submitQuantity} is what to enter into the book now, and a
     * price is set for every order that has one.
     *
     * @return the error, or null when the order may go ahead.
     */
    private String vetPlace(final SimClientOrder order)
    {
        final SimSecurity security = order.security;
        final SimOrderBook book = security.book;
        final int allows = TradingStates.allows(security.market.state);
        if (0 == (allows & TradingStates.ORDER_PLACE))
        {
            return SYMBOL_STATUS;
        }

        final boolean immediate = isImmediate(order);
        final boolean matching = 0 != (allows & TradingStates.MATCH);
        if (!matching && (immediate || OrderType.MarketToLimit == order.orderType))
        {
            return ORDER_TYPE_STATUS;
        }

        measuredQuantity = 0;
        measuredWorstPrice = 0;
        if (matching)
        {
            final int other = 1 - order.side;
            if (OrderType.MarketToLimit == order.orderType)
            {
                if (0 == book.orderCount(other))
                {
                    return TOTAL_QUANTITY_MAXIMUM + " 0";
                }
                order.hasLimitPrice = true;
                order.limitPrice = book.orderPrice(other, 0);
            }
            measure(book, order);
            if (!order.hasLimitPrice && 0 == measuredQuantity)
            {
                return TOTAL_QUANTITY_MAXIMUM + " 0";
            }
            if ((Validity.FillOrKill == order.validity || Validity.AllOrNone == order.validity) &&
                measuredQuantity < order.quantity)
            {
                return TOTAL_QUANTITY_MAXIMUM + " " + measuredQuantity;
            }
        }
        submitQuantity = immediate ? measuredQuantity : order.quantity;

        if (order.isBuy())
        {
            order.reservePrice = order.hasLimitPrice ? order.limitPrice : measuredWorstPrice;
            final long needed = order.hasLimitPrice ? order.quantity * order.limitPrice :
                submitQuantity * measuredWorstPrice;
            if (needed > order.account.tradingBalance())
            {
                return TOTAL_VALUE_BALANCE;
            }
        }
        else if (order.quantity > order.account.available(security))
        {
            return TOTAL_QUANTITY_HOLDINGS;
        }
        return null;
    }

    /**
     * Walk the other side of the book as far as the order's limit allows: sets {@link #measuredQuantity}, what of the
     * order could trade now, and {@link #measuredWorstPrice}, the last price it would reach.
     */
    private void measure(final SimOrderBook book, final SimClientOrder order)
    {
        final int other = 1 - order.side;
        long quantity = 0;
        long worst = 0;
        for (int rank = 0, levels = book.levelCount(other); rank < levels && quantity < order.quantity; rank++)
        {
            final long price = book.levelPrice(other, rank);
            if (order.hasLimitPrice && (order.isBuy() ? price > order.limitPrice : price < order.limitPrice))
            {
                break;
            }
            quantity += Math.min(order.quantity - quantity, book.levelVolume(other, rank));
            worst = price;
        }
        measuredQuantity = quantity;
        measuredWorstPrice = worst;
    }

    private Answer amend(final SimBrokerRequest request, final SimAccount account, final long nowMs)
    {
        final SimClientOrder order = ownOrder(account, request.orderId);
        if (null == order)
        {
            return new Answer(OrderResult.Invalid, "", account.id, List.of(ORDER));
        }
        if (!order.isWorking())
        {
            return new Answer(OrderResult.Rejected, order.id, account.id, List.of(ORDER_STATUS));
        }

        final SimSecurity security = order.security;
        errors.clear();
        checkQuantity(request.quantity, security);
        if (errors.isEmpty() && request.quantity <= order.executedQuantity)
        {
            errors.add(TOTAL_QUANTITY);
        }
        final long limitPrice = request.hasLimitPrice ? limitPrice(request, security) : order.limitPrice;
        if (!errors.isEmpty())
        {
            return new Answer(OrderResult.Invalid, order.id, account.id, List.copyOf(errors));
        }

        final int allows = TradingStates.allows(security.market.state);
        if (0 == (allows & TradingStates.ORDER_AMEND))
        {
            return new Answer(OrderResult.Rejected, order.id, account.id, List.of(SYMBOL_STATUS));
        }

        final long working = request.quantity - order.executedQuantity;
        if (order.isBuy())
        {
            if (working * limitPrice - order.reservedCash() > account.tradingBalance())
            {
                return new Answer(OrderResult.Rejected, order.id, account.id, List.of(TOTAL_VALUE_BALANCE));
            }
        }
        else if (working - order.workingQuantity > account.available(security))
        {
            return new Answer(OrderResult.Rejected, order.id, account.id, List.of(TOTAL_QUANTITY_HOLDINGS));
        }

        if (limitPrice == order.limitPrice && working == order.workingQuantity)
        {
            return new Answer(OrderResult.Success, order.id, account.id, List.of());
        }

        order.quantity = request.quantity;
        order.updatedMs = nowMs;
        if (limitPrice == order.limitPrice && working < order.workingQuantity)
        {
            // Only a lower quantity at the same price keeps the order's priority.
            security.book.amend(order.side, rank(order), working);
            release(order);
            reserve(order, working);
        }
        else
        {
            cancelResting(order);
            release(order);
            order.limitPrice = limitPrice;
            order.hasLimitPrice = true;
            order.reservePrice = order.isBuy() ? limitPrice : 0;
            reserve(order, working);
            submit(order, limitPrice, working, 0 != (allows & TradingStates.MATCH), nowMs);
        }
        dirty(order);
        return new Answer(OrderResult.Success, order.id, account.id, List.of());
    }

    private Answer cancel(final SimBrokerRequest request, final SimAccount account, final long nowMs)
    {
        final SimClientOrder order = ownOrder(account, request.orderId);
        if (null == order)
        {
            return new Answer(OrderResult.Invalid, "", account.id, List.of(ORDER));
        }
        if (!order.isWorking())
        {
            return new Answer(OrderResult.Rejected, order.id, account.id, List.of(ORDER_STATUS));
        }
        if (0 == (TradingStates.allows(order.security.market.state) & TradingStates.ORDER_CANCEL))
        {
            return new Answer(OrderResult.Rejected, order.id, account.id, List.of(SYMBOL_STATUS));
        }

        cancelResting(order);
        end(order, OrderStatus.Cancelled, nowMs);
        return new Answer(OrderResult.Success, order.id, account.id, List.of());
    }

    private Answer move(final SimBrokerRequest request, final SimAccount account, final long nowMs)
    {
        final SimClientOrder order = ownOrder(account, request.orderId);
        if (null == order)
        {
            return new Answer(OrderResult.Invalid, "", account.id, List.of(ORDER));
        }
        final SimAccount destination = accountById.get(request.destination);
        if (null == destination || !destination.user.equals(account.user))
        {
            return new Answer(OrderResult.Rejected, order.id, account.id, List.of(ACCOUNT));
        }
        if (destination == account)
        {
            return new Answer(OrderResult.Success, order.id, account.id, List.of());
        }
        if (!order.isWorking())
        {
            return new Answer(OrderResult.Rejected, order.id, account.id, List.of(ORDER_STATUS));
        }
        if (0 == (TradingStates.allows(order.security.market.state) & TradingStates.ORDER_MOVE))
        {
            return new Answer(OrderResult.Rejected, order.id, account.id, List.of(SYMBOL_STATUS));
        }
        if (order.isBuy() ? order.reservedCash() > destination.tradingBalance() :
            order.workingQuantity > destination.available(order.security))
        {
            return new Answer(OrderResult.Rejected, order.id, account.id,
                List.of(order.isBuy() ? TOTAL_VALUE_BALANCE : TOTAL_QUANTITY_HOLDINGS));
        }

        final long working = order.workingQuantity;
        release(order);
        account.orders.remove(order);
        if (order.announced)
        {
            listener.onOrderRemoved(order, account);
            order.announced = false;
        }
        dirty(account);
        order.account = destination;
        destination.orders.add(order);
        reserve(order, working);
        order.updatedMs = nowMs;
        dirty(order);
        return new Answer(OrderResult.Success, order.id, destination.id, List.of());
    }

    private void checkQuantity(final long quantity, final SimSecurity security)
    {
        if (quantity <= 0 || 0 != quantity % security.lotSize)
        {
            errors.add(TOTAL_QUANTITY);
        }
        else if (quantity > MAX_QUANTITY)
        {
            errors.add(TOTAL_QUANTITY_MAXIMUM + " " + MAX_QUANTITY);
        }
    }

    /**
     * @return the request's limit price as a price mantissa, or 0 after adding the error.
     */
    private long limitPrice(final SimBrokerRequest request, final SimSecurity security)
    {
        final long price = priceMantissa(request.limitMantissa, request.limitExponent);
        if (price > MAX_PRICE)
        {
            errors.add(LIMIT_PRICE_MAXIMUM + " " + formatPrice(MAX_PRICE));
            return 0;
        }
        if (price <= 0 || 0 != price % security.tickSize)
        {
            errors.add(LIMIT_PRICE);
            return 0;
        }
        return price;
    }

    private static boolean isImmediate(final SimClientOrder order)
    {
        return OrderType.Market == order.orderType || OrderType.Best == order.orderType ||
            Validity.FillAndKill == order.validity || Validity.FillOrKill == order.validity ||
            Validity.AllOrNone == order.validity;
    }

    /**
     * Enter the order's working quantity into its book as a client order; the fills it makes at once come back
     * through the observer.
     */
    private void submit(
        final SimClientOrder order, final long price, final long quantity, final boolean match, final long nowMs)
    {
        final SimOrderBook book = order.security.book;
        final long bookOrderId = book.nextOrderId();
        order.bookOrderId = bookOrderId;
        resting(order.security).put(bookOrderId, order);
        final long entered = book.submit(order.side, price, quantity, match, nowMs, true);
        if (entered != bookOrderId)
        {
            throw new IllegalStateException("book gave order id " + entered + ", expected " + bookOrderId);
        }
    }

    private Long2ObjectHashMap<SimClientOrder> resting(final SimSecurity security)
    {
        Long2ObjectHashMap<SimClientOrder> resting = restingBySecurity.get(security.index);
        if (null == resting)
        {
            resting = new Long2ObjectHashMap<>();
            restingBySecurity.put(security.index, resting);
        }
        return resting;
    }

    private void unregister(final SimClientOrder order)
    {
        if (0 != order.bookOrderId)
        {
            resting(order.security).remove(order.bookOrderId);
            order.bookOrderId = 0;
        }
    }

    /**
     * Take a working order out of its book, if it rests there.
     */
    private void cancelResting(final SimClientOrder order)
    {
        if (0 == order.bookOrderId)
        {
            return;
        }
        final int rank = rank(order);
        unregister(order);
        order.security.book.cancel(order.side, rank);
    }

    private int rank(final SimClientOrder order)
    {
        final SimOrderBook book = order.security.book;
        for (int rank = 0, count = book.orderCount(order.side); rank < count; rank++)
        {
            if (book.orderId(order.side, rank) == order.bookOrderId)
            {
                return rank;
            }
        }
        throw new IllegalStateException("client order not in its book: " + order);
    }

    /**
     * Hold back what the order needs to work the quantity: cash at its reserve price for a buy, units for a sell.
     */
    private void reserve(final SimClientOrder order, final long quantity)
    {
        order.workingQuantity = quantity;
        if (order.isBuy())
        {
            order.account.reservedForBuys += quantity * order.reservePrice;
            dirty(order.account);
        }
        else if (quantity > 0)
        {
            final SimHolding holding = holding(order.account, order.security);
            holding.reservedForSells += quantity;
            dirty(holding);
        }
    }

    /**
     * Let go of what the order holds back; it works nothing after this.
     */
    private void release(final SimClientOrder order)
    {
        final long quantity = order.workingQuantity;
        order.workingQuantity = 0;
        if (order.isBuy())
        {
            order.account.reservedForBuys -= quantity * order.reservePrice;
            dirty(order.account);
        }
        else if (quantity > 0)
        {
            final SimHolding holding = holding(order.account, order.security);
            holding.reservedForSells -= quantity;
            dirty(holding);
        }
    }

    private void end(final SimClientOrder order, final OrderStatus status, final long nowMs)
    {
        release(order);
        order.status = status;
        order.updatedMs = nowMs;
        finished(order);
        dirty(order);
    }

    private void fill(final SimClientOrder order, final long price, final long quantity, final long timeMs)
    {
        fills++;
        final long value = price * quantity;
        order.executedQuantity += quantity;
        order.executedValue += value;
        order.workingQuantity -= quantity;
        order.updatedMs = timeMs;

        final SimAccount account = order.account;
        final SimHolding holding = holding(account, order.security);
        if (order.isBuy())
        {
            account.reservedForBuys -= quantity * order.reservePrice;
            account.cash -= value;
            holding.quantity += quantity;
            holding.cost += value;
        }
        else
        {
            holding.reservedForSells -= quantity;
            holding.cost -= quantity == holding.quantity ? holding.cost : holding.cost * quantity / holding.quantity;
            holding.quantity -= quantity;
            account.cash += value;
        }

        if (0 == order.workingQuantity)
        {
            unregister(order);
        }
        if (order.executedQuantity == order.quantity)
        {
            order.status = OrderStatus.Filled;
            finished(order);
        }
        else
        {
            order.status = OrderStatus.PartiallyFilled;
        }
        dirty(order);
        dirty(holding);
        dirty(account);
    }

    private SimHolding holding(final SimAccount account, final SimSecurity security)
    {
        SimHolding holding = account.holding(security);
        if (null == holding)
        {
            holding = new SimHolding(account, security);
            account.holdings.add(holding);
            account.holdingBySecurity.put(security.index, holding);
        }
        return holding;
    }

    private void finished(final SimClientOrder order)
    {
        order.account.finishedOrders++;
        dirty(order.account);
    }

    private void dirty(final SimClientOrder order)
    {
        if (!order.dirty)
        {
            order.dirty = true;
            dirtyOrders.add(order);
        }
    }

    private void dirty(final SimHolding holding)
    {
        if (!holding.dirty)
        {
            holding.dirty = true;
            dirtyHoldings.add(holding);
        }
    }

    private void dirty(final SimAccount account)
    {
        if (!account.dirty)
        {
            account.dirty = true;
            dirtyAccounts.add(account);
        }
    }

    /**
     * Tell the listener of everything changed since the last flush: orders, then holdings, then balances; then let
     * go of the oldest finished orders of accounts over their limit. Deferred while a request is being carried out,
     * so a new order is announced once, complete.
     */
    private void flush()
    {
        if (busy)
        {
            return;
        }

        for (int i = 0; i < dirtyOrders.size(); i++)
        {
            final SimClientOrder order = dirtyOrders.get(i);
            order.dirty = false;
            if (order.announced)
            {
                listener.onOrderChanged(order);
            }
            else
            {
                order.announced = true;
                listener.onOrderAdded(order);
            }
        }
        dirtyOrders.clear();

        for (int i = 0; i < dirtyHoldings.size(); i++)
        {
            final SimHolding holding = dirtyHoldings.get(i);
            holding.dirty = false;
            if (0 == holding.quantity)
            {
                final SimAccount account = holding.account;
                account.holdings.remove(holding);
                account.holdingBySecurity.remove(holding.security.index);
                if (holding.announced)
                {
                    listener.onHoldingRemoved(holding);
                }
            }
            else
            {
                final boolean added = !holding.announced;
                holding.announced = true;
                listener.onHoldingChanged(holding, added);
            }
        }
        dirtyHoldings.clear();

        for (int i = 0; i < dirtyAccounts.size(); i++)
        {
            final SimAccount account = dirtyAccounts.get(i);
            account.dirty = false;
            for (int type = 0; type < account.notifiedBalances.length; type++)
            {
                final long amount = account.balance(type);
                if (amount != account.notifiedBalances[type])
                {
                    account.notifiedBalances[type] = amount;
                    listener.onBalanceChanged(account, type);
                }
            }
            while (account.finishedOrders > MAX_FINISHED_ORDERS)
            {
                forgetOldestFinished(account);
            }
        }
        dirtyAccounts.clear();
    }

    private void forgetOldestFinished(final SimAccount account)
    {
        final List<SimClientOrder> orders = account.orders;
        for (int i = 0, size = orders.size(); i < size; i++)
        {
            final SimClientOrder order = orders.get(i);
            if (!order.isWorking())
            {
                orders.remove(i);
                orderById.remove(order.id);
                account.finishedOrders--;
                listener.onOrderRemoved(order, account);
                return;
            }
        }
        account.finishedOrders = 0;
    }

    /**
     * Learns from the exchange of the fills, evictions and clearings that touch client orders.
     */
    private final class ExchangeObserver implements SimListener
    {
        public void onTrade(final SimSecurity security, final long tradeId)
        {
            final Long2ObjectHashMap<SimClientOrder> resting = restingBySecurity.get(security.index);
            if (null == resting || resting.isEmpty())
            {
                return;
            }
            final SimTradeHistory trades = security.trades;
            final SimClientOrder buy = resting.get(trades.buyOrderId(tradeId));
            final SimClientOrder sell = resting.get(trades.sellOrderId(tradeId));
            if (null == buy && null == sell)
            {
                return;
            }
            final long price = trades.price(tradeId);
            final long quantity = trades.quantity(tradeId);
            final long timeMs = trades.timeMs(tradeId);
            if (null != buy)
            {
                fill(buy, price, quantity, timeMs);
            }
            if (null != sell)
            {
                fill(sell, price, quantity, timeMs);
            }
            flush();
        }

        public void onOrderEvicted(final SimSecurity security, final int side, final long orderId)
        {
            final Long2ObjectHashMap<SimClientOrder> resting = restingBySecurity.get(security.index);
            final SimClientOrder order = null == resting ? null : resting.get(orderId);
            if (null != order)
            {
                unregister(order);
                end(order, OrderStatus.Cancelled, clock.time());
                flush();
            }
        }

        public void onBookCleared(final SimSecurity security)
        {
            final Long2ObjectHashMap<SimClientOrder> resting = restingBySecurity.get(security.index);
            if (null == resting || resting.isEmpty())
            {
                return;
            }
            cleared.addAll(resting.values());
            resting.clear();
            final long nowMs = clock.time();
            for (int i = 0; i < cleared.size(); i++)
            {
                final SimClientOrder order = cleared.get(i);
                order.bookOrderId = 0;
                end(order, OrderStatus.Expired, nowMs);
            }
            cleared.clear();
            flush();
        }
    }
}
