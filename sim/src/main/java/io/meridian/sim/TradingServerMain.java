package io.meridian.sim;

import io.aeron.Aeron;
import io.meridian.config.MeridianConfig;
import org.agrona.concurrent.CompositeAgent;

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
        SimLauncher.run(args, "TradingServerMain", "the simulation", TradingServerMain::newAgent,
            config -> FeedServerMain.banner(config) + "; trading-server on " + config.tradingChannel() + " stream " +
            config.tradingControlStreamId());
    }

    private static SimLauncher.Launched newAgent(final MeridianConfig config, final Aeron aeron)
    {
        final FeedServer feedServer = new FeedServer(FeedServer.Context.fromConfig(config, aeron));
        final TradingServer tradingServer =
            new TradingServer(TradingServer.Context.fromConfig(config, aeron), feedServer);
        return SimLauncher.Launched.of(new CompositeAgent(feedServer, tradingServer), feedServer);
    }
}
