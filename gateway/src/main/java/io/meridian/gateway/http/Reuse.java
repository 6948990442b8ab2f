package io.meridian.gateway.http;

/**
 * May a stored response answer a request without contacting the origin (RFC 9111 section 4.2, with the request
 * directives of section 5.2.1 and the stale extensions of RFC 5861)?
 * <ul>
 *     <li>{@link Verdict#FRESH}: fresh, and the request's {@code max-age}, {@code min-fresh} and {@code no-cache}
 *     (or {@code Pragma: no-cache} without {@code Cache-Control}) allow it.</li>
 *     <li>{@link Verdict#FORWARD_REQUESTED}: fresh, but the request asks for a newer one: revalidate.</li>
 *     <li>{@link Verdict#STALE_ALLOWED}: stale, within the request's {@code max-stale}.</li>
 *     <li>{@link Verdict#STALE_WHILE_REVALIDATE}: stale, within the response's {@code stale-while-revalidate}:
 *     serve it and revalidate in the background.</li>
 *     <li>{@link Verdict#STALE}: revalidate before use.</li>
 * </ul>
 * Nothing stale is served when the response forbids it: {@code no-cache} (never used unvalidated),
 * {@code must-revalidate}, {@code proxy-revalidate} or {@code s-maxage} (section 4.2.4).
 */
final class Reuse
{
    /**
     * The outcome.
     */
    enum Verdict
    {
        FRESH, FORWARD_REQUESTED, STALE_ALLOWED, STALE_WHILE_REVALIDATE, STALE
    }

    private Reuse()
    {
    }

    /**
     * @param stored  the stored response.
     * @param request the request's directives.
     * @param pragmaNoCache true when the request has {@code Pragma: no-cache} and no {@code Cache-Control}.
     * @param nowMs   the current time.
     * @return what to do.
     */
    static Verdict decide(
        final StoredResponse stored, final CacheControl request, final boolean pragmaNoCache, final long nowMs)
    {
        final long age = stored.currentAgeMs(nowMs);
        final long lifetime = stored.lifetimeMs();
        final CacheControl response = stored.cacheControl();
        final boolean fresh = !response.has("no-cache") && age < lifetime;
        final boolean revalidateRequested = pragmaNoCache || request.has("no-cache") ||
            request.seconds("max-age") == 0;
        if (fresh)
        {
            final long maxAge = request.seconds("max-age");
            final long minFresh = request.seconds("min-fresh");
            if (revalidateRequested || (maxAge != CacheControl.ABSENT && age > maxAge * 1000) ||
                (minFresh != CacheControl.ABSENT && lifetime - age < minFresh * 1000))
            {
                return Verdict.FORWARD_REQUESTED;
            }
            return Verdict.FRESH;
        }
        if (!staleMayBeServed(response) || revalidateRequested)
        {
            return Verdict.STALE;
        }
        final long staleness = age - lifetime;
        final long maxAge = request.seconds("max-age");
        if (maxAge != CacheControl.ABSENT && age > maxAge * 1000)
        {
            return Verdict.STALE;
        }
        if (request.has("max-stale"))
        {
            final String value = request.value("max-stale");
            if (null == value || staleness <= CacheControl.deltaSeconds(value) * 1000)
            {
                return Verdict.STALE_ALLOWED;
            }
        }
        final long whileRevalidate = response.seconds("stale-while-revalidate");
        if (whileRevalidate != CacheControl.ABSENT && staleness <= whileRevalidate * 1000)
        {
            return Verdict.STALE_WHILE_REVALIDATE;
        }
        return Verdict.STALE;
    }

    /**
     * May the stored response be used when the origin cannot be reached or answers 5xx (RFC 5861 section 4)? A
     * fresh response always may; a stale one when the response's or the request's {@code stale-if-error} covers its
     * staleness and nothing forbids serving it stale.
     *
     * @param stored  the stored response.
     * @param request the request's directives.
     * @param nowMs   the current time.
     * @return true to serve it instead of the error.
     */
    static boolean staleIfError(final StoredResponse stored, final CacheControl request, final long nowMs)
    {
        final CacheControl response = stored.cacheControl();
        final long staleness = stored.currentAgeMs(nowMs) - stored.lifetimeMs();
        if (staleness < 0 && !response.has("no-cache"))
        {
            return true;
        }
        if (!staleMayBeServed(response))
        {
            return false;
        }
        final long allowed = Math.max(response.seconds("stale-if-error"), request.seconds("stale-if-error"));
        return allowed != CacheControl.ABSENT && staleness <= allowed * 1000;
    }

    private static boolean staleMayBeServed(final CacheControl response)
    {
        return !response.has("no-cache") && !response.has("must-revalidate") && !response.has("proxy-revalidate") &&
            !response.has("s-maxage");
    }
}
