package io.meridian.sim;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.TradeHistoryRequestDecoder;
import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import io.meridian.config.Setting;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The simulated Feed Server: the top upstream of an interlink chain. It serves a deterministic universe of markets and
 * securities, each with a limit order book driven by random order flow at a configured rate, through a repeating
 * trading cycle of Open, Closed and PreOpen. The books run whether or not anyone subscribes; only items some link
 * subscribed are encoded.
 * <p>
 * Downstreams open links with Hello on the control stream and receive everything for the link on the publication
 * they name. Items: the market list, and per security its fields ({@code SECURITY}), its depth by order
 * ({@code DEPTH}), by price level ({@code LEVELS}) and its trades ({@code TRADES}); per market its symbol directory
 * ({@code SYMBOLS}). Each subscribed item gets a snapshot and then deltas with a per-item sequence number. A delta
 * that cannot be sent because of back pressure is never dropped silently: the item is resnapshotted on that link
 * instead, or, for trades, the missed trades are sent again from the history. Trade history requests are answered
 * from the same history.
 */
public final class FeedServer implements Agent
{
    /** Item id of the market list. */
    public static final long MARKETS_ITEM_ID = 1;

    /**
     * Item id of security 0; security {@code i} of {@code n} has item id {@code FIRST_SECURITY_ITEM_ID + i}, its depth
     * {@code + n}, its levels {@code + 2n}, its trades {@code + 3n}; market {@code m}'s symbols are
     * {@code FIRST_SECURITY_ITEM_ID + 4n + m}.
     */
    public static final long FIRST_SECURITY_ITEM_ID = 2;

    /** Market codes, the first {@link Context#markets()} of which are served. */
    public static final List<String> ALL_MARKET_CODES =
        List.of("XSX", "XNX", "XLX", "XMX", "XPX", "XQX", "XRX", "XTX");

    static final int MAX_UPDATES_PER_WORK = 4096;
    static final int MAX_ITEM_KEY_LENGTH = 64;
    /** History answers holding trades that may wait per link; requests beyond are answered UNAVAILABLE. */
    static final int MAX_HISTORY_ANSWERS = 32;

    private static final int KIND_MARKETS = 0;
    private static final int KIND_SECURITY = 1;
    private static final int KIND_DEPTH = 2;
    private static final int KIND_LEVELS = 3;
    private static final int KIND_TRADES = 4;
    private static final int KIND_SYMBOLS = 5;
    /** After a trades snapshot, and after a missed trade: the trades from {@code nextTradeId} go out as deltas. */
    private static final int PHASE_CATCH_UP = 2;
    /** Room a framed delta takes in a publication, for sizing the window a snapshot waits for. */
    private static final int FRAMED_DELTA_BYTES = 128;
    private static final int FRAMED_SECURITY_BYTES = 512;
    private static final long[] NO_TRADES = new long[0];

    private final Context ctx;
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final int securityCount;
    private final long[] seqNos;
    private final int[] subscribers;
    private final SimExchange exchange;
    private final List<String> securityKeys;
    private final List<String> marketCodes;
    private final long startNs;
    private final long[] range = new long[2];
    private final LinkTable<Link, FeedItem> links;
    private volatile boolean paused;
    private boolean wasPaused;

    private final FeedEncoder encoder = new FeedEncoder();
    private final TradeHistoryRequestDecoder historyDecoder = new TradeHistoryRequestDecoder();

    private long nowNs;
    private long nowMs;
    private long tradingDay = Long.MIN_VALUE;
    private int tradingDate;
    private long updatesScheduled;
    private long stampsScheduled;
    private final Publisher publisher = new Publisher();
    private long updates;
    private long stateChanges;
    private long historyRequests;

    /**
     * Build the universe and subscribe to the control stream.
     *
     * @param ctx settings, concluded here.
     */
    public FeedServer(final Context ctx)
    {
        ctx.conclude();
        this.ctx = ctx;
        this.nanoClock = ctx.nanoClock();
        this.epochClock = ctx.epochClock();
        this.nowMs = epochClock.time();

        marketCodes = ALL_MARKET_CODES.subList(0, ctx.markets());
        securityCount = ctx.securities();
        final int itemCount = (int)symbolsItemId(ctx.markets());
        seqNos = new long[itemCount];
        Arrays.fill(seqNos, 1);
        subscribers = new int[itemCount];

        exchange = new SimExchange(marketCodes, securityCount, ctx.seed(), ctx.maxOrdersPerSide(),
            ctx.tradeHistory(), ctx.sessionSeconds(), publisher);
        final String[] keys = new String[securityCount];
        for (int i = 0; i < securityCount; i++)
        {
            keys[i] = exchange.securities()[i].key;
        }
        securityKeys = List.of(keys);

        links = new LinkTable<>(ctx.aeron(), ctx.controlChannel(), ctx.controlStreamId(), ctx.serviceToken(),
            ctx.heartbeatIntervalMs(), ctx.livenessTimeoutMs(), ctx.serverName(), encoder, new LinkHandler());
        startNs = nanoClock.nanoTime();
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "feed-server";
    }

