package io.meridian.gateway;

import io.meridian.config.MeridianConfig;
import io.meridian.engine.MeridianEngine;
import io.meridian.gateway.auth.AdminAccess;
import io.meridian.gateway.auth.DemoIssuer;
import io.meridian.gateway.auth.DemoTokenHandler;
import io.meridian.gateway.auth.JwksHandler;
import io.meridian.gateway.auth.TokenVerifier;
import io.meridian.gateway.http.HttpCacheHandler;
import io.meridian.sim.FeedServer;
import io.meridian.sim.TradingServer;
import io.undertow.Undertow;
import io.undertow.UndertowOptions;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.server.handlers.PathHandler;
import io.undertow.server.handlers.ResponseCodeHandler;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.CompositeAgent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xnio.OptionMap;
import org.xnio.Options;
import org.xnio.Sequence;

import javax.net.ssl.SSLContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * One running Meridian: the engine, the embedded simulated Feed Server when {@code sim.enabled}, the token
 * verifier (or the demo issuer when no identity provider is configured) and the Undertow listeners, plain HTTP on
 * {@code server.port} and HTTPS on {@code tls.port}, each serving {@code /Zenith}, the demo token endpoints,
 * {@code /health} and the admin API. With {@code http-cache.origin} set, the HTTP cache answers every other path from
 * that origin, and {@code /cache/clear} clears it.
 */
public final class MeridianServer implements AutoCloseable
{
    private static final Logger LOG = LoggerFactory.getLogger(MeridianServer.class);
    static final String VERSION = "0.1.0.0";
    /** Reserved for Meridian's own HTTP API; never sent to the HTTP cache's origin. */
    /** How long a drain waits for closed sessions to go, and how often it looks. */
    private static final long CLOSE_WAIT_MS = 5_000;
    private static final long DRAIN_POLL_MS = 50;

    private final MeridianConfig config;
    private final MeridianEngine engine;
    private final AgentRunner simRunner;
    private final FeedServer feedServer;
    private final TradingServer tradingServer;
    private final DemoIssuer demoIssuer;
    private volatile boolean draining;
    private final ZenithEndpoint zenith;
    private final HttpCacheHandler httpCache;
    private final MetricsHandler metrics;
    private final GatewayCounters gatewayCounters;
    private final java.util.concurrent.ScheduledExecutorService sampler;
    private final Undertow undertow;
    private final int port;
    private final int tlsPort;

