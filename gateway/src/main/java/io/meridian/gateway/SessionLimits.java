package io.meridian.gateway;

import io.meridian.config.MeridianConfig;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The limits every Zenith session lives under, so that no client can hurt the others: requests per second, time to
 * authenticate, idle time, ping interval, how long data flows past a token's expiry, and sessions per user (counted
 * here, across IO threads). Subscriptions per session are counted by the engine, which knows which subscriptions are
 * alive.
 */
final class SessionLimits
{
    /** Close code: a session limit was hit (Zenith clients show it as "kicked off" and do not reconnect). */
    static final int CLOSE_SESSION_LIMIT = 4000;
    /** Close code: policy violation (not authenticated in time, idle). */
    static final int CLOSE_POLICY = 1008;

    final int maxRequestsPerSecond;
    final int maxSessionsPerUser;
    final long authTimeoutMs;
    final long idleTimeoutMs;
    final long pingIntervalMs;
    final long expiryGraceMs;
    private final ConcurrentHashMap<String, AtomicInteger> sessionsByUser = new ConcurrentHashMap<>();

    SessionLimits(
        final int maxRequestsPerSecond,
        final int maxSessionsPerUser,
        final long authTimeoutMs,
        final long idleTimeoutMs,
        final long pingIntervalMs,
        final long expiryGraceMs)
    {
        this.expiryGraceMs = expiryGraceMs;
        this.maxRequestsPerSecond = maxRequestsPerSecond;
        this.maxSessionsPerUser = maxSessionsPerUser;
        this.authTimeoutMs = authTimeoutMs;
        this.idleTimeoutMs = idleTimeoutMs;
        this.pingIntervalMs = pingIntervalMs;
    }

    static SessionLimits fromConfig(final MeridianConfig config)
    {
        return new SessionLimits(
            config.sessionMaxRequestsPerSecond(),
            config.sessionMaxPerUser(),
            TimeUnit.SECONDS.toMillis(config.sessionAuthTimeoutSeconds()),
            TimeUnit.SECONDS.toMillis(config.sessionIdleTimeoutSeconds()),
            TimeUnit.SECONDS.toMillis(config.sessionPingIntervalSeconds()),
            TimeUnit.SECONDS.toMillis(config.authExpiryGraceSeconds()));
    }

    /**
     * Count one more session for a user.
     *
     * @param userId the user.
     * @return false, counting nothing, if the user already has the most sessions allowed.
     */
    boolean admit(final String userId)
    {
        final AtomicInteger count = sessionsByUser.computeIfAbsent(userId, id -> new AtomicInteger());
        if (count.incrementAndGet() > maxSessionsPerUser)
        {
            count.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * A counted session of the user ended.
     *
     * @param userId the user.
     */
    void release(final String userId)
    {
        final AtomicInteger count = sessionsByUser.get(userId);
        if (null != count)
        {
            count.decrementAndGet();
        }
    }

    /**
     * @param userId a user.
     * @return the sessions counted for the user.
     */
    int sessions(final String userId)
    {
        final AtomicInteger count = sessionsByUser.get(userId);
        return null == count ? 0 : count.get();
    }
}
