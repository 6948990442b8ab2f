package io.meridian.engine;

import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.errors.DistinctErrorLog;
import org.agrona.concurrent.errors.ErrorLogReader;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Counters an operator asks about, written by the engine thread and readable from any thread, and the distinct
 * error log: each distinct error is kept once with a count, and logged the first time it is seen.
 */
public final class EngineCounters
{
    private static final Logger LOG = Logger.getLogger(EngineCounters.class.getName());

    /**
     * A single-writer counter, readable from other threads.
     */
    public static final class Counter
    {
        private final AtomicLong value = new AtomicLong();

        void increment()
        {
            value.lazySet(value.get() + 1);
        }

        public long get()
        {
            return value.get();
        }
    }

    final Counter securityUpdates = new Counter();
    final Counter upstreamSubscribes = new Counter();
    final Counter sequenceGaps = new Counter();
    final Counter unknownItemUpdates = new Counter();
    final Counter overflowedSessions = new Counter();
    final Counter errors = new Counter();
    final Counter evictions = new Counter();
    final Counter slowConsumerResyncs = new Counter();
    final Counter depthUpdates = new Counter();
    final Counter levelUpdates = new Counter();
    final Counter tradeUpdates = new Counter();
    final Counter inconsistentUpdates = new Counter();
    final Counter tradeQueriesFromCache = new Counter();
    final Counter tradeQueriesUpstream = new Counter();
    final Counter splitFrames = new Counter();
    final Counter tradingUpdates = new Counter();
    final Counter orderRequests = new Counter();
    final Counter orderTimeouts = new Counter();
    final Counter lateOrderResponses = new Counter();
    final Counter refusedTradingRequests = new Counter();
    final Counter refusedSubscriptions = new Counter();
    final Counter revokedSubscriptions = new Counter();
    final Counter cacheClears = new Counter();
    final Counter queryTimeouts = new Counter();

    private final UnsafeBuffer errorBuffer = new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024));
    private final DistinctErrorLog errorLog = new DistinctErrorLog(errorBuffer, SystemEpochClock.INSTANCE);

    /**
     * Visit every counter with its name for operators ({@code engine.security-updates} and so on), in a fixed order;
     * for the admin API and {@code meridian stat}. Allocates nothing itself.
     *
     * @param visitor called with each name and value.
     */
    public void forEach(final java.util.function.ObjLongConsumer<String> visitor)
    {
        visitor.accept("engine.security-updates", securityUpdates.get());
        visitor.accept("engine.upstream-subscribes", upstreamSubscribes.get());
        visitor.accept("engine.sequence-gaps", sequenceGaps.get());
        visitor.accept("engine.unknown-item-updates", unknownItemUpdates.get());
        visitor.accept("engine.overflowed-sessions", overflowedSessions.get());
        visitor.accept("engine.errors", errors.get());
        visitor.accept("engine.evictions", evictions.get());
        visitor.accept("engine.slow-consumer-resyncs", slowConsumerResyncs.get());
        visitor.accept("engine.depth-updates", depthUpdates.get());
        visitor.accept("engine.level-updates", levelUpdates.get());
        visitor.accept("engine.trade-updates", tradeUpdates.get());
        visitor.accept("engine.inconsistent-updates", inconsistentUpdates.get());
        visitor.accept("engine.trade-queries-from-cache", tradeQueriesFromCache.get());
        visitor.accept("engine.trade-queries-upstream", tradeQueriesUpstream.get());
        visitor.accept("engine.split-frames", splitFrames.get());
        visitor.accept("engine.trading-updates", tradingUpdates.get());
        visitor.accept("engine.order-requests", orderRequests.get());
        visitor.accept("engine.order-timeouts", orderTimeouts.get());
        visitor.accept("engine.late-order-responses", lateOrderResponses.get());
        visitor.accept("engine.refused-trading-requests", refusedTradingRequests.get());
        visitor.accept("engine.refused-subscriptions", refusedSubscriptions.get());
        visitor.accept("engine.revoked-subscriptions", revokedSubscriptions.get());
        visitor.accept("engine.cache-clears", cacheClears.get());
        visitor.accept("engine.query-timeouts", queryTimeouts.get());
    }

    public long securityUpdates()
    {
        return securityUpdates.get();
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
            LOG.log(Level.WARNING, "engine error (first occurrence; repeats are counted)", error);
        }
    }
}
