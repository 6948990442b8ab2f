package io.meridian.sim;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.DecimalDecoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.OrderRequestDecoder;
import io.meridian.codecs.interlink.OrderRequestKind;
import io.meridian.codecs.interlink.OrderResult;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.Validity;
import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import io.meridian.config.Setting;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * The simulated Trading Agent: serves the accounts, orders, holdings and balances of the {@link SimBroker}'s users and
 * carries out their order requests, on its own control stream, with the link protocol of the {@link FeedServer}
 * (Hello and Welcome with the service token check, heartbeats, liveness, Subscribe and SubscribeResult, snapshots
 * with per-item sequence numbers, and a resnapshot for any delta back pressure stops).
 * <p>
 * Client orders trade in the books of the Feed Server's exchange, so a Trading Server must run on the same thread as
 * the {@link FeedServer} it is built on: run both as one agent, e.g.
 * {@code new AgentRunner(idle, errorHandler, null, new CompositeAgent(feedServer, tradingServer))}. One Trading Server
 * per Feed Server.
 * <p>
 * Items: {@code ACCOUNTS} keyed by user name, an AccountUpdate ADD per account; {@code ORDERS} keyed by account id, a
 * CLEAR then an OrderUpdate ADD per order, then ADD, UPDATE (always the full order) and REMOVE; {@code HOLDINGS}, a
 * CLEAR then an ADD per holding, then ADD, UPDATE and REMOVE; {@code BALANCES}, a CLEAR then an UPDATE per balance
 * type, then UPDATEs. Account items are served to any link that asks: the downstream checks entitlement against the
 * user's ACCOUNTS item. An OrderRequest is answered with an OrderResponse on the link it came on, after every change it
 * made has been sent to the subscribers of the items it touched (or, on a link still owed a snapshot, after that
 * snapshot), so a client sees its order no later than the answer.
 * <p>
 * {@link #pause()} and {@link #resume()} simulate the agent being down: while paused it reads and sends nothing, so
 * its links time out downstream; its broker keeps trading. On resume, links silent for longer than the liveness
 * timeout are dropped first, and downstreams say Hello again as usual.
 */
public final class TradingServer implements Agent
{
    static final int MAX_ITEM_KEY_LENGTH = 64;

    /** Room a framed trading update takes in a publication, for sizing the window a snapshot waits for. */
    private static final int FRAMED_UPDATE_BYTES = 320;

    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final SimBroker broker;
    private final LinkTable<Link, TradingLinkItem> links;

    private final Long2ObjectHashMap<TradingItem> itemById = new Long2ObjectHashMap<>();
    private final Map<String, TradingItem> accountsItems = new HashMap<>();
    private final Map<String, TradingItem> ordersItems = new HashMap<>();
    private final Map<String, TradingItem> holdingsItems = new HashMap<>();
    private final Map<String, TradingItem> balancesItems = new HashMap<>();

    private final FeedEncoder encoder = new FeedEncoder();
    private final TradingEncoder tradingEncoder = new TradingEncoder(encoder.buffer);
    private final OrderRequestDecoder orderRequestDecoder = new OrderRequestDecoder();
    private final SimBrokerRequest request = new SimBrokerRequest();

    private volatile boolean paused;
    private boolean wasPaused;
    private long lastItemId;
    private long requests;
    private long responses;

    /**
     * Serve the broker of the Feed Server's exchange and subscribe to the control stream.
     *
     * @param ctx        settings, concluded here.
     * @param feedServer the Feed Server whose exchange client orders trade on; it must run on this agent's thread.
     */
    public TradingServer(final Context ctx, final FeedServer feedServer)
    {
        this(ctx, feedServer.exchange());
    }

    /**
     * @param ctx      settings, concluded here.
     * @param exchange the exchange client orders trade on, run on this agent's thread.
     */
    TradingServer(final Context ctx, final SimExchange exchange)
    {
        ctx.conclude();
        this.nanoClock = ctx.nanoClock();
        this.epochClock = ctx.epochClock();
        this.broker = new SimBroker(exchange, epochClock, ctx.demoAccounts(), new BrokerListener());
        links = new LinkTable<>(ctx.aeron(), ctx.controlChannel(), ctx.controlStreamId(), ctx.serviceToken(),
            ctx.heartbeatIntervalMs(), ctx.livenessTimeoutMs(), ctx.serverName(), encoder, new LinkHandler());
    }

    /**
     * {@inheritDoc}
     */
    public String roleName()
    {
        return "trading-server";
    }

    /**
     * Poll the control stream and serve every link (Welcome, heartbeats, replies, snapshots, order responses,
     * liveness). Does nothing while paused.
     *
     * @return control messages read, messages sent and links dropped; 0 when idle or paused.
     */
    public int doWork()
    {
        if (paused)
        {
            wasPaused = true;
            return 0;
        }

        links.tick(nanoClock.nanoTime(), epochClock.time());
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
     * Stop reading and sending, as if the agent were down. Safe to call from any thread.
     */
    public void pause()
    {
        paused = true;
    }

    /**
     * Read and send again after {@link #pause()}. Safe to call from any thread.
     */
    public void resume()
    {
        paused = false;
    }

    /**
     * @return true while paused.
     */
    public boolean isPaused()
    {
        return paused;
    }

    /**
     * @return links open or awaiting connection.
     */
    public int linkCount()
    {
        return links.linkCount();
    }

    /**
     * @return order requests received on open links.
     */
    public long requests()
    {
        return requests;
    }

    /**
     * @return order responses sent.
     */
    public long responses()
    {
        return responses;
    }

    /**
     * @return fills of client orders since start, whether by requests or by the simulation's own order flow.
     */
    public long fills()
    {
        return broker.fills();
    }

    /**
     * @return messages offered successfully on every link since start.
     */
    public long messagesSent()
    {
        return links.messagesSent();
    }

    /**
     * @return Heartbeat, Subscribe, Unsubscribe and order requests naming no open link; they are ignored.
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

    SimBroker broker()
    {
        return broker;
    }

    private Map<String, TradingItem> accountItems(final short itemType)
    {
        if (ItemType.ORDERS.value() == itemType)
        {
            return ordersItems;
        }
        if (ItemType.HOLDINGS.value() == itemType)
        {
            return holdingsItems;
        }
        if (ItemType.BALANCES.value() == itemType)
        {
            return balancesItems;
        }
        return null;
    }

    private TradingItem newItem(final ItemType type, final String key, final SimAccount account)
    {
        final TradingItem item = new TradingItem(++lastItemId, type, key, account);
        itemById.put(item.itemId, item);
        return item;
    }

    private void onOrderRequest(final OrderRequestDecoder decoder)
    {
        final Link link = links.openLink(decoder.linkId());
        if (null == link)
        {
            return;
        }
        requests++;

        final SimBrokerRequest request = this.request.reset();
        final long requestId = decoder.requestId();
        request.kind = kind(decoder.kindRaw());
        request.side = side(decoder.sideRaw());
        request.orderType = orderType(decoder.orderTypeRaw());
        request.validity = validity(decoder.validityRaw());
        request.hasLimitPrice = BooleanType.TRUE.value() == decoder.hasLimitPriceRaw();
        final DecimalDecoder limitPrice = decoder.limitPrice();
        request.limitMantissa = limitPrice.mantissa();
        request.limitExponent = limitPrice.exponent();
        request.quantity = decoder.quantity();
        request.clientRequestId = decoder.clientRequestId();
        request.user = decoder.user();
        request.accountId = decoder.accountId();
        request.orderId = decoder.orderId();
        request.destination = decoder.destination();
        request.exchange = decoder.exchange();
        request.code = decoder.code();
        request.tradingMarket = decoder.tradingMarket();

        // The changes the request makes are published to subscribers while it is carried out, before the answer.
        final SimBroker.Answer answer = broker.execute(request);
        final Response response = new Response(requestId, answer.result(), request.clientRequestId,
            answer.orderId(), answer.accountId(), answer.errorText());
        if (!link.welcomed || !link.snapshots.isEmpty() || !link.responses.isEmpty() || !sendResponse(link, response))
        {
            link.responses.add(response);
        }
    }

    private static OrderRequestKind kind(final short raw)
    {
        for (final OrderRequestKind kind : OrderRequestKind.values())
        {
            if (kind.value() == raw && OrderRequestKind.NULL_VAL != kind)
            {
                return kind;
            }
        }
        return null;
    }

    private static Side side(final short raw)
    {
        return Side.BID.value() == raw ? Side.BID : Side.ASK.value() == raw ? Side.ASK : null;
    }

    private static OrderType orderType(final short raw)
    {
        for (final OrderType type : OrderType.values())
        {
            if (type.value() == raw && OrderType.NULL_VAL != type)
            {
                return type;
            }
        }
        return null;
    }

    private static Validity validity(final short raw)
    {
        for (final Validity validity : Validity.values())
        {
            if (validity.value() == raw && Validity.NULL_VAL != validity)
            {
                return validity;
            }
        }
        return null;
    }

    private void subscribeItem(final Link link, final long requestId, final TradingItem item)
    {
        TradingLinkItem linkItem = link.items.get(item.itemId);
        if (null == linkItem)
        {
            linkItem = new TradingLinkItem(item);
            link.items.put(item.itemId, linkItem);
            item.subscribers++;
        }
        links.subscribed(link, requestId, linkItem);
    }

    private boolean sendResponse(final Link link, final Response response)
    {
        if (links.offer(link, tradingEncoder.orderResponse(link.linkId, response.requestId, response.result,
            response.clientRequestId, response.orderId, response.accountId, response.errors)))
        {
            responses++;
            return true;
        }
        return false;
    }

    /**
     * Send as much of the item's snapshot as the publication takes.
     *
     * @return true when it is complete.
     */
    private boolean sendSnapshot(final Link link, final TradingLinkItem linkItem)
    {
        final TradingItem item = linkItem.item;
        if (LinkItem.PHASE_BEGIN == linkItem.phase &&
            !links.beginSnapshot(link, linkItem, item.seqNo, (snapshotSize(item) + 2) * FRAMED_UPDATE_BYTES))
        {
            return false;
        }

        // The item must not change while its snapshot is sent in parts.
        if (item.seqNo != linkItem.snapshotSeqNo)
        {
            linkItem.phase = LinkItem.PHASE_BEGIN;
            return false;
        }

        final int size = snapshotSize(item);
        final long itemId = item.itemId;
        final long seqNo = linkItem.snapshotSeqNo;
        for (; linkItem.cursor < size; linkItem.cursor++)
        {
            if (!links.offer(link, snapshotMessage(item, itemId, seqNo, linkItem.cursor)))
            {
                return false;
            }
        }

        return links.endSnapshot(link, linkItem);
    }

    /**
     * @return messages between SnapshotBegin and SnapshotEnd.
     */
    private int snapshotSize(final TradingItem item)
    {
        switch (item.type)
        {
            case ACCOUNTS:
                return broker.accounts(item.key).size();
            case ORDERS:
                return 1 + item.account.orders.size();
            case HOLDINGS:
                return 1 + item.account.holdings.size();
            default:
                return 1 + SimAccount.BALANCE_TYPES.size();
        }
    }

    /**
     * Encode message {@code index} of the item's snapshot body: for account items the CLEAR, then one per entry.
     *
     * @return its length.
     */
    private int snapshotMessage(final TradingItem item, final long itemId, final long seqNo, final int index)
    {
        switch (item.type)
        {
            case ACCOUNTS:
                return tradingEncoder.account(itemId, seqNo, ChangeAction.ADD, broker.accounts(item.key).get(index));
            case ORDERS:
                return 0 == index ? tradingEncoder.orderClear(itemId, seqNo, item.account) :
                    tradingEncoder.order(itemId, seqNo, ChangeAction.ADD, item.account.orders.get(index - 1),
                    item.account.idBytes);
            case HOLDINGS:
                return 0 == index ? tradingEncoder.holdingClear(itemId, seqNo, item.account) :
                    tradingEncoder.holding(itemId, seqNo, ChangeAction.ADD, item.account.holdings.get(index - 1));
            default:
                return 0 == index ? tradingEncoder.balanceClear(itemId, seqNo, item.account) :
                    tradingEncoder.balance(itemId, seqNo, item.account, index - 1);
        }
    }

    /**
     * Offer the delta now in the encoder's buffer to every link that has the item live; a link that cannot take it,
     * or any link while paused, gets the item's snapshot again.
     */
    private void publish(final TradingItem item, final int length)
    {
        links.publish(item.itemId, length, !paused);
    }

    /**
     * Turns each change of the broker into a delta of its item: the item's sequence number always moves on, and the
     * delta is encoded only when some link subscribed the item.
     */
    private final class BrokerListener implements SimBroker.Listener
    {
        public void onAccountAdded(final SimAccount account)
        {
            final TradingItem item = accountsItems.get(account.user);
            if (null == item)
            {
                return;
            }
            item.seqNo++;
            if (0 != item.subscribers)
            {
                publish(item, tradingEncoder.account(item.itemId, item.seqNo, ChangeAction.ADD, account));
            }
        }

        public void onOrderAdded(final SimClientOrder order)
        {
            onOrder(order, ChangeAction.ADD, order.account);
        }

        public void onOrderChanged(final SimClientOrder order)
        {
            onOrder(order, ChangeAction.UPDATE, order.account);
        }

        public void onOrderRemoved(final SimClientOrder order, final SimAccount account)
        {
            onOrder(order, ChangeAction.REMOVE, account);
        }

        public void onHoldingChanged(final SimHolding holding, final boolean added)
        {
            final TradingItem item = next(holdingsItems, holding.account);
            if (null != item && 0 != item.subscribers)
            {
                publish(item, tradingEncoder.holding(item.itemId, item.seqNo,
                    added ? ChangeAction.ADD : ChangeAction.UPDATE, holding));
            }
        }

        public void onHoldingRemoved(final SimHolding holding)
        {
            final TradingItem item = next(holdingsItems, holding.account);
            if (null != item && 0 != item.subscribers)
            {
                publish(item, tradingEncoder.holding(item.itemId, item.seqNo, ChangeAction.REMOVE, holding));
            }
        }

        public void onBalanceChanged(final SimAccount account, final int type)
        {
            final TradingItem item = next(balancesItems, account);
            if (null != item && 0 != item.subscribers)
            {
                publish(item, tradingEncoder.balance(item.itemId, item.seqNo, account, type));
            }
        }

        private void onOrder(final SimClientOrder order, final ChangeAction action, final SimAccount account)
        {
            final TradingItem item = next(ordersItems, account);
            if (null != item && 0 != item.subscribers)
            {
                publish(item, tradingEncoder.order(item.itemId, item.seqNo, action, order, account.idBytes));
            }
        }

        /**
         * @return the account's item of the kind with its sequence number moved on, or null if it has none.
         */
        private TradingItem next(final Map<String, TradingItem> items, final SimAccount account)
        {
            final TradingItem item = items.get(account.id);
            if (null != item)
            {
                item.seqNo++;
            }
            return item;
        }
    }

    /**
     * One item, shared by every link that subscribes it.
     */
    private static final class TradingItem
    {
        final long itemId;
        final ItemType type;
        final String key;
        final SimAccount account;
        long seqNo = 1;
        int subscribers;

        TradingItem(final long itemId, final ItemType type, final String key, final SimAccount account)
        {
            this.itemId = itemId;
            this.type = type;
            this.key = key;
            this.account = account;
        }
    }

    /**
     * What the Trading Server does its own way on its links: what an item key names, order requests and their
     * responses, and the bodies of snapshots.
     */
    private final class LinkHandler implements LinkTable.Handler<Link, TradingLinkItem>
    {
        public Link newLink(
            final long linkId, final ExclusivePublication publication, final String rejectReason, final long nowNs)
        {
            return new Link(linkId, publication, rejectReason, nowNs);
        }

        public void onSubscribe(final Link link, final long requestId, final short itemType, final String key)
        {
            if (key.isEmpty() || key.length() > MAX_ITEM_KEY_LENGTH)
            {
                links.reply(
                    link, requestId, 0, SubscribeStatus.INVALID, "Invalid key, expected a user name or account id");
                return;
            }

            if (ItemType.ACCOUNTS.value() == itemType)
            {
                TradingItem item = accountsItems.get(key);
                if (null == item)
                {
                    item = newItem(ItemType.ACCOUNTS, key, null);
                    accountsItems.put(key, item);
                }
                // A user seen for the first time gets demo accounts now, before the snapshot lists them.
                broker.accounts(key);
                subscribeItem(link, requestId, item);
                return;
            }

            final Map<String, TradingItem> items = accountItems(itemType);
            if (null == items)
            {
                links.reply(link, requestId, 0, SubscribeStatus.INVALID, "Unknown item type");
                return;
            }
            final SimAccount account = broker.account(key);
            if (null == account)
            {
                links.reply(link, requestId, 0, SubscribeStatus.NOT_FOUND, "Account.NotFound " + key);
                return;
            }
            TradingItem item = items.get(key);
            if (null == item)
            {
                item = newItem(ItemType.get(itemType), key, account);
                items.put(key, item);
            }
            subscribeItem(link, requestId, item);
        }

        public boolean onMessage(
            final int templateId,
            final DirectBuffer buffer,
            final int offset,
            final int blockLength,
            final int version,
            final int bodyLength)
        {
            if (OrderRequestDecoder.TEMPLATE_ID != templateId)
            {
                return false;
            }
            orderRequestDecoder.wrap(buffer, offset, blockLength, version);
            if (links.complete(orderRequestDecoder.sbeDecodedLength(), bodyLength))
            {
                onOrderRequest(orderRequestDecoder);
            }
            return true;
        }

        public void onUnsubscribed(final TradingLinkItem linkItem)
        {
            linkItem.item.subscribers--;
        }

        /**
         * Send the snapshots the link is owed, then its order responses.
         */
        public void sendQueued(final Link link)
        {
            if (!links.sendSnapshots(link))
            {
                return;
            }

            Response response;
            while (null != (response = link.responses.peek()))
            {
                if (!sendResponse(link, response))
                {
                    return;
                }
                link.responses.poll();
            }
        }

        public boolean sendSnapshot(final Link link, final TradingLinkItem linkItem)
        {
            return TradingServer.this.sendSnapshot(link, linkItem);
        }
    }

    /**
     * A link, with the order responses it is owed.
     */
    private static final class Link extends DownstreamLink<TradingLinkItem>
    {
        final ArrayDeque<Response> responses = new ArrayDeque<>();

        Link(final long linkId, final ExclusivePublication publication, final String rejectReason, final long nowNs)
        {
            super(linkId, publication, rejectReason, nowNs);
        }
    }

    /**
     * One item subscribed on one link. While queued, the link gets no deltas of it: its snapshot is under way.
     */
    private static final class TradingLinkItem extends LinkItem
    {
        final TradingItem item;

        TradingLinkItem(final TradingItem item)
        {
            super(item.itemId);
            this.item = item;
        }
    }

    private record Response(
        long requestId, OrderResult result, String clientRequestId, String orderId, String accountId, String errors)
    {
    }

    /**
     * Settings of a {@link TradingServer}. Setters are fluent; {@link #conclude()} fills in defaults and fails with a
     * {@link ConfigException} naming the first bad setting.
     */
    public static final class Context
    {
        private Aeron aeron;
        private String controlChannel = "aeron:ipc";
        private int controlStreamId = 1003;
        private String serviceToken = "";
        private int heartbeatIntervalMs = 1000;
        private int livenessTimeoutMs = 5000;
        private String serverName = "meridian-trading-sim";
        private boolean demoAccounts = true;
        private EpochClock epochClock;
        private NanoClock nanoClock;

        /**
         * Settings from a Meridian config: the {@code trading.*} channel and stream, the token the simulation requires
         * ({@code sim.service-token}) and the {@code upstream.*} timers.
         *
         * @param config the config.
         * @param aeron  the connected Aeron client to use.
         * @return a new context.
         */
        public static Context fromConfig(final MeridianConfig config, final Aeron aeron)
        {
            return new Context()
                .aeron(aeron)
                .controlChannel(config.tradingChannel())
                .controlStreamId(config.tradingControlStreamId())
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
                aeron, Setting.TRADING_CHANNEL, controlChannel, Setting.TRADING_CONTROL_STREAM_ID, controlStreamId);
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
         * @param controlChannel channel of the control stream downstreams send Hello, Subscribe and order requests on.
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
         * @param controlStreamId stream id of the control stream; must differ from the Feed Server's when both share
         *                        a channel.
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
         * @param demoAccounts whether a user seen for the first time gets two demo accounts with cash and holdings.
         * @return this.
         */
        public Context demoAccounts(final boolean demoAccounts)
        {
            this.demoAccounts = demoAccounts;
            return this;
        }

        public boolean demoAccounts()
        {
            return demoAccounts;
        }

        /**
         * @param epochClock wall clock for heartbeat timestamps and order times.
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
         * @param nanoClock monotonic clock for heartbeats and liveness.
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
