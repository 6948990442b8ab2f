package io.meridian.gateway;

import io.meridian.codecs.json.JsonWriter;
import io.meridian.engine.ClientSession;
import io.meridian.engine.EngineProxy;
import io.meridian.gateway.auth.AuthenticatedUser;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.XnioExecutor;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Zenith WebSocket connection. Frames for the client, from the engine and from this session's own replies, go
 * through the bounded outbox and are written by the connection's IO thread, many to a write; a client that does not
 * read holds at most the outbox and what its connection could not write.
 */
final class ZenithSession extends ClientSession
{
    private static final Logger LOG = LoggerFactory.getLogger(ZenithSession.class);
    /** Frames one drain writes before the IO thread's other sessions get a turn. */
    private static final int DRAIN_LIMIT = 256;
    static final int CLOSE_SLOW_CONSUMER = 1008;
    static final int CLOSE_SERVER_ERROR = 1011;
    /** Close code when an operator closes the session (Zenith clients show it as "kicked off"). */
    static final int CLOSE_BY_OPERATOR = 4000;
    static final int CLOSE_GOING_AWAY = 1001;
    /** How soon a command the engine's full ring refused is offered again. */
    private static final long RETRY_MS = 10;

    private final WebSocketConnection connection;
    private final EngineProxy engine;
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final Runnable drainTask = this::drainOnIoThread;
    private final Runnable overflowTask = this::closeSlowConsumer;
    private final Runnable tooLargeTask = this::closeFrameTooLarge;
    private final JsonWriter writer = new JsonWriter();
    private boolean draining;
    private AuthenticatedUser user;
    private boolean secure;
    private final SessionLimits limits;
    private final Runnable authCheckTask = this::checkAuthenticated;
    private final Runnable pingTask = this::pingOrClose;
    private final Runnable expiryTask = this::checkExpiry;
    private final Runnable rightsTask = this::sendRights;
    private XnioExecutor.Key authCheckKey = XnioExecutor.Key.IMMEDIATE;
    private XnioExecutor.Key pingKey = XnioExecutor.Key.IMMEDIATE;
    private XnioExecutor.Key expiryKey = XnioExecutor.Key.IMMEDIATE;
    /** The connection closed: no timer is set from now on (a close inside a write can come before one is). */
    private boolean timersStopped;
    /** The engine holds this session's data back because its token ran out (plus the grace). */
    private boolean dataStopped;
    /** Rights to hand the engine, or -1 when the engine has been told; with {@link #resumePending}. */
    private int pendingRights = -1;
    private boolean resumePending;
    private final long connectedAtMs = System.currentTimeMillis();
    private String peer = "";
    private long lastReceivedMs;
    private long windowStartMs;
    private int requestsInWindow;
    private final SessionTraffic traffic;
    /** The user counted against the sessions-per-user limit, once the session is authenticated. */
    private String countedUser;

    ZenithSession(
        final long sessionId,
        final int outboxCapacity,
        final WebSocketConnection connection,
        final EngineProxy engine,
        final AuthenticatedUser user,
        final SessionLimits limits,
        final SessionTraffic traffic)
    {
        super(sessionId, outboxCapacity);
        this.traffic = traffic;
        this.connection = connection;
        this.engine = engine;
        this.user = user;
        this.limits = limits;
        this.lastReceivedMs = System.currentTimeMillis();
    }

    /**
     * Start the session's timers on its IO thread: the deadline to authenticate, and pings with the idle check.
     */
    void startTimers()
    {
        authCheckKey = connection.ioThread().executeAfter(authCheckTask, limits.authTimeoutMs, TimeUnit.MILLISECONDS);
        pingKey = connection.ioThread().executeAfter(pingTask, limits.pingIntervalMs, TimeUnit.MILLISECONDS);
        if (null != user)
        {
            scheduleExpiryCheck();
        }
    }

    /**
     * Check once the current token (plus the grace) has run out whether it was renewed meanwhile; if not, the
     * engine stops sending this session data and keeps its subscriptions.
     */
    private void scheduleExpiryCheck()
    {
        if (timersStopped)
        {
            return;
        }
        final long delayMs = Math.max(0, user.expiresAtMs() + limits.expiryGraceMs - System.currentTimeMillis());
        // A renewal replaces the check, so a session renewed for hours holds one, not one per token.
        expiryKey.remove();
        expiryKey = connection.ioThread().executeAfter(expiryTask, delayMs, TimeUnit.MILLISECONDS);
    }

