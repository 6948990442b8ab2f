package io.meridian.engine;

import org.agrona.concurrent.IdleStrategy;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Backoff that stays quick while work keeps coming and saves the CPU once it stops: spin, then yield, then park for
 * periods that double from a minimum up to a cap. The cap is short ({@code busyMaxParkNs}) while the thread has done
 * work within the last {@code busyWindowNs}, and long ({@code idleMaxParkNs}) after a quiet spell.
 * <p>
 * A polling thread sees new work only when it next wakes, so its longest park is the most it can add to a
 * message's latency. With a single long cap, a thread taking 1,000 messages a second backs off to parks of some
 * hundreds of microseconds between them and the median message waits for it to wake; with a single short cap, an
 * idle proxy wakes tens of thousands of times a second for nothing. This strategy gives the first case the short
 * cap and the second the long one.
 */
public final class ActivityBackoffIdleStrategy implements IdleStrategy
{
    /** How recently a thread must have done work to count as busy. */
    public static final long BUSY_WINDOW_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private static final int MAX_SPINS = 100;
    private static final int MAX_YIELDS = 10;

    private final long minParkNs;
    private final long busyMaxParkNs;
    private final long idleMaxParkNs;
    private final long busyWindowNs;
    private int spins;
    private int yields;
    private long parkNs;
    private long lastWorkNs = Long.MIN_VALUE / 2;

    /**
     * @param minParkNs     first park after spinning and yielding.
     * @param busyMaxParkNs longest park while busy.
     * @param idleMaxParkNs longest park after a quiet spell.
     * @param busyWindowNs  how recently work must have been done to count as busy.
     */
    public ActivityBackoffIdleStrategy(
        final long minParkNs, final long busyMaxParkNs, final long idleMaxParkNs, final long busyWindowNs)
    {
        this.busyMaxParkNs = Math.min(busyMaxParkNs, idleMaxParkNs);
        this.minParkNs = Math.min(minParkNs, this.busyMaxParkNs);
        this.idleMaxParkNs = idleMaxParkNs;
        this.busyWindowNs = busyWindowNs;
        this.parkNs = this.minParkNs;
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
            lastWorkNs = System.nanoTime();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < MAX_SPINS)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < MAX_YIELDS)
        {
            yields++;
            Thread.yield();
        }
        else
        {
            final long park = parkNs;
            LockSupport.parkNanos(park);
            parkNs = Math.min(park << 1, nextCap(System.nanoTime()));
        }
    }

    /**
     * The longest park allowed now.
     *
     * @param nowNs {@link System#nanoTime()}.
     * @return the busy cap within the busy window of the last work, the idle cap after it.
     */
    long nextCap(final long nowNs)
    {
        return nowNs - lastWorkNs < busyWindowNs ? busyMaxParkNs : idleMaxParkNs;
    }

    /**
     * @return the park the next idle call makes once spinning and yielding are over.
     */
    long nextParkNs()
    {
        return parkNs;
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = minParkNs;
    }

    @Override
    public String alias()
    {
        return "activity-backoff";
    }
}
