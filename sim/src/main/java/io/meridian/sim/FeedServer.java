package io.meridian.sim;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Subscription;
import io.aeron.logbuffer.Header;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.HeartbeatDecoder;
import io.meridian.codecs.interlink.HeartbeatEncoder;
import io.meridian.codecs.interlink.HelloDecoder;
import io.meridian.codecs.interlink.HelloResult;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MarketUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeResultEncoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.UnsubscribeDecoder;
import io.meridian.codecs.interlink.WelcomeEncoder;
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
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.LocalDate;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The simulated Feed Server: the top upstream of an interlink chain. It serves a deterministic universe of markets and
 * securities whose prices random-walk at a configured rate. Downstreams open links with Hello on the control stream
 * and receive everything for the link on the publication they name; subscribed items get a snapshot and then deltas
 * with a per-item sequence number. A delta that cannot be sent because of back pressure is never dropped silently:
 * the item is resnapshotted on that link instead.
 */
public final class FeedServer implements Agent
{
    /** Item id of the market list. */
    public static final long MARKETS_ITEM_ID = 1;

    /** Item id of security 0; security {@code i} has item id {@code FIRST_SECURITY_ITEM_ID + i}. */
    public static final long FIRST_SECURITY_ITEM_ID = 2;

    /** Market codes, the first {@link Context#markets()} of which are served. */
    public static final List<String> ALL_MARKET_CODES =
        List.of("XSX", "XNX", "XLX", "XMX", "XPX", "XQX", "XRX", "XTX");

    static final int FRAGMENT_LIMIT = 64;
    static final int MAX_UPDATES_PER_WORK = 4096;
    static final int MAX_ITEM_KEY_LENGTH = 64;
    static final int SNAPSHOT_WINDOW_BYTES = 2048;
    private static final long MARKETS_SEQ_NO = 1;
    private static final byte[] EMPTY = new byte[0];

    private final Context ctx;
    private final Aeron aeron;
    private final Subscription controlSubscription;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final NanoClock nanoClock;
    private final EpochClock epochClock;
    private final SplittableRandom random;
    private final SimSecurity[] securities;
    private final Map<String, SimSecurity> securityByKey = new HashMap<>();
    private final List<String> securityKeys;
    private final List<String> marketCodes;
    private final byte[][] marketCodeBytes;
    private final long heartbeatIntervalNs;
    private final long livenessTimeoutNs;
    private final long startNs;
    private final byte[] serviceToken;

    private final Long2ObjectHashMap<Link> linkById = new Long2ObjectHashMap<>();
    private final ArrayList<Link> links = new ArrayList<>();

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final HelloDecoder helloDecoder = new HelloDecoder();
    private final HeartbeatDecoder heartbeatDecoder = new HeartbeatDecoder();
    private final SubscribeDecoder subscribeDecoder = new SubscribeDecoder();
    private final UnsubscribeDecoder unsubscribeDecoder = new UnsubscribeDecoder();
    private final WelcomeEncoder welcomeEncoder = new WelcomeEncoder();
    private final HeartbeatEncoder heartbeatEncoder = new HeartbeatEncoder();
    private final SubscribeResultEncoder subscribeResultEncoder = new SubscribeResultEncoder();
    private final SnapshotBeginEncoder snapshotBeginEncoder = new SnapshotBeginEncoder();
    private final SnapshotEndEncoder snapshotEndEncoder = new SnapshotEndEncoder();
    private final MarketUpdateEncoder marketUpdateEncoder = new MarketUpdateEncoder();
    private final SecurityUpdateEncoder securityUpdateEncoder = new SecurityUpdateEncoder();

    private long nowNs;
    private long updatesScheduled;
    private long updates;
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
        this.random = new SplittableRandom(ctx.seed());

        marketCodes = ALL_MARKET_CODES.subList(0, ctx.markets());
        marketCodeBytes = new byte[ctx.markets()][];
        for (int i = 0; i < ctx.markets(); i++)
        {
            marketCodeBytes[i] = marketCodes.get(i).getBytes(StandardCharsets.US_ASCII);
        }