    /**
     * Poll the control stream, serve every link (Welcome, heartbeats, replies, history answers, snapshots, liveness),
     * move markets through the trading cycle and apply the book events that are due.
     *
     * @return control messages read, messages sent, links dropped, state changes and book events; 0 when idle.
     */
    public int doWork()
    {
        if (paused)
        {
            wasPaused = true;
            return 0;
        }
        nowNs = nanoClock.nanoTime();
        nowMs = epochClock.time();
        links.tick(nowNs, nowMs);
        final long sentBefore = links.messagesSent();
        int workCount = 0;
        if (wasPaused)
        {
            wasPaused = false;
            // As after a restart: links silent for too long are gone before anything they sent meanwhile is read.
            workCount += links.dropSilentLinks();
        }
        workCount += links.poll();
        workCount += links.serviceLinks();
        final int changes = exchange.updateTradingStates(TimeUnit.NANOSECONDS.toMillis(nowNs - startNs), nowMs);
        stateChanges += changes;
        workCount += changes;
        workCount += generateUpdates();
        workCount += sendStamps();
        return workCount + (int)(links.messagesSent() - sentBefore);
    }

    /**
     * Close the control subscription and every link's publication.
     */
    public void onClose()
    {
        links.close();
    }

    /**
     * Stop reading, sending and simulating, as if the Feed Server were down, so that its links time out downstream.
     * Safe to call from any thread.
     */
    public void pause()
    {
        paused = true;
    }

    /**
     * Go on after {@link #pause()}: links silent for longer than the liveness timeout are dropped first, and
     * downstreams say Hello again as usual. Safe to call from any thread.
     */
    public void resume()
    {
        paused = false;
    }

    /**
     * @return item keys ({@code CODE.MARKET}) of every security, in index order.
     */
    public List<String> securityKeys()
    {
        return securityKeys;
    }

    /**
     * @return codes of the markets served, in order.
     */
    public List<String> marketCodes()
    {
        return marketCodes;
    }

    /**
     * @param key item key, {@code CODE.MARKET}.
     * @return the item id of that security, or 0 if there is none.
     */
    public long securityItemId(final String key)
    {
        final SimSecurity security = exchange.security(key);
        return null == security ? 0 : itemId(KIND_SECURITY, security.index);
    }

    /**
     * @return links open or awaiting connection.
     */
    public int linkCount()
    {
        return links.linkCount();
    }

    /**
     * @return book events applied since start (order adds, amends, cancels and aggressive orders).
     */
    public long updates()
    {
        return updates;
    }

    /**
     * @return messages offered successfully on every link since start.
     */
    public long messagesSent()
    {
        return links.messagesSent();
    }

    /**
     * @return market trading state changes since start.
     */
    public long stateChanges()
    {
        return stateChanges;
    }

    /**
     * @return trade history requests received from open links.
     */
    public long historyRequests()
    {
        return historyRequests;
    }

    /**
     * @return Heartbeat, Subscribe, Unsubscribe and history requests naming no open link; they are ignored.
     */
    public long unknownLinkMessages()
    {
        return links.unknownLinkMessages();
    }

    /**
     * @return control messages that could not be decoded or whose Hello named an unusable channel.
     */
    public long malformedMessages()
    {
        return links.malformedMessages();
    }

    /**
     * @return offers that failed with back pressure, an admin action or no connection; each is retried or repaired.
     */
    public long backPressureEvents()
    {
        return links.backPressureEvents();
    }

    /**
     * @return items resnapshotted on a link because a delta could not be sent.
     */
    public long resnapshots()
    {
        return links.resnapshots();
    }

    /**
     * @return links dropped because they fell silent for longer than the liveness timeout.
     */
    public long droppedLinks()
    {
        return links.droppedLinks();
    }

    SimExchange exchange()
    {
        return exchange;
    }

    /**
     * @return messages and snapshots waiting to be sent on links, and links not yet welcomed; 0 when all is sent.
     */
    int pendingLinkWork()
    {
        int pending = 0;
        for (int i = 0, size = links.linkCount(); i < size; i++)
        {
            final Link link = links.link(i);
            pending += link.replies.size() + link.history.size() + link.snapshots.size() + (link.welcomed ? 0 : 1);
        }
        return pending;
    }

    private long itemId(final int kind, final int index)
    {
        return FIRST_SECURITY_ITEM_ID + (long)(kind - KIND_SECURITY) * securityCount + index;
    }

    private long symbolsItemId(final int marketIndex)
    {
        return FIRST_SECURITY_ITEM_ID + 4L * securityCount + marketIndex;
    }

    private static int securityKind(final short itemType)
    {
        if (ItemType.SECURITY.value() == itemType)
        {
            return KIND_SECURITY;
        }
        if (ItemType.DEPTH.value() == itemType)
        {
            return KIND_DEPTH;
        }
        if (ItemType.LEVELS.value() == itemType)
        {
            return KIND_LEVELS;
        }
        if (ItemType.TRADES.value() == itemType)
        {
            return KIND_TRADES;
        }
        return -1;
    }

    private static boolean isSecurityKey(final String key)
    {
        final int dot = key.indexOf('.');
        return key.length() <= MAX_ITEM_KEY_LENGTH && dot > 0 && dot < key.length() - 1;
    }

