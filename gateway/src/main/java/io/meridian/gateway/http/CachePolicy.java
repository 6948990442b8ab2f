package io.meridian.gateway.http;

/**
 * Whether a response may be stored, by RFC 9111 section 3 for a shared cache, with Meridian's own choices:
 * responses with {@code Set-Cookie} are not stored (a shared entry would hand one client's cookie to everyone), and
 * a response that could never be reused (no lifetime, no validator, no stale extension) is not worth storing.
 * The answer is a short reason for the {@code detail} of {@code Cache-Status}, or null when the response is
 * storable.
 */
final class CachePolicy
{
    private CachePolicy()
    {
    }

    /**
     * @param method          the request method.
     * @param request         the request header.
     * @param requestControl  its {@code Cache-Control}.
     * @param status          the response status code.
     * @param response        the response header.
     * @param responseControl its {@code Cache-Control}.
     * @param responseTimeMs  when the response was received.
     * @param lifetimeMs      its freshness lifetime from {@link Freshness#lifetimeMs}.
     * @return null when the response may be stored, else why not.
     */
    static String notStorable(
        final String method,
        final HttpFields request,
        final CacheControl requestControl,
        final int status,
        final HttpFields response,
        final CacheControl responseControl,
        final long responseTimeMs,
        final long lifetimeMs)
    {
        if (!"GET".equals(method))
        {
            return "method";
        }
        if (requestControl.has("no-store"))
        {
            return "request-no-store";
        }
        if (status < 200 || status == 206 || status == 304 || status > 599)
        {
            return "status";
        }
        if (responseControl.has("no-store"))
        {
            return "no-store";
        }
        if (responseControl.has("private"))
        {
            return "private";
        }
        if (request.has("Authorization") && !responseControl.has("public") && !responseControl.has("s-maxage") &&
            !responseControl.has("must-revalidate"))
        {
            return "authorization";
        }
        if (null == Variance.names(response))
        {
            return "vary-star";
        }
        if (response.has("Set-Cookie"))
        {
            return "set-cookie";
        }
        if (!Freshness.hasExplicitLifetime(response, responseControl, responseTimeMs) &&
            !Freshness.heuristicAllowed(status, responseControl))
        {
            return "status";
        }
        final boolean validator = Validation.canValidate(response);
        if (!validator && (responseControl.has("no-cache") || (lifetimeMs <= 0 &&
            !responseControl.has("stale-while-revalidate") && !responseControl.has("stale-if-error"))))
        {
            return "not-reusable";
        }
        return null;
    }
}
