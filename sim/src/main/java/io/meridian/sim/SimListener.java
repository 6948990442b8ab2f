package io.meridian.sim;

/**
 * Receives every change the simulated exchange makes, in the order it makes them, so a publisher can turn each into a
 * delta of the item it belongs to. Sides are {@link SimOrderBook#BID} and {@link SimOrderBook#ASK}; prices and
 * quantities are mantissas with {@link SimSecurity#PRICE_EXPONENT} and {@link SimSecurity#QUANTITY_EXPONENT}.
 */
interface SimListener
{
    /** Ignores everything. */
    SimListener NONE = new SimListener()
    {
    };

    /**
     * A new order rests in the book.
     *
     * @param security the security.
     * @param side     its side.
     * @param orderId  its id, unique in the security.
     * @param position its priority within its price: later orders at a price have higher positions.
     * @param price    its price.
     * @param quantity its quantity.
     */
    default void onOrderAdded(
        final SimSecurity security,
        final int side,
        final long orderId,
        final long position,
        final long price,
        final long quantity)
    {
    }

    /**
     * A resting order's quantity went down: amended or partly filled.
     *
     * @param security the security.
     * @param side     its side.
     * @param orderId  its id.
     * @param quantity its new quantity.
     */
    default void onOrderQuantity(final SimSecurity security, final int side, final long orderId, final long quantity)
    {
    }

    /**
     * A resting order left the book: cancelled or filled.
     *
     * @param security the security.
     * @param side     its side.
     * @param orderId  its id.
     */
    default void onOrderRemoved(final SimSecurity security, final int side, final long orderId)
    {
    }

    /**
     * A full side is about to cancel its oldest order to make room for a new one; {@link #onOrderRemoved} for it
     * follows. Tells a cancel apart from a fill, whose removal is followed by {@link #onTrade} instead.
     *
     * @param security the security.
     * @param side     its side.
     * @param orderId  its id.
     */
    default void onOrderEvicted(final SimSecurity security, final int side, final long orderId)
    {
    }

    /**
     * A price level appeared, or its volume or order count changed.
     *
     * @param security the security.
     * @param added    true when the level is new.
     * @param side     its side.
     * @param levelId  its id, stable while the level exists.
     * @param price    its price.
     * @param volume   total quantity of its orders.
     * @param count    number of its orders.
     */
    default void onLevel(
        final SimSecurity security,
        final boolean added,
        final int side,
        final long levelId,
        final long price,
        final long volume,
        final int count)
    {
    }

    /**
     * A price level has no orders left.
     *
     * @param security the security.
     * @param side     its side.
     * @param levelId  its id.
     * @param price    its price.
     */
    default void onLevelRemoved(final SimSecurity security, final int side, final long levelId, final long price)
    {
    }

    /**
     * Every order and level of the book was removed at once.
     *
     * @param security the security.
     */
    default void onBookCleared(final SimSecurity security)
    {
    }

    /**
     * A trade was added to the security's history.
     *
     * @param security the security.
     * @param tradeId  its id.
     */
    default void onTrade(final SimSecurity security, final long tradeId)
    {
    }

    /**
     * Security fields changed; {@link SimSecurity#nullMask} says which of them are now null.
     *
     * @param security the security.
     * @param changed  {@link io.meridian.codecs.SecurityFields} bits of the fields whose value or nullness changed.
     */
    default void onSecurityChanged(final SimSecurity security, final long changed)
    {
    }

    /**
     * A market changed trading state.
     *
     * @param market the market, already in its new state.
     */
    default void onMarketStateChanged(final SimMarket market)
    {
    }
}