    private void onTradeHistoryRequest(final TradeHistoryRequestDecoder request)
    {
        final Link link = links.openLink(request.linkId());
        if (null == link)
        {
            return;
        }
        historyRequests++;

        final long requestId = request.requestId();
        final int count = request.count();
        final int date = request.tradingDate();
        final long firstTradeId = request.firstTradeId();
        final long lastTradeId = request.lastTradeId();
        final String key = request.itemKey();

        SubscribeStatus status = SubscribeStatus.OK;
        long[] trades = NO_TRADES;
        int tradeCount = 0;
        if (!isSecurityKey(key) || count < 0 || firstTradeId < 0 || lastTradeId < 0)
        {
            status = SubscribeStatus.INVALID;
        }
        else
        {
            final SimSecurity security = exchange.security(key);
            if (null == security)
            {
                status = SubscribeStatus.NOT_FOUND;
            }
            else if (0 == date || tradingDate() == date)
            {
                security.trades.select(count, firstTradeId, lastTradeId, range);
                final long selected = Math.max(0, range[1] - range[0] + 1);
                if (selected > 0 && link.historyWithTrades >= MAX_HISTORY_ANSWERS)
                {
                    status = SubscribeStatus.UNAVAILABLE;
                }
                else if (selected > 0)
                {
                    trades = new long[(int)selected * SimTradeHistory.ROW_STRIDE];
                    tradeCount = security.trades.copy(range[0], range[1], trades);
                    link.historyWithTrades++;
                }
            }
        }
        link.history.add(new HistoryAnswer(requestId, status, trades, tradeCount));
    }

    private void subscribeItem(
        final Link link,
        final long requestId,
        final long itemId,
        final int kind,
        final SimSecurity security,
        final SimMarket market)
    {
        FeedItem item = link.items.get(itemId);
        if (null == item)
        {
            item = new FeedItem(itemId, kind, security, market);
            link.items.put(itemId, item);
            subscribers[(int)itemId]++;
        }
        links.subscribed(link, requestId, item);
    }

    /**
     * Send the item's trades again from one the link missed, as deltas, while the history still holds them.
     */
    private static void requestCatchUp(final Link link, final FeedItem item, final long fromTradeId)
    {
        item.phase = PHASE_CATCH_UP;
        item.nextTradeId = fromTradeId;
        item.queued = true;
        link.snapshots.add(item);
    }

    /**
     * Send as much of the item's snapshot (or trade catch-up) as the publication takes.
     *
     * @return true when it is complete.
     */
    private boolean sendSnapshot(final Link link, final FeedItem item)
    {
        if (PHASE_CATCH_UP == item.phase)
        {
            return catchUp(link, item);
        }

        final int itemIndex = (int)item.itemId;
        if (LinkItem.PHASE_BEGIN == item.phase)
        {
            if (!links.beginSnapshot(link, item, seqNos[itemIndex], snapshotBytes(item)))
            {
                return false;
            }
            if (KIND_TRADES == item.kind)
            {
                item.nextTradeId = item.security.trades.firstTradeId();
                item.snapshotLastTradeId = item.security.trades.lastTradeId();
            }
        }

        // Trades only grow, so their snapshot stays true; other items must not change while theirs is sent in parts.
        if (KIND_TRADES != item.kind && seqNos[itemIndex] != item.snapshotSeqNo)
        {
            item.phase = LinkItem.PHASE_BEGIN;
            return false;
        }

        if (!sendSnapshotBody(link, item))
        {
            return false;
        }

        if (!links.endSnapshot(link, item))
        {
            return false;
        }

        if (KIND_TRADES == item.kind)
        {
            item.phase = PHASE_CATCH_UP;
            item.nextTradeId = item.snapshotLastTradeId + 1;
            return catchUp(link, item);
        }
        return true;
    }

