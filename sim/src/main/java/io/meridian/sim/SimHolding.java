package io.meridian.sim;

/**
 * Units of one security an account of the {@link SimBroker} holds, what they cost, and how many of them working sell
 * orders hold back. Cost is a value mantissa with {@link SimSecurity#VALUE_EXPONENT}. Only the broker changes it.
 */
final class SimHolding
{
    /** Exponent of {@link #averagePrice()}. */
    static final byte AVERAGE_PRICE_EXPONENT = SimSecurity.VWAP_EXPONENT;

    final SimAccount account;
    final SimSecurity security;
    long quantity;
    long cost;
    long reservedForSells;
    boolean announced;
    boolean dirty;

    SimHolding(final SimAccount account, final SimSecurity security)
    {
        this.account = account;
        this.security = security;
    }

    /**
     * @return units free to sell: the quantity less what working sell orders hold back.
     */
    long available()
    {
        return quantity - reservedForSells;
    }

    /**
     * @return cost over quantity, rounded half up to {@link #AVERAGE_PRICE_EXPONENT}; 0 when nothing is held.
     */
    long averagePrice()
    {
        return 0 == quantity ? 0 : SimSecurity.vwap(cost, quantity);
    }

    public String toString()
    {
        return "SimHolding{" + account.id + " " + security.key + " quantity=" + quantity + " available=" +
            available() + " cost=" + cost + "}";
    }
}
