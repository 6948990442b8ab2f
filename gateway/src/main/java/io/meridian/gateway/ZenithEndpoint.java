package io.meridian.gateway;

import io.meridian.engine.EngineProxy;
import io.meridian.gateway.auth.AuthException;
import io.meridian.gateway.auth.AuthenticatedUser;
import io.meridian.gateway.auth.TokenVerifier;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.AttachmentKey;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.StreamConnection;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The {@code /Zenith} WebSocket endpoint: checks an {@code Authorization: Bearer} token on the upgrade when one is
 * given, negotiates the {@code ZenithJson} subprotocol, and gives each connection a {@link ZenithSession} on a
 * {@link WebSocketConnection}.
 */
final class ZenithEndpoint
{
    static final String SUBPROTOCOL = "ZenithJson";
    private static final Logger LOG = LoggerFactory.getLogger(ZenithEndpoint.class);
    private static final AttachmentKey<AuthenticatedUser> USER = AttachmentKey.create(AuthenticatedUser.class);

    private final EngineProxy engine;
    private final TokenVerifier verifier;
    private final ZenithRequestHandler requestHandler;
    private final int outboxCapacity;
    private final int maxFrameBytes;
    private final SessionLimits limits;
    private final SessionTraffic traffic;
    private final AtomicLong nextSessionId = new AtomicLong();
    private final Map<Long, ZenithSession> sessions = new ConcurrentHashMap<>();
    private volatile boolean refusing;

    ZenithEndpoint(
        final EngineProxy engine,
        final TokenVerifier verifier,
        final ZenithRequestHandler requestHandler,
        final int outboxCapacity,
        final int maxFrameBytes,
        final SessionLimits limits,
        final SessionTraffic traffic)
    {
        this.limits = limits;
        this.traffic = traffic;
        this.engine = engine;
        this.verifier = verifier;
        this.requestHandler = requestHandler;
        this.outboxCapacity = outboxCapacity;
        this.maxFrameBytes = maxFrameBytes;
    }

    /**
     * @return the HTTP handler for the endpoint path: upgrade auth check, then the WebSocket handshake.
     */
    HttpHandler handler()
    {
        return exchange ->
        {
            if (refusing)
            {
                exchange.setStatusCode(StatusCodes.SERVICE_UNAVAILABLE);
                exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
                exchange.getResponseHeaders().put(Headers.CONNECTION, "close");
                exchange.getResponseSender().send("This server is stopping: connect to another.\n");
                return;
            }
            final String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
            if (null != authorization)
            {
                if (!authorization.regionMatches(true, 0, "Bearer ", 0, 7))
                {
                    unauthorized(exchange, "Authorization must use the Bearer scheme");
                    return;
                }
                try
                {
                    exchange.putAttachment(USER, verifier.verify(authorization.substring(7).trim()));
                }
                catch (final AuthException ex)
                {
                    unauthorized(exchange, "invalid token: " + ex.reason());
                    return;
                }
            }
            upgrade(exchange);
        };
    }

    private void upgrade(final HttpServerExchange exchange)
    {
        if (!WebSocketHandshake.isUpgrade(exchange))
        {
            notAnUpgrade(exchange);
            return;
        }
        final String version = exchange.getRequestHeaders().getFirst(WebSocketHandshake.SEC_WEBSOCKET_VERSION);
        if (!WebSocketHandshake.VERSION.equals(null == version ? null : version.trim()))
        {
            exchange.getResponseHeaders().put(WebSocketHandshake.SEC_WEBSOCKET_VERSION, WebSocketHandshake.VERSION);
            notAnUpgrade(exchange);
            return;
        }
        final String key = exchange.getRequestHeaders().getFirst(WebSocketHandshake.SEC_WEBSOCKET_KEY);
        if (!WebSocketHandshake.validKey(key))
        {
            exchange.setStatusCode(StatusCodes.BAD_REQUEST);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getResponseSender().send("Sec-WebSocket-Key must be 16 bytes in base64.\n");
            return;
        }
        exchange.getResponseHeaders().put(WebSocketHandshake.SEC_WEBSOCKET_ACCEPT, WebSocketHandshake.acceptKey(key));
        if (WebSocketHandshake.offers(exchange.getRequestHeaders().get(WebSocketHandshake.SEC_WEBSOCKET_PROTOCOL),
            SUBPROTOCOL))
        {
            exchange.getResponseHeaders().put(WebSocketHandshake.SEC_WEBSOCKET_PROTOCOL, SUBPROTOCOL);
        }
        exchange.upgradeChannel("websocket", this::onConnect);
        exchange.endExchange();
    }

