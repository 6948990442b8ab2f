package io.meridian.gateway.http;

import java.util.Arrays;
import java.util.List;

/**
 * One stored response: its status, header and body, the times it was requested and received, its freshness lifetime
 * and corrected initial age, and the secondary key of the request it answered. Immutable; a revalidation makes a new
 * one sharing the body.
 * <p>
 * The header is held as the origin sent it, less connection-specific fields and {@code Content-Length} (computed
 * when served). A body of a compressible type that the origin sent uncompressed is held gzip-compressed
 * ({@link #gzipped()}); any other body is held as sent, in the origin's content coding.
 */
final class StoredResponse
{
    /** Rough cost of the object and its references, so tiny responses still weigh something. */
    private static final int OVERHEAD_BYTES = 256;

    private final int status;
    private final HttpFields headers;
    private final CacheControl cacheControl;
    private final byte[] body;
    private final boolean gzipped;
    private final int identityLength;
    private final long requestTimeMs;
    private final long responseTimeMs;
    private final long correctedInitialAgeMs;
    private final long lifetimeMs;
    private final List<String> varyNames;
    private final List<String> varyValues;

    private StoredResponse(
        final int status,
        final HttpFields headers,
        final byte[] body,
        final boolean gzipped,
        final int identityLength,
        final long requestTimeMs,
        final long responseTimeMs,
        final long defaultTtlSeconds,
        final HttpFields request,
        final List<String> storedVaryValues)
    {
        this.status = status;
        this.headers = headers;
        this.cacheControl = CacheControl.of(headers);
        this.body = body;
        this.gzipped = gzipped;
        this.identityLength = identityLength;
        this.requestTimeMs = requestTimeMs;
        this.responseTimeMs = responseTimeMs;
        this.correctedInitialAgeMs = Freshness.correctedInitialAgeMs(headers, requestTimeMs, responseTimeMs);
        this.lifetimeMs = Freshness.lifetimeMs(status, headers, cacheControl, responseTimeMs, defaultTtlSeconds);
        final List<String> names = Variance.names(headers);
        if (null == names)
        {
            throw new IllegalArgumentException("a response with Vary: * cannot be stored");
        }
        // A body held without a content coding suits every client (Meridian encodes it as each accepts), so which
        // coding the original request accepted does not split it into variants.
        this.varyNames = headers.has("Content-Encoding") ? names : without(names, "accept-encoding");
        if (null == storedVaryValues)
        {
            this.varyValues = Variance.values(varyNames, request);
        }
        else if (storedVaryValues.size() != varyNames.size())
        {
            throw new IllegalArgumentException("a stored response has " + storedVaryValues.size() +
                " Vary values for " + varyNames.size() + " nominated fields");
        }
        else
        {
            this.varyValues = List.copyOf(storedVaryValues);
        }
    }

    /**
     * A response as another cache stored it (the shared store), its derived properties worked out again here.
     *
     * @param status            its status code.
     * @param headers           its header as stored.
     * @param body              its body as held.
     * @param gzipped           whether the body is held gzip-compressed by Meridian.
     * @param identityLength    the length of the body as the origin sent it.
     * @param requestTimeMs     when the request that got it was sent.
     * @param responseTimeMs    when it was received.
     * @param defaultTtlSeconds the configured default TTL; 0 for none.
     * @param varyValues        the normalised values of the nominated request fields, one per name.
     * @return the stored form.
     * @throws IllegalArgumentException when the parts do not fit together.
     */
    static StoredResponse restored(
        final int status,
        final HttpFields headers,
        final byte[] body,
        final boolean gzipped,
        final int identityLength,
        final long requestTimeMs,
        final long responseTimeMs,
        final long defaultTtlSeconds,
        final List<String> varyValues)
    {
        return new StoredResponse(status, headers, body, gzipped, identityLength, requestTimeMs, responseTimeMs,
            defaultTtlSeconds, HttpFields.EMPTY, varyValues);
    }

