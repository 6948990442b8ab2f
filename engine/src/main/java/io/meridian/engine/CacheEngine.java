package io.meridian.engine;

import com.lmax.disruptor.EventHandler;
import io.meridian.codecs.TradingStates;
import io.meridian.codecs.interlink.AccountUpdateDecoder;
import io.meridian.codecs.interlink.BalanceUpdateDecoder;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.HoldingUpdateDecoder;
import io.meridian.codecs.interlink.OrderRequestDecoder;
import io.meridian.codecs.interlink.OrderRequestEncoder;
import io.meridian.codecs.interlink.OrderResponseDecoder;
import io.meridian.codecs.interlink.OrderResult;
import io.meridian.codecs.interlink.OrderUpdateDecoder;
import io.meridian.codecs.interlink.DepthLevelUpdateDecoder;
import io.meridian.codecs.interlink.DepthOrderUpdateDecoder;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.ItemState;
import io.meridian.codecs.interlink.ItemStatusDecoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MarketUpdateDecoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SecurityUpdateDecoder;
import io.meridian.codecs.interlink.SnapshotBeginDecoder;
import io.meridian.codecs.interlink.SnapshotEndDecoder;
import io.meridian.codecs.interlink.SubscribeEncoder;
import io.meridian.codecs.interlink.SubscribeResultDecoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.SymbolUpdateDecoder;
import io.meridian.codecs.interlink.TradeHistoryRequestDecoder;
import io.meridian.codecs.interlink.TradeHistoryRequestEncoder;
import io.meridian.codecs.interlink.TradeHistoryResponseDecoder;
import io.meridian.codecs.interlink.TradeUpdateDecoder;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.UnsubscribeEncoder;
import io.meridian.codecs.json.JsonWriter;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The cache state machine: the single consumer of the ring and the only writer of cache state. Applies upstream
 * snapshots and updates to items, keeps one upstream subscription per item for every client (and after the last
 * client leaves), and fans each change out as one encoded delta copied into every subscriber's outbox.
 */
final class CacheEngine implements EventHandler<RingEvent>
{
    private static final String MARKET_CONTROLLER = "Market";
    private static final String TRADING_CONTROLLER = "Trading";
    private static final String TRADING_MARKETS = "QueryTradingMarkets";
    private static final String TRADING_ACCOUNTS = "TradingAccounts";
    private static final long HOUSEKEEPING_INTERVAL_MS = 1000;

    /** Engine-local item kind of the Zenith {@code Feeds} list; not an interlink item type. */
    static final int FEEDS_KIND = 100;

    private final EngineCounters counters;
    private final UpstreamLink marketLink;
    private final UpstreamLink tradingLink;
    private final UpstreamLink[] links;
    /** The link the upstream message being handled came from. */
    private UpstreamLink current;

    private final Object2ObjectHashMap<String, Item> securities = new Object2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Item> depths = new Object2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Item> levels = new Object2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Item> trades = new Object2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Item> symbols = new Object2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Item> accountLists = new Object2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Item> orders = new Object2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Item> holdings = new Object2ObjectHashMap<>();
    private final Object2ObjectHashMap<String, Item> balances = new Object2ObjectHashMap<>();
    /** Every table of items keyed by symbol or market: all items but the market list and the feeds. */
    private final List<Object2ObjectHashMap<String, Item>> keyedTables = List.of(securities, depths, levels, trades,
        symbols, accountLists, orders, holdings, balances);
    private final Long2ObjectHashMap<HistoryRequest> historyRequests = new Long2ObjectHashMap<>();
    private final Long2ObjectHashMap<RelayedHistory> relayedHistory = new Long2ObjectHashMap<>();
    private final TradeHistoryRequestDecoder historyRequestDecoder = new TradeHistoryRequestDecoder();
    private final ArrayList<SymbolSearch> symbolSearches = new ArrayList<>();
    private final ArrayList<Item.PendingQuery> tradingStateQueries = new ArrayList<>();
    private final int tradeHistory;
    private final long[] tradeScratch = new long[TradesItem.columns()];
    private final MarketsItem markets = new MarketsItem();
    private final DownstreamServer downstream;
    private final FeedsItem feeds = new FeedsItem(markets);
    private final Long2ObjectHashMap<Map<String, Subscription>> sessions = new Long2ObjectHashMap<>();
    private final ArrayList<ClientSession> dirtySessions = new ArrayList<>();

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SubscribeResultDecoder subscribeResultDecoder = new SubscribeResultDecoder();
    private final SnapshotBeginDecoder snapshotBeginDecoder = new SnapshotBeginDecoder();
    private final SnapshotEndDecoder snapshotEndDecoder = new SnapshotEndDecoder();
    private final SecurityUpdateDecoder securityUpdateDecoder = new SecurityUpdateDecoder();
    private final MarketUpdateDecoder marketUpdateDecoder = new MarketUpdateDecoder();
    private final ItemStatusDecoder itemStatusDecoder = new ItemStatusDecoder();
    private final DepthOrderUpdateDecoder depthDecoder = new DepthOrderUpdateDecoder();
    private final DepthLevelUpdateDecoder levelDecoder = new DepthLevelUpdateDecoder();
    private final TradeUpdateDecoder tradeDecoder = new TradeUpdateDecoder();
    private final SymbolUpdateDecoder symbolDecoder = new SymbolUpdateDecoder();
    private final TradeHistoryResponseDecoder historyDecoder = new TradeHistoryResponseDecoder();
    private final AccountUpdateDecoder accountDecoder = new AccountUpdateDecoder();
    private final OrderUpdateDecoder orderDecoder = new OrderUpdateDecoder();
    private final HoldingUpdateDecoder holdingDecoder = new HoldingUpdateDecoder();
    private final BalanceUpdateDecoder balanceDecoder = new BalanceUpdateDecoder();
    private final OrderResponseDecoder orderResponseDecoder = new OrderResponseDecoder();
    private final OrderRequestEncoder orderRequestEncoder = new OrderRequestEncoder();
    private final OrderRequestDecoder orderRequestDecoder = new OrderRequestDecoder();
    private final Long2ObjectHashMap<PendingOrder> pendingOrders = new Long2ObjectHashMap<>();
    private final ArrayList<PendingOrder> expiredOrders = new ArrayList<>();
    private final TradeHistoryRequestEncoder historyRequestEncoder = new TradeHistoryRequestEncoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SubscribeEncoder subscribeEncoder = new SubscribeEncoder();
    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    /**
     * The latest sequence number seen on the shared stream for each item id this proxy did not hold at the time: an
     * item whose SubscribeResult was still on its way when the stream's updates of it came. Its snapshot, if older,
     * missed them.
     */
    private org.agrona.collections.Long2LongHashMap sharedSkipped = new org.agrona.collections.Long2LongHashMap(-1);
    private org.agrona.collections.Long2LongHashMap sharedSkippedOlder =
        new org.agrona.collections.Long2LongHashMap(-1);
    /** Points at one held shared-stream update while it is applied. */
    private final UnsafeBuffer replayBuffer = new UnsafeBuffer(new byte[0]);

    private final JsonWriter body = new JsonWriter();
    private final org.agrona.collections.IntArrayList partBounds = new org.agrona.collections.IntArrayList();
    private final JsonWriter message = new JsonWriter();
    /** An account list's data as TradingAccounts Operation records, written with {@link #body} for its subscribers. */
    private final JsonWriter operations = new JsonWriter();

    private final UnsubscribeEncoder unsubscribeEncoder = new UnsubscribeEncoder();
    private final EpochClock clock;
    private final int maxIdleItems;
    private final long idleTimeoutMs;
    private final ArrayList<Item> evictionCandidates = new ArrayList<>();
    private long lastHousekeepingMs;
    private long itemsLive;
    private long itemsStale;
    private long itemsPending;
    private long subscriptionCount;
    private com.lmax.disruptor.Cursored ring;
    // What other threads may ask about the engine's state (readiness, drain), published when it changes.
    private final java.util.concurrent.atomic.AtomicInteger publishedOrdersInFlight =
        new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean marketsLive;
    private final long slowConsumerTimeoutMs;
    private final ArrayList<ClientSession> resyncing = new ArrayList<>();

    private long nextRequestId;
    private int maxSubscriptionsPerSession = Integer.MAX_VALUE;
    private final long actionTimeoutMs;
    /** The action timeout of the Zenith reference, for engines built without one. */
    static final long DEFAULT_ACTION_TIMEOUT_MS = 35_000;

    /** A trading upstream that is not there: its link never comes up, so nothing is ever offered to it. */
    static final UpstreamSender NO_UPSTREAM = (buffer, offset, length) -> -1;

    CacheEngine(final UpstreamSender upstream, final EngineCounters counters)
    {
        this(upstream, counters, SystemEpochClock.INSTANCE, Integer.MAX_VALUE, 0, 10_000, 1000);
    }

    /**
     * @param upstream      where Subscribe and Unsubscribe go.
     * @param counters      what the engine counts.
     * @param clock         time for the eviction policy.
     * @param maxIdleItems  most securities kept with no client interest; the longest idle beyond it are evicted.
     * @param idleTimeoutMs evict a security idle this long; 0 keeps idle securities without a time limit.
     * @param slowConsumerTimeoutMs how long a session may stay too far behind before it is closed.
     * @param tradeHistory  trades held per security for {@code QueryTrades}, and the most one answer holds.
     */
    CacheEngine(
        final UpstreamSender upstream,
        final EngineCounters counters,
        final EpochClock clock,
        final int maxIdleItems,
        final long idleTimeoutMs,
        final long slowConsumerTimeoutMs,
        final int tradeHistory)
    {
        this(upstream, NO_UPSTREAM, counters, clock, maxIdleItems, idleTimeoutMs, slowConsumerTimeoutMs, tradeHistory,
            DEFAULT_ACTION_TIMEOUT_MS);
    }

    /**
     * @param upstream        where Subscribe and Unsubscribe for market items go (the Feed Server link).
     * @param tradingUpstream where Subscribe, Unsubscribe and order requests for account items go (the Trading
     *                        Agent link).
     * @param counters        what the engine counts.
     * @param clock           time for the eviction policy.
     * @param maxIdleItems    most items kept with no client interest; the longest idle beyond it are evicted.
     * @param idleTimeoutMs   evict an item idle this long; 0 keeps idle items without a time limit.
     * @param slowConsumerTimeoutMs how long a session may stay too far behind before it is closed.
     * @param tradeHistory    trades held per security for {@code QueryTrades}, and the most one answer holds.
     * @param actionTimeoutMs how long an order request may wait for the Trading Agent's answer.
     */
    CacheEngine(
        final UpstreamSender upstream,
        final UpstreamSender tradingUpstream,
        final EngineCounters counters,
        final EpochClock clock,
        final int maxIdleItems,
        final long idleTimeoutMs,
        final long slowConsumerTimeoutMs,
        final int tradeHistory,
        final long actionTimeoutMs)
    {
        this.actionTimeoutMs = actionTimeoutMs;
        this.tradeHistory = tradeHistory;
        this.slowConsumerTimeoutMs = slowConsumerTimeoutMs;
        this.marketLink = new UpstreamLink(UpstreamLink.MARKET, "feed", upstream);
        this.tradingLink = new UpstreamLink(UpstreamLink.TRADING, "trading agent", tradingUpstream);
        this.links = new UpstreamLink[]{ marketLink, tradingLink };
        this.current = marketLink;
        markets.link = marketLink;
        feeds.link = marketLink;
        feeds.tradingStatus = tradingUpstream == NO_UPSTREAM ? null : FeedStatus.Initialising.name();
        this.counters = counters;
        this.clock = clock;
        this.downstream = new DownstreamServer(this::subscribeForDownstream, counters);
        if (null != feeds.tradingStatus)
        {
            downstream.tradingStatus(FeedStatus.Initialising);
        }
        this.maxIdleItems = maxIdleItems;
        this.idleTimeoutMs = idleTimeoutMs;
    }

    /**
     * @param max most subscriptions one session may hold; a Sub beyond it is refused with {@code Limited}.
     */
    void maxSubscriptionsPerSession(final int max)
    {
        maxSubscriptionsPerSession = max;
    }

    @Override
    public void onEvent(final RingEvent event, final long sequence, final boolean endOfBatch)
    {
        try
        {
            switch (event.type)
            {
                case RingEvent.UPSTREAM_MESSAGE:
                    current = links[event.link];
                    if (!current.shared || !isStaleSnapshot(event.buffer, event.length))
                    {
                        onUpstreamMessage(event.buffer, event.length);
                    }
                    break;
                case RingEvent.LINK_UP:
                    final int said = event.length & 0xFF;
                    onLinkUp(links[event.link], event.transactionId,
                        said == 0 ? FeedStatus.Active : FeedStatus.get((short)(said - 1)),
                        (event.length & RingEvent.SHARED_LINK) != 0);
                    break;
                case RingEvent.SHARED_MESSAGE:
                    current = links[event.link];
                    onSharedMessage(event.buffer, event.length);
                    break;
                case RingEvent.LINK_DOWN:
                    onLinkDown(links[event.link]);
                    break;
                case RingEvent.TRADING_STATUS:
                    onUpstreamTradingStatus(links[event.link], FeedStatus.get((short)event.length));
                    break;
                case RingEvent.SUBSCRIBE:
                    onSubscribe(event);
                    break;
                case RingEvent.UNSUBSCRIBE:
                    onUnsubscribe(event);
                    break;
                case RingEvent.QUERY_ITEM:
                    onQuery(event);
                    break;
                case RingEvent.QUERY_TRADES:
                    onQueryTrades(event);
                    break;
                case RingEvent.QUERY_SYMBOLS:
                    onQuerySymbols(event);
                    break;
                case RingEvent.QUERY_TRADING_STATES:
                    onQueryTradingStates(event);
                    break;
                case RingEvent.ORDER_REQUEST:
                    onOrderRequest(event);
                    break;
                case RingEvent.SESSION_CLOSED:
                    onSessionClosed(event.session);
                    break;
                case RingEvent.SESSION_PAUSE:
                    event.session.paused = !event.session.isClosed();
                    break;
                case RingEvent.SESSION_RIGHTS:
                    onSessionRights(event.session, event.count, event.confirm);
                    break;
                case RingEvent.CLEAR_CACHE:
                    onClearCache((IntConsumer)event.request);
                    break;
                case RingEvent.DOWNSTREAM_MESSAGE:
                    onDownstreamMessage(event.buffer, event.length);
                    break;
                case RingEvent.DOWNSTREAM_LINK_OPEN:
                    downstream.onLinkOpen((DownstreamLink)event.request);
                    break;
                case RingEvent.DOWNSTREAM_LINK_CLOSED:
                    downstream.onLinkClosed((DownstreamLink)event.request);
                    break;
                case RingEvent.DOWNSTREAM_TICK:
                    downstream.onTick(clock.time());
                    break;
                default:
                    counters.recordError("unknown ring event type " + event.type);
                    break;
            }
        }
        catch (final RuntimeException ex)
        {
            // A malformed upstream message or a bug in one item must not stop the engine for everyone else.
            counters.recordError(ex);
        }
        finally
        {
            event.clear();
        }

        if (endOfBatch)
        {
            if (null != ring)
            {
                // What publishers have put on the ring and this batch has not reached.
                final long fill = ring.getCursor() - sequence;
                counters.ringFill.setRelease(fill);
                counters.ringFillMax.proposeMaxRelease(fill);
            }
            endOfBatch();
        }
    }