    private static void notAnUpgrade(final HttpServerExchange exchange)
    {
        exchange.setStatusCode(StatusCodes.UPGRADE_REQUIRED);
        exchange.getResponseHeaders().put(Headers.UPGRADE, "websocket");
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send("This is the Zenith WebSocket endpoint: connect with a WebSocket client, " +
            "subprotocol " + SUBPROTOCOL + ".\n");
    }

    private static void unauthorized(final HttpServerExchange exchange, final String why)
    {
        exchange.setStatusCode(StatusCodes.UNAUTHORIZED);
        exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
        exchange.getResponseSender().send(why + "\n");
    }

    private void onConnect(final StreamConnection stream, final HttpServerExchange exchange)
    {
        final long sessionId = nextSessionId.incrementAndGet();
        final AuthenticatedUser upgradeUser = exchange.getAttachment(USER);
        final WebSocketConnection connection = new WebSocketConnection(stream, maxFrameBytes);
        final ZenithSession session = new ZenithSession(
            sessionId, outboxCapacity, connection, engine, upgradeUser, limits, traffic);
        session.secure("https".equalsIgnoreCase(exchange.getRequestScheme()));
        session.peer(connection.peerAddress());
        sessions.put(sessionId, session);
        connection.start(new WebSocketConnection.Handler()
        {
            @Override
            public void onText(final String text)
            {
                traffic.framesIn.increment();
                session.received(System.currentTimeMillis());
                requestHandler.onText(session, text);
            }

            @Override
            public void onBinary()
            {
                traffic.framesIn.increment();
                session.received(System.currentTimeMillis());
                session.writer().reset().startObject()
                    .name("Controller").string("Zenith")
                    .name("Action").string("Error")
                    .name("Data").string("Data.Deserialise")
                    .endObject();
                session.reply();
            }

            @Override
            public void onControl()
            {
                session.received(System.currentTimeMillis());
            }

            @Override
            public void onWritable()
            {
                session.drainOnIoThread();
            }

            @Override
            public void onClosed()
            {
                sessions.remove(sessionId);
                session.released();
                engine.sessionClosed(session);
            }
        });
        if (!connection.isOpen())
        {
            return;
        }
        session.startTimers();
        if (null != upgradeUser)
        {
            session.admit(upgradeUser);
        }
        LOG.debug("session {} connected from {}", sessionId, connection.peerAddress());
    }

    /**
     * @return the open sessions, for the admin API; a live view.
     */
    java.util.Collection<ZenithSession> sessions()
    {
        return sessions.values();
    }

    /**
     * @param sessionId a session's id.
     * @return the open session, or null.
     */
    ZenithSession session(final long sessionId)
    {
        return sessions.get(sessionId);
    }

    int sessionCount()
    {
        return sessions.size();
    }

    /**
     * Refuse new WebSocket sessions from now on (503), as a drain begins; open sessions go on.
     */
    void refuseNewSessions()
    {
        refusing = true;
    }

    /**
     * Close every open session with 1001, from any thread.
     */
    void closeAllGoingAway()
    {
        for (final ZenithSession session : sessions.values())
        {
            session.closeGoingAway();
        }
    }

    int sessionsOf(final String userId)
    {
        return limits.sessions(userId);
    }
}
