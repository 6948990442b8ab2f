package io.meridian.sim;

import io.aeron.Aeron;
import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import io.meridian.config.Setting;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.ShutdownSignalBarrier;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * What the simulation's launchers share: the {@code [--config FILE]} command line, the config from that file, the
 * environment and system properties, the check for an external media driver, and running one agent on its own thread
 * until SIGINT or SIGTERM. A launcher says only which agent it runs and what it announces.
 */
final class SimLauncher
{
    private SimLauncher()
    {
    }

    /**
     * Load the config and run the agent until the process is told to stop. A bad command line or config, or no
     * media driver, ends the process with status 2 and the reason on standard error.
     *
     * @param args     the command line.
     * @param program  name of the launcher, for the usage line.
     * @param runs     what needs the media driver, for the message when none is named, e.g. "the Feed Server".
     * @param newAgent builds the agent on the config and the connected client, and says how its thread waits.
     * @param banner   announcement printed once the agent is running.
     */
    static void run(
        final String[] args,
        final String program,
        final String runs,
        final BiFunction<MeridianConfig, Aeron, Launched> newAgent,
        final Function<MeridianConfig, String> banner)
    {
        Path configFile = null;
        if (2 == args.length && "--config".equals(args[0]))
        {
            configFile = Path.of(args[1]);
        }
        else if (0 != args.length)
        {
            System.err.println("usage: " + program + " [--config FILE]");
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
            System.err.println(Setting.AERON_DIR.key() + ": " + runs + " needs a running media driver; set " +
                Setting.AERON_DIR.envName() + " or -D" + Setting.AERON_DIR.propertyName() + " to its directory");
            System.exit(2);
        }

        try (ShutdownSignalBarrier barrier = new ShutdownSignalBarrier();
            Aeron aeron = Aeron.connect(new Aeron.Context().aeronDirectoryName(config.aeronDir())))
        {
            final Launched launched = newAgent.apply(config, aeron);
            try (AgentRunner runner =
                new AgentRunner(launched.idleStrategy(), Throwable::printStackTrace, null, launched.agent()))
            {
                AgentRunner.startOnThread(runner);
                System.out.println(banner.apply(config));
                barrier.await();
            }
        }
    }

    /**
     * An agent to run, and how its thread waits: the Feed Server's {@link FeedServer#idleStrategy} on the default
     * backoff.
     */
    record Launched(Agent agent, IdleStrategy idleStrategy)
    {
        static Launched of(final Agent agent, final FeedServer feedServer)
        {
            return new Launched(agent, feedServer.idleStrategy(new BackoffIdleStrategy()));
        }
    }
}
