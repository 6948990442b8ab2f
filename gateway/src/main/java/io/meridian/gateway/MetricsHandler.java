package io.meridian.gateway;

import io.meridian.engine.CountersFile;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Tags;
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

import org.agrona.collections.IntHashSet;
import org.agrona.concurrent.status.CountersReader;

/**
 * {@code GET /metrics}: every counter and gauge in the Prometheus text format, from Micrometer. Meridian's own
 * counters are the Agrona counters of its {@link CountersFile}, read where they are (the engine keeps writing them
 * without allocating); JVM memory, GC, threads, class loading, CPU and uptime come from Micrometer's binders.
 * A counter labelled {@code engine.security-updates} is {@code meridian_engine_security_updates_total}; one labelled
 * {@code auth.failures reason=expired} is {@code meridian_auth_failures_total{reason="expired"}}; gauges have no
 * {@code _total}.
 */
final class MetricsHandler implements HttpHandler, AutoCloseable
{
    static final String PATH = "/metrics";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gcMetrics = new JvmGcMetrics();
    private final CountersReader counters;
    private final Runnable sample;
    private final IntHashSet registered = new IntHashSet();

    /**
     * @param counters every Meridian counter.
     * @param sample   brings the gauges up to date; run before every scrape.
     */
    MetricsHandler(final CountersReader counters, final Runnable sample)
    {
        this.counters = counters;
        this.sample = sample;
        registerNewCounters();
        new JvmMemoryMetrics().bindTo(registry);
        gcMetrics.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ClassLoaderMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /**
     * Counters can be added while the server runs (a token rejected for a reason not seen before): each scrape
     * registers the ones it has not met.
     */
    private synchronized void registerNewCounters()
    {
        counters.forEach((CountersReader.MetaData)(counterId, typeId, keyBuffer, labelText) ->
        {
            if (!registered.add(counterId))
            {
                return;
            }
            final String[] parts = CountersFile.parseLabel(labelText);
            final Tags tags = parts.length == 3 ? Tags.of(parts[1], parts[2]) : Tags.empty();
            final String name = "meridian." + parts[0];
            if (typeId == CountersFile.TYPE_GAUGE)
            {
                Gauge.builder(name, counters, c -> c.getCounterValue(counterId)).tags(tags)
                    .description("meridian stat: " + parts[0]).strongReference(true).register(registry);
            }
            else
            {
                FunctionCounter.builder(name, counters, c -> c.getCounterValue(counterId)).tags(tags)
                    .description("meridian stat: " + parts[0]).register(registry);
            }
        });
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
        sample.run();
        registerNewCounters();
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