        securities = new SimSecurity[ctx.securities()];
        final String[] keys = new String[securities.length];
        for (int i = 0; i < securities.length; i++)
        {
            final String code = SimSecurity.code(i, ctx.seed());
            final SimSecurity security =
                new SimSecurity(FIRST_SECURITY_ITEM_ID + i, code, marketCodes.get(i % ctx.markets()), random);
            securities[i] = security;
            keys[i] = security.key;
            securityByKey.put(security.key, security);
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
     * Poll the control stream, serve every link (Welcome, heartbeats, replies, snapshots, liveness) and generate the
     * updates that are due.
     *
     * @return the number of messages handled and sent, 0 when idle.
     */
    public int doWork()
    {
        nowNs = nanoClock.nanoTime();
        int workCount = controlSubscription.poll(assembler, FRAGMENT_LIMIT);
        workCount += serviceLinks();
        workCount += generateUpdates();
        return workCount;
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
        final SimSecurity security = securityByKey.get(key);
        return null == security ? 0 : security.itemId;
    }

    /**
     * @return links open or awaiting connection.
     */
    public int linkCount()
    {
        return links.size();
    }

    /**
     * @return security updates generated since start, sent or not.
     */
    public long updates()
    {
        return updates;
    }

    /**
     * @return Heartbeat, Subscribe and Unsubscribe messages naming no open link; they are ignored.
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
            CloseHelper.quietClose(old.publication);
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

    private void onSubscribe(final SubscribeDecoder subscribe)
    {
        final Link link = linkById.get(subscribe.linkId());
        if (null == link || null != link.rejectReason)
        {
            unknownLinkMessages++;
            return;
        }
        link.lastHeardNs = nowNs;

        final long requestId = subscribe.requestId();
        final short itemType = subscribe.itemTypeRaw();
        final String key = subscribe.itemKey();
        if (ItemType.MARKETS.value() == itemType)
        {
            if (InterlinkProtocol.MARKETS_KEY.equals(key))
            {
                subscribeItem(link, requestId, MARKETS_ITEM_ID, null);
            }
            else
            {
                reply(link, requestId, 0, SubscribeStatus.INVALID,
                    "Invalid market list key, expected '" + InterlinkProtocol.MARKETS_KEY + "'");
            }
        }
        else if (ItemType.SECURITY.value() == itemType)
        {
            final int dot = key.indexOf('.');
            if (key.length() > MAX_ITEM_KEY_LENGTH || dot <= 0 || dot == key.length() - 1)
            {
                reply(link, requestId, 0, SubscribeStatus.INVALID, "Invalid security key, expected CODE.MARKET");
            }
            else
            {
                final SimSecurity security = securityByKey.get(key);
                if (null == security)
                {
                    reply(link, requestId, 0, SubscribeStatus.NOT_FOUND, "Symbol.NotFound " + key);
                }
                else
                {
                    subscribeItem(link, requestId, security.itemId, security);
                }
            }
        }
        else
        {
            reply(link, requestId, 0, SubscribeStatus.INVALID, "Unknown item type");
        }
    }

    private void onUnsubscribe(final UnsubscribeDecoder unsubscribe)
    {
        final Link link = linkById.get(unsubscribe.linkId());
        if (null == link || null != link.rejectReason)
        {
            unknownLinkMessages++;
            return;
        }
        link.lastHeardNs = nowNs;

        final LinkItem item = link.items.remove(unsubscribe.itemId());
        if (null != item)
        {
            item.active = false;
        }
    }

    private void subscribeItem(final Link link, final long requestId, final long itemId, final SimSecurity security)
    {
        LinkItem item = link.items.get(itemId);
        if (null == item)
        {
            item = new LinkItem(itemId, security);
            link.items.put(itemId, item);
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

    private static void requestSnapshot(final Link link, final LinkItem item)
    {
        if (!item.snapshotPending)
        {
            item.snapshotPending = true;
            link.snapshots.add(item);
        }
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
                workCount += serviceLink(link);
            }

            if (link.closed)
            {
                links.remove(i);
                linkById.remove(link.linkId, link);
                CloseHelper.quietClose(link.publication);
            }
        }
        return workCount;
    }

    private int serviceLink(final Link link)
    {
        if (!link.welcomed)
        {
            if (!link.publication.isConnected() || !offer(link, encodeWelcome(link)))
            {
                return 0;
            }
            link.welcomed = true;
            link.closed = null != link.rejectReason;
            link.nextHeartbeatNs = nowNs + heartbeatIntervalNs;
            return 1;
        }

        int workCount = 0;
        if (nowNs - link.nextHeartbeatNs >= 0 && offer(link, encodeHeartbeat(link)))
        {
            link.nextHeartbeatNs = nowNs + heartbeatIntervalNs;
            workCount++;
        }

        Reply reply;
        while (null != (reply = link.replies.peek()))
        {
            if (!offer(link, encodeSubscribeResult(link, reply)))
            {
                return workCount;
            }
            link.replies.poll();
            workCount++;
        }

        LinkItem item;
        while (null != (item = link.snapshots.peek()))
        {
            if (item.active && !sendSnapshot(link, item))
            {
                return workCount;
            }
            link.snapshots.poll();
            item.snapshotPending = false;
            workCount++;
        }

        return workCount;
    }

    private boolean sendSnapshot(final Link link, final LinkItem item)
    {
        final SimSecurity security = item.security;
        final long seqNo = null == security ? MARKETS_SEQ_NO : security.seqNo;

        if (link.publication.availableWindow() < SNAPSHOT_WINDOW_BYTES)
        {
            backPressureEvents++;
            return false;
        }

        // A snapshot still cut short (e.g. by a term rotation) is sent again from SnapshotBegin, which restarts it.
        if (!offer(link, encodeSnapshotBegin(item.itemId, seqNo)))
        {
            return false;
        }

        if (null == security)
        {
            final int tradingDate = tradingDate(epochClock.time());
            for (int i = 0; i < marketCodeBytes.length; i++)
            {
                if (!offer(link, encodeMarketUpdate(i, tradingDate)))
                {
                    return false;
                }
            }
        }
        else
        {
            final long nullMask = security.nullMask;
            if (!offer(link, encodeSecurityUpdate(security, SecurityFields.ALL & ~nullMask, nullMask)))
            {
                return false;
            }
        }

        return offer(link, encodeSnapshotEnd(item.itemId, seqNo));
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

        for (int i = 0; i < count; i++)
        {
            final SimSecurity security = securities[random.nextInt(securities.length)];
            final long changed = security.update(random);
            if (0 != changed)
            {
                security.seqNo++;
                publishDelta(security, changed);
            }
        }
        updates += count;

        return (int)count;
    }

    private void publishDelta(final SimSecurity security, final long changed)
    {
        int length = 0;
        for (int i = 0, size = links.size(); i < size; i++)
        {
            final Link link = links.get(i);
            if (!link.welcomed || link.closed)
            {
                continue;
            }

            final LinkItem item = link.items.get(security.itemId);
            if (null == item || item.snapshotPending)
            {
                continue;
            }

            if (0 == length)
            {
                length = encodeSecurityUpdate(security, changed, 0);
            }

            if (!offer(link, length))
            {
                resnapshots++;
                requestSnapshot(link, item);
            }
        }
    }

    private boolean offer(final Link link, final int length)
    {
        if (link.publication.offer(buffer, 0, length) > 0)
        {
            return true;
        }
        backPressureEvents++;
        return false;
    }

    private int encodeWelcome(final Link link)
    {
        final boolean accepted = null == link.rejectReason;
        welcomeEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(link.linkId)
            .result(accepted ? HelloResult.ACCEPTED : HelloResult.REJECTED)
            .protocolVersion(InterlinkProtocol.PROTOCOL_VERSION)
            .heartbeatIntervalMs(ctx.heartbeatIntervalMs())
            .serverName(ctx.serverName())
            .reason(accepted ? "" : link.rejectReason);
        return MessageHeaderEncoder.ENCODED_LENGTH + welcomeEncoder.encodedLength();
    }

    private int encodeHeartbeat(final Link link)
    {
        heartbeatEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(link.linkId)
            .timestampMs(epochClock.time());
        return MessageHeaderEncoder.ENCODED_LENGTH + heartbeatEncoder.encodedLength();
    }

    private int encodeSubscribeResult(final Link link, final Reply reply)
    {
        subscribeResultEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .linkId(link.linkId)
            .requestId(reply.requestId)
            .itemId(reply.itemId)
            .status(reply.status)
            .reason(reply.reason);
        return MessageHeaderEncoder.ENCODED_LENGTH + subscribeResultEncoder.encodedLength();
    }

    private int encodeSnapshotBegin(final long itemId, final long seqNo)
    {
        snapshotBeginEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).itemId(itemId).seqNo(seqNo);
        return MessageHeaderEncoder.ENCODED_LENGTH + snapshotBeginEncoder.encodedLength();
    }

    private int encodeSnapshotEnd(final long itemId, final long seqNo)
    {
        snapshotEndEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder).itemId(itemId).seqNo(seqNo);
        return MessageHeaderEncoder.ENCODED_LENGTH + snapshotEndEncoder.encodedLength();
    }

    private int encodeMarketUpdate(final int market, final int tradingDate)
    {
        marketUpdateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(MARKETS_ITEM_ID)
            .seqNo(MARKETS_SEQ_NO)
            .feedStatus(FeedStatus.Active)
            .tradingState(TradingState.Open)
            .tradingDate(tradingDate)
            .putMarketCode(marketCodeBytes[market], 0, marketCodeBytes[market].length);
        return MessageHeaderEncoder.ENCODED_LENGTH + marketUpdateEncoder.encodedLength();
    }

    private int encodeSecurityUpdate(final SimSecurity security, final long presence, final long cleared)
    {
        final SecurityUpdateEncoder encoder = securityUpdateEncoder.wrapAndApplyHeader(buffer, 0, headerEncoder)
            .itemId(security.itemId)
            .seqNo(security.seqNo)
            .presence(presence)
            .cleared(cleared)
            .tradingState(TradingState.Open)
            .trend(security.trend)
            .bidCount(security.bidCount)
            .askCount(security.askCount)
            .numberOfTrades(security.numberOfTrades);
        encoder.open().mantissa(security.open).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.high().mantissa(security.high).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.low().mantissa(security.low).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.closePrice().mantissa(security.close).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.last().mantissa(security.last).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.bestBid().mantissa(security.bestBid).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.bidQuantity().mantissa(security.bidQuantity).exponent(SimSecurity.QUANTITY_EXPONENT);
        encoder.bestAsk().mantissa(security.bestAsk).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.askQuantity().mantissa(security.askQuantity).exponent(SimSecurity.QUANTITY_EXPONENT);
        encoder.volume().mantissa(security.volume).exponent(SimSecurity.QUANTITY_EXPONENT);
        encoder.valueTraded().mantissa(security.valueTraded).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.vwap().mantissa(security.vwap).exponent(SimSecurity.PRICE_EXPONENT);
        encoder.lotSize().mantissa(security.lotSize).exponent(SimSecurity.QUANTITY_EXPONENT);

        if (0 != (presence & SecurityFields.STATIC))
        {
            encoder.putCode(security.codeBytes, 0, security.codeBytes.length)
                .putMarket(security.marketBytes, 0, security.marketBytes.length)
                .putName(security.nameBytes, 0, security.nameBytes.length)
                .putCurrency(SimSecurity.CURRENCY_BYTES, 0, SimSecurity.CURRENCY_BYTES.length)
                .putCfi(SimSecurity.CFI_BYTES, 0, SimSecurity.CFI_BYTES.length);
        }
        else
        {
            encoder.putCode(EMPTY, 0, 0).putMarket(EMPTY, 0, 0).putName(EMPTY, 0, 0).putCurrency(EMPTY, 0, 0)
                .putCfi(EMPTY, 0, 0);
        }

        return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
    }

    static int tradingDate(final long epochMs)
    {
        final LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(epochMs, TimeUnit.DAYS.toMillis(1)));
        return date.getYear() * 10_000 + date.getMonthValue() * 100 + date.getDayOfMonth();
    }

    private static final class Link
    {
        final long linkId;
        final ExclusivePublication publication;
        final String rejectReason;
        final Long2ObjectHashMap<LinkItem> items = new Long2ObjectHashMap<>();
        final ArrayDeque<Reply> replies = new ArrayDeque<>();
        final ArrayDeque<LinkItem> snapshots = new ArrayDeque<>();
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

    private static final class LinkItem
    {
        final long itemId;
        final SimSecurity security;
        boolean snapshotPending;
        boolean active = true;

        LinkItem(final long itemId, final SimSecurity security)
        {
            this.itemId = itemId;
            this.security = security;
        }
    }

    private record Reply(long requestId, long itemId, SubscribeStatus status, String reason)
    {
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
        private int markets = 2;
        private int securities = 50;
        private int updateRate = 200;
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
         * @param updateRate security updates per second over all securities; 0 for none.
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
         * @param seed seed of the universe and of the random walk.
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
