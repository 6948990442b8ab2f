package io.meridian.engine;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.LiteTimeoutBlockingWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import io.aeron.Aeron;
import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import io.meridian.config.MeridianConfig;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.agrona.SystemUtil;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SleepingMillisIdleStrategy;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The market-data engine of one Meridian process: an Aeron client (on an embedded media driver unless
 * {@code aeron.dir} names an external one), the upstream poller agent, the Disruptor ring and the cache engine on
 * its consumer thread. Gateways talk to it through {@link #proxy()}.
 */
public final class MeridianEngine implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(MeridianEngine.class);

    private final MediaDriver driver;
    /** Deletes the embedded driver's directory if the JVM exits without closing this engine; null without one. */
    private final Thread driverDirCleanup;
    private final Aeron aeron;
    private final Disruptor<RingEvent> disruptor;
    private final UpstreamPoller poller;
    /** The Trading Agent's poller, or null when trading is switched off. */
    private final UpstreamPoller tradingPoller;
    /** The poller of the control stream downstream proxies link on, or null when none are served. */
    private final DownstreamPoller downstreamPoller;
    private final AgentRunner pollerRunner;
    private final EngineProxy proxy;
    private final CountersFile countersFile;
    private final EngineCounters counters;
    private final CacheEngine cacheEngine;
    private final String idleStrategy;
    private boolean closed;

    private MeridianEngine(final MeridianConfig config)
    {
        final EngineSettings settings = new EngineSettings(config);
        idleStrategy = settings.idleStrategy;
        countersFile = config.countersFile().isEmpty() ? CountersFile.inMemory(CountersFile.DEFAULT_CAPACITY) :
            CountersFile.create(new File(config.countersFile()), CountersFile.DEFAULT_CAPACITY);
        counters = new EngineCounters(countersFile);
        MediaDriver launchedDriver = null;
        Aeron client = null;
        try
        {
            final String aeronDir;
            if (config.aeronDir().isEmpty())
            {
                final File parent = embeddedDriverParent();
                removeDeadDriverDirs(parent);
                aeronDir = new File(parent, "meridian-aeron-" + UUID.randomUUID()).getAbsolutePath();
                launchedDriver = MediaDriver.launch(new MediaDriver.Context()
                    .aeronDirectoryName(aeronDir)
                    .threadingMode(ThreadingMode.SHARED)
                    .sharedIdleStrategy(
                        newIdleStrategy(settings.idleStrategy, settings.busyMaxParkNs, settings.idleMaxParkNs))
                    .dirDeleteOnStart(true)
                    .dirDeleteOnShutdown(true));
                LOG.info("embedded Aeron media driver in " + aeronDir);
            }
            else
            {
                aeronDir = config.aeronDir();
                LOG.info("using external Aeron media driver in " + aeronDir);
            }
            client = Aeron.connect(new Aeron.Context().aeronDirectoryName(aeronDir));
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietCloseAll(client, launchedDriver, countersFile);
            throw ex;
        }
        driver = launchedDriver;
        if (null != launchedDriver)
        {
            // The directory holds the driver's logs, in memory under /dev/shm: an engine a program never closes
            // must not leave them behind when the JVM exits.
            final File dir = new File(launchedDriver.aeronDirectoryName());
            driverDirCleanup = new Thread(() -> IoUtil.delete(dir, true), "meridian-aeron-dir-cleanup");
            Runtime.getRuntime().addShutdownHook(driverDirCleanup);
        }
        else
        {
            driverDirCleanup = null;
        }
        aeron = client;

        disruptor = new Disruptor<>(
            () -> new RingEvent(settings.slotBytes),
            settings.ringSize,
            runnable -> newThread(runnable, "meridian-engine"),
            ProducerType.MULTI,
            newWaitStrategy(settings.idleStrategy));
        poller = new UpstreamPoller(aeron, disruptor.getRingBuffer(), settings, SystemEpochClock.INSTANCE);
        tradingPoller = settings.tradingEnabled ? new UpstreamPoller(aeron, disruptor.getRingBuffer(), settings,
            settings.trading, UpstreamLink.TRADING, SystemEpochClock.INSTANCE) : null;
        poller.ringFullCounter(counters.ringFullUpstream);
        if (null != tradingPoller)
        {
            tradingPoller.ringFullCounter(counters.ringFullUpstream);
        }
        poller.sharedLostCounter(counters.upstreamSharedLost);
        final UpstreamSender tradingSender = null == tradingPoller ? CacheEngine.NO_UPSTREAM :
            tradingPoller.controlPublication()::offer;
        cacheEngine = new CacheEngine(poller.controlPublication()::offer, tradingSender, counters,
            SystemEpochClock.INSTANCE, settings.maxIdleItems, settings.idleTimeoutMs, settings.slowConsumerTimeoutMs,
            settings.tradeHistory, settings.actionTimeoutMs);
        cacheEngine.maxSubscriptionsPerSession(settings.maxSubscriptionsPerSession);
        cacheEngine.downstream().identity(settings.clientName, (int)settings.heartbeatIntervalMs);
        downstreamPoller = settings.downstreamEnabled ? new DownstreamPoller(
            aeron, disruptor.getRingBuffer(), settings, SystemEpochClock.INSTANCE, counters) : null;
        if (null != downstreamPoller && !settings.downstreamSharedChannel.isEmpty())
        {
            // One publication for the market-data updates of every link that reads it; closed with the client.
            cacheEngine.downstream().sharedPublication(aeron.addExclusivePublication(
                settings.downstreamSharedChannel, settings.downstreamSharedStreamId));
        }
        cacheEngine.ring(disruptor.getRingBuffer());
        disruptor.handleEventsWith(cacheEngine);
        disruptor.setDefaultExceptionHandler(new EngineExceptionHandler(counters));
        proxy = new EngineProxy(disruptor.getRingBuffer(), counters.ringFullGateway);
        // The pollers share one thread: control and trading traffic is light, and a 2-core machine has no thread to
        // spare.
        final java.util.ArrayList<org.agrona.concurrent.Agent> pollers = new java.util.ArrayList<>();
        pollers.add(poller);
        if (null != tradingPoller)
        {
            pollers.add(tradingPoller);
        }
        if (null != downstreamPoller)
        {
            pollers.add(downstreamPoller);
        }
        pollerRunner = new AgentRunner(
            newIdleStrategy(settings.idleStrategy, settings.busyMaxParkNs, settings.idleMaxParkNs),
            counters::recordError, null,
            pollers.size() == 1 ? poller : new org.agrona.concurrent.CompositeAgent(pollers));
    }

    /**
     * Start the engine: media driver (embedded unless configured), ring consumer thread, upstream poller thread.
     *
     * @param config validated settings.
     * @return the running engine.
     */
    public static MeridianEngine launch(final MeridianConfig config)
    {
        final MeridianEngine engine = new MeridianEngine(config);
        engine.disruptor.start();
        AgentRunner.startOnThread(engine.pollerRunner);
        return engine;
    }

    /**
     * @return the Aeron client, shared with an embedded simulator.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @return the way gateway threads send commands to the engine.
     */
    public EngineProxy proxy()
    {
        return proxy;
    }

    public EngineCounters counters()
    {
        return counters;
    }

    /**
     * @return every counter of the process; the gateway adds its own here.
     */
    public CountersFile countersFile()
    {
        return countersFile;
    }

    /**
     * @return true once the upstream answered Hello with Welcome and has not gone silent since.
     */
    public boolean upstreamUp()
    {
        return poller.linkState() == UpstreamPoller.LinkState.UP;
    }

    /**
     * @return true once the Trading Agent answered Hello with Welcome and has not gone silent since; false when
     * trading is switched off.
     */
    public boolean tradingUp()
    {
        return null != tradingPoller && tradingPoller.linkState() == UpstreamPoller.LinkState.UP;
    }

    /**
     * @return order requests the engine has sent to the Trading Agent and not yet seen answered or timed out (as of
     * the engine's last batch, so up to a housekeeping interval late when idle).
     */
    public int ordersInFlight()
    {
        return cacheEngine.ordersInFlight();
    }

    /**
     * @return true while the market list is live from the upstream: the cache has what a new client asks for first.
     */
    public boolean marketsLive()
    {
        return cacheEngine.marketsLive();
    }

    /**
     * @return the idle strategy name every Meridian agent uses, from {@code engine.idle-strategy}.
     */
    public String idleStrategyName()
    {
        return idleStrategy;
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        CloseHelper.quietClose(pollerRunner);
        try
        {
            disruptor.shutdown(5, TimeUnit.SECONDS);
        }
        catch (final com.lmax.disruptor.TimeoutException ex)
        {
            disruptor.halt();
        }
        CloseHelper.quietCloseAll(aeron, driver, countersFile);
        if (null != driverDirCleanup)
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(driverDirCleanup);
            }
            catch (final IllegalStateException ex)
            {
                // Closed from another shutdown hook: the JVM is exiting and the hook runs anyway.
            }
        }
    }

    /** Free space {@code /dev/shm} needs for the embedded driver to use it. */
    static final long MIN_SHM_BYTES = 1L << 30;

    /**
     * Delete the directories embedded drivers left behind when their process was killed: named as ours, untouched for
     * a minute (so not one starting now) and with no live driver in them. Under {@code /dev/shm} they would hold
     * memory until the machine restarts.
     */
    static void removeDeadDriverDirs(final File parent)
    {
        final File[] dirs = parent.listFiles((dir, name) -> name.startsWith("meridian-aeron-"));
        if (null == dirs)
        {
            return;
        }
        final long now = System.currentTimeMillis();
        for (final File dir : dirs)
        {
            if (now - dir.lastModified() > DEAD_DRIVER_AGE_MS && !CommonContext.isDriverActive(dir,
                DEAD_DRIVER_AGE_MS, message -> { }))
            {
                IoUtil.delete(dir, true);
                LOG.info("removed the directory of a stopped embedded media driver: " + dir);
            }
        }
    }

    /** How long a driver directory must have been left alone, and its driver silent, before it counts as dead. */
    static final long DEAD_DRIVER_AGE_MS = 60_000;

    /**
     * Where the embedded media driver's directory goes: {@code /dev/shm} on Linux, where it is memory, when it has
     * room for the logs (at least {@link #MIN_SHM_BYTES} free; containers often give it 64 MiB), else the temporary
     * directory. The driver's logs are memory-mapped files written at the rate of the market data; on a disk
     * file system the kernel writes their dirty pages back every few seconds, and a page being written back stalls
     * the thread that next writes it (20 to 30 ms every 4 s at 10,000 updates a second, in
     * {@code bench/results/fanout.md}).
     *
     * @return the parent directory.
     */
    static File embeddedDriverParent()
    {
        final File shm = new File("/dev/shm");
        final boolean roomy = shm.isDirectory() && shm.canWrite() && shm.getUsableSpace() >= MIN_SHM_BYTES;
        return SystemUtil.isLinux() && roomy ? shm : new File(System.getProperty("java.io.tmpdir"));
    }

    /**
     * @param name          backoff, sleeping, yielding or busy-spin.
     * @param busyMaxParkNs longest park of backoff while busy ({@code engine.busy-max-park-us}).
     * @param idleMaxParkNs longest park of backoff after a quiet spell ({@code engine.idle-max-park-us}).
     * @return a new idle strategy of that kind.
     */
    public static IdleStrategy newIdleStrategy(final String name, final long busyMaxParkNs, final long idleMaxParkNs)
    {
        switch (name)
        {
            case "busy-spin":
                return new BusySpinIdleStrategy();
            case "yielding":
                return new YieldingIdleStrategy();
            case "sleeping":
                return new SleepingMillisIdleStrategy(1);
            default:
                return new ActivityBackoffIdleStrategy(TimeUnit.MICROSECONDS.toNanos(10), busyMaxParkNs,
                    idleMaxParkNs, ActivityBackoffIdleStrategy.BUSY_WINDOW_NS);
        }
    }

    private static WaitStrategy newWaitStrategy(final String name)
    {
        switch (name)
        {
            case "busy-spin":
                return new BusySpinWaitStrategy();
            case "yielding":
                return new YieldingWaitStrategy();
            default:
                return new LiteTimeoutBlockingWaitStrategy(100, TimeUnit.MILLISECONDS);
        }
    }

    private static Thread newThread(final Runnable runnable, final String name)
    {
        final Thread thread = new Thread(runnable, name);
        thread.setDaemon(true);
        return thread;
    }
}
