package io.meridian.engine;

import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.HeartbeatEncoder;
import io.meridian.codecs.interlink.HelloResult;
import io.meridian.codecs.interlink.ItemState;
import io.meridian.codecs.interlink.ItemStatusEncoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.OrderResponseEncoder;
import io.meridian.codecs.interlink.OrderResult;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeResultEncoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.TradeHistoryResponseEncoder;
import io.meridian.codecs.interlink.UnsubscribeDecoder;
import io.meridian.codecs.interlink.WelcomeEncoder;
import org.agrona.DirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.ArrayList;

/**
 * The engine's side of serving interlink to downstream proxies, on the engine thread: the links the
 * {@link DownstreamPoller} accepted, their Subscribe and Unsubscribe requests, and everything sent on them. A
 * downstream subscription holds its item in the cache like a client does; it gets the item's state as a snapshot
 * written from the cache ({@link Item#writeSnapshot}), then every update the upstream sends for the item, copied as
 * it came with the link's own item id and sequence number. An update the link cannot take (back pressure) makes the
 * item owe the link a snapshot again instead, so a slow downstream proxy costs only itself.
 * <p>
 * With a shared publication ({@code downstream.shared-channel}), links that ask for it get their market-data items
 * under one id per item and the item's own sequence numbers, and every update of such an item goes out once, on
 * the shared publication, however many links have it; snapshots, statuses and answers still go on each link.
 */
final class DownstreamServer
{
    /** Longest item key taken from a downstream link. */
    static final int MAX_KEY_LENGTH = 64;
    private static final int ITEM_ID_OFFSET = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int SEQ_NO_OFFSET = MessageHeaderEncoder.ENCODED_LENGTH + Long.BYTES;

    /**
     * How the server reaches the cache.
     */
    interface Cache
    {
        /**
         * @return the cached item of this type and key, created and asked for upstream if it is new; null if this
         * proxy does not serve the type.
         */
        Item subscribe(short itemType, String key);
    }

    private final Cache cache;
    private final EngineCounters counters;
    private String serverName = "meridian";
    private int heartbeatIntervalMs = 1000;
    private final ArrayList<DownstreamLink> links = new ArrayList<>();
    private final Long2ObjectHashMap<DownstreamLink> linkById = new Long2ObjectHashMap<>();
    private final SnapshotWriter snapshotWriter = new SnapshotWriter();
    private final SnapshotWriter.Target snapshotTarget = this::offerSnapshotMessage;
    private DownstreamLink snapshotLink;