    private MeridianServer(final MeridianConfig config)
    {
        this.config = config;
        MeridianEngine startedEngine = null;
        AgentRunner startedSim = null;
        Undertow startedUndertow = null;
        HttpCacheHandler startedCache = null;
        MetricsHandler startedMetrics = null;
        try
        {
            // Read the key material first, so that unusable files stop the start before anything runs.
            final SSLContext tls = config.tlsEnabled() ? ServerTls.fromConfig(config) : null;
            startedEngine = MeridianEngine.launch(config);
            if (config.simEnabled())
            {
                feedServer = new FeedServer(FeedServer.Context.fromConfig(config, startedEngine.aeron()).conclude());
                // The Trading Agent matches orders against the Feed Server's books, so both run on one thread.
                tradingServer = config.tradingEnabled() ? new TradingServer(
                    TradingServer.Context.fromConfig(config, startedEngine.aeron()).conclude(), feedServer) : null;
                startedSim = new AgentRunner(
                    feedServer.idleStrategy(MeridianEngine.newIdleStrategy(config.engineIdleStrategy(),
                        config.engineBusyMaxParkNs(), config.engineIdleMaxParkNs())),
                    ex -> LOG.warn("simulator error: " + ex), null,
                    null == tradingServer ? feedServer : new CompositeAgent(feedServer, tradingServer));
                AgentRunner.startOnThread(startedSim);
                LOG.info("simulated Feed Server: " + config.simMarkets() + " markets, " + config.simSecurities() +
                    " securities, " + config.simUpdateRate() + " updates/s; for example " +
                    String.join(", ", feedServer.securityKeys().subList(0, Math.min(4, config.simSecurities()))));
            }
            else
            {
                feedServer = null;
                tradingServer = null;
            }

            final TokenVerifier verifier;
            if (config.demoMode())
            {
                demoIssuer = DemoIssuer.fromConfig(config);
                verifier = demoIssuer.verifier(config.authAlgorithms(), config.authClockSkewSeconds());
            }
            else
            {
                demoIssuer = null;
                verifier = TokenVerifier.fromConfig(config);
            }

            final ZenithRequestHandler requestHandler =
                new ZenithRequestHandler(verifier, config.serverName(), VERSION, config.tradingAllowPlainConnections());
            zenith = new ZenithEndpoint(startedEngine.proxy(), verifier, requestHandler,
                config.sessionSendBufferBytes(), config.sessionMaxFrameBytes(), SessionLimits.fromConfig(config),
                new SessionTraffic(startedEngine.countersFile()));

            gatewayCounters = new GatewayCounters(startedEngine, zenith::sessions, () -> notReadyReasons().isEmpty(),
                () -> draining);
            final AdminAccess adminAccess = new AdminAccess(verifier);
            if (config.httpCacheEnabled())
            {
                startedCache = new HttpCacheHandler(config, adminAccess, System::currentTimeMillis);
                startedCache.counters(startedEngine.countersFile());
                LOG.info("HTTP cache in front of " + config.httpCacheOrigin() + ", " +
                    config.httpCacheMaxBytes() / (1024 * 1024) + " MiB");
            }
            httpCache = startedCache;
            verifier.onRejected(gatewayCounters::authFailure);
            startedMetrics = new MetricsHandler(startedEngine.countersFile().reader(), this::sampleCounters);
            metrics = startedMetrics;

            // With an origin, every path Meridian does not own is the origin's.
            final PathHandler paths = new PathHandler(null == httpCache ? ResponseCodeHandler.HANDLE_404 :
                httpCache.handler())
                .addExactPath("/Zenith", zenith.handler())
                .addExactPath("/health", this::health)
                .addExactPath("/ready", this::ready)
                .addExactPath(MetricsHandler.PATH, metrics)
                .addPrefixPath(AdminHandler.PATH, new AdminHandler(adminAccess, zenith, startedEngine.proxy(),
                    startedEngine.countersFile().reader(), this::sampleCounters))
                .addExactPath(HttpCacheHandler.CLEAR_PATH, null == httpCache ? MeridianServer::httpCacheOff :
                    httpCache.clearHandler());
            final HttpHandler reserved = ResponseCodeHandler.HANDLE_404;
            paths.addPrefixPath(MarketApiHandler.PATH, new MarketApiHandler(startedEngine.proxy(), adminAccess,
                config.sessionSendBufferBytes()));
            final ConsoleHandler console = new ConsoleHandler(config, null != demoIssuer, VERSION);
            paths.addPrefixPath(ConsoleHandler.PATH, console);
            if (null == httpCache)
            {
                paths.addExactPath("/", console.page());
            }
            if (null != demoIssuer)
            {
                paths.addExactPath("/.well-known/jwks.json", new JwksHandler(demoIssuer))
                    .addExactPath("/demo/token", new DemoTokenHandler(demoIssuer));
            }
            else
            {
                paths.addExactPath("/.well-known/jwks.json", reserved)
                    .addExactPath("/demo/token", reserved);
            }

            final MeridianEngine runningEngine = startedEngine;
            final Undertow.Builder builder = Undertow.builder()
                .setIoThreads(config.serverIoThreads())
                // A request to the origin holds a worker thread while it streams; hits and waiters hold none.
                .setWorkerThreads(Math.max(2, config.serverIoThreads()) +
                    (null == httpCache ? 0 : config.httpCacheOriginConnections() + 2))
                .setServerOption(UndertowOptions.MAX_ENTITY_SIZE, 1024L * 1024L)
                .setHandler(paths);
            if (config.serverPlainHttp())
            {
                builder.addHttpListener(config.serverPort(), config.serverHost());
            }
            if (null != tls)
            {
                builder.addListener(new Undertow.ListenerBuilder()
                    .setType(Undertow.ListenerType.HTTPS)
                    .setPort(config.tlsPort())
                    .setHost(config.serverHost())
                    .setSslContext(tls)
                    .setOverrideSocketOptions(OptionMap.create(Options.SSL_ENABLED_PROTOCOLS,
                        Sequence.of(ServerTls.PROTOCOLS))));
            }
            startedUndertow = builder.build();
            startedUndertow.start();
            int plainPort = -1;
            int securePort = -1;
            for (final Undertow.ListenerInfo listener : startedUndertow.getListenerInfo())
            {
                final int bound = ((InetSocketAddress)listener.getAddress()).getPort();
                if ("https".equals(listener.getProtcol()))
                {
                    securePort = bound;
                }
                else
                {
                    plainPort = bound;
                }
            }
            undertow = startedUndertow;
            // Gauges in a counters file are read by other processes, so they are kept current without a reader.
            sampler = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(task ->
            {
                final Thread thread = new Thread(task, "meridian-counters");
                thread.setDaemon(true);
                return thread;
            });
            sampler.scheduleAtFixedRate(this::sampleCounters, 1, 1, java.util.concurrent.TimeUnit.SECONDS);
            port = plainPort;
            tlsPort = securePort;
            engine = runningEngine;
            simRunner = startedSim;
            LOG.info("listening on " + config.serverHost() + ": " +
                (-1 == port ? "plain HTTP off (server.plain-http=false)" : "HTTP and WebSocket on port " + port) +
                (-1 == tlsPort ? "; no TLS listener (tls.port=-1)" :
                "; HTTPS and WSS on port " + tlsPort + " (" + String.join(", ", ServerTls.PROTOCOLS) + ")"));
        }
        catch (final RuntimeException ex)
        {
            if (null != startedUndertow)
            {
                // A listener bound before another failed to bind must not keep its port.
                stopQuietly(startedUndertow);
            }
            CloseHelper.quietCloseAll(startedCache, startedMetrics, startedSim, startedEngine);
            throw ex;
        }
    }