    /**
     * @param ring the ring this engine consumes, for the ring-fill gauges.
     */
    void ring(final com.lmax.disruptor.Cursored ring)
    {
        this.ring = ring;
    }

    @Override
    public void onTimeout(final long sequence)
    {
        counters.ringFill.setRelease(0);
        endOfBatch();
    }

    private void publishStatus()
    {
        final int inFlight = pendingOrders.size();
        if (inFlight != publishedOrdersInFlight.get())
        {
            publishedOrdersInFlight.lazySet(inFlight);
        }
        final boolean live = markets.state == Item.State.LIVE;
        if (live != marketsLive)
        {
            marketsLive = live;
        }
    }

    /**
     * @return order requests sent to the Trading Agent and not yet answered or timed out, as of the end of the
     * engine's last batch; safe from any thread.
     */
    int ordersInFlight()
    {
        return publishedOrdersInFlight.get();
    }

    /**
     * @return true while the market list is live from the upstream (the cache is warm); safe from any thread.
     */
    boolean marketsLive()
    {
        return marketsLive;
    }

    private void endOfBatch()
    {
        retryUpstreamRequests();
        final long nowMs = clock.time();
        if (!resyncing.isEmpty())
        {
            resyncSlowSessions(nowMs);
        }
        if (nowMs - lastHousekeepingMs >= HOUSEKEEPING_INTERVAL_MS)
        {
            lastHousekeepingMs = nowMs;
            evictIdleItems(nowMs);
            expireOrderRequests(nowMs);
            expireQueries(nowMs);
        }
        publishStatus();
        final ArrayList<ClientSession> dirty = dirtySessions;
        for (int i = 0, size = dirty.size(); i < size; i++)
        {
            final ClientSession session = dirty.get(i);
            session.dirty = false;
            session.signal();
        }
        dirty.clear();
    }

    // ----------------------------------------------------------------------------------------------- upstream

