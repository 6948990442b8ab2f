package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.engine.ClientSession;
import io.meridian.engine.EngineProxy;
import io.meridian.gateway.auth.AdminAccess;
import io.meridian.gateway.auth.Rights;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.SameThreadExecutor;
import io.undertow.util.StatusCodes;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

import static io.meridian.gateway.auth.AdminAccess.error;

/**
 * Market data over plain HTTP: {@code GET /api/v1/markets}, {@code /api/v1/securities/CODE.MARKET},
 * {@code /api/v1/depth/CODE.MARKET} (by order), {@code /api/v1/levels/CODE.MARKET} and
 * {@code /api/v1/trades/CODE.MARKET[?count=N]} answer the item's current state as JSON, the {@code Data} the matching
 * Zenith query answers with. They go through the engine like a WebSocket client's queries: an item the cache holds is
 * answered from it ({@code X-Cache: HIT}), any other is subscribed upstream once, kept in the cache, and answered when
 * it arrives ({@code X-Cache: MISS}).
 * <p>
 * The bearer-token rules are the WebSocket's: an {@code Authorization: Bearer} access token verified like any other
 * (401 without a valid one), granting the market right (403 without it).
 */
final class MarketApiHandler implements HttpHandler
{
    static final String PATH = "/api/v1";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final HttpString X_CACHE = new HttpString("X-Cache");
    private static final Pattern KEY = Pattern.compile("[A-Za-z0-9_\\-]{1,32}\\.[A-Za-z0-9_\\-]{1,16}");
    /** Queries in flight at once; each holds a session with an outbox of its own, reused after its answer. */
    private static final int MAX_IN_FLIGHT = 16;

    private final EngineProxy engine;
    private final AdminAccess access;
    private final int outboxBytes;
    private final ArrayBlockingQueue<ApiSession> idle = new ArrayBlockingQueue<>(MAX_IN_FLIGHT);
    private final AtomicInteger made = new AtomicInteger();
    private final AtomicLong nextSessionId = new AtomicLong(Long.MIN_VALUE / 2);

    /**
     * @param engine      the engine the queries go to.
     * @param access      checks bearer tokens.
     * @param outboxBytes bytes of answer a query may take ({@code session.send-buffer-bytes}).
     */
    MarketApiHandler(final EngineProxy engine, final AdminAccess access, final int outboxBytes)
    {
        this.engine = engine;
        this.access = access;
        this.outboxBytes = outboxBytes;
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange)
    {
        if (!Methods.GET.equals(exchange.getRequestMethod()) && !Methods.HEAD.equals(exchange.getRequestMethod()))
        {
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            error(exchange, StatusCodes.METHOD_NOT_ALLOWED, "only GET and HEAD");
            return;
        }
        if (exchange.isInIoThread())
        {
            // Verifying a token may fetch the identity provider's keys.
            exchange.dispatch(this);
            return;
        }
        if (null == access.authorize(exchange, Rights.MARKET))
        {
            return;
        }
        final String path = exchange.getRelativePath();
        final String[] parts = path.startsWith("/") ? path.substring(1).split("/", -1) : path.split("/", -1);
        final ItemType type;
        String key = null;
        if (parts.length == 1 && "markets".equals(parts[0]))
        {
            type = ItemType.MARKETS;
        }
        else if (parts.length == 2 && null != (type = typeOf(parts[0])))
        {
            key = parts[1];
            if (!KEY.matcher(key).matches())
            {
                error(exchange, StatusCodes.BAD_REQUEST, "a security is CODE.MARKET, got '" + abbreviate(key) + "'");
                return;
            }
        }
        else
        {
            error(exchange, StatusCodes.NOT_FOUND, "no such resource: " + PATH + abbreviate(path) + " (there are " +
                PATH + "/markets, /securities/KEY, /depth/KEY, /levels/KEY and /trades/KEY)");
            return;
        }
        int count = 0;
        final Deque<String> countParam = exchange.getQueryParameters().get("count");
        if (null != countParam && !countParam.isEmpty())
        {
            try
            {
                count = Integer.parseInt(countParam.getFirst());
            }
            catch (final NumberFormatException ex)
            {
                count = -1;
            }
            if (count < 0 || type != ItemType.TRADES)
            {
                error(exchange, StatusCodes.BAD_REQUEST, "count is a whole number of trades, for /trades only");
                return;
            }
        }
        ApiSession session = idle.poll();
        if (null == session)
        {
            if (made.incrementAndGet() > MAX_IN_FLIGHT)
            {
                made.decrementAndGet();
                exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
                error(exchange, StatusCodes.SERVICE_UNAVAILABLE, "too many market data requests in flight");
                return;
            }
            session = new ApiSession(nextSessionId.getAndIncrement(), outboxBytes);
        }
        session.start(exchange);
        final ApiSession querying = session;
        final String itemKey = key;
        final int trades = count;
        // The query goes to the engine once this call has returned, so an answer from the cache, completing the
        // exchange on its IO thread at once, never races the handler.
        exchange.dispatch(SameThreadExecutor.INSTANCE, () -> query(exchange, querying, type, itemKey, trades));
    }

