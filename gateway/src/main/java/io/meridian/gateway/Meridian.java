package io.meridian.gateway;

import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import io.meridian.config.Setting;
import io.meridian.gateway.http.ClearCacheCommand;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * The launcher: {@code java -jar meridian.jar [--port N] [--origin URL] [--config FILE] [--set key=value]...}. Reads
 * the settings, starts a {@link MeridianServer}, tells how to connect, and stops cleanly on SIGTERM or Ctrl-C.
 * {@code --clear-cache} instead asks the Meridian running on this host's port to clear its HTTP cache;
 * {@code check-config FILE} checks settings without starting; {@code --version} prints the version.
 */
public final class Meridian
{
    private static final Logger LOG = LoggerFactory.getLogger(Meridian.class);
    private static final String CLEAR_CACHE = "--clear-cache";
    private static final String CHECK_CONFIG = "check-config";
    private static final String STAT = "stat";
    private static final String VERSION_FLAG = "--version";

    private Meridian()
    {
    }

    public static void main(final String[] args)
    {
        if (args.length > 0 && (VERSION_FLAG.equals(args[0]) || "-V".equals(args[0])))
        {
            System.out.println(version());
            System.exit(0);
            return;
        }
        if (args.length > 0 && CHECK_CONFIG.equals(args[0]))
        {
            System.exit(checkConfig(Arrays.copyOfRange(args, 1, args.length), System.getenv(), System.out,
                System.err));
            return;
        }
        // Operator commands take settings options too (the shipped launcher puts --config first).
        if (Arrays.asList(args).contains(STAT))
        {
            System.exit(stat(args, System.getenv(), System.out, System.err));
            return;
        }
        if (Arrays.asList(args).contains(CLEAR_CACHE))
        {
            System.exit(clearCache(args, System.getenv(), System.out, System.err));
            return;
        }
        final MeridianConfig config;
        try
        {
            config = configFrom(args);
        }
        catch (final ConfigException ex)
        {
            System.err.println("meridian: " + ex.getMessage());
            System.exit(2);
            return;
        }
        catch (final UsageException ex)
        {
            System.err.println(ex.getMessage());
            System.exit(ex.exitCode);
            return;
        }
        Logging.configure(config);

        final MeridianServer server;
        try
        {
            server = MeridianServer.start(config);
        }
        catch (final ConfigException ex)
        {
            System.err.println("meridian: " + ex.getMessage());
            System.exit(2);
            return;
        }
        catch (final RuntimeException ex)
        {
            if (causedBy(ex, java.net.BindException.class))
            {
                System.err.println("meridian: " + listenSettings(config) + ": cannot listen on " +
                    config.serverHost() + ":" + listenPorts(config) + " (" + ex.getMessage() +
                    "); is another process using it?");
            }
            else
            {
                System.err.println("meridian: failed to start: " + ex);
            }
            System.exit(1);
            return;
        }

        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() ->
        {
            LOG.info("stopping");
            server.drain(config.serverDrainGraceSeconds() * 1000L, config.tradingActionTimeoutMs(), LOG::info);
            server.close();
            LOG.info("stopped");
            stopped.countDown();
        }, "meridian-shutdown"));

        announce(server, config);
        try
        {
            stopped.await();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean causedBy(final Throwable error, final Class<? extends Throwable> type)
    {
        for (Throwable cause = error; null != cause; cause = cause.getCause())
        {
            if (type.isInstance(cause))
            {
                return true;
            }
        }
        return false;
    }

    private static String listenSettings(final MeridianConfig config)
    {
        if (!config.tlsEnabled())
        {
            return Setting.SERVER_PORT.key();
        }
        return config.serverPlainHttp() ? Setting.SERVER_PORT.key() + " or " + Setting.TLS_PORT.key() :
            Setting.TLS_PORT.key();
    }

    private static String listenPorts(final MeridianConfig config)
    {
        if (!config.tlsEnabled())
        {
            return String.valueOf(config.serverPort());
        }
        return config.serverPlainHttp() ? config.serverPort() + " or " + config.tlsPort() :
            String.valueOf(config.tlsPort());
    }

    private static void announce(final MeridianServer server, final MeridianConfig config)
    {
        final String host = "0.0.0.0".equals(config.serverHost()) ? "localhost" : config.serverHost();
        if (-1 != server.tlsPort())
        {
            LOG.info("Meridian " + MeridianServer.VERSION + " listening on https://" + host + ":" + server.tlsPort());
            LOG.info("Zenith WebSocket: wss://" + host + ":" + server.tlsPort() +
                "/Zenith?version=2.0 (subprotocol ZenithJson)");
        }
        if (-1 != server.port())
        {
            LOG.info("Meridian " + MeridianServer.VERSION + " listening on http://" + host + ":" + server.port());
            LOG.info("Zenith WebSocket: ws://" + host + ":" + server.port() +
                "/Zenith?version=2.0 (subprotocol ZenithJson)");
        }
        final String base = -1 != server.tlsPort() ? "https://" + host + ":" + server.tlsPort() :
            "http://" + host + ":" + server.port();
        if (server.demoMode())
        {
            final String banner = "*".repeat(100);
            LOG.warn(banner);
            LOG.warn("DEMO MODE: no identity provider configured (auth.jwks-url is empty).");
            LOG.warn("A built-in issuer signs tokens for ANY user name. " +
                "Never expose this to a network you do not trust.");
            LOG.warn("Get a token:  curl -s -X POST '" + base + "/demo/token?user=alice'");
            LOG.warn("Keys (JWKS): " + base + "/.well-known/jwks.json");
            LOG.warn(banner);
        }
    }

    /**
     * Layer the settings from the command line, a config file, the environment and system properties.
     *
     * @param args command line.
     * @return validated settings.
     * @throws UsageException for a bad command line.
     */
    static MeridianConfig configFrom(final String[] args) throws UsageException
    {
        return configFrom(args, System.getenv());
    }

    /**
     * {@code meridian --clear-cache [--port N] [--token TOKEN]}: clear the HTTP cache of the Meridian listening on
     * this host at the port the settings name, with the token given, else {@code MERIDIAN_ADMIN_TOKEN}, else one
     * from a demo-mode Meridian's issuer.
     *
     * @param args command line, including {@code --clear-cache}.
     * @param env  the environment.
     * @param out  where the result goes.
     * @param err  where errors go.
     * @return the exit code: 0 cleared, 1 not, 2 for a bad command line.
     */
    static int clearCache(final String[] args, final Map<String, String> env, final PrintStream out,
        final PrintStream err)
    {
        final AdminTarget target = adminTarget(args, CLEAR_CACHE, List.of(), env, err);
        if (target.exitCode >= 0)
        {
            return target.exitCode;
        }
        return ClearCacheCommand.run(target.host, target.port, target.token, out, err);
    }

    /**
     * {@code meridian stat [--file FILE | --port N [--token TOKEN]] [--watch SECONDS [--count N]]}: print the
     * counters of a running Meridian, once or every {@code SECONDS} with rates: from its counters file when
     * {@code --file} or the {@code counters.file} setting names one, else from the Meridian listening on this host
     * at the port the settings name, with the token as for {@code --clear-cache}.
     *
     * @param args command line, including {@code stat}.
     * @param env  the environment.
     * @param out  where the counters go.
     * @param err  where errors go.
     * @return the exit code: 0 printed, 1 not, 2 for a bad command line.
     */
    static int stat(final String[] args, final Map<String, String> env, final PrintStream out, final PrintStream err)
    {
        final AdminTarget target = adminTarget(args, STAT, List.of("--watch", "--count", "--file"), env, err);
        if (target.exitCode >= 0)
        {
            return target.exitCode;
        }
        final int watch;
        final int count;
        try
        {
            watch = Integer.parseInt(target.options.getOrDefault("--watch", "0"));
            count = Integer.parseInt(target.options.getOrDefault("--count", "0"));
        }
        catch (final NumberFormatException ex)
        {
            err.println("meridian: stat: --watch and --count take whole numbers");
            return 2;
        }
        if (watch < 0 || count < 0)
        {
            err.println("meridian: stat: --watch and --count cannot be negative");
            return 2;
        }
        final String file = target.options.getOrDefault("--file", target.countersFile);
        if (!file.isEmpty())
        {
            return StatCommand.runFile(new java.io.File(file), watch, count, out, err);
        }
        return StatCommand.run(target.host, target.port, target.token, watch, count, out, err);
    }

    /**
     * Where an operator command goes and with what token: the command word and its own options are taken out, the
     * rest are settings options as for a start.
     */
    private static final class AdminTarget
    {
        String host;
        int port;
        String token;
        String countersFile;
        /** Set when the command line was help (0) or bad (2): the command ends with it. */
        int exitCode = -1;
        final Map<String, String> options = new HashMap<>();
    }

    private static AdminTarget adminTarget(
        final String[] args,
        final String command,
        final List<String> ownOptions,
        final Map<String, String> env,
        final PrintStream err)
    {
        final AdminTarget target = new AdminTarget();
        target.token = env.get(MeridianConfig.ADMIN_TOKEN_ENV);
        final List<String> rest = new ArrayList<>();
        final MeridianConfig config;
        try
        {
            for (int i = 0; i < args.length; i++)
            {
                if ("--token".equals(args[i]))
                {
                    target.token = value(args, ++i, args[i - 1]);
                }
                else if (ownOptions.contains(args[i]))
                {
                    target.options.put(args[i], value(args, ++i, args[i - 1]));
                }
                else if (!command.equals(args[i]))
                {
                    rest.add(args[i]);
                }
            }
            config = configFrom(rest.toArray(new String[0]), env);
        }
        catch (final UsageException ex)
        {
            err.println(ex.getMessage());
            target.exitCode = ex.exitCode == 0 ? 0 : 2;
            return target;
        }
        catch (final ConfigException ex)
        {
            err.println("meridian: " + ex.getMessage());
            target.exitCode = 2;
            return target;
        }
        final String host = config.serverHost();
        final boolean anyAddress = host.isEmpty() || "0.0.0.0".equals(host) || "::".equals(host);
        target.host = anyAddress ? "127.0.0.1" : host;
        target.port = config.serverPort();
        target.countersFile = config.countersFile();
        return target;
    }

    /**
     * @return the version line {@code --version} prints.
     */
    static String version()
    {
        return "Meridian " + MeridianServer.VERSION + " (Java " + Runtime.version() + ", " +
            System.getProperty("java.vm.name") + ")";
    }

    /**
     * {@code meridian check-config FILE [--set key=value]...}: load the settings as a start would (the file, the
     * environment, system properties, the command line) and check every value, without starting anything. Prints
     * each setting that is not at its default and where its value came from; secrets are shown as {@code ****}.
     *
     * @param args the file, then any options a start takes.
     * @param env  the environment.
     * @param out  where the report goes.
     * @param err  where errors go.
     * @return the exit code: 0 valid, 2 not (or a bad command line).
     */
    static int checkConfig(final String[] args, final Map<String, String> env, final PrintStream out,
        final PrintStream err)
    {
        if (args.length < 1 || args[0].startsWith("-"))
        {
            err.println("usage: meridian check-config FILE [--set key=value]...");
            return 2;
        }
        final String[] withFile = new String[args.length + 1];
        withFile[0] = "--config";
        System.arraycopy(args, 0, withFile, 1, args.length);
        final MeridianConfig config;
        try
        {
            config = configFrom(withFile, env);
        }
        catch (final UsageException ex)
        {
            err.println(ex.getMessage());
            return 2;
        }
        catch (final ConfigException ex)
        {
            err.println("meridian: " + ex.getMessage());
            return 2;
        }
        out.println(args[0] + ": OK");
        for (final Setting setting : Setting.values())
        {
            if (!"default".equals(config.origin(setting)))
            {
                final String value = config.string(setting);
                out.printf("  %-32s %s  (%s)%n", setting.key(),
                    secret(setting) && !value.isEmpty() ? "****" : value, config.origin(setting));
            }
        }
        return 0;
    }

    private static boolean secret(final Setting setting)
    {
        return setting.key().endsWith("password") || setting.key().endsWith("token");
    }

    /**
     * @param args command line.
     * @param env  the environment.
     * @return validated settings.
     * @throws UsageException for a bad command line.
     */
    static MeridianConfig configFrom(final String[] args, final Map<String, String> env) throws UsageException
    {
        final Map<String, String> overrides = new HashMap<>();
        Path configFile = null;
        for (int i = 0; i < args.length; i++)
        {
            final String arg = args[i];
            switch (arg)
            {
                case "--help":
                case "-h":
                    throw new UsageException(usage(), 0);
                case "--port":
                    overrides.put(Setting.SERVER_PORT.key(), value(args, ++i, arg));
                    break;
                case "--origin":
                    overrides.put(Setting.HTTP_CACHE_ORIGIN.key(), value(args, ++i, arg));
                    break;
                case "--config":
                    configFile = Path.of(value(args, ++i, arg));
                    if (!Files.isReadable(configFile))
                    {
                        throw new UsageException("meridian: --config: cannot read " + configFile, 2);
                    }
                    break;
                case "--set":
                    final String pair = value(args, ++i, arg);
                    final int eq = pair.indexOf('=');
                    if (eq <= 0)
                    {
                        throw new UsageException("meridian: --set needs key=value, got '" + pair + "'", 2);
                    }
                    overrides.put(pair.substring(0, eq).trim(), pair.substring(eq + 1));
                    break;
                default:
                    throw new UsageException("meridian: unknown argument '" + arg + "'\n" + usage(), 2);
            }
        }
        return MeridianConfig.load(configFile, env, System.getProperties(), overrides);
    }

    private static String value(final String[] args, final int index, final String option) throws UsageException
    {
        if (index >= args.length)
        {
            throw new UsageException("meridian: " + option + " needs a value", 2);
        }
        return args[index];
    }

    static String usage()
    {
        final StringBuilder text = new StringBuilder()
            .append("usage: java -jar meridian.jar [--port N] [--origin URL] [--config FILE] [--set key=value]...\n")
            .append("       java -jar meridian.jar --clear-cache [--port N] [--token TOKEN]\n")
            .append("       java -jar meridian.jar check-config FILE [--set key=value]...\n")
            .append("       java -jar meridian.jar stat [--file FILE | --port N [--token TOKEN]]\n")
            .append("                                   [--watch SECONDS [--count N]]\n")
            .append("       java -jar meridian.jar --version\n\n")
            .append("--origin URL puts the HTTP cache in front of URL (http-cache.origin; also PROXY_URL).\n")
            .append("--clear-cache clears the HTTP cache of the Meridian running on this host at that port, with\n")
            .append("the token given or MERIDIAN_ADMIN_TOKEN (scope zenith/admin), or in demo mode a demo token.\n")
            .append("check-config checks a settings file (and the environment) as a start would, and starts\n")
            .append("nothing. stat prints the counters of a running Meridian: from its counters file\n")
            .append("(--file, or counters.file), else over the admin API of the one on this host at that port.\n\n")
            .append("Every setting can also come from the environment (MERIDIAN_SERVER_PORT=8080) or a system\n")
            .append("property (-Dmeridian.server.port=8080). Settings:\n");
        for (final Setting setting : Setting.values())
        {
            text.append(String.format("  %-32s %-14s %s%n", setting.key(),
                setting.defaultValue().isEmpty() ? "\"\"" : setting.defaultValue(), setting.description()));
        }
        return text.toString();
    }

    /**
     * The command line could not be used; the message says why, or is the usage text.
     */
    static final class UsageException extends Exception
    {
        private static final long serialVersionUID = 1L;
        final int exitCode;

        UsageException(final String message, final int exitCode)
        {
            super(message);
            this.exitCode = exitCode;
        }
    }
}
