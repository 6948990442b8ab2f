package io.meridian.sim;

import io.aeron.Aeron;
import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import io.meridian.config.Setting;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.CompositeAgent;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.nio.file.Path;
import java.util.Map;

/**
 * Runs the simulated {@link FeedServer} and {@link TradingServer} as one process, as one agent on one thread (client
 * orders trade in the Feed Server's books), against an external media driver named by {@code aeron.dir}. Stops
 * cleanly on SIGINT or SIGTERM.
 * <p>
 * Usage: {@code TradingServerMain [--config FILE]}; settings also come from {@code MERIDIAN_*} environment variables
 * and {@code -Dmeridian.*} system properties. The Feed Server listens on {@code upstream.channel} and
 * {@code upstream.control-stream-id}, the Trading Server on {@code trading.channel} and
 * {@code trading.control-stream-id}; both require {@code sim.service-token}.
 */
public final class TradingServerMain
{
    private TradingServerMain()
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
            System.err.println("usage: TradingServerMain [--config FILE]");
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
            System.err.println(Setting.AERON_DIR.key() + ": the simulation needs a running media driver; set " +
                Setting.AERON_DIR.envName() + " or -D" + Setting.AERON_DIR.propertyName() + " to its directory");
            System.exit(2);
        }

        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(config.aeronDir())))
        {
            final FeedServer feedServer = new FeedServer(FeedServer.Context.fromConfig(config, aeron));
            final TradingServer tradingServer =
                new TradingServer(TradingServer.Context.fromConfig(config, aeron), feedServer);
            try (AgentRunner runner = new AgentRunner(new BackoffIdleStrategy(), Throwable::printStackTrace, null,
                new CompositeAgent(feedServer, tradingServer)))
            {
                AgentRunner.startOnThread(runner);
                System.out.println("feed-server: serving " + config.simSecurities() + " securities on " +
                    config.upstreamChannel() + " stream " + config.upstreamControlStreamId() + "; trading-server on " +
                    config.tradingChannel() + " stream " + config.tradingControlStreamId());
                barrier.await();
            }
        }
    }
}
