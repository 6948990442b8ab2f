package io.meridian.sim;

import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * How the simulation's thread waits while it sends stamped updates at a fixed rate: like the strategy it wraps, but
 * never asleep past the moment the next update falls due. Without it a thread that has backed off to its longest
 * park (1 ms) sends an update up to that much late, and the lateness is measured downstream as if the proxy had
 * added it. With it an update leaves within the kernel's timer slack of its time (about 50 µs on Linux), and the
 * thread does not spin for it.
 */
final class PacedIdleStrategy implements IdleStrategy
{
    /** The longest park of any strategy {@code engine.idle-strategy} names. */
    static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(1);

    private final IdleStrategy delegate;
    private final LongSupplier nextDueNs;
    private final NanoClock clock;

    /**
     * @param delegate  how to wait when the next update is at least {@link #MAX_PARK_NS} away.
     * @param nextDueNs the {@link NanoClock} time the next update is due.
     * @param clock     the clock that time is on.
     */
    PacedIdleStrategy(final IdleStrategy delegate, final LongSupplier nextDueNs, final NanoClock clock)
    {
        this.delegate = delegate;
        this.nextDueNs = nextDueNs;
        this.clock = clock;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            delegate.reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        final long wait = nextDueNs.getAsLong() - clock.nanoTime();
        if (wait >= MAX_PARK_NS)
        {
            delegate.idle();
        }
        else if (wait > 0)
        {
            LockSupport.parkNanos(wait);
        }
    }

    @Override
    public void reset()
    {
        delegate.reset();
    }

    @Override
    public String alias()
    {
        return "paced-" + delegate.alias();
    }
}