    private final UnsafeBuffer sendBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(1024));
    private final UnsafeBuffer answerBuffer = new UnsafeBuffer(new byte[0]);
    private final UnsafeBuffer forwardBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(4096));
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final SubscribeDecoder subscribeDecoder = new SubscribeDecoder();
    private final UnsubscribeDecoder unsubscribeDecoder = new UnsubscribeDecoder();
    private final WelcomeEncoder welcomeEncoder = new WelcomeEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    /** This proxy's own trading feed, told to every link in its heartbeats; null value without a Trading Agent. */
    private FeedStatus tradingStatus = FeedStatus.NULL_VAL;
    private final SubscribeResultEncoder subscribeResultEncoder = new SubscribeResultEncoder();
    private final ItemStatusEncoder itemStatusEncoder = new ItemStatusEncoder();
    private final OrderResponseEncoder orderResponseEncoder = new OrderResponseEncoder();
    private final TradeHistoryResponseEncoder historyResponseEncoder = new TradeHistoryResponseEncoder();
    private long nextItemId;
    private int subscriptionCount;
    /** One publication for the updates of every link that reads it; null when none is served. */
    private ExclusivePublication shared;
    private int sharedLinks;
    private long nextSharedHeartbeatMs;
    /** Items whose update the shared publication did not take, whose readers have yet to be told how far it went. */
    private final ArrayList<Item> sharedGaps = new ArrayList<>();

    /**
     * @param cache    where items come from.
     * @param counters where links, snapshots, messages and back pressure are counted.
     */
    DownstreamServer(final Cache cache, final EngineCounters counters)
    {
        this.cache = cache;
        this.counters = counters;
    }

    /**
     * @param serverName          the name sent in Welcome.
     * @param heartbeatIntervalMs interval of the heartbeats sent on every link, announced in Welcome.
     */
    void identity(final String serverName, final int heartbeatIntervalMs)
    {
        this.serverName = serverName;
        this.heartbeatIntervalMs = heartbeatIntervalMs;
    }

    /**
     * @param publication where the updates of items on shared links go, once for all of them.
     */
    void sharedPublication(final ExclusivePublication publication)
    {
        this.shared = publication;
    }

    /**
     * @return true if any link is open; when none is, nothing else here has work to do.
     */
    boolean hasLinks()
    {
        return !links.isEmpty();
    }

    /**
     * This proxy's trading feed changed: every link hears it in a heartbeat at the next tick, not at its next
     * interval.
     *
     * @param status the feed's status now.
     */
    void tradingStatus(final FeedStatus status)
    {
        tradingStatus = status;
        for (final DownstreamLink link : links)
        {
            link.nextHeartbeatMs = 0;
        }
    }

    /**
     * A link the poller accepted: its Welcome goes out on the next tick that finds its publication connected.
     */
    void onLinkOpen(final DownstreamLink link)
    {
        links.add(link);
        linkById.put(link.linkId, link);
        if (isShared(link))
        {
            sharedLinks++;
        }
        counters.downstreamLinksOpened.incrementRelease();
        counters.downstreamLinks.setRelease(links.size());
    }

    /**
     * A link the poller ended (silent, or replaced by a new Hello): its items let go, its publication handed back.
     */
    void onLinkClosed(final DownstreamLink link)
    {
        if (!links.remove(link))
        {
            link.released = true;
            return;
        }
        linkById.remove(link.linkId, link);
        if (isShared(link))
        {
            sharedLinks--;
        }
        for (final DownstreamItem item : link.items.values())
        {
            detach(item);
        }
        link.items.clear();
        link.due.clear();
        link.closed = true;
        link.released = true;
        counters.downstreamLinksClosed.incrementRelease();
        counters.downstreamLinks.setRelease(links.size());
        counters.downstreamSubscriptions.setRelease(subscriptionCount);
    }

    /**
     * A control message from a link, as the poller copied it: Subscribe or Unsubscribe.
     *
     * @return false if the message is not one the server reads, or is malformed.
     */
    boolean onMessage(final DirectBuffer buffer, final int length)
    {
        headerDecoder.wrap(buffer, 0);
        switch (headerDecoder.templateId())
        {
            case SubscribeDecoder.TEMPLATE_ID:
                subscribeDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                final int decodedLength = subscribeDecoder.sbeDecodedLength();
                if (decodedLength < 0 || decodedLength > length - MessageHeaderDecoder.ENCODED_LENGTH)
                {
                    return false;
                }
                onSubscribe(subscribeDecoder);
                return true;
            case UnsubscribeDecoder.TEMPLATE_ID:
                unsubscribeDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                onUnsubscribe(unsubscribeDecoder.linkId(), unsubscribeDecoder.itemId());
                return true;
            default:
                return false;
        }
    }

    /**
     * Send what every link is owed: Welcomes, heartbeats, SubscribeResults and snapshots.
     */
    void onTick(final long nowMs)
    {
        for (int i = 0, size = links.size(); i < size; i++)
        {
            service(links.get(i), nowMs);
        }
        if (!sharedGaps.isEmpty())
        {
            announceSharedGaps();
        }
        if (sharedLinks > 0 && nowMs >= nextSharedHeartbeatMs)
        {
            // The readers of the shared stream know it lives by these, as a link knows its upstream by its own. One
            // the publication does not take is not tried again before the next interval.
            nextSharedHeartbeatMs = nowMs + heartbeatIntervalMs;
            heartbeatEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).linkId(0).timestampMs(nowMs)
                .tradingStatus(FeedStatus.NULL_VAL);
            offerShared(sendBuffer, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength());
        }
    }

    /**
     * Tell the readers, on the shared stream, the latest number of each item whose update was not sent: a reader
     * behind it has missed one and asks for the item again, even if no later update would have shown the gap.
     */
    private void announceSharedGaps()
    {
        int kept = 0;
        for (int i = 0, size = sharedGaps.size(); i < size; i++)
        {
            final Item item = sharedGaps.get(i);
            if (!item.sharedGapPending || item.sharedSubscribers == 0)
            {
                item.sharedGapPending = false;
                continue;
            }
            itemStatusEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
                .itemId(item.sharedId)
                .seqNo(item.sharedSeqNo)
                .state(ItemState.LIVE)
                .reason("");
            if (kept == 0 && offerShared(sendBuffer,
                MessageHeaderEncoder.ENCODED_LENGTH + itemStatusEncoder.encodedLength()))
            {
                item.sharedGapPending = false;
                continue;
            }
            sharedGaps.set(kept++, item);
        }
        for (int i = sharedGaps.size() - 1; i >= kept; i--)
        {
            sharedGaps.remove(i);
        }
    }

    /**
     * The upstream accepted the item: the links waiting for it are answered.
     */
    void onItemAccepted(final Item item)
    {
        final ArrayList<DownstreamItem> subscribers = item.downstream;
        for (int i = 0, size = subscribers.size(); i < size; i++)
        {
            queue(subscribers.get(i));
        }
    }

    /**
     * The item's state is complete (its first snapshot, or a fresh one after a resync or a lost upstream): every
     * link that has it gets it in full.
     */
    void onItemReady(final Item item)
    {
        if (item.sharedSubscribers > 0)
        {
            // The fresh state may differ from what the updates so far built (this proxy resynchronised): a number
            // is spent, so that a reader that takes the next update before the snapshot sees a gap and waits for a
            // snapshot, instead of applying it to the old state.
            item.sharedSeqNo++;
        }
        final ArrayList<DownstreamItem> subscribers = item.downstream;
        for (int i = 0, size = subscribers.size(); i < size; i++)
        {
            final DownstreamItem subscriber = subscribers.get(i);
            subscriber.snapshotDue = true;
            queue(subscriber);
            if (subscriber.link.welcomed)
            {
                drain(subscriber.link);
            }
        }
    }

    /**
     * The upstream refused or closed the item, which the cache now forgets: links not yet answered get the refusal,
     * the others an ItemStatus CLOSED.
     */
    void onItemRefused(final Item item, final SubscribeStatus status, final String reason)
    {
        final ArrayList<DownstreamItem> subscribers = item.downstream;
        for (int i = 0, size = subscribers.size(); i < size; i++)
        {
            final DownstreamItem subscriber = subscribers.get(i);
            subscriber.link.items.remove(subscriber.itemId);
            subscriptionCount--;
            if (subscriber.shared)
            {
                item.sharedSubscribers--;
            }
            if (subscriber.answered)
            {
                subscriber.active = false;
                sendItemStatus(subscriber, ItemState.CLOSED, reason);
            }
            else
            {
                subscriber.refusal = status;
                subscriber.refusalReason = reason;
                subscriber.snapshotDue = false;
                queue(subscriber);
            }
        }
        subscribers.clear();
        counters.downstreamSubscriptions.setRelease(subscriptionCount);
    }

    /**
     * The item turned stale (the upstream lost, or said so): every link that has it is told.
     */
    void onItemStale(final Item item, final String reason)
    {
        final ArrayList<DownstreamItem> subscribers = item.downstream;
        for (int i = 0, size = subscribers.size(); i < size; i++)
        {
            final DownstreamItem subscriber = subscribers.get(i);
            if (subscriber.answered && !subscriber.snapshotDue && !sendItemStatus(subscriber, ItemState.STALE, reason))
            {
                owesSnapshot(subscriber);
            }
        }
    }

    /**
     * The upstream said the item is live again without a new snapshot: every link that has it is told.
     */
    void onItemLive(final Item item)
    {
        final ArrayList<DownstreamItem> subscribers = item.downstream;
        for (int i = 0, size = subscribers.size(); i < size; i++)
        {
            final DownstreamItem subscriber = subscribers.get(i);
            if (subscriber.answered && !subscriber.snapshotDue && !sendItemStatus(subscriber, ItemState.LIVE, ""))
            {
                owesSnapshot(subscriber);
            }
        }
    }

    /**
     * Send an upstream update of the item, just applied in sequence, to every link that has the item live.
     *
     * @param buffer the message as the upstream sent it, header at 0.
     * @param length its length.
     */
    void forward(final Item item, final DirectBuffer buffer, final int length)
    {
        final ArrayList<DownstreamItem> subscribers = item.downstream;
        final int size = subscribers.size();
        if (size == 0)
        {
            return;
        }
        final UnsafeBuffer out = forwardBuffer;
        if (length > out.capacity())
        {
            out.wrap(ByteBuffer.allocateDirect(length));
        }
        out.putBytes(0, buffer, 0, length);
        if (item.sharedSubscribers > 0)
        {
            forwardShared(item, out, length);
        }
        for (int i = 0; i < size; i++)
        {
            final DownstreamItem subscriber = subscribers.get(i);
            if (!subscriber.answered || subscriber.snapshotDue || subscriber.shared)
            {
                continue;
            }
            out.putLong(ITEM_ID_OFFSET, subscriber.itemId, MessageHeaderEncoder.BYTE_ORDER);
            out.putLong(SEQ_NO_OFFSET, subscriber.seqNo + 1, MessageHeaderEncoder.BYTE_ORDER);
            if (offer(subscriber.link, out, length))
            {
                subscriber.seqNo++;
            }
            else
            {
                owesSnapshot(subscriber);
            }
        }
    }

    /**
     * Send the update once on the shared publication, with the item's shared id and next sequence number. The
     * number is spent even if the publication does not take the message, and the item's later updates are not
     * offered either until its latest number has gone out, on a later tick, as an ItemStatus. Each reader behind
     * that number has missed one and asks for the item again, as after any gap.
     */
    private void forwardShared(final Item item, final UnsafeBuffer out, final int length)
    {
        if (item.sharedGapPending)
        {
            // The readers are to be told of a gap already: until the publication takes that, the item's updates
            // are numbered and not offered, as a link owed a snapshot is sent none (the readers ask for the item
            // again, and its snapshot has them all).
            item.sharedSeqNo++;
            return;
        }
        out.putLong(ITEM_ID_OFFSET, item.sharedId, MessageHeaderEncoder.BYTE_ORDER);
        out.putLong(SEQ_NO_OFFSET, ++item.sharedSeqNo, MessageHeaderEncoder.BYTE_ORDER);
        if (offerShared(out, length))
        {
            counters.downstreamSharedMessages.incrementRelease();
            return;
        }
        item.sharedGapPending = true;
        sharedGaps.add(item);
    }

    private boolean offerShared(final DirectBuffer buffer, final int length)
    {
        long result = shared.offer(buffer, 0, length);
        for (int retries = 2; result == Publication.ADMIN_ACTION && retries > 0; retries--)
        {
            result = shared.offer(buffer, 0, length);
        }
        if (result <= 0)
        {
            counters.downstreamSharedBackPressure.incrementRelease();
            return false;
        }
        return true;
    }

    private boolean isShared(final DownstreamLink link)
    {
        return link.shared && null != shared;
    }

    /**
     * @return true for the item types whose updates may go on the shared stream: market data, which every link may
     * see. Accounts, orders, holdings and balances stay on the link that asked for them.
     */
    private static boolean isMarketData(final short itemType)
    {
        return itemType >= ItemType.MARKETS.value() && itemType <= ItemType.SYMBOLS.value();
    }

    /**
     * @return the open link of this id, or null.
     */
    DownstreamLink link(final long linkId)
    {
        final DownstreamLink link = linkById.get(linkId);
        return null == link || !link.welcomed ? null : link;
    }

    /**
     * Pass an upstream answer to a relayed request back to the link that asked, under the link's request id. An
     * answer the link cannot take now is kept and sent before anything else the link is owed.
     *
     * @param buffer the answer as the upstream sent it; its link id and request id are the first two fields.
     */
    void relay(
        final DownstreamLink link, final long requestId, final DirectBuffer buffer, final int offset, final int length)
    {
        if (link.closed)
        {
            return;
        }
        final UnsafeBuffer out = forwardBuffer;
        if (length > out.capacity())
        {
            out.wrap(ByteBuffer.allocateDirect(length));
        }
        out.putBytes(0, buffer, offset, length);
        out.putLong(ITEM_ID_OFFSET, link.linkId, MessageHeaderEncoder.BYTE_ORDER);
        out.putLong(SEQ_NO_OFFSET, requestId, MessageHeaderEncoder.BYTE_ORDER);
        if (!link.answers.isEmpty() || !offer(link, out, length))
        {
            final byte[] copy = new byte[length];
            out.getBytes(0, copy);
            link.answers.add(copy);
        }
    }

    /**
     * Answer a relayed order request here, when it could not be passed on or its answer will not come.
     */
    void answerOrder(
        final DownstreamLink link, final long requestId, final OrderResult result, final String clientRequestId,
        final String accountId, final String errors)
    {
        orderResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .linkId(link.linkId)
            .requestId(requestId)
            .result(result)
            .clientRequestId(clientRequestId)
            .orderId("")
            .accountId(accountId)
            .errors(errors);
        relay(link, requestId, sendBuffer, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + orderResponseEncoder.encodedLength());
    }

    /**
     * Answer a relayed trade history request here with a status and no trades.
     */
    void answerHistory(final DownstreamLink link, final long requestId, final SubscribeStatus status)
    {
        historyResponseEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .linkId(link.linkId)
            .requestId(requestId)
            .status(status)
            .last(BooleanType.TRUE)
            .tradesCount(0);
        relay(link, requestId, sendBuffer, 0,
            MessageHeaderEncoder.ENCODED_LENGTH + historyResponseEncoder.encodedLength());
    }

    private void onSubscribe(final SubscribeDecoder decoder)
    {
        final DownstreamLink link = linkById.get(decoder.linkId());
        final long requestId = decoder.requestId();
        final short itemType = decoder.itemTypeRaw();
        final int keyLength = decoder.itemKeyLength();
        if (null == link || !link.welcomed)
        {
            return;
        }
        if (keyLength > MAX_KEY_LENGTH)
        {
            refuseNow(link, ++nextItemId, requestId, SubscribeStatus.INVALID,
                "Item key longer than " + MAX_KEY_LENGTH);
            return;
        }
        final String key = decoder.itemKey();
        final Item item = itemType < ItemType.MARKETS.value() || itemType > ItemType.BALANCES.value() ? null :
            cache.subscribe(itemType, key);
        if (null == item)
        {
            refuseNow(link, ++nextItemId, requestId, SubscribeStatus.INVALID,
                "Item type " + itemType + " not served");
            return;
        }
        final boolean sharedItem = isShared(link) && isMarketData(itemType);
        final long itemId;
        if (sharedItem)
        {
            if (0 == item.sharedId)
            {
                item.sharedId = ++nextItemId;
            }
            itemId = item.sharedId;
            // The link asks again for an item it has (to resynchronise it): the new subscription takes the old one's
            // place, under the same id, and gets a fresh snapshot.
            final DownstreamItem previous = link.items.remove(itemId);
            if (null != previous)
            {
                detach(previous);
            }
            if (item.sharedSubscribers++ == 0 && null == previous)
            {
                // While no link read the item on the shared stream its updates were not numbered there: a number
                // is spent, so that a reader still holding it from before sees a gap rather than a sequence.
                item.sharedSeqNo++;
            }
        }
        else
        {
            itemId = ++nextItemId;
        }
        final DownstreamItem subscriber = new DownstreamItem(link, item, itemId, requestId, sharedItem);
        link.items.put(itemId, subscriber);
        item.downstream.add(subscriber);
        item.idleSinceMs = 0;
        subscriptionCount++;
        counters.downstreamSubscriptions.setRelease(subscriptionCount);
        if (item.hasData || item.upstreamItemId != Item.NO_UPSTREAM_ID)
        {
            subscriber.snapshotDue = true;
            queue(subscriber);
            drain(link);
        }
    }

    private void refuseNow(
        final DownstreamLink link, final long itemId, final long requestId, final SubscribeStatus status,
        final String reason)
    {
        final DownstreamItem refused = new DownstreamItem(link, null, itemId, requestId, false);
        refused.refusal = status;
        refused.refusalReason = reason;
        queue(refused);
        drain(link);
    }

    private void onUnsubscribe(final long linkId, final long itemId)
    {
        final DownstreamLink link = linkById.get(linkId);
        if (null == link)
        {
            return;
        }
        final DownstreamItem subscriber = link.items.remove(itemId);
        if (null != subscriber)
        {
            detach(subscriber);
            counters.downstreamSubscriptions.setRelease(subscriptionCount);
        }
    }

    private void detach(final DownstreamItem subscriber)
    {
        subscriber.active = false;
        if (null != subscriber.item && subscriber.item.downstream.remove(subscriber))
        {
            subscriptionCount--;
            if (subscriber.shared)
            {
                subscriber.item.sharedSubscribers--;
            }
        }
    }

    private void owesSnapshot(final DownstreamItem subscriber)
    {
        subscriber.snapshotDue = true;
        counters.downstreamResnapshots.incrementRelease();
        queue(subscriber);
    }

    private void queue(final DownstreamItem subscriber)
    {
        if (!subscriber.queued)
        {
            subscriber.queued = true;
            subscriber.link.due.add(subscriber);
        }
    }

    private void service(final DownstreamLink link, final long nowMs)
    {
        if (!link.welcomed)
        {
            if (link.publication.isConnected() && sendWelcome(link))
            {
                link.welcomed = true;
                link.nextHeartbeatMs = nowMs + heartbeatIntervalMs;
            }
            return;
        }
        if (nowMs >= link.nextHeartbeatMs)
        {
            heartbeatEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder).linkId(link.linkId).timestampMs(nowMs)
                .tradingStatus(tradingStatus);
            if (offer(link, sendBuffer, MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength()))
            {
                link.nextHeartbeatMs = nowMs + heartbeatIntervalMs;
            }
        }
        byte[] answer;
        while (null != (answer = link.answers.peek()))
        {
            answerBuffer.wrap(answer);
            if (!offer(link, answerBuffer, answer.length))
            {
                return;
            }
            link.answers.poll();
        }
        drain(link);
    }

    /**
     * Send the link what its items are owed, in order, until the publication takes no more.
     */
    private void drain(final DownstreamLink link)
    {
        DownstreamItem subscriber;
        while (null != (subscriber = link.due.peek()))
        {
            if (!subscriber.answered && subscriber.active)
            {
                if (!sendSubscribeResult(subscriber))
                {
                    return;
                }
                subscriber.answered = true;
                if (null != subscriber.refusal)
                {
                    subscriber.active = false;
                }
            }
            if (subscriber.active && subscriber.snapshotDue && subscriber.item.hasData && !subscriber.item.inSnapshot)
            {
                if (!sendSnapshot(subscriber))
                {
                    return;
                }
                subscriber.snapshotDue = false;
            }
            link.due.poll();
            subscriber.queued = false;
        }
    }

    private boolean sendSnapshot(final DownstreamItem subscriber)
    {
        final Item item = subscriber.item;
        snapshotLink = subscriber.link;
        snapshotWriter.begin(snapshotTarget, subscriber.itemId, seqNo(subscriber));
        item.writeSnapshot(snapshotWriter);
        final boolean sent = snapshotWriter.end();
        snapshotLink = null;
        if (!sent)
        {
            counters.downstreamBackPressure.incrementRelease();
            return false;
        }
        counters.downstreamSnapshots.incrementRelease();
        // The snapshot says nothing of staleness: a stale item is followed by its status.
        return item.state != Item.State.STALE || sendItemStatus(subscriber, ItemState.STALE, "Upstream unavailable");
    }

    private boolean offerSnapshotMessage(final DirectBuffer buffer, final int offset, final int length)
    {
        return offer(snapshotLink, buffer, length);
    }

    private boolean sendWelcome(final DownstreamLink link)
    {
        welcomeEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .linkId(link.linkId)
            .result(HelloResult.ACCEPTED)
            .protocolVersion(InterlinkProtocol.PROTOCOL_VERSION)
            .heartbeatIntervalMs(heartbeatIntervalMs)
            .tradingStatus(tradingStatus)
            .shared(isShared(link) ? BooleanType.TRUE : BooleanType.FALSE)
            .serverName(serverName)
            .reason("");
        return offer(link, sendBuffer, MessageHeaderEncoder.ENCODED_LENGTH + welcomeEncoder.encodedLength());
    }

    private boolean sendSubscribeResult(final DownstreamItem subscriber)
    {
        final boolean refused = null != subscriber.refusal;
        subscribeResultEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .linkId(subscriber.link.linkId)
            .requestId(subscriber.requestId)
            .itemId(subscriber.itemId)
            .status(refused ? subscriber.refusal : SubscribeStatus.OK)
            .reason(refused ? subscriber.refusalReason : "");
        return offer(subscriber.link, sendBuffer,
            MessageHeaderEncoder.ENCODED_LENGTH + subscribeResultEncoder.encodedLength());
    }

    private boolean sendItemStatus(final DownstreamItem subscriber, final ItemState state, final String reason)
    {
        itemStatusEncoder.wrapAndApplyHeader(sendBuffer, 0, headerEncoder)
            .itemId(subscriber.itemId)
            .seqNo(seqNo(subscriber))
            .state(state)
            .reason(reason);
        return offer(subscriber.link, sendBuffer,
            MessageHeaderEncoder.ENCODED_LENGTH + itemStatusEncoder.encodedLength());
    }

    /**
     * @return the sequence number of the item's last update the link has had: the item's on the shared stream, or
     * the link's own.
     */
    private static long seqNo(final DownstreamItem subscriber)
    {
        return subscriber.shared ? subscriber.item.sharedSeqNo : subscriber.seqNo;
    }

    private boolean offer(final DownstreamLink link, final DirectBuffer buffer, final int length)
    {
        if (link.closed)
        {
            return false;
        }
        long result = link.publication.offer(buffer, 0, length);
        // ADMIN_ACTION is the log rotating to its next term: the offer goes through when made again.
        for (int retries = 2; result == Publication.ADMIN_ACTION && retries > 0; retries--)
        {
            result = link.publication.offer(buffer, 0, length);
        }
        if (result <= 0)
        {
            counters.downstreamBackPressure.incrementRelease();
            return false;
        }
        counters.downstreamMessages.incrementRelease();
        return true;
    }
}