    private void onUpstreamMessage(final UnsafeBuffer buffer, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            counters.recordError("upstream message shorter than its header");
            return;
        }
        headerDecoder.wrap(buffer, 0);
        final int blockLength = headerDecoder.blockLength();
        if (MessageHeaderDecoder.ENCODED_LENGTH + blockLength > length)
        {
            counters.recordError("upstream message shorter than its block length");
            return;
        }
        switch (headerDecoder.templateId())
        {
            case SecurityUpdateDecoder.TEMPLATE_ID:
                securityUpdateDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (varFieldsFit(buffer, MessageHeaderDecoder.ENCODED_LENGTH + headerDecoder.blockLength(),
                    SECURITY_UPDATE_VAR_FIELDS, length))
                {
                    onSecurityUpdate(securityUpdateDecoder);
                }
                break;
            case SnapshotBeginDecoder.TEMPLATE_ID:
                snapshotBeginDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                onSnapshotBegin(snapshotBeginDecoder.itemId());
                break;
            case SnapshotEndDecoder.TEMPLATE_ID:
                snapshotEndDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                onSnapshotEnd(snapshotEndDecoder.itemId(), snapshotEndDecoder.seqNo());
                break;
            case DepthOrderUpdateDecoder.TEMPLATE_ID:
                depthDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                onDepthOrderUpdate(depthDecoder);
                break;
            case DepthLevelUpdateDecoder.TEMPLATE_ID:
                levelDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                onDepthLevelUpdate(levelDecoder);
                break;
            case TradeUpdateDecoder.TEMPLATE_ID:
                tradeDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                onTradeUpdate(tradeDecoder);
                break;
            default:
                // The rarer messages live in their own method, which keeps this one small enough to inline.
                onOtherUpstreamMessage(buffer, length);
                break;
        }
        if (downstream.hasLinks())
        {
            forwardDownstream(buffer, length);
        }
    }

    /**
     * Pass an item update on to the downstream links that have the item, if the engine applied it in sequence: the
     * item is live, out of any snapshot, and its upstream sequence number is now the message's.
     */
    private void forwardDownstream(final UnsafeBuffer buffer, final int length)
    {
        final int templateId = buffer.getShort(MessageHeaderDecoder.templateIdEncodingOffset(), ORDER) & 0xFFFF;
        final int blockLength = buffer.getShort(MessageHeaderDecoder.blockLengthEncodingOffset(), ORDER) & 0xFFFF;
        if (blockLength < 2 * Long.BYTES || !isItemUpdate(templateId))
        {
            return;
        }
        final Item item = current.byUpstreamId.get(buffer.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ORDER));
        if (null != item && !item.downstream.isEmpty() && item.state == Item.State.LIVE && !item.inSnapshot &&
            item.upstreamSeqNo == buffer.getLong(MessageHeaderDecoder.ENCODED_LENGTH + Long.BYTES, ORDER))
        {
            downstream.forward(item, buffer, length);
        }
    }

    private static final java.nio.ByteOrder ORDER = MessageHeaderDecoder.BYTE_ORDER;

    private static boolean isItemUpdate(final int templateId)
    {
        switch (templateId)
        {
            case MarketUpdateDecoder.TEMPLATE_ID:
            case SecurityUpdateDecoder.TEMPLATE_ID:
            case DepthOrderUpdateDecoder.TEMPLATE_ID:
            case DepthLevelUpdateDecoder.TEMPLATE_ID:
            case TradeUpdateDecoder.TEMPLATE_ID:
            case SymbolUpdateDecoder.TEMPLATE_ID:
            case AccountUpdateDecoder.TEMPLATE_ID:
            case OrderUpdateDecoder.TEMPLATE_ID:
            case HoldingUpdateDecoder.TEMPLATE_ID:
            case BalanceUpdateDecoder.TEMPLATE_ID:
                return true;
            default:
                return false;
        }
    }

    /**
     * A control message from a downstream link: order and trade history requests are passed on upstream under a
     * request id of this proxy's, and their answers passed back; the rest is the downstream server's.
     */
    private void onDownstreamMessage(final UnsafeBuffer buffer, final int length)
    {
        headerDecoder.wrap(buffer, 0);
        final int templateId = headerDecoder.templateId();
        if (templateId == OrderRequestDecoder.TEMPLATE_ID || templateId == TradeHistoryRequestDecoder.TEMPLATE_ID)
        {
            final boolean order = templateId == OrderRequestDecoder.TEMPLATE_ID;
            final int decodedLength;
            if (order)
            {
                orderRequestDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                decodedLength = orderRequestDecoder.sbeDecodedLength();
            }
            else
            {
                historyRequestDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                decodedLength = historyRequestDecoder.sbeDecodedLength();
            }
            if (decodedLength < 0 || decodedLength > length - MessageHeaderDecoder.ENCODED_LENGTH)
            {
                counters.recordError("downstream request shorter than its fields");
                return;
            }
            final DownstreamLink link = downstream.link(buffer.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ORDER));
            if (null == link)
            {
                return;
            }
            final long linkRequestId = buffer.getLong(MessageHeaderDecoder.ENCODED_LENGTH + Long.BYTES, ORDER);
            if (order)
            {
                relayOrderRequest(link, linkRequestId, buffer, length);
            }
            else
            {
                relayHistoryRequest(link, linkRequestId, buffer, length);
            }
            return;
        }
        if (!downstream.onMessage(buffer, length))
        {
            counters.recordError("malformed or unknown downstream control message");
        }
    }

    private void relayOrderRequest(
        final DownstreamLink link, final long linkRequestId, final UnsafeBuffer buffer, final int length)
    {
        final String clientRequestId = orderRequestDecoder.clientRequestId();
        orderRequestDecoder.user();
        final String account = orderRequestDecoder.accountId();
        if (!tradingLink.up)
        {
            downstream.answerOrder(link, linkRequestId, OrderResult.Error, clientRequestId, account, "Retry");
            return;
        }
        final long requestId = ++nextRequestId;
        buffer.putLong(MessageHeaderDecoder.ENCODED_LENGTH, tradingLink.linkId, ORDER);
        buffer.putLong(MessageHeaderDecoder.ENCODED_LENGTH + Long.BYTES, requestId, ORDER);
        if (tradingLink.sender.offer(buffer, 0, length) <= 0)
        {
            downstream.answerOrder(link, linkRequestId, OrderResult.Error, clientRequestId, account, "Retry");
            return;
        }
        counters.orderRequests.incrementRelease();
        pendingOrders.put(requestId, new PendingOrder(link, linkRequestId, account, clientRequestId,
            clock.time() + actionTimeoutMs));
    }

    private void relayHistoryRequest(
        final DownstreamLink link, final long linkRequestId, final UnsafeBuffer buffer, final int length)
    {
        if (!marketLink.up)
        {
            downstream.answerHistory(link, linkRequestId, SubscribeStatus.UNAVAILABLE);
            return;
        }
        final long requestId = ++nextRequestId;
        buffer.putLong(MessageHeaderDecoder.ENCODED_LENGTH, marketLink.linkId, ORDER);
        buffer.putLong(MessageHeaderDecoder.ENCODED_LENGTH + Long.BYTES, requestId, ORDER);
        if (marketLink.sender.offer(buffer, 0, length) <= 0)
        {
            downstream.answerHistory(link, linkRequestId, SubscribeStatus.UNAVAILABLE);
            return;
        }
        relayedHistory.put(requestId, new RelayedHistory(link, linkRequestId));
    }

    /** A downstream link's trade history request, passed on upstream. */
    private static final class RelayedHistory
    {
        final DownstreamLink link;
        final long requestId;

        RelayedHistory(final DownstreamLink link, final long requestId)
        {
            this.link = link;
            this.requestId = requestId;
        }
    }

    /**
     * A downstream link's Subscribe: the item from the cache, created and asked for upstream if new.
     */
    private Item subscribeForDownstream(final short itemType, final String key)
    {
        if (itemType >= ItemType.ACCOUNTS.value() && tradingLink.sender == NO_UPSTREAM)
        {
            return null;
        }
        return resolve(itemType, key);
    }

    /**
     * @return the part of the engine that serves downstream proxies.
     */
    DownstreamServer downstream()
    {
        return downstream;
    }

    private void onOtherUpstreamMessage(final UnsafeBuffer buffer, final int length)
    {
        switch (headerDecoder.templateId())
        {
            case MarketUpdateDecoder.TEMPLATE_ID:
                marketUpdateDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (complete(marketUpdateDecoder.sbeDecodedLength(), length))
                {
                    onMarketUpdate(marketUpdateDecoder);
                }
                break;
            case SubscribeResultDecoder.TEMPLATE_ID:
                subscribeResultDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (complete(subscribeResultDecoder.sbeDecodedLength(), length))
                {
                    onSubscribeResult(subscribeResultDecoder);
                }
                break;
            case ItemStatusDecoder.TEMPLATE_ID:
                itemStatusDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (complete(itemStatusDecoder.sbeDecodedLength(), length))
                {
                    onItemStatus(itemStatusDecoder);
                }
                break;
            case SymbolUpdateDecoder.TEMPLATE_ID:
                symbolDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (complete(symbolDecoder.sbeDecodedLength(), length))
                {
                    onSymbolUpdate(symbolDecoder);
                }
                break;
            case AccountUpdateDecoder.TEMPLATE_ID:
                accountDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (complete(accountDecoder.sbeDecodedLength(), length))
                {
                    onAccountUpdate(accountDecoder);
                }
                break;
            case OrderUpdateDecoder.TEMPLATE_ID:
                orderDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (complete(orderDecoder.sbeDecodedLength(), length))
                {
                    onOrderUpdate(orderDecoder);
                }
                break;
            case HoldingUpdateDecoder.TEMPLATE_ID:
                holdingDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (complete(holdingDecoder.sbeDecodedLength(), length))
                {
                    onHoldingUpdate(holdingDecoder);
                }
                break;
            case BalanceUpdateDecoder.TEMPLATE_ID:
                balanceDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (complete(balanceDecoder.sbeDecodedLength(), length))
                {
                    onBalanceUpdate(balanceDecoder);
                }
                break;
            case OrderResponseDecoder.TEMPLATE_ID:
                orderResponseDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (complete(orderResponseDecoder.sbeDecodedLength(), length))
                {
                    onOrderResponse(orderResponseDecoder);
                }
                break;
            case TradeHistoryResponseDecoder.TEMPLATE_ID:
                historyDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (complete(historyDecoder.sbeDecodedLength(), length))
                {
                    onTradeHistoryResponse(historyDecoder);
                }
                break;
            default:
                counters.recordError("unexpected upstream template id " + headerDecoder.templateId());
                break;
        }
    }

    /**
     * Check that a message's variable-length fields and groups end within it, before they are read: a length field
     * read from a malformed message could otherwise make a decoder allocate up to 2 GiB for one string, or read past
     * the message into whatever the ring slot held before.
     *
     * @param decodedLength the body's length as its length fields give it ({@code sbeDecodedLength()}).
     * @param length        the message's length, header included.
     * @return false, counting an error, when the message is shorter than its fields say.
     */
    private boolean complete(final int decodedLength, final int length)
    {
        if (decodedLength < 0 || decodedLength > length - MessageHeaderDecoder.ENCODED_LENGTH)
        {
            counters.recordError("upstream message shorter than its variable-length fields");
            return false;
        }
        return true;
    }

    /** The variable-length fields of a SecurityUpdate (code, market, name, currency, CFI), all after its block. */
    private static final int SECURITY_UPDATE_VAR_FIELDS = 5;

    /**
     * The same check as {@link #complete} for the hottest message, without rewinding the decoder: walk the length
     * prefixes of {@code count} variable-length fields that follow the block directly.
     *
     * @param buffer the message.
     * @param start  where the first length prefix is: the header plus the acting block length.
     * @param count  the message's variable-length fields.
     * @param length the message's length, header included.
     * @return false, counting an error, when a field runs past the message's end.
     */
    private boolean varFieldsFit(final DirectBuffer buffer, final int start, final int count, final int length)
    {
        long position = start;
        for (int i = 0; i < count; i++)
        {
            if (position + Integer.BYTES > length)
            {
                break;
            }
            position += Integer.BYTES + (buffer.getInt((int)position, SecurityUpdateDecoder.BYTE_ORDER) & 0xFFFF_FFFFL);
            if (i == count - 1 && position <= length)
            {
                return true;
            }
        }
        counters.recordError("upstream message shorter than its variable-length fields");
        return false;
    }

    /**
     * @param tradingStatus the upstream's own trading feed as its Welcome said (an upstream proxy's), else Active.
     */
    private void onLinkUp(
        final UpstreamLink link, final long newLinkId, final FeedStatus tradingStatus, final boolean shared)
    {
        link.up = true;
        link.linkId = newLinkId;
        link.shared = shared;
        link.reset();
        if (link == marketLink)
        {
            sharedSkipped.clear();
            sharedSkippedOlder.clear();
        }
        (link == tradingLink ? counters.tradingLinkUps : counters.feedLinkUps).incrementRelease();
        if (link == tradingLink)
        {
            tradingFeedStatus(tradingStatus);
        }
        if (link == marketLink)
        {
            markets.heldBytes = 0;
            requestUpstream(markets);
        }
        for (int t = 0; t < keyedTables.size(); t++)
        {
            for (final Item item : keyedTables.get(t).values())
            {
                if (item.link == link)
                {
                    // Updates held from the last link's shared stream are not in the sequence of the new one's.
                    item.heldBytes = 0;
                    requestUpstream(item);
                }
            }
        }
    }

    /**
     * The proxy above said how its own trading feed is: while its Trading Agent is away this proxy's trading feed is
     * as impaired as its own, though the link between the two is up.
     */
    private void onUpstreamTradingStatus(final UpstreamLink link, final FeedStatus status)
    {
        if (link == tradingLink && link.up)
        {
            tradingFeedStatus(status);
        }
    }

    private void tradingFeedStatus(final FeedStatus status)
    {
        if (null == feeds.tradingStatus || feeds.tradingStatus.equals(status.name()))
        {
            return;
        }
        feeds.tradingStatus = status.name();
        downstream.tradingStatus(status);
        if (feeds.hasData)
        {
            feeds.seqNo++;
            fanOut(feeds, encodeFull(feeds));
        }
    }

    private void onLinkDown(final UpstreamLink link)
    {
        link.up = false;
        link.reset();
        if (link == tradingLink)
        {
            failOrderRequests();
            tradingFeedStatus(FeedStatus.Impaired);
        }
        if (link == marketLink)
        {
            markets.inSnapshot = false;
            if (markets.hasData)
            {
                markets.state = Item.State.STALE;
                markets.setFeedStatus(FeedStatus.Impaired);
                fanOutMarketChanges();
                // Downstream proxies get the market list again, now impaired, and then its stale status.
                downstream.onItemReady(markets);
            }
            failHistoryRequests();
        }
        for (int t = 0; t < keyedTables.size(); t++)
        {
            for (final Item item : keyedTables.get(t).values())
            {
                if (item.link == link)
                {
                    item.inSnapshot = false;
                    if (item.hasData)
                    {
                        if (item.state == Item.State.LIVE && !item.unavailable)
                        {
                            // As for an item the upstream says is stale: a warning until full state comes again.
                            sendErrorToSubscribers(item, unavailableCode(item));
                            item.unavailable = true;
                        }
                        item.state = Item.State.STALE;
                        downstream.onItemStale(item, "Upstream lost");
                    }
                }
            }
        }
    }

    private void onSubscribeResult(final SubscribeResultDecoder decoder)
    {
        if (decoder.linkId() != current.linkId)
        {
            return;
        }
        final Item item = current.byRequestId.remove(decoder.requestId());
        if (null == item)
        {
            return;
        }
        if (item.forgotten)
        {
            // The cache let the item go while its Subscribe was in flight: the upstream stops sending it, unless
            // (a shared id) the same item is held again, or asked for again, under that id meanwhile.
            if (decoder.status() == SubscribeStatus.OK && null == current.byUpstreamId.get(decoder.itemId()) &&
                !(current.shared && null != table(item.itemTypeCode()).get(item.key)))
            {
                sendUnsubscribe(current, decoder.itemId());
            }
            return;
        }
        if (decoder.status() == SubscribeStatus.OK)
        {
            item.upstreamItemId = decoder.itemId();
            current.byUpstreamId.put(item.upstreamItemId, item);
            downstream.onItemAccepted(item);
            return;
        }

        if (item.upstreamItemId != Item.NO_UPSTREAM_ID && current.byUpstreamId.get(item.upstreamItemId) == item)
        {
            // A shared item asked for again keeps its id until the answer; refused, it has none.
            current.byUpstreamId.remove(item.upstreamItemId);
        }
        item.heldBytes = 0;
        final String code = errorCode(item, decoder.status());
        downstream.onItemRefused(item, decoder.status(), code);
        failItem(item, code);
    }

    private String errorCode(final Item item, final SubscribeStatus status)
    {
        if (item instanceof MarketsItem)
        {
            return "Market.Unavailable";
        }
        if (item.link == tradingLink)
        {
            if (item instanceof AccountsItem)
            {
                return "Authority.Unavailable";
            }
            return (status == SubscribeStatus.NOT_FOUND ? "Account.NotFound " : "Account.Unavailable ") + item.key;
        }
        if (item instanceof SymbolsItem)
        {
            return (status == SubscribeStatus.NOT_FOUND ? "Market.NotFound " : "Market.Unavailable ") + item.key;
        }
        switch (status)
        {
            case NOT_FOUND:
                final String market = marketOf(item.key);
                if (markets.hasData && null == markets.find(market))
                {
                    return "Market.NotFound " + market;
                }
                return "Symbol.NotFound " + item.key;
            case INVALID:
                return "Symbol " + item.key;
            case REJECTED:
                return "Symbol.Authority " + item.key;
            default:
                return "Symbol.Unavailable " + item.key;
        }
    }

    private void failItem(final Item item, final String code)
    {
        for (int i = 0; i < item.awaitingSnapshot.size(); i++)
        {
            final Subscription sub = item.awaitingSnapshot.get(i);
            forget(sub);
            sendSubscriptionError(sub, code);
        }
        item.awaitingSnapshot.clear();
        for (int i = 0; i < item.subscribers.size(); i++)
        {
            final Subscription sub = item.subscribers.get(i);
            forget(sub);
            sendSubscriptionError(sub, code);
            sendServerUnsub(sub);
        }
        item.subscribers.clear();
        answerQueriesWithError(item, code);
        if (item instanceof MarketsItem)
        {
            markets.state = Item.State.PENDING;
        }
        else
        {
            table(item.itemTypeCode()).remove(item.key);
            item.forgotten = true;
            if (item instanceof SymbolsItem)
            {
                failSymbolSearches((SymbolsItem)item, code);
            }
            if (item instanceof AccountsItem)
            {
                decideEntitlements((AccountsItem)item);
            }
        }
    }

    private static String marketOf(final String key)
    {
        final int dot = key.lastIndexOf('.');
        return dot < 0 ? key : key.substring(dot + 1);
    }

    private Object2ObjectHashMap<String, Item> table(final int kind)
    {
        switch (kind)
        {
            case 2:
                return securities;
            case 3:
                return depths;
            case 4:
                return levels;
            case 5:
                return trades;
            case 6:
                return symbols;
            case 7:
                return accountLists;
            case 8:
                return orders;
            case 9:
                return holdings;
            case 10:
                return balances;
            default:
                throw new IllegalArgumentException("no item table for kind " + kind);
        }
    }

    private void onSnapshotBegin(final long upstreamItemId)
    {
        final Item item = current.byUpstreamId.get(upstreamItemId);
        if (null != item)
        {
            item.inSnapshot = true;
            item.clearState();
        }
    }

    private void onSnapshotEnd(final long upstreamItemId, final long seqNo)
    {
        final Item item = current.byUpstreamId.get(upstreamItemId);
        if (null == item || !item.inSnapshot)
        {
            return;
        }
        item.inSnapshot = false;
        item.snapshotPending = false;
        item.upstreamSeqNo = seqNo;
        deliverFullState(item);
        if (item == markets)
        {
            markets.clearChanged();
            deliverFullState(feeds);
        }
        if (current.shared &&
            Math.max(sharedSkipped.remove(upstreamItemId), sharedSkippedOlder.remove(upstreamItemId)) > seqNo)
        {
            // Updates past the snapshot came on the shared stream before it and were passed over (the item's id
            // was not known yet): they will not come again.
            counters.sequenceGaps.incrementRelease();
            resync(item);
            return;
        }
        applyHeld(item);
    }

    /**
     * The item's state is complete: mark it live and send it in full to every subscriber (a resync for those
     * already subscribed), to those waiting for it, and to waiting queries.
     */
    private void deliverFullState(final Item item)
    {
        item.hasData = true;
        item.state = Item.State.LIVE;
        item.unavailable = false;
        item.seqNo++;
        final int length = encodeFull(item);
        fanOut(item, length);
        for (int i = 0; i < item.awaitingSnapshot.size(); i++)
        {
            final Subscription sub = item.awaitingSnapshot.get(i);
            if (sendData(sub, length))
            {
                item.subscribers.add(sub);
                sendPendingConfirms(sub);
            }
        }
        item.awaitingSnapshot.clear();
        downstream.onItemReady(item);
        answerQueries(item, length);
        if (item instanceof SymbolsItem || item == markets)
        {
            runSymbolSearches();
        }
        if (item == markets)
        {
            answerTradingStateQueries();
        }
        if (item instanceof AccountsItem)
        {
            decideEntitlements((AccountsItem)item);
        }
    }

    private void onSecurityUpdate(final SecurityUpdateDecoder decoder)
    {
        final Item found = current.byUpstreamId.get(decoder.itemId());
        if (!(found instanceof SecurityItem))
        {
            counters.unknownItemUpdates.incrementRelease();
            return;
        }
        final SecurityItem item = (SecurityItem)found;
        if (item.inSnapshot)
        {
            item.apply(decoder);
            return;
        }
        if (item.state != Item.State.LIVE)
        {
            return;
        }
        final long seqNo = decoder.seqNo();
        if (seqNo != item.upstreamSeqNo + 1)
        {
            counters.sequenceGaps.incrementRelease();
            resync(item);
            return;
        }
        item.upstreamSeqNo = seqNo;
        final long changed = item.apply(decoder);
        item.seqNo++;
        counters.securityUpdates.incrementRelease();
        if (changed == 0 || item.subscribers.isEmpty())
        {
            return;
        }
        body.reset();
        item.writeDelta(body, changed);
        fanOut(item, body.length());
    }

    private void onMarketUpdate(final MarketUpdateDecoder decoder)
    {
        if (current.byUpstreamId.get(decoder.itemId()) != markets)
        {
            counters.unknownItemUpdates.incrementRelease();
            return;
        }
        markets.apply(decoder);
        if (!markets.inSnapshot && markets.state == Item.State.LIVE)
        {
            markets.upstreamSeqNo = decoder.seqNo();
            markets.seqNo++;
            fanOutMarketChanges();
        }
    }

    private void fanOutMarketChanges()
    {
        if (markets.anyChanged())
        {
            final boolean feedChanged = markets.anyFeedChanged();
            body.reset();
            markets.writeChanged(body);
            markets.clearChanged();
            fanOut(markets, body.length());
            if (feedChanged && feeds.hasData)
            {
                feeds.seqNo++;
                fanOut(feeds, encodeFull(feeds));
            }
        }
    }

    private void onItemStatus(final ItemStatusDecoder decoder)
    {
        final Item item = current.byUpstreamId.get(decoder.itemId());
        if (null == item)
        {
            return;
        }
        final ItemState state = decoder.state();
        if (state == ItemState.CLOSED)
        {
            current.byUpstreamId.remove(item.upstreamItemId);
            downstream.onItemRefused(item, SubscribeStatus.NOT_FOUND, "Closed upstream");
            failItem(item,
                item instanceof MarketsItem ? "Market.Unavailable" : errorCode(item, SubscribeStatus.NOT_FOUND));
        }
        else if (state == ItemState.STALE)
        {
            if (item.state == Item.State.LIVE && !(item instanceof MarketsItem))
            {
                // Zenith has no per-item status: subscribers see a warning until full state comes again, and so
                // does anyone who subscribes meanwhile.
                sendErrorToSubscribers(item, unavailableCode(item));
                item.unavailable = true;
            }
            if (item.state == Item.State.LIVE)
            {
                downstream.onItemStale(item, "Stale upstream");
            }
            item.state = Item.State.STALE;
        }
        else if (item.hasData && !item.snapshotPending)
        {
            if (item.state != Item.State.LIVE)
            {
                downstream.onItemLive(item);
            }
            item.state = Item.State.LIVE;
            item.unavailable = false;
            applyHeld(item);
        }
    }

    private void resync(final Item item)
    {
        item.state = Item.State.STALE;
        if (item.link.shared && isSharedType(item.itemTypeCode()))
        {
            if (item.snapshotPending)
            {
                // A snapshot is on its way already: the updates meanwhile are held for it, not asked for twice.
                return;
            }
            counters.itemResyncs.incrementRelease();
            // An upstream proxy answers a second Subscribe for a shared item with the same id and a fresh snapshot:
            // the id stays known, so that the shared stream's updates meanwhile are held, not passed over.
            item.heldBytes = 0;
            requestUpstream(item);
            return;
        }
        counters.itemResyncs.incrementRelease();
        // The upstream forgets the old subscription, or it would go on sending it beside the new one.
        unsubscribeUpstream(item);
        requestUpstream(item);
    }

    /**
     * On a link whose updates come on the shared stream, a snapshot can reach a live item after updates newer than
     * it did (the stream read ahead of the link): the item's state is then newer than the snapshot and whole, and the
     * snapshot is passed over, SnapshotBegin to SnapshotEnd, rather than undo those updates.
     *
     * @return true if the message belongs to such a snapshot and is to be passed over.
     */
    private boolean isStaleSnapshot(final UnsafeBuffer buffer, final int length)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH + 2 * Long.BYTES)
        {
            return false;
        }
        final int templateId = buffer.getShort(MessageHeaderDecoder.templateIdEncodingOffset(), ORDER) & 0xFFFF;
        final boolean begin = templateId == SnapshotBeginDecoder.TEMPLATE_ID;
        if (!begin && templateId != SnapshotEndDecoder.TEMPLATE_ID && !isItemUpdate(templateId))
        {
            return false;
        }
        final Item item = current.byUpstreamId.get(buffer.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ORDER));
        if (null == item)
        {
            return false;
        }
        if (begin)
        {
            item.ignoringSnapshot = item.state == Item.State.LIVE && !item.inSnapshot &&
                buffer.getLong(SEQ_NO_OFFSET, ORDER) < item.upstreamSeqNo;
            return item.ignoringSnapshot;
        }
        if (!item.ignoringSnapshot)
        {
            return false;
        }
        if (templateId == SnapshotEndDecoder.TEMPLATE_ID)
        {
            item.ignoringSnapshot = false;
            // It answers a request as well as a fresh one would: none is outstanding now.
            item.snapshotPending = false;
            counters.staleSnapshots.incrementRelease();
        }
        return true;
    }

    private static boolean isSharedType(final short itemType)
    {
        return itemType >= ItemType.MARKETS.value() && itemType <= ItemType.SYMBOLS.value();
    }

    /** Where an item update's sequence number lies: after the header and the item id. */
    private static final int SEQ_NO_OFFSET = MessageHeaderDecoder.ENCODED_LENGTH + Long.BYTES;
    /** Most item ids whose skipped shared updates are remembered; past it they are forgotten and counted afresh. */
    private static final int MAX_SKIPPED_IDS = 1 << 16;
    /** A held-updates buffer that grew past this is let go once applied. */
    private static final int HELD_KEPT_BYTES = 64 * 1024;
    /** Most bytes of shared-stream updates held for one item while it waits for its snapshot. */
    static final int MAX_HELD_BYTES = 1 << 20;

    /**
     * An item update from the upstream's shared stream. An item this proxy does not hold is passed over (other
     * proxies on the stream want it). An item waiting for its snapshot on the link holds the update until the
     * snapshot has come, since the two streams are not ordered against each other; any other goes the way of an
     * update on the link, sequence numbers checked.
     */
    private void onSharedMessage(final UnsafeBuffer buffer, final int length)
    {
        final int templateId = buffer.getShort(MessageHeaderDecoder.templateIdEncodingOffset(), ORDER) & 0xFFFF;
        if (!current.shared || length < MessageHeaderDecoder.ENCODED_LENGTH + 2 * Long.BYTES ||
            buffer.getShort(MessageHeaderDecoder.schemaIdEncodingOffset(), ORDER) != MessageHeaderDecoder.SCHEMA_ID ||
            !(isItemUpdate(templateId) || templateId == ItemStatusDecoder.TEMPLATE_ID))
        {
            counters.recordError("shared stream message that is not an item update");
            return;
        }
        final Item item = current.byUpstreamId.get(buffer.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ORDER));
        if (null == item)
        {
            counters.upstreamSharedSkipped.incrementRelease();
            if (sharedSkipped.size() >= MAX_SKIPPED_IDS)
            {
                // Two generations: the older is forgotten, the newer kept, so that an id seen lately stays known.
                final org.agrona.collections.Long2LongHashMap older = sharedSkippedOlder;
                older.clear();
                sharedSkippedOlder = sharedSkipped;
                sharedSkipped = older;
            }
            sharedSkipped.put(buffer.getLong(MessageHeaderDecoder.ENCODED_LENGTH, ORDER),
                buffer.getLong(SEQ_NO_OFFSET, ORDER));
            return;
        }
        counters.upstreamSharedMessages.incrementRelease();
        if (item.inSnapshot || item.state != Item.State.LIVE)
        {
            hold(item, buffer, length);
            return;
        }
        applyShared(item, buffer, length);
    }

    private void applyShared(final Item item, final UnsafeBuffer buffer, final int length)
    {
        final long seqNo = buffer.getLong(SEQ_NO_OFFSET, ORDER);
        if ((buffer.getShort(MessageHeaderDecoder.templateIdEncodingOffset(), ORDER) & 0xFFFF) ==
            ItemStatusDecoder.TEMPLATE_ID)
        {
            // The upstream could not send an update of the item and says how far its numbers went: a reader behind
            // that has missed one, even if no later update comes to show it.
            if (seqNo > item.upstreamSeqNo && item.state == Item.State.LIVE && !item.inSnapshot)
            {
                counters.sequenceGaps.incrementRelease();
                resync(item);
            }
            return;
        }
        if (item == markets && seqNo != markets.upstreamSeqNo + 1)
        {
            // The market list's updates are not checked for gaps on a link, where none can happen; on the shared
            // stream a reader that fell behind can miss one.
            counters.sequenceGaps.incrementRelease();
            resync(markets);
            return;
        }
        onUpstreamMessage(buffer, length);
    }

    private void hold(final Item item, final UnsafeBuffer buffer, final int length)
    {
        if (item.heldBytes + Integer.BYTES + length > MAX_HELD_BYTES)
        {
            // Too many to keep: all held so far go, and if the snapshot does not cover them the gap makes a resync.
            item.heldBytes = 0;
            counters.recordError("shared stream updates held for " + item.key + " passed " + MAX_HELD_BYTES +
                " bytes before its snapshot came; dropped");
        }
        if (null == item.held)
        {
            item.held = new org.agrona.ExpandableArrayBuffer(Math.max(4096, Integer.BYTES + length));
        }
        item.held.putInt(item.heldBytes, length);
        item.held.putBytes(item.heldBytes + Integer.BYTES, buffer, 0, length);
        item.heldBytes += Integer.BYTES + length;
    }

    /**
     * The item's snapshot has come (or it is live again): the shared-stream updates held meanwhile are applied in
     * the order they came, skipping those the snapshot already holds.
     */
    private void applyHeld(final Item item)
    {
        if (item.heldBytes == 0)
        {
            return;
        }
        final int total = item.heldBytes;
        item.heldBytes = 0;
        final org.agrona.ExpandableArrayBuffer held = item.held;
        // Replaying may hold again (a gap makes a resync): the held bytes move to a buffer of their own first.
        item.held = null;
        for (int at = 0; at < total; )
        {
            final int length = held.getInt(at);
            final long seqNo = held.getLong(at + Integer.BYTES + SEQ_NO_OFFSET, ORDER);
            if (item.state == Item.State.LIVE && !item.inSnapshot && seqNo > item.upstreamSeqNo)
            {
                replayBuffer.wrap(held, at + Integer.BYTES, length);
                applyShared(item, replayBuffer, length);
            }
            at += Integer.BYTES + length;
        }
        if (null == item.held && held.capacity() <= HELD_KEPT_BYTES)
        {
            item.held = held;
        }
    }

    private void requestUpstream(final Item item)
    {
        final UpstreamLink link = item.link;
        item.snapshotPending = true;
        if (!link.up)
        {
            return;
        }
        final long requestId = ++nextRequestId;
        subscribeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .linkId(link.linkId)
            .requestId(requestId)
            .itemType(ItemType.get(item.itemTypeCode()))
            .itemKey(item.key);
        final long result = link.sender.offer(
            sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + subscribeEncoder.encodedLength());
        if (result > 0)
        {
            if (link.shared && link.byRequestId.get(item.requestId) == item)
            {
                // An upstream proxy answers a shared item's Subscribe under the same id, and the new request takes
                // the old one's place there: the old one, if still unanswered, will never be.
                link.byRequestId.remove(item.requestId);
            }
            item.requestId = requestId;
            link.byRequestId.put(requestId, item);
            counters.upstreamSubscribes.incrementRelease();
        }
        else
        {
            link.toRequest.add(item);
        }
    }

    private void retryUpstreamRequests()
    {
        for (final UpstreamLink link : links)
        {
            for (int i = link.toRequest.size(); i > 0 && link.up; i--)
            {
                final Item item = link.toRequest.poll();
                if (item.forgotten ||
                    (link.shared && item.state == Item.State.LIVE && isSharedType(item.itemTypeCode())))
                {
                    // Dropped meanwhile, or a shared item whole again (a snapshot came unasked): nothing to ask.
                    item.snapshotPending = false;
                    continue;
                }
                requestUpstream(item);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- book items

    /** Longest JSON of one trade change: every field present at its widest. */
    private static final int MAX_TRADE_JSON = 400;
    private static final int DROP = 0;
    private static final int IN_SNAPSHOT = 1;
    private static final int IN_SEQUENCE = 2;

    /**
     * Check a change against the item's sequence. A change inside a snapshot is applied without fan-out; a change
     * out of sequence triggers a resync.
     */
    private int deltaMode(final Item item, final long seqNo)
    {
        if (item.inSnapshot)
        {
            return IN_SNAPSHOT;
        }
        if (item.state != Item.State.LIVE)
        {
            return DROP;
        }
        if (seqNo != item.upstreamSeqNo + 1)
        {
            counters.sequenceGaps.incrementRelease();
            resync(item);
            return DROP;
        }
        item.upstreamSeqNo = seqNo;
        return IN_SEQUENCE;
    }

    private Item upstreamItem(final long upstreamItemId, final short itemType)
    {
        final Item item = current.byUpstreamId.get(upstreamItemId);
        if (null == item || item.itemTypeCode() != itemType)
        {
            counters.unknownItemUpdates.incrementRelease();
            return null;
        }
        return item;
    }

    private void inconsistent(final Item item)
    {
        counters.inconsistentUpdates.incrementRelease();
        resync(item);
    }

    /**
     * After a book or trade change has been applied (or refused as not fitting): resync on a misfit, and for a
     * change in sequence count it and say whether a delta must go to subscribers.
     */
    private boolean deltaDue(
        final Item item, final int mode, final boolean applied, final AtomicCounter counter)
    {
        if (!applied)
        {
            inconsistent(item);
            return false;
        }
        if (mode == IN_SNAPSHOT)
        {
            return false;
        }
        item.seqNo++;
        counter.incrementRelease();
        return !item.subscribers.isEmpty();
    }

    private void onDepthOrderUpdate(final DepthOrderUpdateDecoder decoder)
    {
        final DepthItem item = (DepthItem)upstreamItem(decoder.itemId(), ItemType.DEPTH.value());
        final int mode = null == item ? DROP : deltaMode(item, decoder.seqNo());
        if (mode != DROP && deltaDue(item, mode, item.apply(decoder), counters.depthUpdates))
        {
            body.reset();
            item.writeDelta(body, decoder);
            fanOut(item, body.length());
        }
    }

    private void onDepthLevelUpdate(final DepthLevelUpdateDecoder decoder)
    {
        final LevelsItem item = (LevelsItem)upstreamItem(decoder.itemId(), ItemType.LEVELS.value());
        final int mode = null == item ? DROP : deltaMode(item, decoder.seqNo());
        if (mode != DROP && deltaDue(item, mode, item.apply(decoder), counters.levelUpdates))
        {
            body.reset();
            item.writeDelta(body, decoder);
            fanOut(item, body.length());
        }
    }

    private void onTradeUpdate(final TradeUpdateDecoder decoder)
    {
        final TradesItem item = (TradesItem)upstreamItem(decoder.itemId(), ItemType.TRADES.value());
        final int mode = null == item ? DROP : deltaMode(item, decoder.seqNo());
        if (mode == DROP)
        {
            return;
        }
        final boolean add = decoder.action() == ChangeAction.ADD;
        final int index = item.apply(decoder);
        // An add no newer than the newest trade held means the two ends disagree about the history.
        if (deltaDue(item, mode, index >= 0 || !add, counters.tradeUpdates))
        {
            body.reset().startArray();
            if (index >= 0)
            {
                item.writeChange(body, index, add);
            }
            else
            {
                TradesItem.writeUpdate(body, decoder, tradeScratch);
            }
            body.endArray();
            fanOut(item, body.length());
        }
    }

    private void onSymbolUpdate(final SymbolUpdateDecoder decoder)
    {
        final SymbolsItem item = (SymbolsItem)upstreamItem(decoder.itemId(), ItemType.SYMBOLS.value());
        if (null == item)
        {
            return;
        }
        final int mode = deltaMode(item, decoder.seqNo());
        if (mode != DROP)
        {
            item.apply(decoder);
        }
    }

    private UpstreamLink linkOf(final int itemKind)
    {
        final boolean trading = itemKind >= ItemType.ACCOUNTS.value() && itemKind <= ItemType.BALANCES.value();
        return trading ? tradingLink : marketLink;
    }

    private Item newItem(final int itemKind, final String key)
    {
        switch (itemKind)
        {
            case 2:
                return new SecurityItem(key);
            case 3:
                return new DepthItem(key);
            case 4:
                return new LevelsItem(key);
            case 5:
                return new TradesItem(key, tradeHistory);
            case 6:
                return new SymbolsItem(key);
            case 7:
                return new AccountsItem(key);
            case 8:
                return new OrdersItem(key);
            case 9:
                return new HoldingsItem(key);
            case 10:
                return new BalancesItem(key);
            default:
                throw new IllegalArgumentException("unknown item kind " + itemKind);
        }
    }

    private void sendErrorToSubscribers(final Item item, final String code)
    {
        final ArrayList<Subscription> subs = item.subscribers;
        for (int i = 0; i < subs.size(); i++)
        {
            sendError(subs.get(i), code);
        }
    }

    private String unavailableCode(final Item item)
    {
        if (item.link == tradingLink)
        {
            return item instanceof AccountsItem ? "Authority.Unavailable" : "Account.Unavailable " + item.key;
        }
        return item instanceof SymbolsItem ? "Market.Unavailable " + item.key : "Symbol.Unavailable " + item.key;
    }

    /**
     * An Error on a subscription's topic that does not end it.
     */
    private void sendError(final Subscription sub, final String code)
    {
        message.reset().startObject()
            .name("Controller").string(sub.controller)
            .name("Topic").string(sub.topic)
            .name("Action").string("Error")
            .name("Data").string(code)
            .endObject();
        sendMessage(sub.session, message);
    }

    // ----------------------------------------------------------------------------------------------- trade queries

    /** A QueryTrades the cache could not answer, waiting for the upstream's history. */
    private static final class HistoryRequest
    {
        final Item.PendingQuery query;
        final JsonWriter answer = new JsonWriter();

        HistoryRequest(final Item.PendingQuery query)
        {
            this.query = query;
            answer.reset().startObject()
                .name("Controller").string(MARKET_CONTROLLER)
                .name("Topic").string(query.topic)
                .name("TransactionID").number(query.transactionId)
                .name("Data").startArray();
        }
    }

    private void onQueryTrades(final RingEvent event)
    {
        final ClientSession session = event.session;
        if (session.isClosed())
        {
            return;
        }
        final Item item = resolve(ItemType.TRADES.value(), event.key);
        final Item.PendingQuery query = new Item.PendingQuery(session, event.transactionId, event.topic);
        query.key = event.key;
        query.count = event.count;
        query.firstId = event.firstId;
        query.lastId = event.lastId;
        query.tradingDate = event.tradingDate;
        if (item.hasData)
        {
            if (answerTradesQuery((TradesItem)item, query))
            {
                // Sessions are signalled at the end of the batch, so the answer is not yet visible to the reader.
                session.answeredFromCache(query.transactionId);
            }
        }
        else
        {
            query.deadlineMs = clock.time() + actionTimeoutMs;
            item.pendingQueries.add(query);
        }
    }

    /**
     * Answer a QueryTrades from the history held if it covers the request, else ask the upstream. Rules as the
     * Zenith reference gives them: no ids, the newest {@code Count}; LastTradeID, the newest {@code Count} up to
     * and including it; FirstTradeID, the oldest {@code Count} from it; both, the range, oldest first. No
     * {@code Count} means all, bounded here by the history size.
     *
     * @return true if answered from the history held, false if the upstream was asked.
     */
    private boolean answerTradesQuery(final TradesItem item, final Item.PendingQuery query)
    {
        final int limit = query.count > 0 ? Math.min(query.count, tradeHistory) : tradeHistory;
        final boolean everything = query.count <= 0 || query.count > tradeHistory;
        final int held = item.count();
        final boolean complete = item.complete();
        int from;
        int to;
        boolean covered;
        if (query.firstId > 0)
        {
            from = item.firstAtOrAbove(query.firstId);
            to = query.lastId > 0 ? item.lastAtOrBelow(query.lastId) + 1 : held;
            to = Math.max(from, Math.min(to, from + limit));
            covered = complete || (held > 0 && query.firstId >= item.get(0, TradesItem.ID));
        }
        else
        {
            to = query.lastId > 0 ? item.lastAtOrBelow(query.lastId) + 1 : held;
            from = Math.max(0, to - limit);
            covered = complete || (!everything && to - from == limit);
        }
        final boolean otherDay = query.tradingDate != 0 && query.tradingDate != tradingDateOf(item.key);
        if (!covered || otherDay)
        {
            requestHistory(item, query);
            return false;
        }
        final int maxLength = query.session.outbox().maxFrameLength();
        final boolean keepOldest = query.firstId > 0;
        while (true)
        {
            writeTradesAnswer(item, query, from, to);
            if (message.length() <= maxLength || to - from <= 1)
            {
                break;
            }
            // Too big for one frame: keep the part that fits, the oldest trades when a first id was given.
            final int keep = Math.max(1, (int)((long)(to - from) * (maxLength - 256) / message.length()));
            if (keepOldest)
            {
                to = from + keep;
            }
            else
            {
                from = to - keep;
            }
        }
        counters.tradeQueriesFromCache.incrementRelease();
        sendMessage(query.session, message);
        return true;
    }

    private void writeTradesAnswer(final TradesItem item, final Item.PendingQuery query, final int from, final int to)
    {
        message.reset().startObject()
            .name("Controller").string(MARKET_CONTROLLER)
            .name("Topic").string(query.topic)
            .name("TransactionID").number(query.transactionId)
            .name("Data").startArray();
        for (int i = from; i < to; i++)
        {
            item.writeChange(message, i, true);
        }
        message.endArray().endObject();
    }

    /**
     * Most trades asked of the upstream for one answer: what one frame of the session can carry, taking a trade at
     * its longest encoding.
     */
    private int tradesPerAnswer(final ClientSession session)
    {
        return Math.max(1, Math.min(tradeHistory, (session.outbox().maxFrameLength() - 256) / MAX_TRADE_JSON));
    }

    private int tradingDateOf(final String key)
    {
        final MarketsItem.Market market = markets.find(marketOf(key));
        return null == market ? 0 : market.tradingDate;
    }

    private void requestHistory(final TradesItem item, final Item.PendingQuery query)
    {
        if (!marketLink.up)
        {
            answerQueryWithError(query, unavailableCode(item));
            return;
        }
        final long requestId = ++nextRequestId;
        historyRequestEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .linkId(marketLink.linkId)
            .requestId(requestId)
            .count(query.count > 0 ? Math.min(query.count, tradesPerAnswer(query.session)) :
                tradesPerAnswer(query.session))
            .tradingDate(query.tradingDate)
            .firstTradeId(query.firstId)
            .lastTradeId(query.lastId)
            .itemKey(item.key);
        final long result = marketLink.sender.offer(
            sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + historyRequestEncoder.encodedLength());
        if (result > 0)
        {
            query.deadlineMs = clock.time() + actionTimeoutMs;
            historyRequests.put(requestId, new HistoryRequest(query));
            counters.tradeQueriesUpstream.incrementRelease();
        }
        else
        {
            answerQueryWithError(query, "Limited");
        }
    }

    private void onTradeHistoryResponse(final TradeHistoryResponseDecoder decoder)
    {
        if (decoder.linkId() != marketLink.linkId)
        {
            return;
        }
        final long requestId = decoder.requestId();
        final HistoryRequest request = historyRequests.get(requestId);
        if (null == request)
        {
            final RelayedHistory relayed = relayedHistory.get(requestId);
            if (null != relayed)
            {
                if (decoder.last() == io.meridian.codecs.interlink.BooleanType.TRUE ||
                    decoder.status() != SubscribeStatus.OK)
                {
                    relayedHistory.remove(requestId);
                }
                downstream.relay(relayed.link, relayed.requestId, decoder.buffer(), 0,
                    MessageHeaderDecoder.ENCODED_LENGTH + decoder.sbeDecodedLength());
            }
            return;
        }
        final boolean last = decoder.last() == io.meridian.codecs.interlink.BooleanType.TRUE;
        if (decoder.status() != SubscribeStatus.OK)
        {
            historyRequests.remove(requestId);
            answerQueryWithError(request.query, "Symbol.NotFound " + request.query.key);
            return;
        }
        for (final TradeHistoryResponseDecoder.TradesDecoder trade : decoder.trades())
        {
            TradesItem.writeHistoryTrade(request.answer, trade, tradeScratch);
        }
        if (last)
        {
            historyRequests.remove(requestId);
            request.answer.endArray().endObject();
            sendMessage(request.query.session, request.answer);
        }
    }

    private void failHistoryRequests()
    {
        for (final HistoryRequest request : historyRequests.values())
        {
            answerQueryWithError(request.query, "Symbol.Unavailable " + request.query.key);
        }
        historyRequests.clear();
        for (final RelayedHistory relayed : relayedHistory.values())
        {
            downstream.answerHistory(relayed.link, relayed.requestId, SubscribeStatus.UNAVAILABLE);
        }
        relayedHistory.clear();
    }

    // ----------------------------------------------------------------------------------------------- symbol queries

    /** A symbol search waiting for the symbol directories it needs. */
    private static final class SymbolSearch
    {
        final ClientSession session;
        final long transactionId;
        final SymbolQuery query;
        final long deadlineMs;

        SymbolSearch(
            final ClientSession session, final long transactionId, final SymbolQuery query, final long deadlineMs)
        {
            this.session = session;
            this.transactionId = transactionId;
            this.query = query;
            this.deadlineMs = deadlineMs;
        }
    }

    private void onQuerySymbols(final RingEvent event)
    {
        if (event.session.isClosed())
        {
            return;
        }
        symbolSearches.add(new SymbolSearch(
            event.session, event.transactionId, (SymbolQuery)event.request, clock.time() + actionTimeoutMs));
        runSymbolSearches();
    }

    /**
     * Answer every waiting search whose directories are all loaded; ask for the missing ones. A search over every
     * market first needs the market list.
     */
    private void runSymbolSearches()
    {
        for (int i = 0; i < symbolSearches.size(); i++)
        {
            final SymbolSearch search = symbolSearches.get(i);
            if (search.session.isClosed() || tryAnswer(search))
            {
                symbolSearches.remove(i--);
            }
        }
    }

    private boolean tryAnswer(final SymbolSearch search)
    {
        final List<String> codes;
        if (null == search.query.markets)
        {
            resolve(ItemType.MARKETS.value(), null);
            if (!markets.hasData)
            {
                return false;
            }
            final ArrayList<String> all = new ArrayList<>();
            for (int i = 0; i < markets.size(); i++)
            {
                all.add(markets.market(i).code);
            }
            codes = all;
        }
        else
        {
            codes = search.query.markets;
        }
        boolean ready = true;
        for (int i = 0; i < codes.size(); i++)
        {
            final Item directory = resolve(ItemType.SYMBOLS.value(), codes.get(i));
            ready &= directory.hasData;
        }
        if (!ready)
        {
            return false;
        }
        final ArrayList<SymbolsItem.Symbol> matched = new ArrayList<>();
        for (int i = 0; i < codes.size(); i++)
        {
            final SymbolsItem directory = (SymbolsItem)symbols.get(codes.get(i));
            for (int s = 0, size = directory.size(); s < size; s++)
            {
                final SymbolsItem.Symbol symbol = directory.symbol(s);
                if (search.query.matches(symbol))
                {
                    matched.add(symbol);
                }
            }
        }
        List<SymbolsItem.Symbol> selected = search.query.select(matched);
        final int maxLength = search.session.outbox().maxFrameLength();
        while (true)
        {
            message.reset().startObject()
                .name("Controller").string(MARKET_CONTROLLER)
                .name("Topic").string(search.query.topic)
                .name("TransactionID").number(search.transactionId)
                .name("Data").startArray();
            for (final SymbolsItem.Symbol symbol : selected)
            {
                SymbolsItem.writeSymbol(message, symbol, search.query.fullSymbol);
            }
            message.endArray().endObject();
            if (message.length() <= maxLength || selected.size() <= 1)
            {
                break;
            }
            // Too big for one frame: the first symbols, alphabetically, that fit.
            selected = selected.subList(0, (int)((long)selected.size() * (maxLength - 256) / message.length()));
        }
        sendMessage(search.session, message);
        return true;
    }

    /**
     * A directory could not be had (the market does not exist upstream): every search naming it gets the error and
     * then an empty answer.
     */
    private void failSymbolSearches(final SymbolsItem directory, final String code)
    {
        for (int i = 0; i < symbolSearches.size(); i++)
        {
            final SymbolSearch search = symbolSearches.get(i);
            if (null != search.query.markets && search.query.markets.contains(directory.key))
            {
                symbolSearches.remove(i--);
                answerQueryWithError(
                    new Item.PendingQuery(search.session, search.transactionId, search.query.topic), code);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- trading states

    private void onQueryTradingStates(final RingEvent event)
    {
        if (event.session.isClosed())
        {
            return;
        }
        final Item.PendingQuery query = new Item.PendingQuery(event.session, event.transactionId, event.topic);
        query.key = event.key;
        if (null != event.controller)
        {
            query.controller = event.controller;
        }
        resolve(ItemType.MARKETS.value(), null);
        if (markets.hasData)
        {
            answerTradingStates(query);
        }
        else
        {
            query.deadlineMs = clock.time() + actionTimeoutMs;
            tradingStateQueries.add(query);
        }
    }

    private void answerTradingStateQueries()
    {
        for (int i = 0; i < tradingStateQueries.size(); i++)
        {
            answerTradingStates(tradingStateQueries.get(i));
        }
        tradingStateQueries.clear();
    }

    private void answerTradingStates(final Item.PendingQuery query)
    {
        if (TRADING_MARKETS.equals(query.topic))
        {
            answerTradingMarkets(query);
            return;
        }
        if (null == markets.find(query.key))
        {
            answerQueryWithError(query, "Market.NotFound " + query.key);
            return;
        }
        message.reset().startObject()
            .name("Controller").string(MARKET_CONTROLLER)
            .name("Topic").string(query.topic)
            .name("TransactionID").number(query.transactionId)
            .name("Data").startArray();
        for (final TradingState state : TradingState.values())
        {
            if (state == TradingState.NULL_VAL)
            {
                continue;
            }
            message.startObject()
                .name("Name").string(state.name())
                .name("Reason").string(TradingStates.reason(state))
                .name("Allows").string(TradingStates.allowsText(TradingStates.allows(state)))
                .endObject();
        }
        message.endArray().endObject();
        sendMessage(query.session, message);
    }

    /**
     * {@code QueryTradingMarkets}: where orders can be routed, one trading market per market of the feed.
     */
    private void answerTradingMarkets(final Item.PendingQuery query)
    {
        message.reset().startObject()
            .name("Controller").string(query.controller)
            .name("Topic").string(query.topic)
            .name("TransactionID").number(query.transactionId)
            .name("Data").startArray();
        for (int i = 0, size = markets.size(); i < size; i++)
        {
            final String code = markets.market(i).code;
            message.startObject()
                .name("Code").string(code)
                .name("Exchange").string(code)
                .name("IsLit").bool(true)
                .name("BestSource").string(code)
                .endObject();
        }
        message.endArray().endObject();
        sendMessage(query.session, message);
    }

    // ----------------------------------------------------------------------------------------------- clients

    private void onSubscribe(final RingEvent event)
    {
        final ClientSession session = event.session;
        if (session.isClosed() || !entitled(event))
        {
            return;
        }
        if (null == event.key && isAccountData(event.itemKind))
        {
            subscribeEveryAccount(event);
            return;
        }
        subscribe(event, event.controller + '|' + event.topic);
    }

    /**
     * A bare {@code Orders}, {@code Holdings} or {@code Balances}: one subscription per account of the user, all
     * under the topic as sent, so the client sees every account's changes (each clear names its account). One
     * confirmation answers the Sub; accounts the user gains later are not added.
     */
    private void subscribeEveryAccount(final RingEvent event)
    {
        final AccountsItem accounts = (AccountsItem)accountLists.get(event.user);
        final boolean confirm = event.confirm;
        event.confirm = false;
        for (final String accountId : accounts.ids())
        {
            event.key = accountId;
            subscribe(event, event.controller + '|' + event.topic + '|' + accountId);
        }
        event.key = null;
        if (confirm)
        {
            message.reset().startObject()
                .name("Controller").string(event.controller)
                .name("Topic").string(event.topic)
                .name("Action").string("Sub")
                .name("Confirm").bool(true)
                .endObject();
            sendMessage(event.session, message);
        }
    }

    private void subscribe(final RingEvent event, final String subKey)
    {
        final ClientSession session = event.session;
        final Map<String, Subscription> subs = sessions.computeIfAbsent(session.sessionId(), id -> new HashMap<>());
        final Subscription existing = subs.get(subKey);
        if (null != existing)
        {
            existing.refCount++;
            if (event.confirm)
            {
                if (existing.item.awaitingSnapshot.contains(existing))
                {
                    existing.pendingConfirms++;
                }
                else
                {
                    sendConfirm(existing);
                }
            }
            return;
        }

        if (subs.size() >= maxSubscriptionsPerSession)
        {
            counters.refusedSubscriptions.incrementRelease();
            refuse(event, "Limited");
            return;
        }
        final Item item = resolve(event.itemKind, event.key);
        final Subscription sub = new Subscription(session, item, event.controller, event.topic, message);
        sub.mapKey = subKey;
        sub.operations = item instanceof AccountsItem && TRADING_ACCOUNTS.equals(event.topic);
        sub.pendingConfirms = event.confirm ? 1 : 0;
        subs.put(subKey, sub);
        if (item.hasData)
        {
            final int length = encodeFull(item);
            if (sendData(sub, length))
            {
                item.subscribers.add(sub);
                sendPendingConfirms(sub);
                if (item.unavailable)
                {
                    sendError(sub, unavailableCode(item));
                }
            }
        }
        else
        {
            item.awaitingSnapshot.add(sub);
        }
    }

    private void onUnsubscribe(final RingEvent event)
    {
        final ClientSession session = event.session;
        final Map<String, Subscription> subs = sessions.get(session.sessionId());
        final Subscription sub = null == subs ? null : subs.get(event.controller + '|' + event.topic);
        if (null != sub)
        {
            release(sub);
        }
        else if (null != subs && event.topic.indexOf('!') < 0)
        {
            // A bare trading topic holds one subscription per account.
            final ArrayList<Subscription> perAccount = new ArrayList<>();
            for (final Subscription candidate : subs.values())
            {
                if (candidate.topic.equals(event.topic) && candidate.controller.equals(event.controller))
                {
                    perAccount.add(candidate);
                }
            }
            perAccount.forEach(this::release);
        }
        if (event.confirm)
        {
            message.reset().startObject()
                .name("Controller").string(event.controller)
                .name("Topic").string(event.topic)
                .name("Action").string("Unsub")
                .endObject();
            sendMessage(session, message);
        }
    }

    private void release(final Subscription sub)
    {
        if (--sub.refCount == 0)
        {
            forget(sub);
            sub.item.subscribers.remove(sub);
            sub.item.awaitingSnapshot.remove(sub);
        }
    }

    private void onQuery(final RingEvent event)
    {
        final ClientSession session = event.session;
        if (session.isClosed() || !entitled(event))
        {
            return;
        }
        final Item item = resolve(event.itemKind, event.key);
        final Item.PendingQuery query = new Item.PendingQuery(session, event.transactionId, event.topic);
        query.key = event.key;
        if (null != event.controller)
        {
            query.controller = event.controller;
        }
        if (event.request instanceof String[])
        {
            query.filter = (String[])event.request;
        }
        if (item.hasData)
        {
            session.answeredFromCache(query.transactionId);
            answerQuery(item, query, encodeFull(item));
        }
        else
        {
            query.deadlineMs = clock.time() + actionTimeoutMs;
            item.pendingQueries.add(query);
        }
    }

    private void onSessionClosed(final ClientSession session)
    {
        final Map<String, Subscription> subs = sessions.remove(session.sessionId());
        if (null != subs)
        {
            for (final Subscription sub : subs.values())
            {
                sub.item.subscribers.remove(sub);
                sub.item.awaitingSnapshot.remove(sub);
            }
        }
    }

    /**
     * A renewed token: subscriptions of controllers the session lost the right to end with an {@code Error} and a
     * server {@code Unsub}; then, if its data was paused, every subscription left gets full state again.
     */
    private void onSessionRights(final ClientSession session, final int rights, final boolean resume)
    {
        if (session.isClosed())
        {
            return;
        }
        final Map<String, Subscription> subs = sessions.get(session.sessionId());
        if (null != subs)
        {
            final ArrayList<Subscription> revoked = new ArrayList<>();
            for (final Subscription sub : subs.values())
            {
                if (!allowedBy(rights, sub.controller))
                {
                    revoked.add(sub);
                }
            }
            // A bare trading topic holds one subscription per account; the client sees one Error and Unsub for it.
            final HashSet<String> told = new HashSet<>();
            for (int i = 0; i < revoked.size(); i++)
            {
                final Subscription sub = revoked.get(i);
                forget(sub);
                sub.item.subscribers.remove(sub);
                sub.item.awaitingSnapshot.remove(sub);
                if (told.add(sub.controller + '|' + sub.topic))
                {
                    sendError(sub, "Authority");
                    sendServerUnsub(sub);
                }
                counters.revokedSubscriptions.incrementRelease();
            }
        }
        if (resume && session.paused)
        {
            session.paused = false;
            if (!session.resyncPending)
            {
                resendFullState(session);
            }
        }
    }

    private static boolean allowedBy(final int rights, final String controller)
    {
        switch (controller)
        {
            case "Market":
                return (rights & EngineProxy.RIGHT_MARKET) != 0;
            case "Trading":
                return (rights & EngineProxy.RIGHT_TRADING) != 0;
            default:
                return true;
        }
    }

    /**
     * Clear the cache on an operator's request: items nobody subscribes to are dropped and unsubscribed upstream;
     * items with subscribers are subscribed afresh, and their clients get the new full state. Items still waiting
     * for their first snapshot are left alone.
     */
    private void onClearCache(final IntConsumer done)
    {
        final ArrayList<Item> idle = new ArrayList<>();
        final ArrayList<Item> refresh = new ArrayList<>();
        for (int t = 0; t < keyedTables.size(); t++)
        {
            for (final Item item : keyedTables.get(t).values())
            {
                if (isIdle(item))
                {
                    idle.add(item);
                }
                else if (item.hasData && item.upstreamItemId != Item.NO_UPSTREAM_ID)
                {
                    refresh.add(item);
                }
            }
        }
        for (int i = 0; i < idle.size(); i++)
        {
            evict(idle.get(i));
        }
        for (int i = 0; i < refresh.size(); i++)
        {
            resync(refresh.get(i));
        }
        counters.cacheClears.incrementRelease();
        if (null != done)
        {
            done.accept(idle.size() + refresh.size());
        }
    }

    private void forget(final Subscription sub)
    {
        final Map<String, Subscription> subs = sessions.get(sub.session.sessionId());
        if (null != subs)
        {
            subs.remove(sub.mapKey);
            if (subs.isEmpty())
            {
                sessions.remove(sub.session.sessionId());
            }
        }
    }

    /**
     * The cached item of a kind and key, if there is one; for tests and benchmarks that look inside the cache.
     *
     * @param itemKind an {@link ItemType} value.
     * @param key      the item's key, such as {@code ALP.XSX}.
     * @return the item, or null when none is cached.
     */
    Item cachedItem(final int itemKind, final String key)
    {
        return table(itemKind).get(key);
    }

    private Item resolve(final int itemKind, final String key)
    {
        if (itemKind == FEEDS_KIND)
        {
            resolve(ItemType.MARKETS.value(), null);
            return feeds;
        }
        if (itemKind == ItemType.MARKETS.value())
        {
            if (markets.state == Item.State.PENDING && !marketLink.byRequestId.containsValue(markets) &&
                !marketLink.byUpstreamId.containsValue(markets))
            {
                requestUpstream(markets);
            }
            return markets;
        }
        final Object2ObjectHashMap<String, Item> table = table(itemKind);
        Item item = table.get(key);
        if (null == item)
        {
            item = newItem(itemKind, key);
            item.link = linkOf(itemKind);
            table.put(key, item);
            requestUpstream(item);
        }
        return item;
    }

    // ----------------------------------------------------------------------------------------------- slow consumers

    /**
     * Sessions holding back deltas: once a session's outbox has drained to an eighth, every item it subscribes
     * to is sent again in full and deltas resume; a session still behind after the slow-consumer timeout is
     * closed.
     */
    private void resyncSlowSessions(final long nowMs)
    {
        for (int i = resyncing.size() - 1; i >= 0; i--)
        {
            final ClientSession session = resyncing.get(i);
            boolean done = session.isClosed();
            if (!done)
            {
                final SessionOutbox outbox = session.outbox();
                if (outbox.size() <= (outbox.capacity() >> 3))
                {
                    session.resyncPending = false;
                    resendFullState(session);
                    done = true;
                }
                else if (nowMs - session.resyncSinceMs > slowConsumerTimeoutMs)
                {
                    overflow(session, 0);
                    done = true;
                }
            }
            if (done)
            {
                session.resyncPending = false;
                final int last = resyncing.size() - 1;
                resyncing.set(i, resyncing.get(last));
                resyncing.remove(last);
            }
        }
    }

    private void resendFullState(final ClientSession session)
    {
        final Map<String, Subscription> subs = sessions.get(session.sessionId());
        if (null == subs)
        {
            return;
        }
        for (final Subscription sub : subs.values())
        {
            if (sub.item.hasData && sub.item.subscribers.contains(sub))
            {
                if (!sendData(sub, encodeFull(sub.item)))
                {
                    return;
                }
                sendPendingConfirms(sub);
            }
        }
    }

    // ----------------------------------------------------------------------------------------------- query timeouts

    /**
     * Queries still waiting on the upstream after the action timeout get {@code Operation.Timeout}, then an empty
     * answer, as order requests do; the upstream request itself stays, so a late answer still fills the cache.
     */
    private void expireQueries(final long nowMs)
    {
        expireQueries(markets.pendingQueries, nowMs);
        expireQueries(tradingStateQueries, nowMs);
        for (int t = 0; t < keyedTables.size(); t++)
        {
            for (final Item item : keyedTables.get(t).values())
            {
                if (!item.pendingQueries.isEmpty())
                {
                    expireQueries(item.pendingQueries, nowMs);
                }
            }
        }
        if (!historyRequests.isEmpty())
        {
            final Long2ObjectHashMap<HistoryRequest>.ValueIterator requests = historyRequests.values().iterator();
            while (requests.hasNext())
            {
                final HistoryRequest request = requests.next();
                if (nowMs >= request.query.deadlineMs)
                {
                    requests.remove();
                    timeOut(request.query);
                }
            }
        }
        for (int i = 0; i < symbolSearches.size(); i++)
        {
            final SymbolSearch search = symbolSearches.get(i);
            if (nowMs >= search.deadlineMs)
            {
                symbolSearches.remove(i--);
                if (!search.session.isClosed())
                {
                    timeOut(new Item.PendingQuery(search.session, search.transactionId, search.query.topic));
                }
            }
        }
    }

    private void expireQueries(final ArrayList<Item.PendingQuery> queries, final long nowMs)
    {
        for (int i = 0; i < queries.size(); i++)
        {
            final Item.PendingQuery query = queries.get(i);
            if (nowMs >= query.deadlineMs || query.session.isClosed())
            {
                queries.remove(i--);
                if (!query.session.isClosed())
                {
                    timeOut(query);
                }
            }
        }
    }

    private void timeOut(final Item.PendingQuery query)
    {
        counters.queryTimeouts.incrementRelease();
        answerQueryWithError(query, "Operation.Timeout");
    }

    // ----------------------------------------------------------------------------------------------- eviction

    private static boolean isIdle(final Item item)
    {
        return item.subscribers.isEmpty() && item.awaitingSnapshot.isEmpty() && item.pendingQueries.isEmpty() &&
            item.downstream.isEmpty();
    }

    /**
     * The cache keeps securities subscribed upstream after their last client leaves, within bounds: a security
     * idle longer than the idle timeout, or beyond the most idle securities kept (longest idle first), is
     * unsubscribed upstream and forgotten. A security still waiting for its upstream answer is left alone.
     */
    private void evictIdleItems(final long nowMs)
    {
        final ArrayList<Item> candidates = evictionCandidates;
        candidates.clear();
        itemsLive = 0;
        itemsStale = 0;
        itemsPending = 0;
        subscriptionCount = 0;
        countItem(markets);
        for (int t = 0; t < keyedTables.size(); t++)
        {
            final Object2ObjectHashMap<String, Item> table = keyedTables.get(t);
            if (table != symbols)
            {
                collectIdle(table, candidates, nowMs);
            }
            else
            {
                for (final Item item : table.values())
                {
                    countItem(item);
                }
            }
        }
        counters.itemsLive.setRelease(itemsLive);
        counters.itemsStale.setRelease(itemsStale);
        counters.itemsPending.setRelease(itemsPending);
        counters.subscriptions.setRelease(subscriptionCount);
        evictIdle(candidates, nowMs);
    }

    private void collectIdle(
        final Object2ObjectHashMap<String, Item> table, final ArrayList<Item> candidates, final long nowMs)
    {
        for (final Item item : table.values())
        {
            countItem(item);
            if (!isIdle(item))
            {
                item.idleSinceMs = 0;
                continue;
            }
            if (item.idleSinceMs == 0)
            {
                item.idleSinceMs = nowMs;
            }
            if (item.hasData || !item.link.up)
            {
                candidates.add(item);
            }
        }
    }

    /** Adds one item to the counts the housekeeping publishes as gauges. */
    private void countItem(final Item item)
    {
        switch (item.state)
        {
            case LIVE:
                itemsLive++;
                break;
            case STALE:
                itemsStale++;
                break;
            default:
                itemsPending++;
                break;
        }
        subscriptionCount += item.subscribers.size();
    }

    private void evictIdle(final ArrayList<Item> candidates, final long nowMs)
    {
        int excess = candidates.size() - maxIdleItems;
        if (excess > 0)
        {
            candidates.sort((a, b) -> Long.compare(a.idleSinceMs, b.idleSinceMs));
        }
        for (int i = 0, size = candidates.size(); i < size; i++)
        {
            final Item item = candidates.get(i);
            if (excess > 0 || (idleTimeoutMs > 0 && nowMs - item.idleSinceMs >= idleTimeoutMs))
            {
                excess--;
                evict(item);
            }
        }
        candidates.clear();
    }

    private void evict(final Item item)
    {
        table(item.itemTypeCode()).remove(item.key);
        item.forgotten = true;
        unsubscribeUpstream(item);
        counters.evictions.incrementRelease();
    }

    /**
     * Tell the upstream to stop sending the item under its current upstream id, which the engine forgets.
     */
    private void unsubscribeUpstream(final Item item)
    {
        final UpstreamLink link = item.link;
        if (item.upstreamItemId != Item.NO_UPSTREAM_ID && link.byUpstreamId.get(item.upstreamItemId) == item)
        {
            link.byUpstreamId.remove(item.upstreamItemId);
            sendUnsubscribe(link, item.upstreamItemId);
        }
    }

    private void sendUnsubscribe(final UpstreamLink link, final long upstreamItemId)
    {
        if (link.up)
        {
            unsubscribeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .linkId(link.linkId)
                .requestId(++nextRequestId)
                .itemId(upstreamItemId);
            // If this offer fails the upstream keeps sending updates for an item that is no longer known;
            // they are counted as unknown-item updates and dropped, and the upstream forgets it on relink.
            link.sender.offer(sendBuffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + unsubscribeEncoder.encodedLength());
        }
    }

    // ----------------------------------------------------------------------------------------------- output

    private int encodeFull(final Item item)
    {
        body.reset();
        item.writeFull(body);
        if (item instanceof AccountsItem)
        {
            operations.reset();
            ((AccountsItem)item).writeFullOperations(operations);
        }
        return body.length();
    }

    private void fanOut(final Item item, final int length)
    {
        final ArrayList<Subscription> subs = item.subscribers;
        for (int i = subs.size() - 1; i >= 0; i--)
        {
            final Subscription sub = subs.get(i);
            if (sub.session.isClosed() || !sendData(sub, length))
            {
                final int last = subs.size() - 1;
                subs.set(i, subs.get(last));
                subs.remove(last);
            }
        }
    }

    private boolean sendData(final Subscription sub, final int bodyLength)
    {
        final ClientSession session = sub.session;
        if (session.isClosed())
        {
            return false;
        }
        if (session.resyncPending || session.paused)
        {
            // Held back: full state goes out when the session has caught up or renewed its token.
            return true;
        }
        final SessionOutbox outbox = session.outbox();
        if (outbox.size() > (outbox.capacity() >> 1))
        {
            // Past half full: hold deltas back and send full state once the client has caught up.
            session.resyncPending = true;
            session.resyncSinceMs = clock.time();
            resyncing.add(session);
            counters.slowConsumerResyncs.incrementRelease();
            return true;
        }
        final int frameLength = sub.dataPrefixLength + bodyLength + 1;
        final boolean split = !outbox.fits(frameLength) && sub.item.changesSplit();
        final boolean written;
        if (sub.operations)
        {
            // TradingAccounts: the same account list, written as Operation records.
            written = outbox.write(sub.dataPrefix, sub.dataPrefixLength, operations.buffer(), 0,
                operations.length(), (byte)'}');
        }
        else
        {
            written = split ? writeInParts(sub, bodyLength) :
                outbox.write(sub.dataPrefix, sub.dataPrefixLength, body.buffer(), 0, bodyLength, (byte)'}');
        }
        if (!written)
        {
            // A book that could not be split is too large for any frame; one that could found the outbox full.
            overflow(session, split && !writtenInPartsTooLarge ? 0 : frameLength);
            return false;
        }
        markDirty(session);
        return true;
    }

    /** Set by {@link #writeInParts} when one change alone is larger than a frame. */
    private boolean writtenInPartsTooLarge;

    /**
     * Send a book's changes too long for one frame as consecutive frames, each an array of whole changes; the
     * client applies them in order, as if they had come in one. Only the engine thread writes to the outbox, so
     * nothing comes between the parts.
     *
     * @return false if the outbox has no room for every part, or one change alone is larger than a frame.
     */
    private boolean writeInParts(final Subscription sub, final int bodyLength)
    {
        final SessionOutbox outbox = sub.session.outbox();
        final org.agrona.MutableDirectBuffer text = body.buffer();
        final int maxRun = outbox.maxFrameLength() - sub.dataPrefixLength - 3;
        final int parts = JsonArrays.splitElements(text, bodyLength, maxRun, partBounds);
        writtenInPartsTooLarge = parts < 0;
        if (parts <= 0 || outbox.free() < bodyLength + parts * (sub.dataPrefixLength + 3 + 2 * Long.BYTES))
        {
            return false;
        }
        for (int i = 0; i < parts; i++)
        {
            final int start = partBounds.getInt(i << 1);
            final int end = partBounds.getInt((i << 1) + 1);
            if (!outbox.writeArrayPart(sub.dataPrefix, sub.dataPrefixLength, text, start, end - start))
            {
                return false;
            }
        }
        counters.splitFrames.incrementRelease();
        return true;
    }

    private void sendMessage(final ClientSession session, final JsonWriter json)
    {
        if (session.isClosed())
        {
            return;
        }
        if (!session.outbox().write(json.buffer(), 0, json.length()))
        {
            overflow(session, json.length());
            return;
        }
        markDirty(session);
    }

    private void sendConfirm(final Subscription sub)
    {
        message.reset().startObject()
            .name("Controller").string(sub.controller)
            .name("Topic").string(sub.topic)
            .name("Action").string("Sub")
            .name("Confirm").bool(true)
            .endObject();
        sendMessage(sub.session, message);
    }

    private void sendPendingConfirms(final Subscription sub)
    {
        if (sub.session.resyncPending || sub.session.paused)
        {
            // The full state goes out with the session's resync; the confirmation must not come before it.
            return;
        }
        for (; sub.pendingConfirms > 0; sub.pendingConfirms--)
        {
            sendConfirm(sub);
        }
    }

    private void sendSubscriptionError(final Subscription sub, final String code)
    {
        sendError(sub, code);
        for (int i = 0; i < sub.pendingConfirms; i++)
        {
            // A failed subscription is confirmed without Confirm:true.
            message.reset().startObject()
                .name("Controller").string(sub.controller)
                .name("Topic").string(sub.topic)
                .name("Action").string("Sub")
                .endObject();
            sendMessage(sub.session, message);
        }
    }

    private void sendServerUnsub(final Subscription sub)
    {
        message.reset().startObject()
            .name("Controller").string(sub.controller)
            .name("Topic").string(sub.topic)
            .name("Action").string("Unsub")
            .name("Confirm").bool(true)
            .endObject();
        sendMessage(sub.session, message);
    }

    private void answerQueries(final Item item, final int length)
    {
        final ArrayList<Item.PendingQuery> queries = item.pendingQueries;
        for (int i = 0; i < queries.size(); i++)
        {
            answerQuery(item, queries.get(i), length);
        }
        queries.clear();
    }

    private void answerQuery(final Item item, final Item.PendingQuery query, final int bodyLength)
    {
        if (item instanceof TradesItem)
        {
            answerTradesQuery((TradesItem)item, query);
            return;
        }
        int length = bodyLength;
        if (item.link == tradingLink)
        {
            // Trading queries answer with the records themselves, not with the subscription's changes.
            body.reset();
            item.writeQueryAnswer(body, query.filter);
            length = body.length();
        }
        message.reset().startObject()
            .name("Controller").string(query.controller)
            .name("Topic").string(query.topic)
            .name("TransactionID").number(query.transactionId)
            .name("Data").raw(body.buffer(), 0, length)
            .endObject();
        if (!query.session.isClosed() && !query.session.outbox().fits(message.length()))
        {
            // An answer is one message and cannot be split like subscription data; the client is told, not closed.
            counters.recordError("query answer of " + message.length() + " bytes is larger than a session outbox " +
                "takes (" + query.session.outbox().maxFrameLength() + "); raise session.send-buffer-bytes");
            answerQueryWithError(query, "Fault");
            return;
        }
        sendMessage(query.session, message);
    }

    private void answerQueriesWithError(final Item item, final String code)
    {
        final ArrayList<Item.PendingQuery> queries = item.pendingQueries;
        for (int i = 0; i < queries.size(); i++)
        {
            answerQueryWithError(queries.get(i), code);
        }
        queries.clear();
    }

    /**
     * An Error for the query, then its result: an error does not end an RPC for Zenith clients. The result is
     * null for a query answered by an object ({@code QuerySecurity}) and an empty array for the others, which
     * clients read as arrays.
     */
    private void answerQueryWithError(final Item.PendingQuery query, final String code)
    {
        message.reset().startObject()
            .name("Controller").string(query.controller)
            .name("Topic").string(query.topic)
            .name("Action").string("Error")
            .name("TransactionID").number(query.transactionId)
            .name("Data").string(code)
            .endObject();
        sendMessage(query.session, message);
        message.reset().startObject()
            .name("Controller").string(query.controller)
            .name("Topic").string(query.topic)
            .name("TransactionID").number(query.transactionId)
            .name("Data");
        if ("QuerySecurity".equals(query.topic))
        {
            message.nullValue();
        }
        else
        {
            message.startArray().endArray();
        }
        message.endObject();
        sendMessage(query.session, message);
    }

    private void overflow(final ClientSession session, final int frameLength)
    {
        final boolean tooLarge = !session.outbox().fits(frameLength);
        if (tooLarge)
        {
            counters.recordError("frame of " + frameLength + " bytes is larger than a session outbox takes (" +
                session.outbox().maxFrameLength() + "); raise session.send-buffer-bytes");
        }
        counters.overflowedSessions.incrementRelease();
        session.markClosed();
        session.onOverflow(tooLarge);
    }

    private void markDirty(final ClientSession session)
    {
        if (!session.dirty)
        {
            session.dirty = true;
            dirtySessions.add(session);
        }
    }

    // ----------------------------------------------------------------------------------------------- trading

    /**
     * A subscription, query or order request that needs its user's account list before it can be allowed,
     * held until the list arrives (or fails) and then run again.
     */
    static final class EntitlementWait
    {
        final int type;
        final ClientSession session;
        final String controller;
        final String topic;
        final String key;
        final String user;
        final int itemKind;
        final long transactionId;
        final boolean confirm;
        final byte[] request;

        EntitlementWait(final RingEvent event)
        {
            type = event.type;
            session = event.session;
            controller = event.controller;
            topic = event.topic;
            key = event.key;
            user = event.user;
            itemKind = event.itemKind;
            transactionId = event.transactionId;
            confirm = event.confirm;
            request = new byte[event.type == RingEvent.ORDER_REQUEST ? event.length : 0];
            event.buffer.getBytes(0, request);
        }

        void refill(final RingEvent event)
        {
            event.clear();
            event.type = type;
            event.session = session;
            event.controller = controller;
            event.topic = topic;
            event.key = key;
            event.user = user;
            event.itemKind = itemKind;
            event.transactionId = transactionId;
            event.confirm = confirm;
            event.buffer.putBytes(0, request);
            event.length = request.length;
        }
    }

    /** An order request sent to the Trading Agent, waiting for its answer. */
    private static final class PendingOrder
    {
        final ClientSession session;
        final long transactionId;
        final String topic;
        final String account;
        final String clientRequestId;
        final long deadlineMs;
        /** A request from a downstream link instead of a session: the link and its request id. */
        final DownstreamLink link;
        final long linkRequestId;

        PendingOrder(
            final DownstreamLink link,
            final long linkRequestId,
            final String account,
            final String clientRequestId,
            final long deadlineMs)
        {
            this.session = null;
            this.transactionId = 0;
            this.topic = null;
            this.account = account;
            this.clientRequestId = clientRequestId;
            this.deadlineMs = deadlineMs;
            this.link = link;
            this.linkRequestId = linkRequestId;
        }

        PendingOrder(
            final ClientSession session,
            final long transactionId,
            final String topic,
            final String account,
            final String clientRequestId,
            final long deadlineMs)
        {
            this.session = session;
            this.transactionId = transactionId;
            this.topic = topic;
            this.account = account;
            this.clientRequestId = clientRequestId;
            this.deadlineMs = deadlineMs;
            this.link = null;
            this.linkRequestId = 0;
        }
    }

    private final RingEvent replay = new RingEvent(2 * io.meridian.codecs.InterlinkProtocol.MAX_MESSAGE_LENGTH);

    private static boolean isAccountData(final int itemKind)
    {
        return itemKind == ItemType.ORDERS.value() || itemKind == ItemType.HOLDINGS.value() ||
            itemKind == ItemType.BALANCES.value();
    }

    /**
     * Whether a trading command may go ahead now: an account's data and order requests only for the accounts the
     * Trading Agent associates with the session's user, an account list only the user's own. A command whose
     * answer depends on an account list not yet known waits for it; a refused one is answered here.
     *
     * @return true to go ahead.
     */
    private boolean entitled(final RingEvent event)
    {
        final int kind = event.itemKind;
        if (kind == ItemType.ACCOUNTS.value())
        {
            if (null != event.user && event.user.equals(event.key))
            {
                return true;
            }
            refuse(event, "Authority");
            return false;
        }
        if (event.type != RingEvent.ORDER_REQUEST && !isAccountData(kind))
        {
            return true;
        }
        if (null == event.user)
        {
            refuse(event, "Authority");
            return false;
        }
        final AccountsItem accounts = (AccountsItem)resolve(ItemType.ACCOUNTS.value(), event.user);
        if (!accounts.hasData)
        {
            if (accounts.state == Item.State.PENDING && accounts.link.up)
            {
                accounts.awaitingEntitlement.add(new EntitlementWait(event));
            }
            else
            {
                refuse(event, "Authority.Unavailable");
            }
            return false;
        }
        if (null != event.key && !accounts.allows(event.key))
        {
            counters.refusedTradingRequests.incrementRelease();
            refuse(event, "Account.Authority " + event.key);
            return false;
        }
        return true;
    }

    /**
     * The account list arrived or failed: run every command that waited for it again.
     */
    private void decideEntitlements(final AccountsItem accounts)
    {
        final ArrayList<EntitlementWait> waiting = accounts.awaitingEntitlement;
        if (waiting.isEmpty())
        {
            return;
        }
        final EntitlementWait[] decided = waiting.toArray(new EntitlementWait[0]);
        waiting.clear();
        for (final EntitlementWait wait : decided)
        {
            if (wait.session.isClosed())
            {
                continue;
            }
            wait.refill(replay);
            if (!accounts.hasData)
            {
                refuse(replay, "Authority.Unavailable");
                continue;
            }
            switch (wait.type)
            {
                case RingEvent.SUBSCRIBE:
                    onSubscribe(replay);
                    break;
                case RingEvent.QUERY_ITEM:
                    onQuery(replay);
                    break;
                default:
                    onOrderRequest(replay);
                    break;
            }
        }
        replay.clear();
    }

    /**
     * Answer a command that may not go ahead: an Error, then what its kind of request ends with (a Sub echo
     * without confirmation, an empty query answer, or an order request result).
     */
    private void refuse(final RingEvent event, final String code)
    {
        final ClientSession session = event.session;
        if (event.type == RingEvent.ORDER_REQUEST)
        {
            final boolean denied = "Authority".equals(code) || code.startsWith("Account.Authority");
            answerOrderRequest(session, event.transactionId, event.topic, code,
                denied ? OrderResult.Rejected : OrderResult.Error, requestIdOf(event), denied ? "Authority" : "Retry",
                null);
            return;
        }
        message.reset().startObject()
            .name("Controller").string(event.controller)
            .name("Topic").string(event.topic)
            .name("Action").string("Error");
        if (event.type == RingEvent.QUERY_ITEM)
        {
            message.name("TransactionID").number(event.transactionId);
        }
        message.name("Data").string(code).endObject();
        sendMessage(session, message);
        message.reset().startObject()
            .name("Controller").string(event.controller)
            .name("Topic").string(event.topic);
        if (event.type == RingEvent.QUERY_ITEM)
        {
            message.name("TransactionID").number(event.transactionId).name("Data").startArray().endArray();
        }
        else
        {
            if (!event.confirm)
            {
                return;
            }
            message.name("Action").string("Sub");
        }
        message.endObject();
        sendMessage(session, message);
    }

    private String requestIdOf(final RingEvent event)
    {
        orderRequestDecoder.wrapAndApplyHeader(event.buffer, 0, headerDecoder);
        return orderRequestDecoder.clientRequestId();
    }

    private void onOrderRequest(final RingEvent event)
    {
        final ClientSession session = event.session;
        if (session.isClosed() || !entitled(event))
        {
            return;
        }
        final String clientRequestId = requestIdOf(event);
        orderRequestDecoder.user();
        orderRequestDecoder.accountId();
        orderRequestDecoder.orderId();
        final String destination = orderRequestDecoder.destination();
        final AccountsItem accounts = (AccountsItem)accountLists.get(event.user);
        if (!destination.isEmpty() && (null == accounts || !accounts.allows(destination)))
        {
            counters.refusedTradingRequests.incrementRelease();
            answerOrderRequest(session, event.transactionId, event.topic, "Account.Authority " + destination,
                OrderResult.Rejected, clientRequestId, "Authority", null);
            return;
        }
        if (!tradingLink.up)
        {
            answerOrderRequest(session, event.transactionId, event.topic, "Account.Unavailable " + event.key,
                OrderResult.Error, clientRequestId, "Retry", null);
            return;
        }
        // Hold the account's orders in the cache (subscribing upstream ahead of the request, on the same stream), so
        // the answer can carry the order: clients need its ID, and parse an order only when it is complete.
        resolve(ItemType.ORDERS.value(), event.key);
        if (!destination.isEmpty() && !destination.equals(event.key))
        {
            resolve(ItemType.ORDERS.value(), destination);
        }
        final long requestId = ++nextRequestId;
        orderRequestEncoder.wrap(event.buffer, MessageHeaderEncoder.ENCODED_LENGTH)
            .linkId(tradingLink.linkId)
            .requestId(requestId);
        if (tradingLink.sender.offer(event.buffer, 0, event.length) <= 0)
        {
            answerOrderRequest(session, event.transactionId, event.topic, "Limited", OrderResult.Error,
                clientRequestId, "Retry", null);
            return;
        }
        counters.orderRequests.incrementRelease();
        pendingOrders.put(requestId, new PendingOrder(session, event.transactionId, event.topic, event.key,
            clientRequestId, clock.time() + actionTimeoutMs));
    }

    private void onOrderResponse(final OrderResponseDecoder decoder)
    {
        if (decoder.linkId() != tradingLink.linkId)
        {
            return;
        }
        final PendingOrder pending = pendingOrders.remove(decoder.requestId());
        if (null != pending && null != pending.link)
        {
            downstream.relay(pending.link, pending.linkRequestId, decoder.buffer(), 0,
                MessageHeaderDecoder.ENCODED_LENGTH + decoder.sbeDecodedLength());
            return;
        }
        final OrderResult result = decoder.result();
        decoder.clientRequestId();
        final String orderId = decoder.orderId();
        final String orderAccount = decoder.accountId();
        final String errors = decoder.errors();
        if (null == pending)
        {
            // Answered after its timeout: the client already has an Operation.Timeout for it.
            counters.lateOrderResponses.incrementRelease();
            return;
        }
        if (pending.session.isClosed())
        {
            return;
        }
        final OrdersItem orderList =
            (OrdersItem)orders.get(orderAccount.isEmpty() ? pending.account : orderAccount);
        final OrdersItem.Order order = null == orderList || orderId.isEmpty() ? null : orderList.order(orderId);
        answerOrderRequest(pending.session, pending.transactionId, pending.topic, null, result,
            pending.clientRequestId, errors, order);
    }

    /**
     * An order request's result, after an Error with {@code errorCode} when there is one (Zenith clients wait for
     * the result even after an Error).
     *
     * @param errors Zenith order error codes, separated by newlines; empty for none.
     * @param order  the order as the cache holds it, or null to leave it out (clients parse a present one in full).
     */
    private void answerOrderRequest(
        final ClientSession session,
        final long transactionId,
        final String topic,
        final String errorCode,
        final OrderResult result,
        final String clientRequestId,
        final String errors,
        final OrdersItem.Order order)
    {
        counters.orderResults[result.ordinal()].incrementRelease();
        if (null != errorCode)
        {
            message.reset().startObject()
                .name("Controller").string(TRADING_CONTROLLER)
                .name("Topic").string(topic)
                .name("Action").string("Error")
                .name("TransactionID").number(transactionId)
                .name("Data").string(errorCode)
                .endObject();
            sendMessage(session, message);
        }
        message.reset().startObject()
            .name("Controller").string(TRADING_CONTROLLER)
            .name("Topic").string(topic)
            .name("TransactionID").number(transactionId)
            .name("Data").startObject()
            .name("Result").string(result.name())
            .name("RequestID").string(clientRequestId);
        if (!errors.isEmpty())
        {
            message.name("Errors").startArray();
            int start = 0;
            while (start <= errors.length())
            {
                int end = errors.indexOf('\n', start);
                end = end < 0 ? errors.length() : end;
                if (end > start)
                {
                    message.string(errors.substring(start, end));
                }
                start = end + 1;
            }
            message.endArray();
        }
        if (null != order)
        {
            message.name("Order");
            OrdersItem.writeOrder(message, order);
        }
        message.endObject().endObject();
        sendMessage(session, message);
    }

    private void expireOrderRequests(final long nowMs)
    {
        if (pendingOrders.isEmpty())
        {
            return;
        }
        final ArrayList<PendingOrder> expired = expiredOrders;
        for (final Long2ObjectHashMap<PendingOrder>.EntryIterator it = pendingOrders.entrySet().iterator();
            it.hasNext();)
        {
            it.next();
            final PendingOrder pending = it.getValue();
            if (nowMs >= pending.deadlineMs)
            {
                expired.add(pending);
                it.remove();
            }
        }
        for (int i = 0; i < expired.size(); i++)
        {
            final PendingOrder pending = expired.get(i);
            counters.orderTimeouts.incrementRelease();
            if (null != pending.link)
            {
                downstream.answerOrder(pending.link, pending.linkRequestId, OrderResult.Error,
                    pending.clientRequestId, pending.account, "Timeout");
            }
            else if (!pending.session.isClosed())
            {
                answerOrderRequest(pending.session, pending.transactionId, pending.topic, "Operation.Timeout",
                    OrderResult.Error, pending.clientRequestId, "Timeout", null);
            }
        }
        expired.clear();
    }

    /**
     * The Trading Agent link was lost with requests in flight: they may or may not have been carried out, which is
     * what the {@code Submitted} order error says.
     */
    private void failOrderRequests()
    {
        for (final PendingOrder pending : pendingOrders.values())
        {
            if (null != pending.link)
            {
                downstream.answerOrder(pending.link, pending.linkRequestId, OrderResult.Error,
                    pending.clientRequestId, pending.account, "Submitted");
            }
            else if (!pending.session.isClosed())
            {
                answerOrderRequest(pending.session, pending.transactionId, pending.topic,
                    "Account.Unavailable " + pending.account, OrderResult.Error, pending.clientRequestId,
                    "Submitted", null);
            }
        }
        pendingOrders.clear();
    }

    private void onAccountUpdate(final AccountUpdateDecoder decoder)
    {
        final AccountsItem item = (AccountsItem)upstreamItem(decoder.itemId(), ItemType.ACCOUNTS.value());
        final int mode = null == item ? DROP : deltaMode(item, decoder.seqNo());
        if (mode == DROP)
        {
            return;
        }
        final ChangeAction action = decoder.action();
        final AccountsItem.Account account = item.apply(decoder);
        if (deltaDue(item, mode, true, counters.tradingUpdates) && null != account)
        {
            body.reset();
            AccountsItem.writeDelta(body, account);
            operations.reset();
            AccountsItem.writeDeltaOperation(operations, action, account);
            fanOut(item, body.length());
        }
    }

    private void onOrderUpdate(final OrderUpdateDecoder decoder)
    {
        final OrdersItem item = (OrdersItem)upstreamItem(decoder.itemId(), ItemType.ORDERS.value());
        final int mode = null == item ? DROP : deltaMode(item, decoder.seqNo());
        if (mode == DROP)
        {
            return;
        }
        final ChangeAction action = decoder.action();
        final OrdersItem.Order order = item.apply(decoder);
        final boolean fits = null != order || action == ChangeAction.CLEAR;
        if (deltaDue(item, mode, fits, counters.tradingUpdates))
        {
            body.reset();
            item.writeDelta(body, action, order);
            fanOut(item, body.length());
        }
    }

    private void onHoldingUpdate(final HoldingUpdateDecoder decoder)
    {
        final HoldingsItem item = (HoldingsItem)upstreamItem(decoder.itemId(), ItemType.HOLDINGS.value());
        final int mode = null == item ? DROP : deltaMode(item, decoder.seqNo());
        if (mode == DROP)
        {
            return;
        }
        final ChangeAction action = decoder.action();
        final HoldingsItem.Holding holding = item.apply(decoder);
        final boolean fits = null != holding || action == ChangeAction.CLEAR;
        if (deltaDue(item, mode, fits, counters.tradingUpdates))
        {
            body.reset();
            item.writeDelta(body, action, holding);
            fanOut(item, body.length());
        }
    }

    private void onBalanceUpdate(final BalanceUpdateDecoder decoder)
    {
        final BalancesItem item = (BalancesItem)upstreamItem(decoder.itemId(), ItemType.BALANCES.value());
        final int mode = null == item ? DROP : deltaMode(item, decoder.seqNo());
        if (mode == DROP)
        {
            return;
        }
        final ChangeAction action = decoder.action();
        final BalancesItem.Balance balance = item.apply(decoder);
        final boolean fits = null != balance || action == ChangeAction.CLEAR;
        if (deltaDue(item, mode, fits, counters.tradingUpdates))
        {
            body.reset();
            item.writeDelta(body, balance);
            fanOut(item, body.length());
        }
    }

    // ----------------------------------------------------------------------------------------------- for tests

    int cachedSecurities()
    {
        return securities.size();
    }

    boolean isCached(final String key)
    {
        return securities.containsKey(key);
    }

    boolean isLinkUp()
    {
        return marketLink.up;
    }

    DirectBuffer lastBody()
    {
        return body.buffer();
    }
}
