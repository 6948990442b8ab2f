package io.meridian.engine;

import com.lmax.disruptor.RingBuffer;
import io.meridian.codecs.interlink.ItemType;

import java.util.function.IntConsumer;

/**
 * Sends client commands from gateway threads to the cache engine by publishing them onto the engine's ring. Never
 * blocks: when the ring is full the command is refused and the caller answers the client with an error.
 */
public final class EngineProxy
{
    /** Right to the Market controller's topics. */
    public static final int RIGHT_MARKET = 1;
    /** Right to the Trading controller's topics (accounts, orders, holdings, balances). */
    public static final int RIGHT_TRADING = 2;

    private final RingBuffer<RingEvent> ring;
    private final org.agrona.concurrent.status.AtomicCounter ringFull;

    /**
     * @param ring     the engine's ring.
     * @param ringFull counts commands refused because the ring was full.
     */
    EngineProxy(final RingBuffer<RingEvent> ring, final org.agrona.concurrent.status.AtomicCounter ringFull)
    {
        this.ring = ring;
        this.ringFull = ringFull;
    }

    /**
     * A client subscribes to a topic.
     *
     * @param session    the client.
     * @param controller Zenith controller, echoed in every message of the subscription.
     * @param topic      the topic exactly as the client sent it, echoed back.
     * @param itemType   what the topic names.
     * @param key        the item key, e.g. {@code BHP.XSX}.
     * @param confirm    whether the client asked for a confirmation.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean subscribe(
        final ClientSession session,
        final String controller,
        final String topic,
        final ItemType itemType,
        final String key,
        final boolean confirm)
    {
        return publish(RingEvent.SUBSCRIBE, session, controller, topic, itemType.value(), key, 0, confirm);
    }

    /**
     * A client subscribes to the Zenith {@code Feeds} list.
     *
     * @param session the client.
     * @param topic   the topic as the client sent it.
     * @param confirm whether the client asked for a confirmation.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean subscribeFeeds(final ClientSession session, final String topic, final boolean confirm)
    {
        return publish(RingEvent.SUBSCRIBE, session, "Zenith", topic, CacheEngine.FEEDS_KIND, null, 0, confirm);
    }

    /**
     * A client drops one reference to a topic.
     *
     * @param session    the client.
     * @param controller Zenith controller.
     * @param topic      the topic as the client sent it.
     * @param confirm    whether the client asked for a confirmation.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean unsubscribe(
        final ClientSession session, final String controller, final String topic, final boolean confirm)
    {
        return publish(RingEvent.UNSUBSCRIBE, session, controller, topic, 0, null, 0, confirm);
    }

    /**
     * A client asks for the current state of a security.
     *
     * @param session       the client.
     * @param transactionId echoed in the reply.
     * @param key           {@code CODE.MARKET}.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean querySecurity(final ClientSession session, final long transactionId, final String key)
    {
        return queryItem(session, transactionId, "QuerySecurity", ItemType.SECURITY, key);
    }

    /**
     * A client asks for the full state of an item: {@code QuerySecurity}, {@code QueryDepthFull},
     * {@code QueryDepthLevels}. The answer is the item's full state, as a subscription's first message.
     *
     * @param session       the client.
     * @param transactionId echoed in the reply.
     * @param topic         the query topic, echoed.
     * @param itemType      SECURITY, DEPTH or LEVELS.
     * @param key           {@code CODE.MARKET}.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean queryItem(
        final ClientSession session,
        final long transactionId,
        final String topic,
        final ItemType itemType,
        final String key)
    {
        return publish(RingEvent.QUERY_ITEM, session, "Market", topic, itemType.value(), key, transactionId, false);
    }

    /**
     * A client asks for trade history ({@code QueryTrades}).
     *
     * @param session       the client.
     * @param transactionId echoed in the reply.
     * @param key           {@code CODE.MARKET}.
     * @param count         most trades; 0 for all held.
     * @param firstTradeId  oldest trade id wanted, 0 if absent.
     * @param lastTradeId   newest trade id wanted, 0 if absent.
     * @param tradingDate   yyyymmdd, 0 for the current trading day.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean queryTrades(
        final ClientSession session,
        final long transactionId,
        final String key,
        final int count,
        final long firstTradeId,
        final long lastTradeId,
        final int tradingDate)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        final RingEvent event = fill(sequence, RingEvent.QUERY_TRADES, session, "Market", "QueryTrades",
            ItemType.TRADES.value(), key, transactionId, false);
        event.count = count;
        event.firstId = firstTradeId;
        event.lastId = lastTradeId;
        event.tradingDate = tradingDate;
        ring.publish(sequence);
        return true;
    }

    /**
     * A client searches for symbols ({@code SearchSymbols}, {@code QuerySymbols}).
     *
     * @param session       the client.
     * @param transactionId echoed in the reply.
     * @param query         the parsed search.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean querySymbols(final ClientSession session, final long transactionId, final SymbolQuery query)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        final RingEvent event = fill(sequence, RingEvent.QUERY_SYMBOLS, session, "Market", query.topic, 0, null,
            transactionId, false);
        event.request = query;
        ring.publish(sequence);
        return true;
    }

    /**
     * A client asks what a market's trading states allow ({@code QueryTradingStates}).
     *
     * @param session       the client.
     * @param transactionId echoed in the reply.
     * @param market        the market code.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean queryTradingStates(final ClientSession session, final long transactionId, final String market)
    {
        return publish(RingEvent.QUERY_TRADING_STATES, session, "Market", "QueryTradingStates", 0, market,
            transactionId, false);
    }

    /**
     * A client asks where orders can be routed ({@code QueryTradingMarkets}): one trading market per market.
     *
     * @param session       the client.
     * @param transactionId echoed in the reply.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean queryTradingMarkets(final ClientSession session, final long transactionId)
    {
        return publish(RingEvent.QUERY_TRADING_STATES, session, "Trading", "QueryTradingMarkets", 0, null,
            transactionId, false);
    }

    /**
     * A client asks for the market list.
     *
     * @param session       the client.
     * @param transactionId echoed in the reply.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean queryMarkets(final ClientSession session, final long transactionId)
    {
        return publish(RingEvent.QUERY_ITEM, session, "Market", "QueryMarkets", ItemType.MARKETS.value(), null,
            transactionId, false);
    }

    /**
     * A client subscribes to a trading topic: its user's account list ({@code Accounts}, key: the user), or an
     * account's orders, holdings or balances (key: the account id), which the engine allows only for the user's
     * accounts.
     *
     * @param session  the client.
     * @param topic    the topic as the client sent it.
     * @param itemType ACCOUNTS, ORDERS, HOLDINGS or BALANCES.
     * @param key      the user name for ACCOUNTS, else the account id.
     * @param user     the user the session authenticated as.
     * @param confirm  whether the client asked for a confirmation.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean subscribeTrading(
        final ClientSession session,
        final String topic,
        final ItemType itemType,
        final String key,
        final String user,
        final boolean confirm)
    {
        return publishForUser(RingEvent.SUBSCRIBE, session, topic, itemType.value(), key, 0, confirm, user);
    }

    /**
     * A client asks for the current state of a trading item: {@code QueryAccounts}, {@code QueryOrders},
     * {@code QueryHoldings}, {@code QueryBalances}.
     *
     * @param session       the client.
     * @param transactionId echoed in the reply.
     * @param topic         the query topic, echoed.
     * @param itemType      ACCOUNTS, ORDERS, HOLDINGS or BALANCES.
     * @param key           the user name for ACCOUNTS, else the account id.
     * @param user          the user the session authenticated as.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean queryTrading(
        final ClientSession session,
        final long transactionId,
        final String topic,
        final ItemType itemType,
        final String key,
        final String user)
    {
        return queryTrading(session, transactionId, topic, itemType, key, user, null);
    }

    /**
     * As {@link #queryTrading(ClientSession, long, String, ItemType, String, String)}, answering only the entries
     * a filter names: {@code [orderId]} for {@code QueryOrders}, {@code [exchange, code]} for
     * {@code QueryHoldings} (a null element matches anything).
     *
     * @param filter the filter, or null for every entry.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean queryTrading(
        final ClientSession session,
        final long transactionId,
        final String topic,
        final ItemType itemType,
        final String key,
        final String user,
        final String[] filter)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        final RingEvent event = fill(sequence, RingEvent.QUERY_ITEM, session, "Trading", topic, itemType.value(), key,
            transactionId, false);
        event.user = user;
        event.request = filter;
        ring.publish(sequence);
        return true;
    }

    /**
     * A client asks to place, amend, cancel or move an order. The request is an interlink {@code OrderRequest}
     * already encoded (header included) with its link and request ids left for the engine to fill in.
     *
     * @param session       the client.
     * @param transactionId echoed in the answer.
     * @param topic         PlaceOrder, AmendOrder, CancelOrder or MoveOrder, echoed.
     * @param user          the user the session authenticated as.
     * @param account       the account the request acts on.
     * @param request       buffer holding the encoded request.
     * @param length        its length, at most the ring's slot size.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean orderRequest(
        final ClientSession session,
        final long transactionId,
        final String topic,
        final String user,
        final String account,
        final org.agrona.DirectBuffer request,
        final int length)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        final RingEvent event = fill(sequence, RingEvent.ORDER_REQUEST, session, "Trading", topic, 0, account,
            transactionId, false);
        event.user = user;
        event.buffer.putBytes(0, request, 0, length);
        event.length = length;
        ring.publish(sequence);
        return true;
    }

    /**
     * The client's token has run out: stop sending it data, but keep its subscriptions, so that a renewal can
     * resume them ({@link #sessionRights} with {@code resume}).
     *
     * @param session the client.
     * @return false if the engine is overloaded and the command was not taken; try again.
     */
    public boolean pauseSession(final ClientSession session)
    {
        return publish(RingEvent.SESSION_PAUSE, session, null, null, 0, null, 0, false);
    }

