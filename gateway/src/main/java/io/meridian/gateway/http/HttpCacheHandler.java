package io.meridian.gateway.http;

import io.meridian.config.MeridianConfig;
import io.meridian.engine.CountersFile;
import io.meridian.gateway.auth.AdminAccess;
import io.meridian.gateway.auth.AuthenticatedUser;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.HttpContinueReadHandler;
import io.undertow.util.HeaderValues;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.IoUtils;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;

/**
 * The HTTP caching reverse proxy: every request that reaches it goes to the one origin of {@code http-cache.origin},
 * and the responses RFC 9111 lets a shared cache store are kept in memory and reused. See docs/http-cache.md.
 * <ul>
 *     <li>GET and HEAD are answered from the cache when a stored response may be reused (a HEAD from a stored GET);
 *     else one request per target goes to the origin, conditional when a stored response has validators, and
 *     concurrent requests for the target wait for it (coalescing).</li>
 *     <li>Other methods are forwarded; a 2xx or 3xx answer to an unsafe one invalidates the stored responses of
 *     its target and of its {@code Location} and {@code Content-Location} on the same origin.</li>
 *     <li>{@code PURGE} of a target drops its stored responses; {@link #clearHandler()} drops all; both need an
 *     operator's token.</li>
 * </ul>
 * Every answer from the origin or the cache carries {@code X-Cache: HIT} (the body came from the cache) or
 * {@code MISS}, and an RFC 9211 {@code Cache-Status} entry of {@value #CACHE_NAME}.
 * <p>
 * Hits are served on the IO thread straight from memory; everything that talks to the origin runs on a worker
 * thread with blocking streams. A request waiting for another's origin request holds no thread.
 * <p>
 * With {@code http-cache.redis-host} set, a {@link RedisStore} shared by several proxies is the second tier: asked
 * by the leader of a flight before the origin, written behind every change to what is stored.
 */
public final class HttpCacheHandler implements AutoCloseable
{
    /**
     * The name of this cache in {@code Cache-Status} and {@code Via}.
     */
    public static final String CACHE_NAME = "Meridian";

    /**
     * The path of the operator's clear-everything endpoint.
     */
    public static final String CLEAR_PATH = "/cache/clear";

