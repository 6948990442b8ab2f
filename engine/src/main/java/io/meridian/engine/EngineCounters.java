package io.meridian.engine;

import io.meridian.codecs.interlink.OrderResult;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorLogReader;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.ByteBuffer;

/**
 * Counters an operator asks about, written by the engine thread and readable from any thread, and the distinct
 * error log: each distinct error is kept once with a count, and logged the first time it is seen.
 */
public final class EngineCounters
{
    private static final Logger LOG = LoggerFactory.getLogger(EngineCounters.class);

    final AtomicCounter securityUpdates;
    final AtomicCounter upstreamSubscribes;
    final AtomicCounter sequenceGaps;
    final AtomicCounter unknownItemUpdates;
    final AtomicCounter overflowedSessions;
    final AtomicCounter errors;
    final AtomicCounter evictions;
    final AtomicCounter slowConsumerResyncs;
    final AtomicCounter depthUpdates;
    final AtomicCounter levelUpdates;
    final AtomicCounter tradeUpdates;
    final AtomicCounter inconsistentUpdates;
    final AtomicCounter tradeQueriesFromCache;
    final AtomicCounter tradeQueriesUpstream;
    final AtomicCounter splitFrames;
    final AtomicCounter tradingUpdates;
    final AtomicCounter orderRequests;
    final AtomicCounter orderTimeouts;
    final AtomicCounter lateOrderResponses;
    final AtomicCounter refusedTradingRequests;
    final AtomicCounter refusedSubscriptions;
    final AtomicCounter revokedSubscriptions;
    final AtomicCounter cacheClears;
    final AtomicCounter queryTimeouts;
    final AtomicCounter itemResyncs;
    final AtomicCounter feedLinkUps;
    final AtomicCounter tradingLinkUps;
    final AtomicCounter ringFullUpstream;
    final AtomicCounter ringFullGateway;
    /** Order request answers by Zenith result, indexed by {@link OrderResult#ordinal()}. */
    final AtomicCounter[] orderResults;
    final AtomicCounter itemsLive;
    final AtomicCounter itemsStale;
    final AtomicCounter itemsPending;
    final AtomicCounter subscriptions;
    final AtomicCounter ringFill;
    final AtomicCounter ringFillMax;
    final AtomicCounter downstreamLinksOpened;
    final AtomicCounter downstreamLinksRefused;
    final AtomicCounter downstreamLinksClosed;
    final AtomicCounter downstreamSnapshots;
    final AtomicCounter downstreamResnapshots;
    final AtomicCounter downstreamMessages;
    final AtomicCounter downstreamBackPressure;
    final AtomicCounter downstreamSharedMessages;
    final AtomicCounter downstreamSharedBackPressure;
    final AtomicCounter upstreamSharedMessages;
    final AtomicCounter upstreamSharedSkipped;
    final AtomicCounter upstreamSharedLost;
    final AtomicCounter staleSnapshots;
    final AtomicCounter downstreamLinks;
    final AtomicCounter downstreamSubscriptions;
    private final CountersFile file;
    private final boolean ownsFile;
    private final java.util.ArrayList<AtomicCounter> all = new java.util.ArrayList<>();

    /**
     * Counters in memory of their own, for an engine built without a server (tests, benchmarks).
     */
    public EngineCounters()
    {
        this(CountersFile.inMemory(128), true);
    }

    /**
     * @param file where the counters live; the caller closes it.
     */
    public EngineCounters(final CountersFile file)
    {
        this(file, false);
    }

