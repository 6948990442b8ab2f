package io.meridian.sim;

import io.meridian.config.MeridianConfig;

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
        SimLauncher.run(args, "FeedServerMain", "the Feed Server",
            (config, aeron) ->
            {
                final FeedServer feedServer = new FeedServer(FeedServer.Context.fromConfig(config, aeron));
                return SimLauncher.Launched.of(feedServer, feedServer);
            },
            FeedServerMain::banner);
    }

    /**
     * @return the line announcing what the Feed Server serves, and where.
     */
    static String banner(final MeridianConfig config)
    {
        return "feed-server: serving " + config.simSecurities() + " securities on " + config.upstreamChannel() +
            " stream " + config.upstreamControlStreamId();
    }
}