    private boolean sendSnapshotBody(final Link link, final FeedItem item)
    {
        final long itemId = item.itemId;
        final long seqNo = item.snapshotSeqNo;
        final SimSecurity security = item.security;
        switch (item.kind)
        {
            case KIND_MARKETS:
            {
                final SimMarket[] markets = exchange.markets();
                for (; item.cursor < markets.length; item.cursor++)
                {
                    if (!links.offer(link, encoder.marketUpdate(itemId, seqNo, markets[item.cursor], tradingDate())))
                    {
                        return false;
                    }
                }
                return true;
            }
            case KIND_SECURITY:
            {
                final long nullMask = security.nullMask;
                if (0 == item.cursor &&
                    !links.offer(link, encoder.securityUpdate(itemId, seqNo, security, SecurityFields.ALL & ~nullMask,
                    nullMask)))
                {
                    return false;
                }
                item.cursor = 1;
                return true;
            }
            case KIND_DEPTH:
            {
                final SimOrderBook book = security.book;
                final int bids = book.orderCount(SimOrderBook.BID);
                for (final int total = bids + book.orderCount(SimOrderBook.ASK); item.cursor < total; item.cursor++)
                {
                    final int side = item.cursor < bids ? SimOrderBook.BID : SimOrderBook.ASK;
                    final int rank = item.cursor < bids ? item.cursor : item.cursor - bids;
                    if (!links.offer(link, encoder.depthOrder(itemId, seqNo, ChangeAction.ADD, side,
                        FeedEncoder.ALL_ORDER_FIELDS, book.orderId(side, rank), book.orderPosition(side, rank),
                        book.orderPrice(side, rank), book.orderQuantity(side, rank))))
                    {
                        return false;
                    }
                }
                return true;
            }
            case KIND_LEVELS:
            {
                final SimOrderBook book = security.book;
                final int bids = book.levelCount(SimOrderBook.BID);
                for (final int total = bids + book.levelCount(SimOrderBook.ASK); item.cursor < total; item.cursor++)
                {
                    final int side = item.cursor < bids ? SimOrderBook.BID : SimOrderBook.ASK;
                    final int rank = item.cursor < bids ? item.cursor : item.cursor - bids;
                    if (!links.offer(link, encoder.depthLevel(itemId, seqNo, ChangeAction.ADD, side,
                        book.levelId(side, rank), book.levelPrice(side, rank), book.levelVolume(side, rank),
                        book.levelOrders(side, rank))))
                    {
                        return false;
                    }
                }
                return true;
            }
            case KIND_TRADES:
            {
                final SimTradeHistory trades = security.trades;
                for (; item.nextTradeId <= item.snapshotLastTradeId; item.nextTradeId++)
                {
                    if (item.nextTradeId < trades.firstTradeId())
                    {
                        // Evicted before it could be sent: what was sent is no longer the newest history.
                        item.phase = LinkItem.PHASE_BEGIN;
                        return false;
                    }
                    if (!links.offer(link, encoder.trade(itemId, seqNo, trades, item.nextTradeId)))
                    {
                        return false;
                    }
                }
                return true;
            }
            default:
            {
                final SimSecurity[] listed = item.market.securities;
                for (; item.cursor < listed.length; item.cursor++)
                {
                    if (!links.offer(link, encoder.symbol(itemId, seqNo, listed[item.cursor])))
                    {
                        return false;
                    }
                }
                return true;
            }
        }
    }

    /**
     * Send, as deltas, the trades from {@code item.nextTradeId} to the newest.
     *
     * @return true when the link has them all.
     */
    private boolean catchUp(final Link link, final FeedItem item)
    {
        final SimTradeHistory trades = item.security.trades;
        final long lastTradeId = trades.lastTradeId();
        final long lastSeqNo = seqNos[(int)item.itemId];
        for (; item.nextTradeId <= lastTradeId; item.nextTradeId++)
        {
            if (item.nextTradeId < trades.firstTradeId())
            {
                // Still queued, so this restarts the snapshot in place.
                links.resnapshot(link, item);
                return false;
            }
            final long seqNo = lastSeqNo - (lastTradeId - item.nextTradeId);
            if (!links.offer(link, encoder.trade(item.itemId, seqNo, trades, item.nextTradeId)))
            {
                return false;
            }
        }
        return true;
    }

    private int snapshotBytes(final FeedItem item)
    {
        switch (item.kind)
        {
            case KIND_MARKETS:
                return (exchange.markets().length + 2) * FRAMED_DELTA_BYTES;
            case KIND_SECURITY:
                return FRAMED_SECURITY_BYTES + 2 * FRAMED_DELTA_BYTES;
            case KIND_DEPTH:
                return (item.security.book.orderCount(SimOrderBook.BID) +
                    item.security.book.orderCount(SimOrderBook.ASK) + 2) * FRAMED_DELTA_BYTES;
            case KIND_LEVELS:
                return (item.security.book.levelCount(SimOrderBook.BID) +
                    item.security.book.levelCount(SimOrderBook.ASK) + 2) * FRAMED_DELTA_BYTES;
            default:
                return LinkTable.SNAPSHOT_WINDOW_BYTES;
        }
    }

    /**
     * @return the {@link Context#nanoClock()} time the next stamped update is due; {@link Long#MAX_VALUE} when none
     * are sent.
     */
    public long nextStampDueNs()
    {
        final int rate = ctx.stampRate();
        return 0 == rate ? Long.MAX_VALUE : startNs + (long)(stampsScheduled * 1e9 / rate);
    }

    /**
     * How the thread running this Feed Server should wait: the given strategy, or, while stamped updates are sent,
     * one that does not sleep past the next update's time.
     *
     * @param idleStrategy the strategy the thread would use otherwise.
     * @return the strategy to run this agent with.
     */
    public IdleStrategy idleStrategy(final IdleStrategy idleStrategy)
    {
        return 0 == ctx.stampRate() ? idleStrategy : new PacedIdleStrategy(idleStrategy, this::nextStampDueNs,
            nanoClock);
    }

    /**
     * Send the stamped security updates that are due, each with the time it was due rather than the time it goes
     * out, so that a late duty cycle shows as latency downstream (no coordinated omission). A backlog is sent over
     * the next duty cycles, at most {@link #MAX_UPDATES_PER_WORK} a cycle, never skipped.
     */
    private int sendStamps()
    {
        final int rate = ctx.stampRate();
        if (0 == rate)
        {
            return 0;
        }
        // Update k is due at startNs + k / rate: those up to and including the one due now go out.
        final long due = (long)((double)(nowNs - startNs) * rate / 1e9) + 1;
        int sent = 0;
        while (stampsScheduled < due && sent < MAX_UPDATES_PER_WORK)
        {
            final long dueNs = nextStampDueNs();
            final SimSecurity security = exchange.securities()[(int)(stampsScheduled % securityCount)];
            security.stamp(dueNs);
            publisher.onSecurityChanged(security, SecurityFields.VALUE_TRADED);
            stampsScheduled++;
            sent++;
        }
        return sent;
    }