    private EngineCounters(final CountersFile file, final boolean ownsFile)
    {
        this.file = file;
        this.ownsFile = ownsFile;
        securityUpdates = total("engine.security-updates");
        upstreamSubscribes = total("engine.upstream-subscribes");
        sequenceGaps = total("engine.sequence-gaps");
        unknownItemUpdates = total("engine.unknown-item-updates");
        overflowedSessions = total("engine.overflowed-sessions");
        errors = total("engine.errors");
        evictions = total("engine.evictions");
        slowConsumerResyncs = total("engine.slow-consumer-resyncs");
        depthUpdates = total("engine.depth-updates");
        levelUpdates = total("engine.level-updates");
        tradeUpdates = total("engine.trade-updates");
        inconsistentUpdates = total("engine.inconsistent-updates");
        tradeQueriesFromCache = total("engine.trade-queries-from-cache");
        tradeQueriesUpstream = total("engine.trade-queries-upstream");
        splitFrames = total("engine.split-frames");
        tradingUpdates = total("engine.trading-updates");
        orderRequests = total("engine.order-requests");
        orderTimeouts = total("engine.order-timeouts");
        lateOrderResponses = total("engine.late-order-responses");
        refusedTradingRequests = total("engine.refused-trading-requests");
        refusedSubscriptions = total("engine.refused-subscriptions");
        revokedSubscriptions = total("engine.revoked-subscriptions");
        cacheClears = total("engine.cache-clears");
        queryTimeouts = total("engine.query-timeouts");
        itemResyncs = total("engine.item-resyncs");
        feedLinkUps = total("engine.link-ups link=feed");
        tradingLinkUps = total("engine.link-ups link=trading");
        ringFullUpstream = total("engine.ring-full source=upstream");
        ringFullGateway = total("engine.ring-full source=gateway");
        final OrderResult[] results = OrderResult.values();
        orderResults = new AtomicCounter[results.length];
        for (final OrderResult result : results)
        {
            if (result != OrderResult.NULL_VAL)
            {
                orderResults[result.ordinal()] = total("engine.order-results result=" + result.name());
            }
        }
        itemsLive = gauge("engine.items state=live");
        itemsStale = gauge("engine.items state=stale");
        itemsPending = gauge("engine.items state=pending");
        subscriptions = gauge("engine.subscriptions");
        ringFill = gauge("engine.ring-fill");
        ringFillMax = gauge("engine.ring-fill-max");
        downstreamLinksOpened = total("downstream.links-opened");
        downstreamLinksRefused = total("downstream.links-refused");
        downstreamLinksClosed = total("downstream.links-closed");
        downstreamSnapshots = total("downstream.snapshots");
        downstreamResnapshots = total("downstream.resnapshots");
        downstreamMessages = total("downstream.messages");
        downstreamBackPressure = total("downstream.back-pressure");
        downstreamSharedMessages = total("downstream.shared-messages");
        downstreamSharedBackPressure = total("downstream.shared-back-pressure");
        upstreamSharedMessages = total("upstream.shared-messages");
        upstreamSharedSkipped = total("upstream.shared-skipped");
        upstreamSharedLost = total("upstream.shared-lost");
        staleSnapshots = total("upstream.shared-stale-snapshots");
        downstreamLinks = gauge("downstream.links");
        downstreamSubscriptions = gauge("downstream.subscriptions");
    }

    private AtomicCounter total(final String label)
    {
        final AtomicCounter counter = file.newTotal(label);
        all.add(counter);
        return counter;
    }

    private AtomicCounter gauge(final String label)
    {
        final AtomicCounter counter = file.newGauge(label);
        all.add(counter);
        return counter;
    }

    /**
     * @return where the counters live, with every other counter of the process.
     */
    public CountersFile file()
    {
        return file;
    }

    /**
     * @param result a Zenith order result.
     * @return order requests answered with it (refusals by Meridian included).
     */
    public long orderResults(final OrderResult result)
    {
        return orderResults[result.ordinal()].get();
    }

    /**
     * @return items (all kinds) live, as of the engine's last housekeeping (every second).
     */
    public long itemsLive()
    {
        return itemsLive.get();
    }

    /**
     * @return items stale: the upstream link or item was lost and the data may be old.
     */
    public long itemsStale()
    {
        return itemsStale.get();
    }

    /**
     * @return times an item was subscribed again upstream for a fresh snapshot (gap, inconsistency, upstream
     *     request).
     */
    public long itemResyncs()
    {
        return itemResyncs.get();
    }


    /**
     * Free the counters' memory when this object made it.
     */
    public void close()
    {
        if (ownsFile)
        {
            file.close();
        }
    }

    private final UnsafeBuffer errorBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final DistinctErrorLog errorLog = new DistinctErrorLog(errorBuffer, SystemEpochClock.INSTANCE);

    /**
     * Visit every engine counter with its label ({@code engine.security-updates} and so on), in a fixed order.
     *
     * @param visitor called with each label and value.
     */
    public void forEach(final java.util.function.ObjLongConsumer<String> visitor)
    {
        for (int i = 0, size = all.size(); i < size; i++)
        {
            final AtomicCounter counter = all.get(i);
            visitor.accept(counter.label(), counter.get());
        }
    }

    public long securityUpdates()
    {
        return securityUpdates.get();
    }

    /**
     * @return downstream links open now.
     */
    public long downstreamLinks()
    {
        return downstreamLinks.get();
    }

    /**
     * @return items subscribed by downstream links now, over every link.
     */
    public long downstreamSubscriptions()
    {
        return downstreamSubscriptions.get();
    }

    /**
     * @return snapshots sent whole to downstream links since start.
     */
    public long downstreamSnapshots()
    {
        return downstreamSnapshots.get();
    }

    /**
     * @return offers a downstream link's publication did not take (the shared publication's are counted apart).
     */
    public long downstreamBackPressure()
    {
        return downstreamBackPressure.get();
    }

    /**
     * @return items a downstream link was sent again in full because it could not take an update.
     */
    public long downstreamResnapshots()
    {
        return downstreamResnapshots.get();
    }

    /**
     * @return messages sent on downstream links since start.
     */
    public long downstreamMessages()
    {
        return downstreamMessages.get();
    }

