package io.meridian.gateway;

import io.meridian.engine.CountersFile;
import io.meridian.engine.MeridianEngine;
import org.agrona.concurrent.status.AtomicCounter;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The gateway's counters, beside the engine's in the same {@link CountersFile}: token rejections by reason, log
 * warnings and errors, and gauges of what the server holds (sessions, bytes queued to them, readiness, links).
 * Gauges are sampled by {@link #sample()}, every second by the server and before every read of the counters, so
 * {@code /metrics} and {@code /admin/counters} are current and {@code meridian stat --file} is at most a second old.
 */
final class GatewayCounters
{
    private final CountersFile file;
    private final MeridianEngine engine;
    private final Supplier<Collection<ZenithSession>> sessions;
    private final BooleanSupplier ready;
    private final BooleanSupplier draining;
    private final Map<String, AtomicCounter> authFailures = new ConcurrentHashMap<>();
    private final AtomicCounter logWarnings;
    private final AtomicCounter logErrors;
    private final AtomicCounter sessionCount;
    private final AtomicCounter queuedBytes;
    private final AtomicCounter queuedBytesMax;
    private final AtomicCounter outboxBytes;
    private final AtomicCounter readyGauge;
    private final AtomicCounter drainingGauge;
    private final AtomicCounter upstreamUp;
    private final AtomicCounter tradingUp;
    private final AtomicCounter ordersInFlight;

    /**
     * @param engine   the engine, for its counters file, links and orders in flight.
     * @param sessions the open Zenith sessions, a live view.
     * @param ready    whether {@code /ready} answers 200.
     * @param draining whether a drain has begun.
     */
    GatewayCounters(
        final MeridianEngine engine,
        final Supplier<Collection<ZenithSession>> sessions,
        final BooleanSupplier ready,
        final BooleanSupplier draining)
    {
        this.file = engine.countersFile();
        this.engine = engine;
        this.sessions = sessions;
        this.ready = ready;
        this.draining = draining;
        logWarnings = file.newTotal("log.warnings");
        logErrors = file.newTotal("log.errors");
        sessionCount = file.newGauge("sessions");
        queuedBytes = file.newGauge("sessions.queued-bytes");
        queuedBytesMax = file.newGauge("sessions.queued-bytes-max");
        outboxBytes = file.newGauge("sessions.outbox-bytes");
        readyGauge = file.newGauge("ready");
        drainingGauge = file.newGauge("draining");
        upstreamUp = file.newGauge("upstream.up");
        tradingUp = file.newGauge("trading.up");
        ordersInFlight = file.newGauge("orders-in-flight");
    }

    /**
     * Count a rejected access token; called on the verifying thread.
     *
     * @param reason the rejection's short reason ({@code expired}, {@code bad signature}, ...).
     */
    void authFailure(final String reason)
    {
        AtomicCounter counter = authFailures.get(reason);
        if (null == counter)
        {
            counter = authFailures.computeIfAbsent(reason, r -> file.newTotal("auth.failures reason=" + r));
        }
        counter.increment();
    }

    /**
     * Bring every gauge up to date. Safe from any thread; samples racing each other both write current values.
     */
    void sample()
    {
        logWarnings.setRelease(Logging.warnings());
        logErrors.setRelease(Logging.errors());
        long total = 0;
        long max = 0;
        long allocated = 0;
        int count = 0;
        for (final ZenithSession session : sessions.get())
        {
            final long queued = session.outbox().size();
            allocated += session.outbox().allocated();
            total += queued;
            max = Math.max(max, queued);
            count++;
        }
        sessionCount.setRelease(count);
        queuedBytes.setRelease(total);
        queuedBytesMax.setRelease(max);
        outboxBytes.setRelease(allocated);
        readyGauge.setRelease(ready.getAsBoolean() ? 1 : 0);
        drainingGauge.setRelease(draining.getAsBoolean() ? 1 : 0);
        upstreamUp.setRelease(engine.upstreamUp() ? 1 : 0);
        tradingUp.setRelease(engine.tradingUp() ? 1 : 0);
        ordersInFlight.setRelease(engine.ordersInFlight());
    }
}