    private static final Logger LOG = LoggerFactory.getLogger(HttpCacheHandler.class);
    private static final HttpString PURGE = new HttpString("PURGE");
    private static final HttpString X_CACHE = new HttpString("X-Cache");
    private static final String VIA = "meridian";
    /** Gzip bodies larger than this are decoded for a client on a worker thread rather than the IO thread. */
    private static final int INLINE_GUNZIP_MAX = 64 * 1024;
    private static final int COPY_BUFFER_BYTES = 16 * 1024;
    private static final int REFRESH_QUEUE = 1024;
    /** Request fields the cache answers itself, or that would make the origin answer something it cannot store. */
    private static final Set<String> CONDITIONAL_FIELDS =
        Set.of("if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range");
    /**
     * Request fields never forwarded as received: the client cannot set them, Meridian writes its own, or (the
     * client's X-Forwarded-Host) an origin that builds links from it would let one client poison a shared response
     * through a field the cache key does not hold.
     */
    private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "expect", "via",
        "x-forwarded-for", "x-forwarded-host");
    /** Fields a 304 carries (RFC 9110 section 15.4.5), besides those the cache adds itself. */
    private static final Set<String> NOT_MODIFIED_FIELDS = Set.of("cache-control", "content-location", "date", "etag",
        "expires", "vary", "last-modified");
    /** Stored fields replaced, not repeated, when a response is served. */
    private static final Set<String> REPLACED_ON_SERVE = Set.of("age", "x-cache", "content-length", "via",
        "cache-status");

    private final String origin;
    private final URI originUri;
    private final long defaultTtlSeconds;
    private final int maxObjectBytes;
    private final boolean gzip;
    private final ResponseStore store;
    private final RedisStore redis;
    private final OriginClient client;
    private final Coalescer<String, Shared> flights = new Coalescer<>();
    private final ThreadPoolExecutor refresher;
    private final AdminAccess admin;
    private final LongSupplier clock;
    private AtomicCounter hits;
    private AtomicCounter misses;
    private AtomicCounter hitBytes;
    private AtomicCounter storedBytes;

    /**
     * @param config settings; {@code http-cache.origin} must be set.
     * @param admin  checks operators' tokens for purge and clear.
     * @param clock  the current time in epoch milliseconds; the system clock outside tests.
     */
    public HttpCacheHandler(final MeridianConfig config, final AdminAccess admin, final LongSupplier clock)
    {
        if (!config.httpCacheEnabled())
        {
            throw new IllegalArgumentException("http-cache.origin is not set");
        }
        this.origin = config.httpCacheOrigin();
        this.originUri = URI.create(origin + "/");
        this.defaultTtlSeconds = config.httpCacheDefaultTtlSeconds();
        this.maxObjectBytes = config.httpCacheMaxObjectBytes();
        this.gzip = config.httpCacheGzip();
        this.store = new ResponseStore(config.httpCacheMaxBytes());
        this.redis = config.httpCacheRedisHost().isEmpty() ? null :
            new RedisStore(config, this::invalidatedElsewhere);
        this.client = new OriginClient(origin, config.httpCacheOriginConnections(), config.httpCacheOriginTimeoutMs());
        this.admin = admin;
        this.clock = clock;
        final AtomicInteger threads = new AtomicInteger();
        final int refreshThreads = Math.max(1, Math.min(4, config.httpCacheOriginConnections() / 4));
        this.refresher = new ThreadPoolExecutor(refreshThreads, refreshThreads, 30, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(REFRESH_QUEUE), task ->
            {
                final Thread thread = new Thread(task, "meridian-http-refresh-" + threads.incrementAndGet());
                thread.setDaemon(true);
                return thread;
            });
        refresher.allowCoreThreadTimeOut(true);
        if (null != redis)
        {
            redis.start();
        }
    }

    /**
     * Count into {@code file}: {@code http-cache.requests result=hit|miss} (answers with {@code X-Cache: HIT} or
     * {@code MISS}, errors included), {@code http-cache.hit-bytes} (body bytes sent from the cache) and the gauge
     * {@code http-cache.stored-bytes} (the store's weighed size, brought up to date by {@link #sample()}). Call once,
     * before the handler serves.
     *
     * @param file where the server's counters live.
     */
    public void counters(final CountersFile file)
    {
        hits = file.newTotal("http-cache.requests result=hit");
        misses = file.newTotal("http-cache.requests result=miss");
        hitBytes = file.newTotal("http-cache.hit-bytes");
        storedBytes = file.newGauge("http-cache.stored-bytes");
        if (null != redis)
        {
            redis.counters(file);
        }
    }

    /**
     * Bring the store's gauge up to date.
     */
    public void sample()
    {
        if (null != storedBytes)
        {
            storedBytes.setRelease(store.weightedSize());
        }
        if (null != redis)
        {
            redis.up();
        }
    }

    private void counted(final boolean hit)
    {
        final AtomicCounter counter = hit ? hits : misses;
        if (null != counter)
        {
            counter.increment();
        }
    }

    /**
     * @return the handler of every proxied request: mount it as the fallback of the server's paths.
     */
    public HttpHandler handler()
    {
        // Sends 100 Continue to a client that waits for it before sending a request body, when the body is read.
        return new HttpContinueReadHandler(this::handleRequest);
    }

    /**
     * @return the handler of {@code POST} {@value #CLEAR_PATH}: drops every stored response, for an operator.
     */
    public HttpHandler clearHandler()
    {
        return this::clear;
    }

    /**
     * @return the number of requests waiting for another request's origin fetch.
     */
    int waiting()
    {
        return flights.waiting();
    }

    ResponseStore store()
    {
        return store;
    }

    /**
     * @return true while the shared store can be reached; false without one.
     */
    boolean sharedUp()
    {
        return null != redis && redis.up();
    }

    @Override
    public void close()
    {
        refresher.shutdownNow();
        client.close();
        if (null != redis)
        {
            redis.close();
        }
    }

    private void invalidatedElsewhere(final String target)
    {
        if (RedisStore.EVERY_TARGET.equals(target))
        {
            LOG.info("HTTP cache: cleared through the shared store: " + store.clear() + " responses dropped");
        }
        else
        {
            store.remove(target);
        }
    }

    private void stored(final Request request, final StoredResponse response)
    {
        store.put(request.target, response, request.headers);
        share(request.target);
    }

    private void dropped(final Request request, final StoredResponse response)
    {
        store.remove(request.target, response);
        share(request.target);
    }

    private int droppedAll(final String target)
    {
        final int dropped = store.remove(target);
        if (null != redis)
        {
            redis.invalidate(target);
        }
        return dropped;
    }

    private void share(final String target)
    {
        if (null != redis)
        {
            redis.put(target, store.responses(target), clock.getAsLong());
        }
    }

    /**
     * Ask the shared store, for the leader of a flight: its response for this request when newer than the one held
     * in memory, taken into memory too; else null.
     */
    private StoredResponse fromShared(final Request request, final StoredResponse stored)
    {
        final List<StoredResponse> responses = redis.get(request.target);
        if (null == responses)
        {
            return null;
        }
        store.merge(request.target, responses);
        StoredResponse selected = null;
        for (final StoredResponse candidate : responses)
        {
            if (candidate.matches(request.headers) &&
                (null == selected || candidate.responseTimeMs() > selected.responseTimeMs()))
            {
                selected = candidate;
            }
        }
        return null == selected || (null != stored && stored.responseTimeMs() >= selected.responseTimeMs()) ?
            null : selected;
    }

    private void handleRequest(final HttpServerExchange exchange) throws Exception
    {
        final Request request = Request.of(exchange);
        if (null == request.target || !request.target.startsWith("/"))
        {
            badTarget(exchange);
            return;
        }
        final HttpString method = exchange.getRequestMethod();
        if (Methods.GET.equals(method) || Methods.HEAD.equals(method))
        {
            // A target is checked in full only on its way to the origin: one with stored responses went there.
            get(exchange, request, true);
        }
        else if (!validTarget(request.target))
        {
            badTarget(exchange);
        }
        else if (PURGE.equals(method))
        {
            onWorker(exchange, ex -> purge(ex, request));
        }
        else
        {
            onWorker(exchange, ex -> forward(ex, request, "method", null));
        }
    }

    private void badTarget(final HttpServerExchange exchange)
    {
        error(exchange, StatusCodes.BAD_REQUEST, "the request target cannot be forwarded", status("detail=bad-target"));
    }

    private boolean validTarget(final String target)
    {
        try
        {
            client.uri(target);
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            return false;
        }
    }

    /**
     * A GET or HEAD: from the cache when a stored response may be used, else through a flight to the origin.
     *
     * @param mayJoin false when this request already waited for a flight whose result did not suit it, so it must
     *                not wait again.
     */
    private void get(final HttpServerExchange exchange, final Request request, final boolean mayJoin)
        throws Exception
    {
        if (request.bypass)
        {
            if (validTarget(request.target))
            {
                onWorker(exchange, ex -> forward(ex, request, "bypass", null));
            }
            else
            {
                badTarget(exchange);
            }
            return;
        }
        final ResponseStore.Lookup lookup = store.lookup(request.target, request.headers);
        final StoredResponse stored = lookup.response();
        final long now = clock.getAsLong();
        String fwd = lookup.varyMiss() ? "vary-miss" : "uri-miss";
        if (null != stored)
        {
            final Reuse.Verdict verdict = Reuse.decide(stored, request.control, request.pragmaNoCache, now);
            final long ttl = ttlSeconds(stored, now);
            switch (verdict)
            {
                case FRESH:
                case STALE_ALLOWED:
                    serve(exchange, request, stored, true, status("hit", "ttl=" + ttl));
                    return;
                case STALE_WHILE_REVALIDATE:
                    refreshInBackground(request, stored);
                    serve(exchange, request, stored, true, status("hit", "ttl=" + ttl,
                        "detail=stale-while-revalidate"));
                    return;
                case FORWARD_REQUESTED:
                    fwd = "request";
                    break;
                default:
                    fwd = "stale";
                    break;
            }
        }
        if (!validTarget(request.target))
        {
            badTarget(exchange);
            return;
        }
        if (request.control.has("only-if-cached"))
        {
            error(exchange, StatusCodes.GATEWAY_TIME_OUT, "no stored response may be used (only-if-cached)",
                status("detail=only-if-cached"));
            return;
        }
        final String forwardAs = fwd;
        if (request.head && null == stored)
        {
            // A HEAD gives nothing to store; fetching the body instead to fill the cache could cost far more.
            onWorker(exchange, ex -> forward(ex, request, forwardAs, null));
            return;
        }
        if (request.control.has("no-store"))
        {
            onWorker(exchange, ex -> forward(ex, request, forwardAs, "request-no-store"));
            return;
        }
        final Coalescer.Flight<Shared> flight = mayJoin ? flights.join(request.target) : flights.lead(request.target);
        if (null == flight)
        {
            onWorker(exchange, ex -> forward(ex, request, forwardAs, null));
        }
        else if (flight.leader())
        {
            onWorker(exchange, ex -> lead(ex, request, flight, stored, forwardAs));
        }
        else
        {
            // Wait without a thread: the exchange stays open, and the leader's result resumes it on a worker.
            exchange.dispatch(SameThreadExecutor.INSTANCE, () -> flight.result().whenComplete((shared, error) ->
                exchange.dispatch(exchange.getConnection().getWorker(),
                    ex -> collapsed(ex, request, null == shared ? Shared.FORWARD : shared))));
        }
    }

    private static void onWorker(final HttpServerExchange exchange, final HttpHandler handler) throws Exception
    {
        if (exchange.isInIoThread())
        {
            exchange.dispatch(handler);
        }
        else
        {
            handler.handleRequest(exchange);
        }
    }

    private void lead(
        final HttpServerExchange exchange,
        final Request request,
        final Coalescer.Flight<Shared> flight,
        final StoredResponse stored,
        final String fwd)
    {
        Outcome outcome = null;
        String reason = fwd;
        try
        {
            StoredResponse base = stored;
            if (null != redis && !"request".equals(fwd))
            {
                final StoredResponse remote = fromShared(request, stored);
                if (null != remote)
                {
                    final Reuse.Verdict verdict =
                        Reuse.decide(remote, request.control, request.pragmaNoCache, clock.getAsLong());
                    if (verdict == Reuse.Verdict.FRESH || verdict == Reuse.Verdict.STALE_ALLOWED)
                    {
                        outcome = Outcome.sharedHit(remote, fwd);
                    }
                    base = remote;
                    reason = "stale";
                }
            }
            if (null == outcome)
            {
                outcome = fetch(request, base, reason);
            }
        }
        finally
        {
            flights.complete(request.target, flight, null == outcome ? Shared.FORWARD : outcome.shared());
        }
        respond(exchange, request, outcome);
    }

    private void refreshInBackground(final Request request, final StoredResponse stored)
    {
        final Coalescer.Flight<Shared> flight = flights.lead(request.target);
        if (null == flight)
        {
            return;
        }
        try
        {
            refresher.execute(() ->
            {
                Outcome outcome = null;
                try
                {
                    outcome = fetch(request, stored, "stale");
                }
                catch (final RuntimeException ex)
                {
                    LOG.warn("background revalidation of " + request.target + " failed", ex);
                }
                finally
                {
                    flights.complete(request.target, flight, null == outcome ? Shared.FORWARD : outcome.shared());
                    if (null != outcome)
                    {
                        outcome.discard();
                    }
                }
            });
        }
        catch (final RejectedExecutionException ex)
        {
            flights.complete(request.target, flight, Shared.FORWARD);
        }
    }

    /**
     * A request that waited for another's flight: served from its result when that suits the request, else handled
     * again without waiting.
     */
    private void collapsed(final HttpServerExchange exchange, final Request request, final Shared shared)
        throws Exception
    {
        switch (shared.kind)
        {
            case RESPONSE:
            case SHARED_HIT:
                if (shared.response.matches(request.headers))
                {
                    serve(exchange, request, shared.response, true, shared.kind == Kind.SHARED_HIT ?
                        status("hit", "collapsed", "detail=shared") :
                        status("fwd=" + shared.fwd, "fwd-status=" + shared.fwdStatus, "collapsed"));
                }
                else
                {
                    get(exchange, request, false);
                }
                return;
            case ERROR:
            case ORIGIN_ERROR:
            {
                final StoredResponse stale = store.lookup(request.target, request.headers).response();
                if (null != stale && Reuse.staleIfError(stale, request.control, clock.getAsLong()))
                {
                    serve(exchange, request, stale, true, shared.kind == Kind.ORIGIN_ERROR ?
                        status("fwd=stale", "fwd-status=" + shared.fwdStatus, "collapsed", "detail=stale-if-error") :
                        status("fwd=stale", "collapsed", "detail=stale-if-error"));
                }
                else if (shared.kind == Kind.ERROR)
                {
                    error(exchange, shared.errorStatus, shared.message, status("fwd=uri-miss", "collapsed",
                        "detail=" + shared.detail));
                }
                else
                {
                    forward(exchange, request, "uri-miss", null);
                }
                return;
            }
            default:
                forward(exchange, request, "uri-miss", null);
        }
    }

    /**
     * Get the target from the origin for the cache: conditional when a stored response has validators; stored when
     * it may be; not read beyond {@code http-cache.max-object-bytes} into memory.
     */
    private Outcome fetch(final Request request, final StoredResponse stored, final String fwd)
    {
        HttpFields headers = originHeaders(request, true);
        if (null != stored)
        {
            headers = HttpFields.builder().addAll(headers).addAll(Validation.conditionalFields(stored.headers()))
                .build();
        }
        final long requestTime = clock.getAsLong();
        final OriginClient.Response response;
        try
        {
            response = client.send("GET", request.target, headers, null, -1);
        }
        catch (final IOException ex)
        {
            return failed(request, stored, fwd, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return failed(request, stored, fwd, new IOException("interrupted", ex));
        }
        final long responseTime = clock.getAsLong();
        final HttpFields received = HopByHop.strip(response.headers());
        final int status = response.status();

        if (status == StatusCodes.NOT_MODIFIED && null != stored)
        {
            drain(response);
            if (!Validation.selects(stored.headers(), received))
            {
                return fetch(request, null, fwd);
            }
            return revalidated(request, stored, received, requestTime, responseTime, fwd);
        }
        if (status >= 500 && null != stored && Reuse.staleIfError(stored, request.control, responseTime))
        {
            response.close();
            return Outcome.staleOnError(stored, fwd, status);
        }

        final CacheControl control = CacheControl.of(received);
        final long lifetime = Freshness.lifetimeMs(status, received, control, responseTime, defaultTtlSeconds);
        String reason = CachePolicy.notStorable("GET", request.headers, request.control, status, received, control,
            responseTime, lifetime);
        final long length = contentLength(received);
        if (null == reason && length > maxObjectBytes)
        {
            reason = "too-big";
        }
        if (null != reason)
        {
            if (null != stored && status < 500)
            {
                // A new full response supersedes the stored one (a 5xx does not: RFC 9111 section 4.3.3).
                dropped(request, stored);
            }
            return Outcome.pass(response, status, received, fwd, reason, null, 0);
        }

        byte[] body = new byte[length >= 0 ? (int)length + 1 : Math.min(8192, maxObjectBytes + 1)];
        int filled = 0;
        try
        {
            final InputStream in = response.body();
            while (true)
            {
                if (filled == body.length)
                {
                    if (body.length > maxObjectBytes)
                    {
                        return Outcome.pass(response, status, received, fwd, "too-big", body, filled);
                    }
                    body = Arrays.copyOf(body, (int)Math.min(maxObjectBytes + 1L, 2L * body.length));
                }
                final int read = in.read(body, filled, body.length - filled);
                if (read < 0)
                {
                    break;
                }
                filled += read;
            }
        }
        catch (final IOException ex)
        {
            response.close();
            return failed(request, stored, fwd, ex);
        }
        if (length >= 0 && filled != length)
        {
            return failed(request, stored, fwd, new IOException("the origin sent " + filled + " of " + length +
                " bytes"));
        }
        final StoredResponse fresh = StoredResponse.of(status, received, body, filled, request.headers, requestTime,
            responseTime, defaultTtlSeconds, gzip);
        stored(request, fresh);
        return Outcome.response(fresh, true, fwd, status, null);
    }

    private Outcome revalidated(
        final Request request,
        final StoredResponse stored,
        final HttpFields notModified,
        final long requestTime,
        final long responseTime,
        final String fwd)
    {
        final HttpFields merged = Validation.freshen(stored.headers(), notModified);
        if (notModified.has("Set-Cookie"))
        {
            // The cookie is for this client only: it gets it, and the stored response can no longer be shared.
            dropped(request, stored);
            HttpFields withCookies = merged;
            for (final String cookie : notModified.all("Set-Cookie"))
            {
                withCookies = withCookies.plus("Set-Cookie", cookie);
            }
            return Outcome.response(stored.revalidated(withCookies, request.headers, requestTime, responseTime,
                defaultTtlSeconds), false, fwd, StatusCodes.NOT_MODIFIED, "set-cookie");
        }
        final StoredResponse updated =
            stored.revalidated(merged, request.headers, requestTime, responseTime, defaultTtlSeconds);
        final String reason = CachePolicy.notStorable("GET", request.headers, request.control, updated.status(),
            merged, updated.cacheControl(), responseTime, updated.lifetimeMs());
        if (null == reason)
        {
            stored(request, updated);
        }
        else
        {
            dropped(request, stored);
        }
        return Outcome.response(updated, null == reason, fwd, StatusCodes.NOT_MODIFIED, reason);
    }

    private Outcome failed(final Request request, final StoredResponse stored, final String fwd, final IOException ex)
    {
        if (null != stored && Reuse.staleIfError(stored, request.control, clock.getAsLong()))
        {
            return Outcome.staleOnError(stored, fwd, 0);
        }
        return Outcome.error(ex, fwd);
    }

    private void respond(final HttpServerExchange exchange, final Request request, final Outcome outcome)
    {
        switch (outcome.kind)
        {
            case RESPONSE:
            {
                final boolean validated = outcome.fwdStatus == StatusCodes.NOT_MODIFIED;
                final long ttl = ttlSeconds(outcome.response, clock.getAsLong());
                serve(exchange, request, outcome.response, validated, outcome.stored ?
                    status("fwd=" + outcome.fwd, "fwd-status=" + outcome.fwdStatus, "stored", "ttl=" + ttl) :
                    status("fwd=" + outcome.fwd, "fwd-status=" + outcome.fwdStatus, "detail=" + outcome.detail));
                break;
            }
            case SHARED_HIT:
                serve(exchange, request, outcome.response, true,
                    status("hit", "ttl=" + ttlSeconds(outcome.response, clock.getAsLong()), "detail=shared"));
                break;
            case ORIGIN_ERROR:
                serve(exchange, request, outcome.response, true, status("fwd=" + outcome.fwd,
                    "fwd-status=" + outcome.fwdStatus, "detail=stale-if-error"));
                break;
            case STALE_ON_FAILURE:
                serve(exchange, request, outcome.response, true, status("fwd=" + outcome.fwd,
                    "detail=stale-if-error"));
                break;
            case PASS:
                stream(exchange, request, outcome.passing, outcome.fwdStatus, outcome.passHeaders, outcome.prefix,
                    outcome.prefixLength, status("fwd=" + outcome.fwd, "fwd-status=" + outcome.fwdStatus,
                        "detail=" + outcome.detail));
                break;
            default:
                error(exchange, outcome.errorStatus, outcome.message, status("fwd=" + outcome.fwd,
                    "detail=" + outcome.detail));
                break;
        }
    }

    /**
     * Forward a request as it is, stream the answer back, and store nothing. After a successful unsafe method,
     * invalidate what it may have changed (RFC 9111 section 4.4).
     */
    private void forward(final HttpServerExchange exchange, final Request request, final String fwd,
        final String detail)
    {
        final HttpRequest.BodyPublisher body;
        final long length;
        if (request.hasBody)
        {
            // Proxied bodies are streamed, never held, so the listener's entity size limit does not apply.
            exchange.setMaxEntitySize(-1);
            exchange.startBlocking();
            body = HttpRequest.BodyPublishers.ofInputStream(exchange::getInputStream);
            length = request.contentLength;
        }
        else
        {
            body = null;
            length = -1;
        }
        final OriginClient.Response response;
        try
        {
            response = client.send(request.method, request.target, originHeaders(request, false), body, length);
        }
        catch (final IOException ex)
        {
            final Outcome failure = Outcome.error(ex, fwd);
            error(exchange, failure.errorStatus, failure.message, status("fwd=" + fwd, "detail=" + failure.detail));
            return;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            error(exchange, StatusCodes.SERVICE_UNAVAILABLE, "interrupted", status("fwd=" + fwd));
            return;
        }
        final HttpFields received = HopByHop.strip(response.headers());
        final int status = response.status();
        if (request.unsafe && status >= 200 && status < 400)
        {
            invalidate(request, received);
        }
        stream(exchange, request, response, status, received, null, 0, null == detail ?
            status("fwd=" + fwd, "fwd-status=" + status) :
            status("fwd=" + fwd, "fwd-status=" + status, "detail=" + detail));
    }

    private void invalidate(final Request request, final HttpFields received)
    {
        droppedAll(request.target);
        for (final String name : List.of("Location", "Content-Location"))
        {
            final String value = received.first(name);
            final String target = null == value ? null : sameOriginTarget(request, value);
            if (null != target)
            {
                droppedAll(target);
            }
        }
    }

    /**
     * @return the request target a {@code Location} or {@code Content-Location} names, when it is on the origin
     *         (or on Meridian's own address as the client sees it); else null.
     */
    private String sameOriginTarget(final Request request, final String reference)
    {
        try
        {
            final URI resolved = client.uri(request.target).resolve(reference.trim());
            final String path = null == resolved.getRawPath() || resolved.getRawPath().isEmpty() ? "/" :
                resolved.getRawPath();
            final String query = null == resolved.getRawQuery() ? "" : "?" + resolved.getRawQuery();
            if (sameAuthority(resolved, originUri))
            {
                final String prefix = originUri.getRawPath().substring(0, originUri.getRawPath().length() - 1);
                return path.startsWith(prefix + "/") ? path.substring(prefix.length()) + query : null;
            }
            if (null != request.host && request.host.equalsIgnoreCase(resolved.getRawAuthority()))
            {
                return path + query;
            }
            return null;
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    private static boolean sameAuthority(final URI a, final URI b)
    {
        return null != a.getScheme() && a.getScheme().equalsIgnoreCase(b.getScheme()) && null != a.getHost() &&
            a.getHost().equalsIgnoreCase(b.getHost()) && port(a) == port(b);
    }

    private static int port(final URI uri)
    {
        return uri.getPort() >= 0 ? uri.getPort() : "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    /**
     * The header sent to the origin: the client's, less connection-specific fields and {@code X-Forwarded-Host},
     * with {@code Via}, {@code X-Forwarded-For} and {@code X-Forwarded-Proto} added. For a fetch meant for the
     * cache, the client's own conditions and ranges are left out (the cache answers them from the full response),
     * and {@code Accept-Encoding} is reduced to gzip or nothing, matching how {@code Vary: Accept-Encoding} is
     * keyed.
     */
    private HttpFields originHeaders(final Request request, final boolean forCache)
    {
        final HttpFields.Builder headers = HttpFields.builder();
        for (final HttpFields.Field field : HopByHop.strip(request.headers).fields())
        {
            final String name = field.name().toLowerCase(Locale.ROOT);
            if (NOT_FORWARDED.contains(name) || (forCache && (CONDITIONAL_FIELDS.contains(name) ||
                "accept-encoding".equals(name))))
            {
                continue;
            }
            headers.add(field.name(), field.value());
        }
        if (forCache && request.acceptsGzip)
        {
            headers.add("Accept-Encoding", "gzip");
        }
        headers.add("Via", appendTo(request.headers.joined("Via"), request.protocol + " " + VIA));
        headers.add("X-Forwarded-For", appendTo(request.headers.joined("X-Forwarded-For"), request.clientAddress));
        if (!request.headers.has("X-Forwarded-Proto"))
        {
            headers.add("X-Forwarded-Proto", request.scheme);
        }
        return headers.build();
    }

    private static String appendTo(final String list, final String member)
    {
        return null == list || list.isEmpty() ? member : list + ", " + member;
    }

    /**
     * Send a stored response (or one just obtained for the cache): the current {@code Age}, the body gzip-encoded
     * or decoded as the client accepts when it is held compressed, and 304 when the client's own conditions say its
     * copy is current.
     */
    private void serve(
        final HttpServerExchange exchange,
        final Request request,
        final StoredResponse response,
        final boolean hit,
        final String cacheStatus)
    {
        final boolean encode = response.gzipped() && request.acceptsGzip;
        if (response.gzipped() && !encode && !request.head && response.identityLength() > INLINE_GUNZIP_MAX &&
            exchange.isInIoThread())
        {
            exchange.dispatch(ex -> serve(ex, request, response, hit, cacheStatus));
            return;
        }
        final long age = Math.max(0, response.currentAgeMs(clock.getAsLong()) / 1000);
        final HttpFields.Builder out = HttpFields.builder();
        boolean varyListsEncoding = false;
        for (final HttpFields.Field field : response.headers().fields())
        {
            final String name = field.name().toLowerCase(Locale.ROOT);
            if (REPLACED_ON_SERVE.contains(name))
            {
                continue;
            }
            String value = field.value();
            if ("etag".equals(name) && encode)
            {
                value = Compression.weakETag(value);
            }
            else if ("location".equals(name) || "content-location".equals(name))
            {
                value = clientLocation(request, value);
            }
            else if ("vary".equals(name) && value.toLowerCase(Locale.ROOT).contains("accept-encoding"))
            {
                varyListsEncoding = true;
            }
            out.add(field.name(), value);
        }
        if (response.gzipped())
        {
            if (!varyListsEncoding)
            {
                out.add("Vary", "Accept-Encoding");
            }
            if (encode)
            {
                out.add("Content-Encoding", "gzip");
            }
        }
        out.add("Age", Long.toString(age));
        addProxyFields(out, response.headers(), hit, cacheStatus);

        final HttpFields fields = out.build();
        int status = response.status();
        if (status >= 200 && status < 300 && Validation.notModified(request.headers, fields))
        {
            status = StatusCodes.NOT_MODIFIED;
        }
        exchange.setStatusCode(status);
        if (status == StatusCodes.NOT_MODIFIED)
        {
            for (final HttpFields.Field field : fields.fields())
            {
                final String name = field.name().toLowerCase(Locale.ROOT);
                if (NOT_MODIFIED_FIELDS.contains(name) || "age".equals(name) || "via".equals(name) ||
                    "x-cache".equals(name) || "cache-status".equals(name))
                {
                    exchange.getResponseHeaders().add(HttpString.tryFromString(field.name()), field.value());
                }
            }
            exchange.endExchange();
            return;
        }
        applyHeaders(exchange, fields);
        final boolean decode = response.gzipped() && !encode;
        if (status != StatusCodes.NO_CONTENT)
        {
            exchange.getResponseHeaders().put(Headers.CONTENT_LENGTH,
                decode ? response.identityLength() : response.body().length);
        }
        if (request.head || status == StatusCodes.NO_CONTENT)
        {
            exchange.endExchange();
            return;
        }
        if (hit && null != hitBytes)
        {
            hitBytes.getAndAdd(decode ? response.identityLength() : response.body().length);
        }
        exchange.getResponseSender().send(ByteBuffer.wrap(decode ?
            Compression.gunzip(response.body(), response.identityLength()) : response.body()));
    }

    /**
     * Send a response as the origin gives it, reading and writing as it comes; on a failure half-way the client's
     * connection is closed, so it sees a truncated response rather than a wrong one.
     */
    private void stream(
        final HttpServerExchange exchange,
        final Request request,
        final OriginClient.Response response,
        final int status,
        final HttpFields received,
        final byte[] prefix,
        final int prefixLength,
        final String cacheStatus)
    {
        try
        {
            final HttpFields.Builder out = HttpFields.builder();
            for (final HttpFields.Field field : received.fields())
            {
                final String name = field.name().toLowerCase(Locale.ROOT);
                if ("x-cache".equals(name) || "via".equals(name) || "cache-status".equals(name))
                {
                    continue;
                }
                final boolean location = "location".equals(name) || "content-location".equals(name);
                out.add(field.name(), location ? clientLocation(request, field.value()) : field.value());
            }
            addProxyFields(out, received, false, cacheStatus);
            exchange.setStatusCode(status);
            applyHeaders(exchange, out.build());
            if (!exchange.isBlocking())
            {
                exchange.startBlocking();
            }
            final boolean noBody = request.head || status == StatusCodes.NO_CONTENT ||
                status == StatusCodes.NOT_MODIFIED || status < 200;
            if (!noBody)
            {
                final OutputStream body = exchange.getOutputStream();
                if (null != prefix)
                {
                    body.write(prefix, 0, prefixLength);
                }
                final InputStream in = response.body();
                final byte[] buffer = new byte[COPY_BUFFER_BYTES];
                int read;
                while ((read = readOrAbort(in, buffer, exchange)) >= 0)
                {
                    body.write(buffer, 0, read);
                }
                body.close();
            }
            else if (!request.head)
            {
                drain(response);
            }
            exchange.endExchange();
        }
        catch (final IOException ex)
        {
            LOG.debug("client went away from " + request.target, ex);
            IoUtils.safeClose(exchange.getConnection());
        }
        finally
        {
            response.close();
        }
    }

    private static int readOrAbort(final InputStream in, final byte[] buffer, final HttpServerExchange exchange)
        throws IOException
    {
        try
        {
            return in.read(buffer);
        }
        catch (final IOException ex)
        {
            LOG.warn("the origin failed in the middle of a body: " + ex);
            IoUtils.safeClose(exchange.getConnection());
            throw ex;
        }
    }

    private static void drain(final OriginClient.Response response)
    {
        try (InputStream in = response.body())
        {
            final byte[] buffer = new byte[1024];
            while (in.read(buffer) >= 0)
            {
                continue;
            }
        }
        catch (final IOException ignored)
        {
            // An unread rest only costs the connection its reuse.
        }
    }

    private void addProxyFields(
        final HttpFields.Builder out, final HttpFields received, final boolean hit, final String cacheStatus)
    {
        out.add("Via", appendTo(received.joined("Via"), "1.1 " + VIA));
        out.add("X-Cache", hit ? "HIT" : "MISS");
        counted(hit);
        out.add("Cache-Status", appendTo(received.joined("Cache-Status"), cacheStatus));
    }

    private static void applyHeaders(final HttpServerExchange exchange, final HttpFields fields)
    {
        for (final HttpFields.Field field : fields.fields())
        {
            exchange.getResponseHeaders().add(HttpString.tryFromString(field.name()), field.value());
        }
    }

    /**
     * The origin's absolute URLs in {@code Location} and {@code Content-Location} rewritten to the address the
     * client used, so redirects keep the client on Meridian.
     */
    private String clientLocation(final Request request, final String value)
    {
        final String base = origin + "/";
        if (null == request.host || !value.regionMatches(true, 0, base, 0, base.length()))
        {
            return value;
        }
        return request.scheme + "://" + request.host + value.substring(origin.length());
    }

    /**
     * @return the remaining freshness for {@code Cache-Status}: whole seconds of lifetime less whole seconds of age,
     *         as {@code Age} shows it; negative when stale.
     */
    private static long ttlSeconds(final StoredResponse response, final long nowMs)
    {
        return response.lifetimeMs() / 1000 - response.currentAgeMs(nowMs) / 1000;
    }

    private static String status(final String... parameters)
    {
        return CACHE_NAME + "; " + String.join("; ", parameters);
    }

    private void error(
        final HttpServerExchange exchange, final int status, final String message, final String cacheStatus)
    {
        counted(false);
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseHeaders().put(X_CACHE, "MISS");
        exchange.getResponseHeaders().put(new HttpString("Cache-Status"), cacheStatus);
        exchange.getResponseSender().send("meridian: " + message + "\n", StandardCharsets.UTF_8);
    }

    private void purge(final HttpServerExchange exchange, final Request request)
    {
        final AuthenticatedUser user = admin.authorize(exchange);
        if (null == user)
        {
            return;
        }
        final int purged = droppedAll(request.target);
        LOG.info("HTTP cache: " + request.target + " purged by operator " + user.userId() + ": " + purged +
            " responses");
        AdminAccess.send(exchange, StatusCodes.OK, AdminAccess.object().put("purged", purged)
            .put("target", request.target));
    }

    private void clear(final HttpServerExchange exchange)
    {
        if (exchange.isInIoThread())
        {
            exchange.dispatch(this::clear);
            return;
        }
        final AuthenticatedUser user = admin.authorize(exchange);
        if (null == user)
        {
            return;
        }
        if (!Methods.POST.equals(exchange.getRequestMethod()))
        {
            exchange.getResponseHeaders().put(Headers.ALLOW, Methods.POST_STRING);
            AdminAccess.error(exchange, StatusCodes.METHOD_NOT_ALLOWED, "use POST");
            return;
        }
        final long cleared = store.clear();
        final ObjectNode answer = AdminAccess.object().put("cleared", cleared);
        if (null == redis)
        {
            LOG.warn("HTTP cache cleared by operator " + user.userId() + ": " + cleared + " responses");
        }
        else
        {
            // The other proxies clear their memory when the shared store tells them.
            final long keys = redis.clear();
            LOG.warn("HTTP cache cleared by operator " + user.userId() + ": " + cleared + " responses, " +
                (keys < 0 ? "the shared store could not be reached" : keys + " shared targets"));
            if (keys < 0)
            {
                answer.put("sharedError", "the shared store could not be reached; it was not cleared");
            }
            else
            {
                answer.put("sharedCleared", keys);
            }
        }
        AdminAccess.send(exchange, StatusCodes.OK, answer);
    }

    private static long contentLength(final HttpFields headers)
    {
        final String value = headers.first("Content-Length");
        if (null == value)
        {
            return -1;
        }
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * What a client asked, read once from the exchange.
     */
    private static final class Request
    {
        final String method;
        final String target;
        final HttpFields headers;
        final CacheControl control;
        final boolean pragmaNoCache;
        final boolean acceptsGzip;
        final boolean head;
        final boolean unsafe;
        final boolean bypass;
        final boolean hasBody;
        final long contentLength;
        final String clientAddress;
        final String scheme;
        final String host;
        final String protocol;

        private Request(final HttpServerExchange exchange)
        {
            method = exchange.getRequestMethod().toString();
            target = targetOf(exchange);
            final HttpFields.Builder builder = HttpFields.builder();
            for (final HeaderValues values : exchange.getRequestHeaders())
            {
                final String name = values.getHeaderName().toString();
                for (final String value : values)
                {
                    builder.add(name, value);
                }
            }
            headers = builder.build();
            control = CacheControl.of(headers);
            pragmaNoCache = control.isEmpty() && null != headers.joined("Pragma") &&
                headers.joined("Pragma").toLowerCase(Locale.ROOT).contains("no-cache");
            acceptsGzip = Compression.acceptsGzip(headers.joined("Accept-Encoding"));
            head = "HEAD".equals(method);
            unsafe = !("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method) ||
                "TRACE".equals(method));
            bypass = headers.has("Range") || headers.has("If-Range") || headers.has("If-Match") ||
                headers.has("If-Unmodified-Since");
            contentLength = contentLength(headers);
            hasBody = contentLength > 0 || headers.has("Transfer-Encoding");
            final String address = null == exchange.getSourceAddress() ? null :
                exchange.getSourceAddress().getAddress().getHostAddress();
            clientAddress = null == address ? "unknown" : address;
            scheme = exchange.getRequestScheme();
            host = headers.first("Host");
            final String version = exchange.getProtocol().toString();
            protocol = version.startsWith("HTTP/") ? version.substring(5).replace("2.0", "2") : version;
        }

        static Request of(final HttpServerExchange exchange)
        {
            return new Request(exchange);
        }

        private static String targetOf(final HttpServerExchange exchange)
        {
            String path = exchange.getRequestURI();
            if (exchange.isHostIncludedInRequestURI())
            {
                final int authority = path.indexOf("://");
                final int slash = authority < 0 ? -1 : path.indexOf('/', authority + 3);
                path = slash < 0 ? "/" : path.substring(slash);
            }
            if (null == path || path.isEmpty())
            {
                return null;
            }
            final String query = exchange.getQueryString();
            return null == query || query.isEmpty() ? path : path + "?" + query;
        }
    }

    /**
     * Kinds of fetch results.
     */
    private enum Kind
    {
        /** A response to serve: stored, or obtained for this request only. */
        RESPONSE,
        /** A fresh response from the shared store. */
        SHARED_HIT,
        /** Not storable: the leader streams it; waiters forward their own requests. */
        PASS,
        /** The origin answered 5xx and a stored response may stand in for it. */
        ORIGIN_ERROR,
        /** The origin could not be reached and a stored response may stand in. */
        STALE_ON_FAILURE,
        /** The origin could not be reached, nothing may stand in. */
        ERROR,
        /** Waiters forward their own requests. */
        FORWARD
    }

    /**
     * What the leader of a flight got from the origin.
     */
    private static final class Outcome
    {
        Kind kind;
        StoredResponse response;
        boolean stored;
        String fwd;
        int fwdStatus;
        String detail;
        OriginClient.Response passing;
        HttpFields passHeaders;
        byte[] prefix;
        int prefixLength;
        int errorStatus;
        String message;

        static Outcome response(
            final StoredResponse response, final boolean stored, final String fwd, final int fwdStatus,
            final String detail)
        {
            final Outcome outcome = new Outcome();
            outcome.kind = Kind.RESPONSE;
            outcome.response = response;
            outcome.stored = stored;
            outcome.fwd = fwd;
            outcome.fwdStatus = fwdStatus;
            outcome.detail = detail;
            return outcome;
        }

        static Outcome sharedHit(final StoredResponse response, final String fwd)
        {
            final Outcome outcome = new Outcome();
            outcome.kind = Kind.SHARED_HIT;
            outcome.response = response;
            outcome.fwd = fwd;
            return outcome;
        }

        static Outcome staleOnError(final StoredResponse stale, final String fwd, final int originStatus)
        {
            final Outcome outcome = new Outcome();
            outcome.kind = originStatus > 0 ? Kind.ORIGIN_ERROR : Kind.STALE_ON_FAILURE;
            outcome.response = stale;
            outcome.fwd = fwd;
            outcome.fwdStatus = originStatus;
            return outcome;
        }

        static Outcome pass(
            final OriginClient.Response response,
            final int status,
            final HttpFields headers,
            final String fwd,
            final String reason,
            final byte[] prefix,
            final int prefixLength)
        {
            final Outcome outcome = new Outcome();
            outcome.kind = Kind.PASS;
            outcome.passing = response;
            outcome.fwdStatus = status;
            outcome.passHeaders = headers;
            outcome.fwd = fwd;
            outcome.detail = reason;
            outcome.prefix = prefix;
            outcome.prefixLength = prefixLength;
            return outcome;
        }

        static Outcome error(final IOException ex, final String fwd)
        {
            final Outcome outcome = new Outcome();
            outcome.kind = Kind.ERROR;
            outcome.fwd = fwd;
            if (ex instanceof OriginClient.OriginBusyException)
            {
                outcome.errorStatus = StatusCodes.SERVICE_UNAVAILABLE;
                outcome.detail = "origin-busy";
            }
            else if (ex instanceof HttpTimeoutException)
            {
                outcome.errorStatus = StatusCodes.GATEWAY_TIME_OUT;
                outcome.detail = "origin-timeout";
            }
            else
            {
                outcome.errorStatus = StatusCodes.BAD_GATEWAY;
                outcome.detail = "origin-unreachable";
            }
            outcome.message = "the origin did not answer: " + ex.getMessage();
            return outcome;
        }

        Shared shared()
        {
            switch (kind)
            {
                case RESPONSE:
                    return stored ? new Shared(Kind.RESPONSE, response, fwd, fwdStatus, 0, null, null) :
                        Shared.FORWARD;
                case SHARED_HIT:
                    return new Shared(Kind.SHARED_HIT, response, fwd, 0, 0, null, null);
                case ORIGIN_ERROR:
                    return new Shared(Kind.ORIGIN_ERROR, null, fwd, fwdStatus, 0, null, null);
                case STALE_ON_FAILURE:
                case ERROR:
                    return new Shared(Kind.ERROR, null, fwd, 0,
                        errorStatus == 0 ? StatusCodes.BAD_GATEWAY : errorStatus,
                        null == message ? "the origin did not answer" : message,
                        null == detail ? "origin-unreachable" : detail);
                default:
                    return Shared.FORWARD;
            }
        }

        void discard()
        {
            if (null != passing)
            {
                passing.close();
            }
        }
    }

    /**
     * What waiters get from a flight.
     *
     * @param kind        RESPONSE, ORIGIN_ERROR, ERROR or FORWARD.
     * @param response    the stored response, for RESPONSE.
     * @param fwd         why the flight went to the origin.
     * @param fwdStatus   the origin's status.
     * @param errorStatus the status to answer with, for ERROR.
     * @param message     the error message, for ERROR.
     * @param detail      the Cache-Status detail, for ERROR.
     */
    private record Shared(
        Kind kind, StoredResponse response, String fwd, int fwdStatus, int errorStatus, String message, String detail)
    {
        static final Shared FORWARD = new Shared(Kind.FORWARD, null, "uri-miss", 0, 0, null, null);
    }
}
