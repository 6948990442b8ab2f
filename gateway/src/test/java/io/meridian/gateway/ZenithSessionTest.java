package io.meridian.gateway;

import io.meridian.config.MeridianConfig;
import io.meridian.engine.CountersFile;
import io.meridian.gateway.auth.AuthenticatedUser;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.xnio.ChannelPipe;
import org.xnio.IoUtils;
import org.xnio.OptionMap;
import org.xnio.StreamConnection;
import org.xnio.Xnio;
import org.xnio.XnioWorker;

import java.io.IOException;
import java.lang.ref.WeakReference;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * A session's life on its connection, apart from the engine.
 */
@Timeout(30)
class ZenithSessionTest
{
    private static XnioWorker worker;

    @BeforeAll
    static void startWorker() throws IOException
    {
        worker = Xnio.getInstance().createWorker(OptionMap.EMPTY);
    }

    @AfterAll
    static void stopWorker()
    {
        worker.shutdownNow();
    }

    @Test
    void aClosedSessionIsNotHeldByItsTimers() throws Exception
    {
        assertCollectedAfter(session ->
        {
            session.startTimers();
            session.admit(user());
            session.released();
        }, user());
    }

    @Test
    void aSessionClosedBeforeItsAuthenticationWasAnsweredSetsNoTimerAfterwards() throws Exception
    {
        // A write that fails while the answer to the Auth request goes out closes the connection, and with it the
        // session, before the session goes on to note the user and set its expiry check.
        assertCollectedAfter(session ->
        {
            session.startTimers();
            session.released();
            session.authenticated(user(), 0);
        }, null);
    }

    /**
     * A token good for an hour: the expiry check is an hour away, the auth check and the ping half a minute.
     */
    private static AuthenticatedUser user()
    {
        return new AuthenticatedUser("timers", "Timers", Set.of(), System.currentTimeMillis() + 3_600_000, "token");
    }

    private static void assertCollectedAfter(final Consumer<ZenithSession> life, final AuthenticatedUser user)
        throws Exception
    {
        final ChannelPipe<StreamConnection, StreamConnection> pipe = worker.createFullDuplexPipeConnection();
        final WebSocketConnection connection = new WebSocketConnection(pipe.getLeftSide(), 65536);
        final SessionLimits limits = SessionLimits.fromConfig(MeridianConfig.of(Map.of()));
        final SessionTraffic traffic = new SessionTraffic(CountersFile.inMemory(4));

        final CompletableFuture<WeakReference<ZenithSession>> made = new CompletableFuture<>();
        connection.ioThread().execute(() ->
        {
            final ZenithSession session = new ZenithSession(1, 1 << 16, connection, null, user, limits, traffic);
            life.accept(session);
            made.complete(new WeakReference<>(session));
        });
        final WeakReference<ZenithSession> session = made.join();
        IoUtils.safeClose(pipe.getLeftSide());
        IoUtils.safeClose(pipe.getRightSide());

        for (int i = 0; i < 50 && null != session.get(); i++)
        {
            System.gc();
            Thread.sleep(20);
        }
        assertNull(session.get(), "once released, nothing but its timers could hold the session, and they are gone");
    }
}
