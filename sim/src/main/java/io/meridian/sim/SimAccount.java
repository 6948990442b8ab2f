package io.meridian.sim;

import org.agrona.collections.Int2ObjectHashMap;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One trading account of a user of the {@link SimBroker}: its cash, its holdings, its orders and the answers to its
 * recent requests. Amounts are value mantissas with {@link SimSecurity#VALUE_EXPONENT} in {@link #CURRENCY}.
 * <p>
 * Its balances are, by {@link #BALANCE_TYPES} index: {@link #NET_BALANCE}, the cash; {@link #TRADING}, the cash free to
 * trade, that is the cash less what working buy orders hold back; {@link #UNFILLED_BUYS}, what working buy orders hold
 * back. Only the broker changes an account.
 */
final class SimAccount
{
    /** The only currency the simulated broker keeps accounts in. */
    static final String CURRENCY = SimSecurity.CURRENCY;
    /** Zenith balance type names, by balance index. */
    static final List<String> BALANCE_TYPES = List.of("NetBalance", "Trading", "UnfilledBuys");
    static final int NET_BALANCE = 0;
    static final int TRADING = 1;
    static final int UNFILLED_BUYS = 2;
    /** Answers to requests with a client request id an account remembers, the oldest forgotten first. */
    static final int MAX_REMEMBERED_REQUESTS = 10_000;

    final String id;
    final byte[] idBytes;
    final String user;
    final String name;
    final byte[] nameBytes;
    final List<SimHolding> holdings = new ArrayList<>();
    final Int2ObjectHashMap<SimHolding> holdingBySecurity = new Int2ObjectHashMap<>();
    final List<SimClientOrder> orders = new ArrayList<>();
    final long[] notifiedBalances = new long[BALANCE_TYPES.size()];
    final Map<String, SimBroker.Answer> answers = new LinkedHashMap<>(16, 0.75f, false)
    {
        protected boolean removeEldestEntry(final Map.Entry<String, SimBroker.Answer> eldest)
        {
            return size() > MAX_REMEMBERED_REQUESTS;
        }
    };
    long cash;
    long reservedForBuys;
    int finishedOrders;
    boolean dirty;

    SimAccount(final String id, final String user, final String name, final long cash)
    {
        this.id = id;
        this.idBytes = id.getBytes(StandardCharsets.UTF_8);
        this.user = user;
        this.name = name;
        this.nameBytes = name.getBytes(StandardCharsets.UTF_8);
        this.cash = cash;
        for (int type = 0; type < notifiedBalances.length; type++)
        {
            notifiedBalances[type] = balance(type);
        }
    }

    /**
     * @param type a {@link #BALANCE_TYPES} index.
     * @return the amount of that balance now.
     */
    long balance(final int type)
    {
        switch (type)
        {
            case NET_BALANCE:
                return cash;
            case TRADING:
                return cash - reservedForBuys;
            case UNFILLED_BUYS:
                return reservedForBuys;
            default:
                throw new IllegalArgumentException("no balance type " + type);
        }
    }

    /**
     * @return cash free to trade: the cash less what working buy orders hold back.
     */
    long tradingBalance()
    {
        return cash - reservedForBuys;
    }

    /**
     * @param security a security.
     * @return the holding of it, or null if the account holds none.
     */
    SimHolding holding(final SimSecurity security)
    {
        return holdingBySecurity.get(security.index);
    }

    /**
     * @param security a security.
     * @return units of it free to sell; 0 when none are held.
     */
    long available(final SimSecurity security)
    {
        final SimHolding holding = holding(security);
        return null == holding ? 0 : holding.available();
    }

    public String toString()
    {
        return "SimAccount{" + id + " of " + user + " cash=" + cash + " reservedForBuys=" + reservedForBuys + "}";
    }
}