    private void checkExpiry()
    {
        if (!connection.isOpen() || null == user || dataStopped)
        {
            return;
        }
        final long nowMs = System.currentTimeMillis();
        if (nowMs < user.expiresAtMs() + limits.expiryGraceMs)
        {
            // Renewed since this check was scheduled; the renewal scheduled its own.
            return;
        }
        if (engine.pauseSession(this))
        {
            dataStopped = true;
            LOG.info("session " + sessionId() + ": token of " + user.userId() + " expired; data stopped until renewal");
        }
        else
        {
            // The engine's ring is full for a moment: the pause must not be lost.
            connection.ioThread().executeAfter(expiryTask, RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * A token was accepted on this session, first or renewed. On a renewal the engine re-checks the rights of every
     * subscription and, if data had stopped at expiry, resumes it with full state.
     *
     * @param authenticated the verified user, the same user as before on a renewal.
     * @param rights        the {@code EngineProxy.RIGHT_*} bits the new token grants on this connection.
     */
    void authenticated(final AuthenticatedUser authenticated, final int rights)
    {
        final boolean renewal = null != user;
        user = authenticated;
        scheduleExpiryCheck();
        if (renewal)
        {
            pendingRights = rights;
            resumePending |= dataStopped;
            dataStopped = false;
            sendRights();
        }
    }

    private void sendRights()
    {
        if (pendingRights < 0 || !connection.isOpen())
        {
            return;
        }
        if (engine.sessionRights(this, pendingRights, resumePending))
        {
            pendingRights = -1;
            resumePending = false;
        }
        else
        {
            connection.ioThread().executeAfter(rightsTask, RETRY_MS, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * @return true while the engine holds this session's data back for an expired token.
     */
    boolean dataStopped()
    {
        return dataStopped;
    }

    /**
     * Something arrived from the client (a message or a pong): it is not idle.
     *
     * @param nowMs the time.
     */
    void received(final long nowMs)
    {
        lastReceivedMs = nowMs;
    }

    /**
     * Count a request against the per-second limit; called on the IO thread for every request.
     *
     * @param nowMs the time.
     * @return false if the session has sent too many requests in the current one-second window.
     */
    boolean allowRequest(final long nowMs)
    {
        if (nowMs - windowStartMs >= 1000)
        {
            windowStartMs = nowMs;
            requestsInWindow = 0;
        }
        return ++requestsInWindow <= limits.maxRequestsPerSecond;
    }

    /**
     * Count the session against its user's session limit, once; a session beyond the limit is closed with 4000.
     *
     * @param authenticated the user the session authenticated as.
     * @return false if the session is being closed for the limit.
     */
    boolean admit(final AuthenticatedUser authenticated)
    {
        if (null != countedUser)
        {
            return true;
        }
        if (!limits.admit(authenticated.userId()))
        {
            LOG.warn("session " + sessionId() + ": user " + authenticated.userId() + " has too many sessions");
            close(SessionLimits.CLOSE_SESSION_LIMIT, "Too many sessions for this user");
            return false;
        }
        countedUser = authenticated.userId();
        return true;
    }

    /**
     * The connection closed: give back its place in the user's session count.
     */
    void released()
    {
        // A pending timer holds the session, and with it the outbox, until it fires: the expiry check may be half an
        // hour away, which with connections coming and going would keep thousands of closed sessions alive.
        timersStopped = true;
        authCheckKey.remove();
        pingKey.remove();
        expiryKey.remove();
        if (null != countedUser)
        {
            limits.release(countedUser);
            countedUser = null;
        }
    }

    private void checkAuthenticated()
    {
        if (connection.isOpen() && null == user)
        {
            close(SessionLimits.CLOSE_POLICY, "Not authenticated in time");
        }
    }

    private void pingOrClose()
    {
        if (!connection.isOpen())
        {
            return;
        }
        if (System.currentTimeMillis() - lastReceivedMs >= limits.idleTimeoutMs)
        {
            close(SessionLimits.CLOSE_POLICY, "Idle timeout");
            return;
        }
        connection.sendPing();
        if (!timersStopped)
        {
            pingKey = connection.ioThread().executeAfter(pingTask, limits.pingIntervalMs, TimeUnit.MILLISECONDS);
        }
    }

    /**
     * Close the session from any thread, as an operator asked; the client is told with close code 4000.
     */
    void closeByOperator()
    {
        connection.ioThread().execute(() -> close(CLOSE_BY_OPERATOR, "Closed by an operator"));
    }

    /**
     * Close the session from any thread because this server is going away (a drain before it stops); the client is
     * told with close code 1001 and should connect to another server.
     */
    void closeGoingAway()
    {
        connection.ioThread().execute(() -> close(CLOSE_GOING_AWAY, "Server going away: connect to another"));
    }

    /**
     * @return when the connection was made, epoch milliseconds.
     */
    long connectedAtMs()
    {
        return connectedAtMs;
    }

    /**
     * @return the client's address as the connection saw it.
     */
    String peer()
    {
        return peer;
    }

    void peer(final String peer)
    {
        this.peer = peer;
    }

    private void close(final int code, final String reason)
    {
        markClosed();
        connection.sendClose(code, reason);
    }

    EngineProxy engine()
    {
        return engine;
    }

    /**
     * @return the writer for replies made on this session's IO thread.
     */
    JsonWriter writer()
    {
        return writer;
    }

    AuthenticatedUser user()
    {
        return user;
    }

    /**
     * @return true if the connection came over TLS.
     */
    boolean secure()
    {
        return secure;
    }

    void secure(final boolean secure)
    {
        this.secure = secure;
    }

    /**
     * @param nowMs current time.
     * @return true if a token was accepted and has not expired.
     */
    boolean isAuthenticated(final long nowMs)
    {
        return null != user && !user.isExpired(nowMs);
    }

    /**
     * Queue the writer's message and send it; called on this session's IO thread.
     */
    void reply()
    {
        if (!outbox().write(writer.buffer(), 0, writer.length()))
        {
            if (outbox().fits(writer.length()))
            {
                closeSlowConsumer();
            }
            else
            {
                closeFrameTooLarge();
            }
            return;
        }
        drainOnIoThread();
    }

    @Override
    protected void signal()
    {
        if (drainScheduled.compareAndSet(false, true))
        {
            connection.ioThread().execute(drainTask);
        }
    }

    @Override
    protected void onOverflow(final boolean frameTooLarge)
    {
        connection.ioThread().execute(frameTooLarge ? tooLargeTask : overflowTask);
    }

    /**
     * Write what the outbox holds, up to {@link #DRAIN_LIMIT} frames, then let the IO thread's other sessions have a
     * turn; called on the IO thread, also when the socket can take more after it was full.
     */
    void drainOnIoThread()
    {
        drainScheduled.set(false);
        if (draining || !connection.isOpen())
        {
            return;
        }
        draining = true;
        try
        {
            final int frames = connection.send(outbox(), DRAIN_LIMIT);
            if (frames > 0)
            {
                traffic.framesOut.getAndAdd(frames);
                traffic.bytesOut.getAndAdd(connection.payloadBytesTaken());
                if (frames == DRAIN_LIMIT && connection.writable())
                {
                    signal();
                }
            }
        }
        finally
        {
            draining = false;
        }
    }

    private void closeFrameTooLarge()
    {
        markClosed();
        if (connection.isOpen())
        {
            LOG.error("closing session " + sessionId() + ": a frame was larger than session.send-buffer-bytes / 8");
            connection.sendClose(CLOSE_SERVER_ERROR, "Frame larger than the session outbox allows");
        }
    }

    private void closeSlowConsumer()
    {
        markClosed();
        if (connection.isOpen())
        {
            LOG.warn("closing session " + sessionId() + ": it fell too far behind (outbox full)");
            // The close frame waits behind data a stalled peer will not read; the connection drops the socket if it
            // does not go out in time, so a client that stopped reading cannot hold the session open.
            connection.sendClose(CLOSE_SLOW_CONSUMER, "Slow consumer: outbox full");
        }
    }
}