    /**
     * The client renewed its token: drop every subscription of a controller it no longer has the right to (each
     * gets an {@code Error} {@code Authority}, then a server {@code Unsub} with {@code Confirm:true}), and if its
     * data was paused, send the full state of every subscription it keeps and resume.
     *
     * @param session the client.
     * @param rights  {@link #RIGHT_MARKET} and/or {@link #RIGHT_TRADING}.
     * @param resume  true if the data was paused by {@link #pauseSession}.
     * @return false if the engine is overloaded and the command was not taken; try again.
     */
    public boolean sessionRights(final ClientSession session, final int rights, final boolean resume)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        final RingEvent event = fill(sequence, RingEvent.SESSION_RIGHTS, session, null, null, 0, null, 0, resume);
        event.count = rights;
        ring.publish(sequence);
        return true;
    }

    /**
     * Clear the cache: every item nobody subscribes to is dropped and unsubscribed upstream; every item with
     * subscribers is fetched afresh from upstream, and its clients get full state again. The count of items dropped
     * and refreshed goes to {@code done}, on the engine thread.
     *
     * @param done told the number of items cleared.
     * @return false if the engine is overloaded and the command was not taken.
     */
    public boolean clearCache(final IntConsumer done)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        final RingEvent event = fill(sequence, RingEvent.CLEAR_CACHE, null, null, null, 0, null, 0, false);
        event.request = done;
        ring.publish(sequence);
        return true;
    }

    /**
     * A client went away: the engine forgets its subscriptions (the items stay cached).
     *
     * @param session the client.
     */
    public void sessionClosed(final ClientSession session)
    {
        // If the ring is full the engine still prunes the session when it next writes to it (isClosed()).
        session.markClosed();
        publish(RingEvent.SESSION_CLOSED, session, null, null, 0, null, 0, false);
    }

    private boolean publish(
        final int type,
        final ClientSession session,
        final String controller,
        final String topic,
        final int itemKind,
        final String key,
        final long transactionId,
        final boolean confirm)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        fill(sequence, type, session, controller, topic, itemKind, key, transactionId, confirm);
        ring.publish(sequence);
        return true;
    }

    private boolean publishForUser(
        final int type,
        final ClientSession session,
        final String topic,
        final int itemKind,
        final String key,
        final long transactionId,
        final boolean confirm,
        final String user)
    {
        final long sequence = claim();
        if (sequence < 0)
        {
            return false;
        }
        fill(sequence, type, session, "Trading", topic, itemKind, key, transactionId, confirm).user = user;
        ring.publish(sequence);
        return true;
    }

    private long claim()
    {
        try
        {
            return ring.tryNext();
        }
        catch (final com.lmax.disruptor.InsufficientCapacityException ex)
        {
            ringFull.increment();
            return -1;
        }
    }

    private RingEvent fill(
        final long sequence,
        final int type,
        final ClientSession session,
        final String controller,
        final String topic,
        final int itemKind,
        final String key,
        final long transactionId,
        final boolean confirm)
    {
        final RingEvent event = ring.get(sequence);
        event.type = type;
        event.session = session;
        event.controller = controller;
        event.topic = topic;
        event.itemKind = itemKind;
        event.key = key;
        event.transactionId = transactionId;
        event.confirm = confirm;
        return event;
    }
}
