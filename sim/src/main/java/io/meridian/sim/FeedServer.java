package io.meridian.sim;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.HeartbeatDecoder;
import io.meridian.codecs.interlink.HelloDecoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.TradeHistoryRequestDecoder;
import io.meridian.codecs.interlink.UnsubscribeDecoder;
import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import io.meridian.config.Setting;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
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

    static final int FRAGMENT_LIMIT = 64;
    static final int MAX_UPDATES_PER_WORK = 4096;
    static final int MAX_ITEM_KEY_LENGTH = 64;
    static final int SNAPSHOT_WINDOW_BYTES = 2048;
    /** History answers holding trades that may wait per link; requests beyond are answered UNAVAILABLE. */
    static final int MAX_HISTORY_ANSWERS = 32;

    private static final int KIND_MARKETS = 0;
    private static final int KIND_SECURITY = 1;
    private static final int KIND_DEPTH = 2;
    private static final int KIND_LEVELS = 3;
    private static final int KIND_TRADES = 4;
    private static final int KIND_SYMBOLS = 5;
    private static final int PHASE_BEGIN = 0;
    private static final int PHASE_BODY = 1;
    private static final int PHASE_CATCH_UP = 2;
    /** Room a framed delta takes in a publication, for sizing the window a snapshot waits for. */
    private static final int FRAMED_DELTA_BYTES = 128;
    private static final int FRAMED_SECURITY_BYTES = 512;
    private static final long[] NO_TRADES = new long[0];

    private final Context ctx;
    private final Aeron aeron;
    private final Subscription controlSubscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final int securityCount;
    private final long[] seqNos;
    private final int[] subscribers;
    private final SimExchange exchange;
    private final List<String> securityKeys;
    private final List<String> marketCodes;
    private final long heartbeatIntervalNs;
    private final long livenessTimeoutNs;
    private final long startNs;
    private final byte[] serviceToken;
    private final long[] range = new long[2];

    private final Long2ObjectHashMap<Link> linkById = new Long2ObjectHashMap<>();
    private final ArrayList<Link> links = new ArrayList<>();

    private final FeedEncoder encoder = new FeedEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final HelloDecoder helloDecoder = new HelloDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final SubscribeDecoder subscribeDecoder = new SubscribeDecoder();
    private final UnsubscribeDecoder unsubscribeDecoder = new UnsubscribeDecoder();
    private final TradeHistoryRequestDecoder historyDecoder = new TradeHistoryRequestDecoder();

    private long nowNs;
    private long nowMs;
    private long tradingDay = Long.MIN_VALUE;
    private int tradingDate;
    private long updatesScheduled;
    private long updates;
    private long stateChanges;
    private long messagesSent;
    private long historyRequests;
    private long unknownLinkMessages;
    private long malformedMessages;
    private long backPressureEvents;
    private long resnapshots;
    private long droppedLinks;

    /**
     * Build the universe and subscribe to the control stream.
     *
     * @param ctx settings, concluded here.
     */
    public FeedServer(final Context ctx)
    {
        ctx.conclude();
        this.ctx = ctx;
        this.aeron = ctx.aeron();
        this.nanoClock = ctx.nanoClock();
        this.epochClock = ctx.epochClock();
        this.heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(ctx.heartbeatIntervalMs());
        this.livenessTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.livenessTimeoutMs());
        this.serviceToken = ctx.serviceToken().getBytes(StandardCharsets.UTF_8);
        this.nowMs = epochClock.time();

        marketCodes = ALL_MARKET_CODES.subList(0, ctx.markets());
        securityCount = ctx.securities();
        final int itemCount = (int)symbolsItemId(ctx.markets());
        seqNos = new long[itemCount];
        Arrays.fill(seqNos, 1);
        subscribers = new int[itemCount];

        exchange = new SimExchange(marketCodes, securityCount, ctx.seed(), ctx.maxOrdersPerSide(),
            ctx.tradeHistory(), ctx.sessionSeconds(), new Publisher());
        final String[] keys = new String[securityCount];
        for (int i = 0; i < securityCount; i++)
        {
            keys[i] = exchange.securities()[i].key;
        }
        securityKeys = List.of(keys);

        controlSubscription = aeron.addSubscription(ctx.controlChannel(), ctx.controlStreamId());
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
        nowNs = nanoClock.nanoTime();
        nowMs = epochClock.time();
        final long sentBefore = messagesSent;
        int workCount = controlSubscription.poll(assembler, FRAGMENT_LIMIT);
        workCount += serviceLinks();
        final int changes = exchange.updateTradingStates(TimeUnit.NANOSECONDS.toMillis(nowNs - startNs), nowMs);
        stateChanges += changes;
        workCount += changes;
        workCount += generateUpdates();
        return workCount + (int)(messagesSent - sentBefore);
    }

    /**
     * Close the control subscription and every link's publication.
     */
    public void onClose()
    {
        for (int i = 0, size = links.size(); i < size; i++)
        {
            CloseHelper.quietClose(links.get(i).publication);
        }
        links.clear();
        linkById.clear();
        CloseHelper.quietClose(controlSubscription);
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
        return links.size();
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
        return messagesSent;
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
        return unknownLinkMessages;
    }

    /**
     * @return control messages that could not be decoded or whose Hello named an unusable channel.
     */
    public long malformedMessages()
    {
        return malformedMessages;
    }

    /**
     * @return offers that failed with back pressure, an admin action or no connection; each is retried or repaired.
     */
    public long backPressureEvents()
    {
        return backPressureEvents;
    }

    /**
     * @return items resnapshotted on a link because a delta could not be sent.
     */
    public long resnapshots()
    {
        return resnapshots;
    }

    /**
     * @return links dropped because they fell silent for longer than the liveness timeout.
     */
    public long droppedLinks()
    {
        return droppedLinks;
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
        for (int i = 0, size = links.size(); i < size; i++)
        {
            final Link link = links.get(i);
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

    private void onFragment(final DirectBuffer msgBuffer, final int offset, final int length, final Header header)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            malformedMessages++;
            return;
        }

        headerDecoder.wrap(msgBuffer, offset);
        if (headerDecoder.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            malformedMessages++;
            return;
        }

        final int bodyOffset = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        try
        {
            switch (headerDecoder.templateId())
            {
                case HelloDecoder.TEMPLATE_ID:
                    onHello(helloDecoder.wrap(msgBuffer, bodyOffset, blockLength, version));
                    break;
                case HeartbeatDecoder.TEMPLATE_ID:
                    onHeartbeat(heartbeatDecoder.wrap(msgBuffer, bodyOffset, blockLength, version));
                    break;
                case SubscribeDecoder.TEMPLATE_ID:
                    onSubscribe(subscribeDecoder.wrap(msgBuffer, bodyOffset, blockLength, version));
                    break;
                case UnsubscribeDecoder.TEMPLATE_ID:
                    onUnsubscribe(unsubscribeDecoder.wrap(msgBuffer, bodyOffset, blockLength, version));
                    break;
                case TradeHistoryRequestDecoder.TEMPLATE_ID:
                    onTradeHistoryRequest(historyDecoder.wrap(msgBuffer, bodyOffset, blockLength, version));
                    break;
                default:
                    malformedMessages++;
                    break;
            }
        }
        catch (final IndexOutOfBoundsException ex)
        {
            malformedMessages++;
        }
    }

    private void onHello(final HelloDecoder hello)
    {
        final long linkId = hello.linkId();
        final int protocolVersion = hello.protocolVersion();
        final int responseStreamId = hello.responseStreamId();
        final String responseChannel = hello.responseChannel();
        hello.skipClientName();
        final byte[] token = new byte[hello.serviceTokenLength()];
        hello.getServiceToken(token, 0, token.length);

        String rejectReason = null;
        if (InterlinkProtocol.PROTOCOL_VERSION != protocolVersion)
        {
            rejectReason = "Unsupported protocol version " + protocolVersion + ", this server speaks " +
                InterlinkProtocol.PROTOCOL_VERSION;
        }
        else if (serviceToken.length > 0 && !MessageDigest.isEqual(serviceToken, token))
        {
            rejectReason = "Invalid service token";
        }

        final Link old = linkById.remove(linkId);
        if (null != old)
        {
            links.remove(old);
            close(old);
        }

        final ExclusivePublication publication;
        try
        {
            publication = aeron.addExclusivePublication(responseChannel, responseStreamId);
        }
        catch (final RuntimeException ex)
        {
            malformedMessages++;
            return;
        }

        final Link link = new Link(linkId, publication, rejectReason, nowNs);
        linkById.put(linkId, link);
        links.add(link);
    }

    private void onHeartbeat(final HeartbeatDecoder heartbeat)
    {
        final Link link = linkById.get(heartbeat.linkId());
        if (null == link)
        {
            unknownLinkMessages++;
            return;
        }
        link.lastHeardNs = nowNs;
    }

    private Link openLink(final long linkId)
    {
        final Link link = linkById.get(linkId);
        if (null == link || null != link.rejectReason)
        {
            unknownLinkMessages++;
            return null;
        }
        link.lastHeardNs = nowNs;
        return link;
    }

    private void onSubscribe(final SubscribeDecoder subscribe)
    {
        final Link link = openLink(subscribe.linkId());
        if (null == link)
        {
            return;
        }

        final long requestId = subscribe.requestId();
        final short itemType = subscribe.itemTypeRaw();
        final String key = subscribe.itemKey();
        if (ItemType.MARKETS.value() == itemType)
        {
            if (InterlinkProtocol.MARKETS_KEY.equals(key))
            {
                subscribeItem(link, requestId, MARKETS_ITEM_ID, KIND_MARKETS, null, null);
            }
            else
            {
                reply(link, requestId, 0, SubscribeStatus.INVALID,
                    "Invalid market list key, expected '" + InterlinkProtocol.MARKETS_KEY + "'");
            }
        }
        else if (ItemType.SYMBOLS.value() == itemType)
        {
            if (key.isEmpty() || key.length() > MAX_ITEM_KEY_LENGTH || key.indexOf('.') >= 0)
            {
                reply(link, requestId, 0, SubscribeStatus.INVALID, "Invalid symbols key, expected a market code");
                return;
            }
            final SimMarket market = exchange.market(key);
            if (null == market)
            {
                reply(link, requestId, 0, SubscribeStatus.NOT_FOUND, "Market.NotFound " + key);
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
                reply(link, requestId, 0, SubscribeStatus.INVALID, "Unknown item type");
            }
            else if (!isSecurityKey(key))
            {
                reply(link, requestId, 0, SubscribeStatus.INVALID, "Invalid security key, expected CODE.MARKET");
            }
            else
            {
                final SimSecurity security = exchange.security(key);
                if (null == security)
                {
                    reply(link, requestId, 0, SubscribeStatus.NOT_FOUND, "Symbol.NotFound " + key);
                }
                else
                {
                    subscribeItem(link, requestId, itemId(kind, security.index), kind, security, null);
                }
            }
        }
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

    private void onUnsubscribe(final UnsubscribeDecoder unsubscribe)
    {
        final Link link = openLink(unsubscribe.linkId());
        if (null == link)
        {
            return;
        }

        final LinkItem item = link.items.remove(unsubscribe.itemId());
        if (null != item)
        {
            item.active = false;
            subscribers[(int)item.itemId]--;
        }
    }

    private void onTradeHistoryRequest(final TradeHistoryRequestDecoder request)
    {
        final Link link = openLink(request.linkId());
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
        LinkItem item = link.items.get(itemId);
        if (null == item)
        {
            item = new LinkItem(itemId, kind, security, market);
            link.items.put(itemId, item);
            subscribers[(int)itemId]++;
        }
        reply(link, requestId, itemId, SubscribeStatus.OK, "");
        // Queued behind the reply, since replies are drained before snapshots; no deltas go out until it is sent.
        requestSnapshot(link, item);
    }

    private static void reply(
        final Link link, final long requestId, final long itemId, final SubscribeStatus status, final String reason)
    {
        link.replies.add(new Reply(requestId, itemId, status, reason));
    }

    /**
     * Send the item's snapshot on the link, from the start even if one is under way.
     */
    private static void requestSnapshot(final Link link, final LinkItem item)
    {
        item.phase = PHASE_BEGIN;
        if (!item.queued)
        {
            item.queued = true;
            link.snapshots.add(item);
        }
    }

    /**
     * Send the item's trades again from one the link missed, as deltas, while the history still holds them.
     */
    private static void requestCatchUp(final Link link, final LinkItem item, final long fromTradeId)
    {
        item.phase = PHASE_CATCH_UP;
        item.nextTradeId = fromTradeId;
        item.queued = true;
        link.snapshots.add(item);
    }

    private void close(final Link link)
    {
        for (final LinkItem item : link.items.values())
        {
            item.active = false;
            subscribers[(int)item.itemId]--;
        }
        link.items.clear();
        CloseHelper.quietClose(link.publication);
    }

    private int serviceLinks()
    {
        int workCount = 0;
        for (int i = links.size() - 1; i >= 0; i--)
        {
            final Link link = links.get(i);
            if (nowNs - link.lastHeardNs > livenessTimeoutNs)
            {
                if (null == link.rejectReason)
                {
                    droppedLinks++;
                }
                link.closed = true;
                workCount++;
            }
            else
            {
                serviceLink(link);
            }

            if (link.closed)
            {
                links.remove(i);
                linkById.remove(link.linkId, link);
                close(link);
            }
        }
        return workCount;
    }

    private void serviceLink(final Link link)
    {
        if (!link.welcomed)
        {
            if (!link.publication.isConnected() ||
                !offer(link, encoder.welcome(link.linkId, link.rejectReason, ctx.heartbeatIntervalMs(),
                ctx.serverName())))
            {
                return;
            }
            link.welcomed = true;
            link.closed = null != link.rejectReason;
            link.nextHeartbeatNs = nowNs + heartbeatIntervalNs;
            return;
        }

        if (nowNs - link.nextHeartbeatNs >= 0 && offer(link, encoder.heartbeat(link.linkId, nowMs)))
        {
            link.nextHeartbeatNs = nowNs + heartbeatIntervalNs;
        }

        Reply reply;
        while (null != (reply = link.replies.peek()))
        {
            if (!offer(link, encoder.subscribeResult(link.linkId, reply.requestId, reply.itemId, reply.status,
                reply.reason)))
            {
                return;
            }
            link.replies.poll();
        }

        HistoryAnswer answer;
        while (null != (answer = link.history.peek()))
        {
            while (true)
            {
                final int count =
                    Math.min(InterlinkProtocol.TRADES_PER_HISTORY_MESSAGE, answer.tradeCount - answer.sent);
                final boolean last = answer.sent + count == answer.tradeCount;
                if (!offer(link, encoder.tradeHistory(
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

        LinkItem item;
        while (null != (item = link.snapshots.peek()))
        {
            if (item.active && !sendSnapshot(link, item))
            {
                return;
            }
            link.snapshots.poll();
            item.queued = false;
        }
    }

    /**
     * Send as much of the item's snapshot (or trade catch-up) as the publication takes.
     *
     * @return true when it is complete.
     */
    private boolean sendSnapshot(final Link link, final LinkItem item)
    {
        if (PHASE_CATCH_UP == item.phase)
        {
            return catchUp(link, item);
        }

        final int itemIndex = (int)item.itemId;
        if (PHASE_BEGIN == item.phase)
        {
            final int window = Math.min(snapshotBytes(item), link.publication.termBufferLength() / 4);
            if (link.publication.availableWindow() < Math.max(SNAPSHOT_WINDOW_BYTES, window))
            {
                backPressureEvents++;
                return false;
            }
            // A snapshot cut short is sent again from SnapshotBegin, which restarts it downstream.
            final long seqNo = seqNos[itemIndex];
            if (!offer(link, encoder.snapshotBegin(item.itemId, seqNo)))
            {
                return false;
            }
            item.snapshotSeqNo = seqNo;
            item.cursor = 0;
            item.phase = PHASE_BODY;
            if (KIND_TRADES == item.kind)
            {
                item.nextTradeId = item.security.trades.firstTradeId();
                item.snapshotLastTradeId = item.security.trades.lastTradeId();
            }
        }

        // Trades only grow, so their snapshot stays true; other items must not change while theirs is sent in parts.
        if (KIND_TRADES != item.kind && seqNos[itemIndex] != item.snapshotSeqNo)
        {
            item.phase = PHASE_BEGIN;
            return false;
        }

        if (!sendSnapshotBody(link, item))
        {
            return false;
        }

        if (!offer(link, encoder.snapshotEnd(item.itemId, item.snapshotSeqNo)))
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

    private boolean sendSnapshotBody(final Link link, final LinkItem item)
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
                    if (!offer(link, encoder.marketUpdate(itemId, seqNo, markets[item.cursor], tradingDate())))
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
                    !offer(link, encoder.securityUpdate(itemId, seqNo, security, SecurityFields.ALL & ~nullMask,
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
                    if (!offer(link, encoder.depthOrder(itemId, seqNo, ChangeAction.ADD, side,
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
                    if (!offer(link, encoder.depthLevel(itemId, seqNo, ChangeAction.ADD, side,
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
                        item.phase = PHASE_BEGIN;
                        return false;
                    }
                    if (!offer(link, encoder.trade(itemId, seqNo, trades, item.nextTradeId)))
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
                    if (!offer(link, encoder.symbol(itemId, seqNo, listed[item.cursor])))
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
    private boolean catchUp(final Link link, final LinkItem item)
    {
        final SimTradeHistory trades = item.security.trades;
        final long lastTradeId = trades.lastTradeId();
        final long lastSeqNo = seqNos[(int)item.itemId];
        for (; item.nextTradeId <= lastTradeId; item.nextTradeId++)
        {
            if (item.nextTradeId < trades.firstTradeId())
            {
                resnapshots++;
                item.phase = PHASE_BEGIN;
                return false;
            }
            final long seqNo = lastSeqNo - (lastTradeId - item.nextTradeId);
            if (!offer(link, encoder.trade(item.itemId, seqNo, trades, item.nextTradeId)))
            {
                return false;
            }
        }
        return true;
    }

    private int snapshotBytes(final LinkItem item)
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
                return SNAPSHOT_WINDOW_BYTES;
        }
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
        for (int i = 0, size = links.size(); i < size; i++)
        {
            final Link link = links.get(i);
            if (!link.welcomed || link.closed)
            {
                continue;
            }

            final LinkItem item = link.items.get(itemId);
            if (null == item || item.queued)
            {
                continue;
            }

            if (!offer(link, length))
            {
                resnapshots++;
                requestSnapshot(link, item);
            }
        }
    }

    private void publishTrade(final long itemId, final long seqNo, final SimTradeHistory trades, final long tradeId)
    {
        int length = 0;
        for (int i = 0, size = links.size(); i < size; i++)
        {
            final Link link = links.get(i);
            if (!link.welcomed || link.closed)
            {
                continue;
            }

            final LinkItem item = link.items.get(itemId);
            if (null == item || item.queued)
            {
                continue;
            }

            if (0 == length)
            {
                length = encoder.trade(itemId, seqNo, trades, tradeId);
            }
            if (!offer(link, length))
            {
                requestCatchUp(link, item, tradeId);
            }
        }
    }

    private boolean offer(final Link link, final int length)
    {
        if (link.publication.offer(encoder.buffer, 0, length) > 0)
        {
            messagesSent++;
            return true;
        }
        backPressureEvents++;
        return false;
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

    private static final class Link
    {
        final long linkId;
        final ExclusivePublication publication;
        final String rejectReason;
        final Long2ObjectHashMap<LinkItem> items = new Long2ObjectHashMap<>();
        final ArrayDeque<Reply> replies = new ArrayDeque<>();
        final ArrayDeque<HistoryAnswer> history = new ArrayDeque<>();
        final ArrayDeque<LinkItem> snapshots = new ArrayDeque<>();
        int historyWithTrades;
        long lastHeardNs;
        long nextHeartbeatNs;
        boolean welcomed;
        boolean closed;

        Link(final long linkId, final ExclusivePublication publication, final String rejectReason, final long nowNs)
        {
            this.linkId = linkId;
            this.publication = publication;
            this.rejectReason = rejectReason;
            this.lastHeardNs = nowNs;
        }
    }

    /**
     * One item subscribed on one link. While queued, the link gets no deltas of it: its snapshot (or, for trades, a
     * catch-up) is under way.
     */
    private static final class LinkItem
    {
        final long itemId;
        final int kind;
        final SimSecurity security;
        final SimMarket market;
        boolean queued;
        boolean active = true;
        int phase;
        int cursor;
        long snapshotSeqNo;
        long nextTradeId;
        long snapshotLastTradeId;

        LinkItem(final long itemId, final int kind, final SimSecurity security, final SimMarket market)
        {
            this.itemId = itemId;
            this.kind = kind;
            this.security = security;
            this.market = market;
        }
    }

    private record Reply(long requestId, long itemId, SubscribeStatus status, String reason)
    {
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
            if (null == aeron)
            {
                throw new ConfigException("aeron: an Aeron client is required");
            }
            if (null == controlChannel || !controlChannel.startsWith("aeron:"))
            {
                throw bad(Setting.UPSTREAM_CHANNEL, "must be an Aeron channel URI", controlChannel);
            }
            check(Setting.UPSTREAM_CONTROL_STREAM_ID, controlStreamId, 1, Integer.MAX_VALUE);
            check(Setting.SIM_MARKETS, markets, 1, ALL_MARKET_CODES.size());
            check(Setting.SIM_SECURITIES, securities, 1, 1_000_000);
            check(Setting.SIM_UPDATE_RATE, updateRate, 0, 10_000_000);
            check(Setting.SIM_SESSION_SECONDS, sessionSeconds, 0, 86_400);
            check(Setting.SIM_MAX_ORDERS_PER_SIDE, maxOrdersPerSide, 2, 1000);
            check(Setting.SIM_TRADE_HISTORY, tradeHistory, 1, 100_000);
            if (null == serviceToken)
            {
                throw bad(Setting.SIM_SERVICE_TOKEN, "must not be null", null);
            }
            check(Setting.UPSTREAM_HEARTBEAT_MS, heartbeatIntervalMs, 1, 60_000);
            check(Setting.UPSTREAM_LIVENESS_MS, livenessTimeoutMs, heartbeatIntervalMs + 1, 600_000);
            if (null == serverName || serverName.isEmpty() || serverName.length() > 256)
            {
                throw new ConfigException("serverName: must be 1 to 256 characters, got '" + serverName + "'");
            }
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

        private static void check(final Setting setting, final int value, final int min, final int max)
        {
            if (value < min || value > max)
            {
                throw bad(setting, "must be between " + min + " and " + max, Integer.toString(value));
            }
        }

        private static ConfigException bad(final Setting setting, final String why, final String value)
        {
            return new ConfigException(setting.key() + ": " + why + ", got '" + value + "'");
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
