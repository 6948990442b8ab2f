package io.meridian.gateway;

import io.meridian.engine.EngineCounters;
import io.meridian.engine.MeridianEngine;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * {@code GET /metrics}: every counter and gauge in the Prometheus text format, from Micrometer. The engine's counters
 * are read where they are (the engine keeps writing them without allocating); JVM memory, GC, threads, class loading,
 * CPU and uptime come from Micrometer's binders. Names: {@code meridian_engine_security_updates_total} for
 * {@code engine.security-updates}, and so on.
 */
final class MetricsHandler implements HttpHandler, AutoCloseable
{
    static final String PATH = "/metrics";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();

    /**
     * @param engine   the engine, for its counters and link states.
     * @param sessions open Zenith sessions.
     * @param ready    whether the server should get new clients ({@code /ready}).
     * @param draining whether a drain has begun.
     */
    MetricsHandler(
        final MeridianEngine engine,
        final java.util.function.IntSupplier sessions,
        final BooleanSupplier ready,
        final BooleanSupplier draining)
    {
        // Micrometer holds a gauge's state weakly; the suppliers here live only in this registry, so they are held
        // strongly.
        final EngineCounters counters = engine.counters();
        final List<String> names = new ArrayList<>();
        counters.forEach((name, value) -> names.add(name));
        for (final String name : names)
        {
            FunctionCounter.builder("meridian." + name, counters, c -> valueOf(c, name))
                .description("see meridian stat: " + name)
                .register(registry);
        }
        FunctionCounter.builder("meridian.log.warnings", this, m -> Logging.warnings())
            .description("warnings logged").register(registry);
        FunctionCounter.builder("meridian.log.errors", this, m -> Logging.errors())
            .description("errors logged").register(registry);
        Gauge.builder("meridian.sessions", sessions, s -> s.getAsInt())
            .description("open Zenith WebSocket sessions").strongReference(true).register(registry);
        Gauge.builder("meridian.orders.in.flight", engine, e -> e.ordersInFlight())
            .description("order requests sent to the Trading Agent and not yet answered").register(registry);
        Gauge.builder("meridian.upstream.up", engine, e -> e.upstreamUp() ? 1 : 0)
            .description("1 while the upstream (Feed Server or Meridian) link is up").register(registry);
        Gauge.builder("meridian.trading.up", engine, e -> e.tradingUp() ? 1 : 0)
            .description("1 while the Trading Agent link is up").register(registry);
        Gauge.builder("meridian.ready", ready, r -> r.getAsBoolean() ? 1 : 0)
            .description("1 when /ready answers 200").strongReference(true).register(registry);
        Gauge.builder("meridian.draining", draining, d -> d.getAsBoolean() ? 1 : 0)
            .description("1 once a drain has begun").strongReference(true).register(registry);
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    private static double valueOf(final EngineCounters counters, final String name)
    {
        final long[] value = {0};
        counters.forEach((counter, v) ->
        {
            if (counter.equals(name))
            {
                value[0] = v;
            }
        });
        return value[0];
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange)
    {
        if (!Methods.GET.equals(exchange.getRequestMethod()) && !Methods.HEAD.equals(exchange.getRequestMethod()))
        {
            exchange.setStatusCode(StatusCodes.METHOD_NOT_ALLOWED);
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            exchange.endExchange();
            return;
        }
        if (exchange.isInIoThread())
        {
            // A scrape reads MXBeans and formats a few kilobytes: not on the IO thread.
            exchange.dispatch(this);
            return;
        }
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseSender().send(registry.scrape());
    }

    @Override
    public void close()
    {
        gcMetrics.close();
        registry.close();
    }
}