    /**
     * @return item updates sent once on the shared publication for every link that reads it.
     */
    public long downstreamSharedMessages()
    {
        return downstreamSharedMessages.get();
    }

    /**
     * @return times the upstream's shared stream fell silent while the link lived, each ending the link.
     */
    public long upstreamSharedLost()
    {
        return upstreamSharedLost.get();
    }

    /**
     * @return offers the shared publication did not take.
     */
    public long downstreamSharedBackPressure()
    {
        return downstreamSharedBackPressure.get();
    }

    /**
     * @return item updates taken from the upstream's shared stream for items this proxy holds.
     */
    public long upstreamSharedMessages()
    {
        return upstreamSharedMessages.get();
    }

    /**
     * @return updates on the upstream's shared stream for items this proxy does not hold, passed over.
     */
    public long upstreamSharedSkipped()
    {
        return upstreamSharedSkipped.get();
    }

    public long upstreamSubscribes()
    {
        return upstreamSubscribes.get();
    }

    public long sequenceGaps()
    {
        return sequenceGaps.get();
    }

    public long overflowedSessions()
    {
        return overflowedSessions.get();
    }

    /**
     * @return account, order, holding and balance changes applied.
     */
    public long tradingUpdates()
    {
        return tradingUpdates.get();
    }

    /**
     * @return order requests sent to the Trading Agent.
     */
    public long orderRequests()
    {
        return orderRequests.get();
    }

    /**
     * @return order requests that got no answer within the action timeout.
     */
    public long orderTimeouts()
    {
        return orderTimeouts.get();
    }

    /**
     * @return answers that came after their request had timed out.
     */
    public long lateOrderResponses()
    {
        return lateOrderResponses.get();
    }

    /**
     * @return subscriptions ended because a renewed token no longer grants their controller.
     */
    public long revokedSubscriptions()
    {
        return revokedSubscriptions.get();
    }

    /**
     * @return queries answered {@code Operation.Timeout} because the upstream did not answer in time.
     */
    public long queryTimeouts()
    {
        return queryTimeouts.get();
    }

    /**
     * @return cache clears requested by an operator.
     */
    public long cacheClears()
    {
        return cacheClears.get();
    }

    /**
     * @return subscriptions refused because their session held the most allowed.
     */
    public long refusedSubscriptions()
    {
        return refusedSubscriptions.get();
    }

    /**
     * @return trading subscriptions, queries and order requests refused because the account is not the user's.
     */
    public long refusedTradingRequests()
    {
        return refusedTradingRequests.get();
    }

    /**
     * @return book changes (mostly full states) too long for one frame that went out as several frames.
     */
    public long splitFrames()
    {
        return splitFrames.get();
    }

    /**
     * @return securities evicted from the cache (and unsubscribed upstream) by the idle policy.
     */
    public long evictions()
    {
        return evictions.get();
    }

    /**
     * @return times a session fell behind and had its deltas replaced by a full-state resync.
     */
    public long slowConsumerResyncs()
    {
        return slowConsumerResyncs.get();
    }

    /**
     * @return depth-by-order changes applied.
     */
    public long depthUpdates()
    {
        return depthUpdates.get();
    }

    /**
     * @return depth-by-level changes applied.
     */
    public long levelUpdates()
    {
        return levelUpdates.get();
    }

    /**
     * @return trades added or updated.
     */
    public long tradeUpdates()
    {
        return tradeUpdates.get();
    }

    /**
     * @return upstream changes that did not fit the cached item (e.g. removal of an unknown order), each
     * answered with a resync of the item.
     */
    public long inconsistentUpdates()
    {
        return inconsistentUpdates.get();
    }

    /**
     * @return QueryTrades answered from the cached history.
     */
    public long tradeQueriesFromCache()
    {
        return tradeQueriesFromCache.get();
    }

    /**
     * @return QueryTrades passed to the upstream because the cached history did not cover them.
     */
    public long tradeQueriesUpstream()
    {
        return tradeQueriesUpstream.get();
    }

    public long errors()
    {
        return errors.get();
    }

    /**
     * @return the distinct errors seen, as text with counts, for diagnostics.
     */
    public String errorReport()
    {
        final StringBuilder report = new StringBuilder();
        ErrorLogReader.read(errorBuffer, (count, first, last, text) ->
            report.append(count).append(" x ").append(text).append('\n'));
        return report.toString();
    }

    void recordError(final String what)
    {
        recordError(new IllegalStateException(what));
    }

    void recordError(final Throwable error)
    {
        errors.increment();
        final int before = ErrorLogReader.read(errorBuffer, (count, first, last, text) -> { }, 0);
        errorLog.record(error);
        final int after = ErrorLogReader.read(errorBuffer, (count, first, last, text) -> { }, 0);
        if (after > before)
        {
            LOG.warn("engine error (first occurrence; repeats are counted)", error);
        }
    }
}