    private void sampleCounters()
    {
        try
        {
            gatewayCounters.sample();
            if (null != httpCache)
            {
                httpCache.sample();
            }
        }
        catch (final RuntimeException ex)
        {
            // A failed sample must not end the sampling: the next one may well succeed.
            LOG.warn("sampling the gauges failed: " + ex);
        }
    }

    private static void stopQuietly(final Undertow undertow)
    {
        try
        {
            undertow.stop();
        }
        catch (final RuntimeException ex)
        {
            LOG.debug("stopping a half-started listener: {}", ex.toString());
        }
    }

    /**
     * Start everything the settings ask for.
     *
     * @param config validated settings.
     * @return the running server.
     */
    public static MeridianServer start(final MeridianConfig config)
    {
        return new MeridianServer(config);
    }

    /**
     * @return the bound plain HTTP port (useful when {@code server.port} is 0), or -1 when
     *     {@code server.plain-http} is false.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return the bound HTTPS port (useful when {@code tls.port} is 0), or -1 without a TLS listener.
     */
    public int tlsPort()
    {
        return tlsPort;
    }

    /**
     * @return true when tokens come from the built-in demo issuer.
     */
    public boolean demoMode()
    {
        return null != demoIssuer;
    }

    /**
     * @return the embedded simulated Trading Agent, or null when the upstream is external or trading is off.
     */
    public TradingServer tradingServer()
    {
        return tradingServer;
    }

    /**
     * @return the embedded simulated Feed Server, or null when the upstream is external.
     */
    public FeedServer feedServer()
    {
        return feedServer;
    }

    public MeridianEngine engine()
    {
        return engine;
    }

    /**
     * @param userId a user.
     * @return the user's authenticated Zenith sessions, as the sessions-per-user limit counts them.
     */
    int sessionsOf(final String userId)
    {
        return zenith.sessionsOf(userId);
    }

    /**
     * @return the number of open Zenith sessions.
     */
    public int sessionCount()
    {
        return zenith.sessionCount();
    }

    /**
     * {@code /health}: 200 while the process runs, with the state of its links; for liveness probes.
     */
    private void health(final HttpServerExchange exchange)
    {
        final boolean up = engine.upstreamUp();
        final String trading = !config.tradingEnabled() ? "OFF" : engine.tradingUp() ? "UP" : "CONNECTING";
        json(exchange, StatusCodes.OK, "{\"status\":\"UP\",\"upstream\":\"" + (up ? "UP" : "CONNECTING") +
            "\",\"trading\":\"" + trading + "\",\"sessions\":" + zenith.sessionCount() + ",\"demo\":" +
            demoMode() + ",\"draining\":" + draining + "}");
    }