    /**
     * Store a response as received.
     *
     * @param status            its status code.
     * @param headers           its header, connection-specific fields removed.
     * @param body              its body as received (in the origin's content coding, if any).
     * @param length            how many bytes of {@code body} are the body.
     * @param request           the header of the request that got it, for {@code Vary}.
     * @param requestTimeMs     when that request was sent.
     * @param responseTimeMs    when the response was received.
     * @param defaultTtlSeconds the configured default TTL; 0 for none.
     * @param compress          whether a compressible, uncoded body may be held gzip-compressed.
     * @return the stored form.
     */
    static StoredResponse of(
        final int status,
        final HttpFields headers,
        final byte[] body,
        final int length,
        final HttpFields request,
        final long requestTimeMs,
        final long responseTimeMs,
        final long defaultTtlSeconds,
        final boolean compress)
    {
        HttpFields stored = headers.without(List.of("Content-Length"));
        if (!stored.has("Date"))
        {
            // RFC 9110 section 6.6.1: a recipient with a clock adds Date to a response it caches without one.
            stored = stored.plus("Date", HttpDate.format(responseTimeMs));
        }
        byte[] held = length == body.length ? body : Arrays.copyOf(body, length);
        boolean gzipped = false;
        if (compress && length >= Compression.MIN_BYTES && !stored.has("Content-Encoding") &&
            !stored.has("Content-Range") && !CacheControl.of(stored).has("no-transform") &&
            Compression.compressible(stored.first("Content-Type")))
        {
            final byte[] compressed = Compression.gzip(held, length);
            if (compressed.length < length)
            {
                held = compressed;
                gzipped = true;
            }
        }
        return new StoredResponse(status, stored, held, gzipped, length, requestTimeMs, responseTimeMs,
            defaultTtlSeconds, request, null);
    }

    /**
     * This response revalidated by a 304 (RFC 9111 section 4.3.4): the updated header, new request and response
     * times, the same body.
     *
     * @param updated           the header from {@link Validation#freshen}.
     * @param request           the header of the revalidating request.
     * @param requestTimeMs     when the revalidation was sent.
     * @param responseTimeMs    when the 304 was received.
     * @param defaultTtlSeconds the configured default TTL; 0 for none.
     * @return the freshened response.
     */
    StoredResponse revalidated(
        final HttpFields updated,
        final HttpFields request,
        final long requestTimeMs,
        final long responseTimeMs,
        final long defaultTtlSeconds)
    {
        return new StoredResponse(status, updated, body, gzipped, identityLength, requestTimeMs, responseTimeMs,
            defaultTtlSeconds, request, null);
    }

    private static List<String> without(final List<String> names, final String name)
    {
        if (!names.contains(name))
        {
            return names;
        }
        return names.stream().filter(n -> !n.equals(name)).toList();
    }

    int status()
    {
        return status;
    }

    HttpFields headers()
    {
        return headers;
    }

    CacheControl cacheControl()
    {
        return cacheControl;
    }

    /**
     * @return the body as held: gzip-compressed when {@link #gzipped()}, else as the origin sent it.
     */
    byte[] body()
    {
        return body;
    }

    /**
     * @return true when Meridian compressed the body at rest; the origin sent it uncoded.
     */
    boolean gzipped()
    {
        return gzipped;
    }

    /**
     * @return the length of the body as the origin sent it.
     */
    int identityLength()
    {
        return identityLength;
    }

    long requestTimeMs()
    {
        return requestTimeMs;
    }

    long responseTimeMs()
    {
        return responseTimeMs;
    }

    long lifetimeMs()
    {
        return lifetimeMs;
    }

    /**
     * @return the normalised values of the request fields {@code Vary} nominates, one per name.
     */
    List<String> varyValues()
    {
        return varyValues;
    }

    /**
     * @param nowMs the current time.
     * @return the current age (RFC 9111 section 4.2.3) in milliseconds.
     */
    long currentAgeMs(final long nowMs)
    {
        return Freshness.currentAgeMs(correctedInitialAgeMs, responseTimeMs, nowMs);
    }

    /**
     * @param request a request header.
     * @return true when this response's {@code Vary} lets it answer that request.
     */
    boolean matches(final HttpFields request)
    {
        return Variance.matches(varyNames, varyValues, request);
    }

    /**
     * @param other another stored response for the same URI.
     * @return true when both answer exactly the same requests, so the newer replaces the older.
     */
    boolean sameVariant(final StoredResponse other)
    {
        return varyNames.equals(other.varyNames) && varyValues.equals(other.varyValues);
    }

    /**
     * @return the bytes this response holds in memory, roughly: body, header, key values and a fixed overhead.
     */
    long weight()
    {
        long weight = OVERHEAD_BYTES + body.length + headers.byteSize();
        for (final String value : varyValues)
        {
            weight += value.length() + 16;
        }
        return weight;
    }

    @Override
    public String toString()
    {
        return "StoredResponse[" + status + ", " + body.length + " bytes" + (gzipped ? " gzip" : "") +
            ", lifetime " + lifetimeMs + " ms]";
    }
}
