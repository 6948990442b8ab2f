package io.meridian.gateway.http;

import java.util.Set;

/**
 * Freshness lifetime and age of a response, as RFC 9111 section 4.2 computes them for a shared cache.
 * <ul>
 *     <li>Explicit lifetime (4.2.1): {@code s-maxage}, else {@code max-age}, else {@code Expires} minus
 *     {@code Date} (the time of receipt when {@code Date} is missing or invalid); an invalid {@code Expires} means
 *     already expired.</li>
 *     <li>Without an explicit lifetime, and only for a status code that is heuristically cacheable or a response
 *     marked {@code public} (4.2.2): the configured default TTL when there is one, else 10% of the time since
 *     {@code Last-Modified} at {@code Date}, at most {@link #HEURISTIC_MAX_MS}, else nothing (0).</li>
 *     <li>Current age (4.2.3): the corrected initial age at receipt plus the time resident in the cache.</li>
 * </ul>
 */
final class Freshness
{
    /**
     * Longest heuristic lifetime: a day, beyond which the older HTTP specification required a warning.
     */
    static final long HEURISTIC_MAX_MS = 24L * 60 * 60 * 1000;

    /**
     * Status codes RFC 9110 section 15.1 defines as heuristically cacheable, but 206: partial content is not stored.
     */
    static final Set<Integer> HEURISTICALLY_CACHEABLE = Set.of(200, 203, 204, 300, 301, 308, 404, 405, 410, 414, 501);

    private static final long NONE = -1;

    private Freshness()
    {
    }

    /**
     * @param headers        the response header.
     * @param cacheControl   its directives.
     * @param responseTimeMs when it was received.
     * @return true when the response states its lifetime itself ({@code s-maxage}, {@code max-age}, {@code Expires}).
     */
    static boolean hasExplicitLifetime(
        final HttpFields headers, final CacheControl cacheControl, final long responseTimeMs)
    {
        return explicitLifetimeMs(headers, cacheControl, responseTimeMs) != NONE;
    }

    /**
     * @param status        the response status code.
     * @param cacheControl  the response directives.
     * @return true when the cache may give the response a lifetime of its own choosing.
     */
    static boolean heuristicAllowed(final int status, final CacheControl cacheControl)
    {
        return HEURISTICALLY_CACHEABLE.contains(status) || cacheControl.has("public");
    }

    /**
     * The freshness lifetime.
     *
     * @param status            the response status code.
     * @param headers           the response header.
     * @param cacheControl      its directives.
     * @param responseTimeMs    when it was received.
     * @param defaultTtlSeconds the configured default TTL; 0 for none.
     * @return the lifetime in milliseconds, 0 when the response is stale from the start.
     */
    static long lifetimeMs(
        final int status,
        final HttpFields headers,
        final CacheControl cacheControl,
        final long responseTimeMs,
        final long defaultTtlSeconds)
    {
        final long explicit = explicitLifetimeMs(headers, cacheControl, responseTimeMs);
        if (explicit != NONE)
        {
            return explicit;
        }
        if (!heuristicAllowed(status, cacheControl))
        {
            return 0;
        }
        if (defaultTtlSeconds > 0)
        {
            return defaultTtlSeconds * 1000;
        }
        final long lastModified = HttpDate.parse(headers.first("Last-Modified"));
        final long date = dateMs(headers, responseTimeMs);
        if (lastModified == HttpDate.INVALID || lastModified > date)
        {
            return 0;
        }
        return Math.min((date - lastModified) / 10, HEURISTIC_MAX_MS);
    }

    private static long explicitLifetimeMs(
        final HttpFields headers, final CacheControl cacheControl, final long responseTimeMs)
    {
        final long sMaxAge = cacheControl.seconds("s-maxage");
        if (sMaxAge != CacheControl.ABSENT)
        {
            return sMaxAge * 1000;
        }
        final long maxAge = cacheControl.seconds("max-age");
        if (maxAge != CacheControl.ABSENT)
        {
            return maxAge * 1000;
        }
        if (headers.has("Expires"))
        {
            final long expires = HttpDate.parse(headers.first("Expires"));
            if (expires == HttpDate.INVALID)
            {
                return 0;
            }
            return Math.max(0, expires - dateMs(headers, responseTimeMs));
        }
        return NONE;
    }

    /**
     * The corrected initial age of RFC 9111 section 4.2.3: the larger of the apparent age ({@code response_time}
     * minus {@code Date}) and the received {@code Age} plus the response delay.
     *
     * @param headers        the response header.
     * @param requestTimeMs  when the request that got it was sent.
     * @param responseTimeMs when it was received.
     * @return milliseconds, at least 0.
     */
    static long correctedInitialAgeMs(final HttpFields headers, final long requestTimeMs, final long responseTimeMs)
    {
        final long apparentAge = Math.max(0, responseTimeMs - dateMs(headers, responseTimeMs));
        final long responseDelay = Math.max(0, responseTimeMs - requestTimeMs);
        final String age = headers.first("Age");
        final long ageValue = null == age ? 0 : CacheControl.deltaSeconds(age.trim()) * 1000;
        return Math.max(apparentAge, ageValue + responseDelay);
    }

    /**
     * @param correctedInitialAgeMs from {@link #correctedInitialAgeMs}.
     * @param responseTimeMs        when the response was received.
     * @param nowMs                 the current time.
     * @return the current age in milliseconds.
     */
    static long currentAgeMs(final long correctedInitialAgeMs, final long responseTimeMs, final long nowMs)
    {
        return correctedInitialAgeMs + Math.max(0, nowMs - responseTimeMs);
    }

    /**
     * @param headers        a response header.
     * @param responseTimeMs when it was received.
     * @return its {@code Date}, or the time of receipt when {@code Date} is missing or invalid.
     */
    static long dateMs(final HttpFields headers, final long responseTimeMs)
    {
        final long date = HttpDate.parse(headers.first("Date"));
        return date == HttpDate.INVALID ? responseTimeMs : date;
    }
}
