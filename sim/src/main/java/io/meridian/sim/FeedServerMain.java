package io.meridian.sim;

import io.aeron.Aeron;
import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import io.meridian.config.Setting;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.nio.file.Path;
import java.util.Map;

/**
 * Runs the simulated {@link FeedServer} as its own process, on its own thread, against an external media driver named
 * by {@code aeron.dir}. Stops cleanly on SIGINT or SIGTERM.
 * <p>
 * Usage: {@code FeedServerMain [--config FILE]}; settings also come from {@code MERIDIAN_*} environment variables and
 * {@code -Dmeridian.*} system properties.
 */
public final class FeedServerMain
{
    private FeedServerMain()
    {
    }

    /**
     * Entry point.
     *
     * @param args {@code --config FILE}, optional.
     */
    public static void main(final String[] args)
    {
        Path configFile = null;
        if (2 == args.length && "--config".equals(args[0]))
        {
            configFile = Path.of(args[1]);
        }
        else if (0 != args.length)
        {
            System.err.println("usage: FeedServerMain [--config FILE]");
            System.exit(2);
        }

        final MeridianConfig config;
        try
        {
            config = MeridianConfig.load(configFile, System.getenv(), System.getProperties(), Map.of());
        }
        catch (final ConfigException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(2);
            return;
        }

        if (config.aeronDir().isEmpty())
        {
            System.err.println(Setting.AERON_DIR.key() + ": the Feed Server needs a running media driver; set " +
                Setting.AERON_DIR.envName() + " or -D" + Setting.AERON_DIR.propertyName() + " to its directory");
            System.exit(2);
        }

        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(config.aeronDir()));
            AgentRunner runner = new AgentRunner(
                new BackoffIdleStrategy(), Throwable::printStackTrace, null,
                new FeedServer(FeedServer.Context.fromConfig(config, aeron))))
        {
            AgentRunner.startOnThread(runner);
            System.out.println("feed-server: serving " + config.simSecurities() + " securities on " +
                config.upstreamChannel() + " stream " + config.upstreamControlStreamId());
            barrier.await();
        }
    }
}