    private void query(
        final HttpServerExchange exchange, final ApiSession session, final ItemType type, final String key,
        final int count)
    {
        final long transactionId = session.transactionId;
        final boolean taken;
        switch (type)
        {
            case MARKETS:
                taken = engine.queryMarkets(session, transactionId);
                break;
            case TRADES:
                taken = engine.queryTrades(session, transactionId, key, count, 0, 0, 0);
                break;
            case SECURITY:
                taken = engine.queryItem(session, transactionId, "QuerySecurity", type, key);
                break;
            case DEPTH:
                taken = engine.queryItem(session, transactionId, "QueryDepthFull", type, key);
                break;
            default:
                taken = engine.queryItem(session, transactionId, "QueryDepthLevels", type, key);
                break;
        }
        if (!taken)
        {
            session.finish();
            idle.offer(session);
            exchange.getResponseHeaders().put(Headers.RETRY_AFTER, "1");
            error(exchange, StatusCodes.SERVICE_UNAVAILABLE, "the engine is busy");
        }
    }

    private static ItemType typeOf(final String resource)
    {
        switch (resource)
        {
            case "securities":
                return ItemType.SECURITY;
            case "depth":
                return ItemType.DEPTH;
            case "levels":
                return ItemType.LEVELS;
            case "trades":
                return ItemType.TRADES;
            default:
                return null;
        }
    }

    private static String abbreviate(final String text)
    {
        return text.length() > 64 ? text.substring(0, 64) + "..." : text;
    }

    /**
     * One query in flight: the engine writes the answer into this session's outbox and signals; the exchange's IO
     * thread then reads it, answers the HTTP request, and the session goes back to the idle pool for the next.
     */
    private final class ApiSession extends ClientSession implements MessageHandler
    {
        private long nextTransactionId;
        long transactionId;
        private volatile HttpServerExchange exchange;
        private volatile boolean fromCache;
        private String errorCode;
        private String answer;

        ApiSession(final long sessionId, final int outboxCapacity)
        {
            super(sessionId, outboxCapacity);
        }

        void start(final HttpServerExchange exchange)
        {
            transactionId = ++nextTransactionId;
            fromCache = false;
            errorCode = null;
            answer = null;
            this.exchange = exchange;
        }

        void finish()
        {
            exchange = null;
        }

        @Override
        protected void answeredFromCache(final long transactionId)
        {
            if (transactionId == this.transactionId)
            {
                fromCache = true;
            }
        }

        @Override
        protected void signal()
        {
            final HttpServerExchange current = exchange;
            if (null != current)
            {
                current.getIoThread().execute(this::read);
            }
        }

        @Override
        protected void onOverflow(final boolean frameTooLarge)
        {
            final HttpServerExchange current = exchange;
            if (null != current)
            {
                current.getIoThread().execute(() -> fail(StatusCodes.INSUFFICIENT_STORAGE,
                    "the answer is larger than session.send-buffer-bytes"));
            }
        }

        private void read()
        {
            final HttpServerExchange current = exchange;
            if (null == current)
            {
                return;
            }
            outbox().drain(this, Integer.MAX_VALUE);
            if (null == answer)
            {
                return;
            }
            if (null != errorCode)
            {
                fail(statusOf(errorCode), errorCode);
                return;
            }
            current.setStatusCode(StatusCodes.OK);
            current.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
            current.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
            current.getResponseHeaders().put(X_CACHE, fromCache ? "HIT" : "MISS");
            final String body = answer;
            release();
            if (Methods.HEAD.equals(current.getRequestMethod()))
            {
                current.getResponseHeaders().put(Headers.CONTENT_LENGTH,
                    body.getBytes(StandardCharsets.UTF_8).length);
                current.endExchange();
            }
            else
            {
                current.getResponseSender().send(body, StandardCharsets.UTF_8);
            }
        }

        private void fail(final int status, final String why)
        {
            final HttpServerExchange current = exchange;
            if (null == current)
            {
                return;
            }
            // An overflowed outbox may still hold part of an answer: this session is not reused.
            final boolean clean = null != answer;
            if (clean)
            {
                release();
            }
            else
            {
                finish();
                markClosed();
                made.decrementAndGet();
            }
            current.getResponseHeaders().put(X_CACHE, "MISS");
            error(current, status, why);
        }

        private void release()
        {
            finish();
            idle.offer(this);
        }

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            try
            {
                final JsonNode frame = MAPPER.readTree(text(buffer, index, length));
                if (frame.path("TransactionID").asLong(-1) != transactionId)
                {
                    return;
                }
                if ("Error".equals(frame.path("Action").asText()))
                {
                    errorCode = frame.path("Data").asText();
                }
                else
                {
                    answer = MAPPER.writeValueAsString(frame.get("Data"));
                }
            }
            catch (final IOException ex)
            {
                errorCode = "Fault";
                answer = "";
            }
        }
    }

    private static String text(final DirectBuffer buffer, final int index, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(index, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * @return the HTTP status for a Zenith error code the engine answered a query with.
     */
    static int statusOf(final String code)
    {
        if (code.contains("NotFound"))
        {
            return StatusCodes.NOT_FOUND;
        }
        if (code.contains("Timeout"))
        {
            return StatusCodes.GATEWAY_TIME_OUT;
        }
        if (code.contains("Invalid") || code.contains("Malformed"))
        {
            return StatusCodes.BAD_REQUEST;
        }
        return StatusCodes.SERVICE_UNAVAILABLE;
    }
}