    private int generateUpdates()
    {
        if (0 == ctx.updateRate())
        {
            return 0;
        }

        final long due = (long)((double)(nowNs - startNs) * ctx.updateRate() / 1e9);
        long count = due - updatesScheduled;
        if (count <= 0)
        {
            return 0;
        }

        // After a stall, skip the backlog rather than emit an unbounded burst.
        count = Math.min(count, MAX_UPDATES_PER_WORK);
        updatesScheduled = due;

        int applied = 0;
        for (int i = 0; i < count; i++)
        {
            if (exchange.step(nowMs))
            {
                applied++;
            }
        }
        updates += applied;

        return (int)count;
    }

    /**
     * Offer the delta now in the encoder's buffer to every link that has the item live; a link that cannot take it
     * gets the item's snapshot again.
     */
    private void publish(final long itemId, final int length)
    {
        links.publish(itemId, length, true);
    }

    private void publishTrade(final long itemId, final long seqNo, final SimTradeHistory trades, final long tradeId)
    {
        int length = 0;
        for (int i = 0, size = links.linkCount(); i < size; i++)
        {
            final Link link = links.link(i);
            final FeedItem item = links.liveItem(link, itemId);
            if (null == item)
            {
                continue;
            }

            if (0 == length)
            {
                length = encoder.trade(itemId, seqNo, trades, tradeId);
            }
            if (!links.offer(link, length))
            {
                requestCatchUp(link, item, tradeId);
            }
        }
    }

    private int tradingDate()
    {
        final long day = Math.floorDiv(nowMs, TimeUnit.DAYS.toMillis(1));
        if (day != tradingDay)
        {
            tradingDay = day;
            tradingDate = tradingDate(nowMs);
        }
        return tradingDate;
    }

