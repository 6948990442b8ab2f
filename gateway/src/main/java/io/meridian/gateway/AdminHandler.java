package io.meridian.gateway;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meridian.engine.CountersFile;
import io.meridian.engine.EngineProxy;
import io.meridian.gateway.auth.AdminAccess;
import io.meridian.gateway.auth.AuthenticatedUser;
import io.meridian.gateway.auth.Rights;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.HttpString;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;
import org.agrona.concurrent.status.CountersReader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The admin API under {@value #PATH}, for operators: list the open Zenith sessions, close one, clear the cache. Every
 * request needs an {@code Authorization: Bearer} access token with the {@value Rights#ADMIN} scope,
 * verified like a client's; without a valid token the answer is 401, without the scope 403. Answers are JSON.
 * <ul>
 *     <li>{@code GET /admin/sessions}: every open session: id, user, peer address, TLS, connected and token expiry
 *     times, whether its data is stopped for an expired token, and the bytes waiting in its outbox.</li>
 *     <li>{@code POST /admin/sessions/ID/close}: close a session with code 4000; 404 if there is none.</li>
 *     <li>{@code GET /admin/counters}: every counter by name with its value (what {@code meridian stat} prints).</li>
 *     <li>{@code POST /admin/cache/clear}: drop every cached item nobody subscribes to and fetch every subscribed one
 *     afresh from upstream (its clients get full state again); answers the number of items cleared.</li>
 * </ul>
 */
final class AdminHandler implements HttpHandler
{
    static final String PATH = "/admin";
    /** How long a cache clear may wait for the engine before the operator is told to try again. */
    static final long ENGINE_TIMEOUT_MS = 5000;

    private static final Logger LOG = LoggerFactory.getLogger(AdminHandler.class);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String SESSIONS = "/sessions";
    private static final String CLOSE = "/close";
    static final String COUNTERS = "/counters";

    private final AdminAccess access;
    private final ZenithEndpoint zenith;
    private final EngineProxy engine;
    private final CountersReader counters;
    private final Runnable sample;

    /**
     * @param access   who may use it.
     * @param zenith   the WebSocket sessions.
     * @param engine   for cache clears.
     * @param counters every Meridian counter.
     * @param sample   brings the gauges up to date; run before counters are listed.
     */
    AdminHandler(
        final AdminAccess access,
        final ZenithEndpoint zenith,
        final EngineProxy engine,
        final CountersReader counters,
        final Runnable sample)
    {
        this.access = access;
        this.zenith = zenith;
        this.engine = engine;
        this.counters = counters;
        this.sample = sample;
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange)
    {
        if (exchange.isInIoThread())
        {
            // Verifying a token may fetch the identity provider's keys, and a cache clear waits for the engine.
            exchange.dispatch(this);
            return;
        }
        final AuthenticatedUser user = access.authorize(exchange);
        if (null == user)
        {
            return;
        }

        final String path = exchange.getRelativePath();
        final HttpString method = exchange.getRequestMethod();
        if (SESSIONS.equals(path) || (SESSIONS + "/").equals(path))
        {
            if (allow(exchange, method, Methods.GET))
            {
                listSessions(exchange);
            }
        }
        else if (path.startsWith(SESSIONS + "/") && path.endsWith(CLOSE))
        {
            if (allow(exchange, method, Methods.POST))
            {
                closeSession(exchange, user, path.substring(SESSIONS.length() + 1, path.length() - CLOSE.length()));
            }
        }
        else if (COUNTERS.equals(path))
        {
            if (allow(exchange, method, Methods.GET))
            {
                listCounters(exchange);
            }
        }
        else if ("/cache/clear".equals(path))
        {
            if (allow(exchange, method, Methods.POST))
            {
                clearCache(exchange, user);
            }
        }
        else
        {
            error(exchange, StatusCodes.NOT_FOUND, "no such admin resource: " + PATH + path);
        }
    }

    private void listCounters(final HttpServerExchange exchange)
    {
        final ObjectNode body = MAPPER.createObjectNode();
        final ArrayNode list = body.putArray("counters");
        sample.run();
        counters.forEach((CountersReader.MetaData)(counterId, typeId, keyBuffer, label) -> list.addObject()
            .put("name", label)
            .put("type", typeId == CountersFile.TYPE_GAUGE ? "gauge" : "total")
            .put("value", counters.getCounterValue(counterId)));
        body.put("timeMs", System.currentTimeMillis());
        send(exchange, StatusCodes.OK, body);
    }

    private void listSessions(final HttpServerExchange exchange)
    {
        final List<ZenithSession> sessions = new ArrayList<>(zenith.sessions());
        sessions.sort(Comparator.comparingLong(ZenithSession::sessionId));
        final ObjectNode body = MAPPER.createObjectNode();
        final ArrayNode list = body.putArray("sessions");
        for (final ZenithSession session : sessions)
        {
            final ObjectNode entry = list.addObject()
                .put("id", session.sessionId())
                .put("peer", session.peer())
                .put("secure", session.secure())
                .put("connectedAt", Instant.ofEpochMilli(session.connectedAtMs()).toString());
            final AuthenticatedUser user = session.user();
            if (null == user)
            {
                entry.putNull("user");
            }
            else
            {
                entry.put("user", user.userId())
                    .put("tokenExpiresAt", Instant.ofEpochMilli(user.expiresAtMs()).toString());
            }
            entry.put("dataStopped", session.dataStopped())
                .put("outboxBytes", session.outbox().size())
                .put("outboxAllocatedBytes", session.outbox().allocated());
        }
        body.put("count", sessions.size());
        send(exchange, StatusCodes.OK, body);
    }

    private void closeSession(final HttpServerExchange exchange, final AuthenticatedUser operator, final String id)
    {
        final long sessionId;
        try
        {
            sessionId = Long.parseLong(id);
        }
        catch (final NumberFormatException ex)
        {
            error(exchange, StatusCodes.BAD_REQUEST, "not a session id: " + id);
            return;
        }
        final ZenithSession session = zenith.session(sessionId);
        if (null == session)
        {
            error(exchange, StatusCodes.NOT_FOUND, "no open session " + sessionId);
            return;
        }
        LOG.warn("session " + sessionId + " closed by operator " + operator.userId());
        session.closeByOperator();
        send(exchange, StatusCodes.OK, MAPPER.createObjectNode().put("closed", sessionId));
    }

    private void clearCache(final HttpServerExchange exchange, final AuthenticatedUser operator)
    {
        final CompletableFuture<Integer> cleared = new CompletableFuture<>();
        if (!engine.clearCache(cleared::complete))
        {
            error(exchange, StatusCodes.SERVICE_UNAVAILABLE, "the engine is overloaded; try again");
            return;
        }
        try
        {
            final int count = cleared.get(ENGINE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            LOG.warn("cache cleared by operator " + operator.userId() + ": " + count + " items");
            send(exchange, StatusCodes.OK, MAPPER.createObjectNode().put("cleared", count));
        }
        catch (final TimeoutException ex)
        {
            error(exchange, StatusCodes.GATEWAY_TIME_OUT, "the engine did not answer in " + ENGINE_TIMEOUT_MS + " ms");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            error(exchange, StatusCodes.SERVICE_UNAVAILABLE, "interrupted");
        }
        catch (final ExecutionException ex)
        {
            error(exchange, StatusCodes.INTERNAL_SERVER_ERROR, "cache clear failed: " + ex.getCause());
        }
    }

    private static boolean allow(final HttpServerExchange exchange, final HttpString method, final HttpString allowed)
    {
        if (allowed.equals(method))
        {
            return true;
        }
        exchange.getResponseHeaders().put(Headers.ALLOW, allowed.toString());
        error(exchange, StatusCodes.METHOD_NOT_ALLOWED, "use " + allowed);
        return false;
    }

    private static void error(final HttpServerExchange exchange, final int status, final String why)
    {
        AdminAccess.error(exchange, status, why);
    }

    private static void send(final HttpServerExchange exchange, final int status, final ObjectNode body)
    {
        AdminAccess.send(exchange, status, body);
    }
}