    /**
     * {@code /ready}: 200 when this server should get new clients: not draining, every upstream link up and the
     * market list live in the cache; else 503 with the reasons. For load balancers and readiness probes.
     */
    private void ready(final HttpServerExchange exchange)
    {
        final List<String> reasons = notReadyReasons();
        final StringBuilder body = new StringBuilder("{\"ready\":").append(reasons.isEmpty())
            .append(",\"reasons\":[");
        for (int i = 0; i < reasons.size(); i++)
        {
            body.append(i == 0 ? "\"" : ",\"").append(reasons.get(i)).append('"');
        }
        json(exchange, reasons.isEmpty() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
            body.append("]}").toString());
    }

    /**
     * @return why this server should not get new clients now; empty when it should.
     */
    public List<String> notReadyReasons()
    {
        final List<String> reasons = new ArrayList<>(4);
        if (draining)
        {
            reasons.add("draining");
        }
        if (!engine.upstreamUp())
        {
            reasons.add("upstream down");
        }
        else if (!engine.marketsLive())
        {
            reasons.add("markets not yet cached");
        }
        if (config.tradingEnabled() && !engine.tradingUp())
        {
            reasons.add("trading agent down");
        }
        return reasons;
    }

    private static void json(final HttpServerExchange exchange, final int status, final String body)
    {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(body);
    }

    /**
     * Drain before a stop: from now on {@code /ready} answers 503 and new WebSocket sessions are refused; connected
     * clients are served for {@code graceMs} more (skipped when none is connected) so a load balancer can take this
     * server out; then order requests in flight are given up to {@code ordersTimeoutMs} to be answered, every client
     * is closed with 1001, and orders sent in the meantime are waited for again. Blocks; call {@link #close()} after.
     *
     * @param graceMs         how long connected clients keep being served.
     * @param ordersTimeoutMs the longest wait for order requests in flight, each time.
     * @param log             progress lines, for the operator.
     */
    public void drain(final long graceMs, final long ordersTimeoutMs, final Consumer<String> log)
    {
        draining = true;
        zenith.refuseNewSessions();
        final int sessions = zenith.sessionCount();
        if (sessions > 0 && graceMs > 0)
        {
            log.accept("draining: not ready; serving " + sessions + " session(s) for " + graceMs + " ms more");
            sleep(graceMs);
        }
        awaitOrders(ordersTimeoutMs, log);
        if (zenith.sessionCount() > 0)
        {
            log.accept("draining: closing " + zenith.sessionCount() + " session(s) with 1001");
            zenith.closeAllGoingAway();
            final long deadline = System.currentTimeMillis() + CLOSE_WAIT_MS;
            while (zenith.sessionCount() > 0 && System.currentTimeMillis() < deadline)
            {
                sleep(DRAIN_POLL_MS);
            }
        }
        awaitOrders(ordersTimeoutMs, log);
    }

    private void awaitOrders(final long timeoutMs, final Consumer<String> log)
    {
        final long deadline = System.currentTimeMillis() + timeoutMs;
        if (engine.ordersInFlight() > 0)
        {
            log.accept("draining: waiting for " + engine.ordersInFlight() + " order request(s) in flight");
        }
        while (engine.ordersInFlight() > 0 && System.currentTimeMillis() < deadline)
        {
            sleep(DRAIN_POLL_MS);
        }
        if (engine.ordersInFlight() > 0)
        {
            log.accept("draining: " + engine.ordersInFlight() + " order request(s) still unanswered after " +
                timeoutMs + " ms");
        }
    }

    private static void sleep(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return true once {@link #drain} has begun.
     */
    public boolean draining()
    {
        return draining;
    }

    private static void httpCacheOff(final HttpServerExchange exchange)
    {
        AdminAccess.error(exchange, StatusCodes.NOT_FOUND, "the HTTP cache is off: http-cache.origin is empty");
    }

    @Override
    public void close()
    {
        sampler.shutdownNow();
        undertow.stop();
        CloseHelper.quietCloseAll(httpCache, metrics, simRunner, engine);
    }

    MeridianConfig config()
    {
        return config;
    }

    /**
     * @return the HTTP cache, or null when {@code http-cache.origin} is empty.
     */
    HttpCacheHandler httpCache()
    {
        return httpCache;
    }

    /**
     * @return the demo issuer, or null outside demo mode.
     */
    DemoIssuer demoIssuer()
    {
        return demoIssuer;
    }
}