    static int tradingDate(final long epochMs)
    {
        final LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(epochMs, TimeUnit.DAYS.toMillis(1)));
        return date.getYear() * 10_000 + date.getMonthValue() * 100 + date.getDayOfMonth();
    }

    /**
     * Turns each change of the exchange into a delta of its item: the item's sequence number always moves on, and
     * the delta is encoded only when some link subscribed the item.
     */
    private final class Publisher implements SimListener
    {
        public void onOrderAdded(
            final SimSecurity security,
            final int side,
            final long orderId,
            final long position,
            final long price,
            final long quantity)
        {
            final long itemId = itemId(KIND_DEPTH, security.index);
            final long seqNo = ++seqNos[(int)itemId];
            if (0 != subscribers[(int)itemId])
            {
                publish(itemId, encoder.depthOrder(itemId, seqNo, ChangeAction.ADD, side,
                    FeedEncoder.ALL_ORDER_FIELDS, orderId, position, price, quantity));
            }
        }

        public void onOrderQuantity(
            final SimSecurity security, final int side, final long orderId, final long quantity)
        {
            final long itemId = itemId(KIND_DEPTH, security.index);
            final long seqNo = ++seqNos[(int)itemId];
            if (0 != subscribers[(int)itemId])
            {
                publish(itemId, encoder.depthOrder(itemId, seqNo, ChangeAction.UPDATE, side,
                    FeedEncoder.FIELD_QUANTITY, orderId, 0, 0, quantity));
            }
        }

        public void onOrderRemoved(final SimSecurity security, final int side, final long orderId)
        {
            final long itemId = itemId(KIND_DEPTH, security.index);
            final long seqNo = ++seqNos[(int)itemId];
            if (0 != subscribers[(int)itemId])
            {
                publish(itemId, encoder.depthOrder(itemId, seqNo, ChangeAction.REMOVE, side, 0, orderId, 0, 0, 0));
            }
        }

        public void onLevel(
            final SimSecurity security,
            final boolean added,
            final int side,
            final long levelId,
            final long price,
            final long volume,
            final int count)
        {
            final long itemId = itemId(KIND_LEVELS, security.index);
            final long seqNo = ++seqNos[(int)itemId];
            if (0 != subscribers[(int)itemId])
            {
                publish(itemId, encoder.depthLevel(itemId, seqNo, added ? ChangeAction.ADD : ChangeAction.UPDATE,
                    side, levelId, price, volume, count));
            }
        }

        public void onLevelRemoved(final SimSecurity security, final int side, final long levelId, final long price)
        {
            final long itemId = itemId(KIND_LEVELS, security.index);
            final long seqNo = ++seqNos[(int)itemId];
            if (0 != subscribers[(int)itemId])
            {
                publish(itemId, encoder.depthLevel(itemId, seqNo, ChangeAction.REMOVE, side, levelId, price, 0, 0));
            }
        }

        public void onBookCleared(final SimSecurity security)
        {
            final long depthItemId = itemId(KIND_DEPTH, security.index);
            final long depthSeqNo = ++seqNos[(int)depthItemId];
            if (0 != subscribers[(int)depthItemId])
            {
                publish(depthItemId,
                    encoder.depthOrder(depthItemId, depthSeqNo, ChangeAction.CLEAR, -1, 0, 0, 0, 0, 0));
            }
            final long levelsItemId = itemId(KIND_LEVELS, security.index);
            final long levelsSeqNo = ++seqNos[(int)levelsItemId];
            if (0 != subscribers[(int)levelsItemId])
            {
                publish(levelsItemId,
                    encoder.depthLevel(levelsItemId, levelsSeqNo, ChangeAction.CLEAR, -1, 0, 0, 0, 0));
            }
        }

        public void onTrade(final SimSecurity security, final long tradeId)
        {
            final long itemId = itemId(KIND_TRADES, security.index);
            final long seqNo = ++seqNos[(int)itemId];
            if (0 != subscribers[(int)itemId])
            {
                publishTrade(itemId, seqNo, security.trades, tradeId);
            }
        }

        public void onSecurityChanged(final SimSecurity security, final long changed)
        {
            final long itemId = itemId(KIND_SECURITY, security.index);
            final long seqNo = ++seqNos[(int)itemId];
            if (0 != subscribers[(int)itemId])
            {
                final long nullMask = security.nullMask;
                publish(itemId,
                    encoder.securityUpdate(itemId, seqNo, security, changed & ~nullMask, changed & nullMask));
            }
        }

        public void onMarketStateChanged(final SimMarket market)
        {
            final long seqNo = ++seqNos[(int)MARKETS_ITEM_ID];
            if (0 != subscribers[(int)MARKETS_ITEM_ID])
            {
                publish(MARKETS_ITEM_ID, encoder.marketUpdate(MARKETS_ITEM_ID, seqNo, market, tradingDate()));
            }
        }
    }

    /**
     * What the Feed Server does its own way on its links: what an item key names, trade history requests and their
     * answers, and the bodies of snapshots.
     */
    private final class LinkHandler implements LinkTable.Handler<Link, FeedItem>
    {
        public Link newLink(
            final long linkId, final ExclusivePublication publication, final String rejectReason, final long nowNs)
        {
            return new Link(linkId, publication, rejectReason, nowNs);
        }

        public void onSubscribe(final Link link, final long requestId, final short itemType, final String key)
        {
            if (ItemType.MARKETS.value() == itemType)
            {
                if (InterlinkProtocol.MARKETS_KEY.equals(key))
                {
                    subscribeItem(link, requestId, MARKETS_ITEM_ID, KIND_MARKETS, null, null);
                }
                else
                {
                    links.reply(link, requestId, 0, SubscribeStatus.INVALID,
                        "Invalid market list key, expected '" + InterlinkProtocol.MARKETS_KEY + "'");
                }
            }
            else if (ItemType.SYMBOLS.value() == itemType)
            {
                if (key.isEmpty() || key.length() > MAX_ITEM_KEY_LENGTH || key.indexOf('.') >= 0)
                {
                    links.reply(
                        link, requestId, 0, SubscribeStatus.INVALID, "Invalid symbols key, expected a market code");
                    return;
                }
                final SimMarket market = exchange.market(key);
                if (null == market)
                {
                    links.reply(link, requestId, 0, SubscribeStatus.NOT_FOUND, "Market.NotFound " + key);
                }
                else
                {
                    subscribeItem(link, requestId, symbolsItemId(market.index), KIND_SYMBOLS, null, market);
                }
            }
            else
            {
                final int kind = securityKind(itemType);
                if (kind < 0)
                {
                    links.reply(link, requestId, 0, SubscribeStatus.INVALID, "Unknown item type");
                }
                else if (!isSecurityKey(key))
                {
                    links.reply(
                        link, requestId, 0, SubscribeStatus.INVALID, "Invalid security key, expected CODE.MARKET");
                }
                else
                {
                    final SimSecurity security = exchange.security(key);
                    if (null == security)
                    {
                        links.reply(link, requestId, 0, SubscribeStatus.NOT_FOUND, "Symbol.NotFound " + key);
                    }
                    else
                    {
                        subscribeItem(link, requestId, itemId(kind, security.index), kind, security, null);
                    }
                }
            }
        }

        public boolean onMessage(
            final int templateId,
            final DirectBuffer buffer,
            final int offset,
            final int blockLength,
            final int version,
            final int bodyLength)
        {
            if (TradeHistoryRequestDecoder.TEMPLATE_ID != templateId)
            {
                return false;
            }
            historyDecoder.wrap(buffer, offset, blockLength, version);
            if (links.complete(historyDecoder.sbeDecodedLength(), bodyLength))
            {
                onTradeHistoryRequest(historyDecoder);
            }
            return true;
        }

        public void onUnsubscribed(final FeedItem item)
        {
            subscribers[(int)item.itemId]--;
        }

        /**
         * Send the history answers the link is owed, then its snapshots.
         */
        public void sendQueued(final Link link)
        {
            HistoryAnswer answer;
            while (null != (answer = link.history.peek()))
            {
                while (true)
                {
                    final int count =
                        Math.min(InterlinkProtocol.TRADES_PER_HISTORY_MESSAGE, answer.tradeCount - answer.sent);
                    final boolean last = answer.sent + count == answer.tradeCount;
                    if (!links.offer(link, encoder.tradeHistory(
                        link.linkId, answer.requestId, answer.status, answer.trades, answer.sent, count, last)))
                    {
                        return;
                    }
                    answer.sent += count;
                    if (last)
                    {
                        break;
                    }
                }
                link.history.poll();
                if (answer.tradeCount > 0)
                {
                    link.historyWithTrades--;
                }
            }

            links.sendSnapshots(link);
        }

        public boolean sendSnapshot(final Link link, final FeedItem item)
        {
            return FeedServer.this.sendSnapshot(link, item);
        }
    }

    /**
     * A link, with the trade history answers it is owed.
     */
    private static final class Link extends DownstreamLink<FeedItem>
    {
        final ArrayDeque<HistoryAnswer> history = new ArrayDeque<>();
        int historyWithTrades;

        Link(final long linkId, final ExclusivePublication publication, final String rejectReason, final long nowNs)
        {
            super(linkId, publication, rejectReason, nowNs);
        }
    }

    /**
     * One item subscribed on one link. While queued, the link gets no deltas of it: its snapshot (or, for trades, a
     * catch-up) is under way.
     */
    private static final class FeedItem extends LinkItem
    {
        final int kind;
        final SimSecurity security;
        final SimMarket market;
        long nextTradeId;
        long snapshotLastTradeId;

        FeedItem(final long itemId, final int kind, final SimSecurity security, final SimMarket market)
        {
            super(itemId);
            this.kind = kind;
            this.security = security;
            this.market = market;
        }
    }

    private static final class HistoryAnswer
    {
        final long requestId;
        final SubscribeStatus status;
        final long[] trades;
        final int tradeCount;
        int sent;

        HistoryAnswer(final long requestId, final SubscribeStatus status, final long[] trades, final int tradeCount)
        {
            this.requestId = requestId;
            this.status = status;
            this.trades = trades;
            this.tradeCount = tradeCount;
        }
    }

    /**
     * Settings of a {@link FeedServer}. Setters are fluent; {@link #conclude()} fills in defaults and fails with a
     * {@link ConfigException} naming the first bad setting.
     */
    public static final class Context
    {
        private Aeron aeron;
        private String controlChannel = "aeron:ipc";
        private int controlStreamId = 1001;
        private int markets = 4;
        private int securities = 1000;
        private int updateRate = 1000;
        private int stampRate;
        private int sessionSeconds = 300;
        private int maxOrdersPerSide = 40;
        private int tradeHistory = 1000;
        private long seed = 42;
        private String serviceToken = "";
        private int heartbeatIntervalMs = 1000;
        private int livenessTimeoutMs = 5000;
        private String serverName = "meridian-sim";
        private EpochClock epochClock;
        private NanoClock nanoClock;

        /**
         * Settings from a Meridian config: {@code sim.*} and the {@code upstream.*} channel, stream and timers.
         *
         * @param config the config.
         * @param aeron  the connected Aeron client to use.
         * @return a new context.
         */
        public static Context fromConfig(final MeridianConfig config, final Aeron aeron)
        {
            return new Context()
                .aeron(aeron)
                .controlChannel(config.upstreamChannel())
                .controlStreamId(config.upstreamControlStreamId())
                .markets(config.simMarkets())
                .securities(config.simSecurities())
                .updateRate(config.simUpdateRate())
                .stampRate(config.simStampRate())
                .sessionSeconds(config.simSessionSeconds())
                .maxOrdersPerSide(config.simMaxOrdersPerSide())
                .tradeHistory(config.simTradeHistory())
                .seed(config.simSeed())
                .serviceToken(config.simServiceToken())
                .heartbeatIntervalMs(config.upstreamHeartbeatMs())
                .livenessTimeoutMs(config.upstreamLivenessMs());
        }

        /**
         * Fill in default clocks and check every setting.
         *
         * @return this.
         * @throws ConfigException naming the first bad setting.
         */
        public Context conclude()
        {
            LinkSettings.checkControl(
                aeron, Setting.UPSTREAM_CHANNEL, controlChannel, Setting.UPSTREAM_CONTROL_STREAM_ID, controlStreamId);
            LinkSettings.check(Setting.SIM_MARKETS, markets, 1, ALL_MARKET_CODES.size());
            LinkSettings.check(Setting.SIM_SECURITIES, securities, 1, 1_000_000);
            LinkSettings.check(Setting.SIM_UPDATE_RATE, updateRate, 0, 10_000_000);
            LinkSettings.check(Setting.SIM_STAMP_RATE, stampRate, 0, 10_000_000);
            LinkSettings.check(Setting.SIM_SESSION_SECONDS, sessionSeconds, 0, 86_400);
            LinkSettings.check(Setting.SIM_MAX_ORDERS_PER_SIDE, maxOrdersPerSide, 2, 1000);
            LinkSettings.check(Setting.SIM_TRADE_HISTORY, tradeHistory, 1, 100_000);
            LinkSettings.checkLinks(serviceToken, heartbeatIntervalMs, livenessTimeoutMs, serverName);
            if (null == epochClock)
            {
                epochClock = SystemEpochClock.INSTANCE;
            }
            if (null == nanoClock)
            {
                nanoClock = SystemNanoClock.INSTANCE;
            }
            return this;
        }

        /**
         * @param aeron connected client used for the control subscription and link publications.
         * @return this.
         */
        public Context aeron(final Aeron aeron)
        {
            this.aeron = aeron;
            return this;
        }

        public Aeron aeron()
        {
            return aeron;
        }

        /**
         * @param controlChannel channel of the control stream downstreams send Hello and Subscribe on.
         * @return this.
         */
        public Context controlChannel(final String controlChannel)
        {
            this.controlChannel = controlChannel;
            return this;
        }

        public String controlChannel()
        {
            return controlChannel;
        }

        /**
         * @param controlStreamId stream id of the control stream.
         * @return this.
         */
        public Context controlStreamId(final int controlStreamId)
        {
            this.controlStreamId = controlStreamId;
            return this;
        }

        public int controlStreamId()
        {
            return controlStreamId;
        }

        /**
         * @param markets number of markets served, 1 to 8.
         * @return this.
         */
        public Context markets(final int markets)
        {
            this.markets = markets;
            return this;
        }

        public int markets()
        {
            return markets;
        }

        /**
         * @param securities number of securities, spread round-robin over the markets.
         * @return this.
         */
        public Context securities(final int securities)
        {
            this.securities = securities;
            return this;
        }

        public int securities()
        {
            return securities;
        }

        /**
         * @param updateRate order book events per second over all securities; 0 for none.
         * @return this.
         */
        public Context updateRate(final int updateRate)
        {
            this.updateRate = updateRate;
            return this;
        }

        public int updateRate()
        {
            return updateRate;
        }

        /**
         * @param stampRate security updates per second, round robin over the securities, each carrying in
         *                  ValueTraded the {@code System.nanoTime()} it was due, divided by 100; 0 for none.
         * @return this.
         */
        public Context stampRate(final int stampRate)
        {
            this.stampRate = stampRate;
            return this;
        }

        public int stampRate()
        {
            return stampRate;
        }

        /**
         * @param sessionSeconds length of the trading cycle (Open 80%, Closed 10%, PreOpen 10%); 0 keeps markets Open.
         * @return this.
         */
        public Context sessionSeconds(final int sessionSeconds)
        {
            this.sessionSeconds = sessionSeconds;
            return this;
        }

        public int sessionSeconds()
        {
            return sessionSeconds;
        }

        /**
         * @param maxOrdersPerSide most resting orders per side of each book; a full side cancels its oldest to add.
         * @return this.
         */
        public Context maxOrdersPerSide(final int maxOrdersPerSide)
        {
            this.maxOrdersPerSide = maxOrdersPerSide;
            return this;
        }

        public int maxOrdersPerSide()
        {
            return maxOrdersPerSide;
        }

        /**
         * @param tradeHistory most recent trades each security keeps for trade snapshots and history requests.
         * @return this.
         */
        public Context tradeHistory(final int tradeHistory)
        {
            this.tradeHistory = tradeHistory;
            return this;
        }

        public int tradeHistory()
        {
            return tradeHistory;
        }

        /**
         * @param seed seed of the universe and of the order flow.
         * @return this.
         */
        public Context seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        public long seed()
        {
            return seed;
        }

        /**
         * @param serviceToken token a Hello must carry; empty accepts any.
         * @return this.
         */
        public Context serviceToken(final String serviceToken)
        {
            this.serviceToken = serviceToken;
            return this;
        }

        public String serviceToken()
        {
            return serviceToken;
        }

        /**
         * @param heartbeatIntervalMs interval of the Heartbeats sent on every link.
         * @return this.
         */
        public Context heartbeatIntervalMs(final int heartbeatIntervalMs)
        {
            this.heartbeatIntervalMs = heartbeatIntervalMs;
            return this;
        }

        public int heartbeatIntervalMs()
        {
            return heartbeatIntervalMs;
        }

        /**
         * @param livenessTimeoutMs silence after which a link is dropped.
         * @return this.
         */
        public Context livenessTimeoutMs(final int livenessTimeoutMs)
        {
            this.livenessTimeoutMs = livenessTimeoutMs;
            return this;
        }

        public int livenessTimeoutMs()
        {
            return livenessTimeoutMs;
        }

        /**
         * @param serverName name announced in Welcome.
         * @return this.
         */
        public Context serverName(final String serverName)
        {
            this.serverName = serverName;
            return this;
        }

        public String serverName()
        {
            return serverName;
        }

        /**
         * @param epochClock wall clock for heartbeat timestamps and the trading date.
         * @return this.
         */
        public Context epochClock(final EpochClock epochClock)
        {
            this.epochClock = epochClock;
            return this;
        }

        public EpochClock epochClock()
        {
            return epochClock;
        }

        /**
         * @param nanoClock monotonic clock for the update rate, heartbeats and liveness.
         * @return this.
         */
        public Context nanoClock(final NanoClock nanoClock)
        {
            this.nanoClock = nanoClock;
            return this;
        }

        public NanoClock nanoClock()
        {
            return nanoClock;
        }
    }
}
