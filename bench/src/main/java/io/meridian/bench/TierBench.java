package io.meridian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.config.MeridianConfig;
import io.meridian.engine.EngineCounters;
import io.meridian.gateway.MeridianServer;
import org.HdrHistogram.Histogram;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Proxies in tiers, in one process over loopback UDP: proxy 0 has the simulated exchange, each further proxy takes
 * the one before as its upstream. Two measurements:
 * <ul>
 *     <li>{@code latency}: a chain of {@code tiers} proxies with one WebSocket client on each, all subscribed to the
 *     trades of every security. Each trade is stamped with {@link System#nanoTime()} when its frame reaches each
 *     client (before the client parses it); the time a trade reaches tier k's client less the time it reaches tier
 *     0's is the latency tiers 1..k add (the hops over Aeron, the engines and the gateways below tier 0), recorded per
 *     tier in an HdrHistogram.</li>
 *     <li>{@code fanout}: proxy 0 and {@code downstreams} proxies on it side by side, each with one client subscribed
 *     to the books of every security; over the measured seconds, the updates each downstream proxy applied per second
 *     against the updates proxy 0 applied, the messages proxy 0 sent on its downstream links, and the snapshots a
 *     link was owed because it could not keep up.</li>
 * </ul>
 * Usage: {@code java -cp bench/target/benchmarks.jar io.meridian.bench.TierBench latency|fanout [name=value ...]}
 * with {@code tiers} (3), {@code downstreams} (2), {@code securities} (20), {@code rate} (book events per second
 * over all securities, 2000), {@code warmup} (10 s), {@code seconds} (30), {@code idle} (every proxy's
 * {@code engine.idle-strategy}, backoff) and {@code shared} (false; true: each proxy serves the ones below on a
 * shared multi-destination-cast publication with {@code fc=max}, which they read). Needs the {@code --add-opens} Agrona
 * needs.
 */
public final class TierBench
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "bench-tier";
    private static String idleStrategy;
    private static boolean shared;

    private TierBench()
    {
    }

    /**
     * @param args the mode, then options.
     * @throws Exception if a proxy does not start or answer.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length < 1 || !("latency".equals(args[0]) || "fanout".equals(args[0])))
        {
            throw new IllegalArgumentException("usage: TierBench latency|fanout [name=value ...]");
        }
        final Map<String, String> options = new HashMap<>(Map.of("tiers", "3", "downstreams", "2",
            "securities", "20", "rate", "2000", "warmup", "10", "seconds", "30", "idle", "backoff", "shared", "false"));
        for (int i = 1; i < args.length; i++)
        {
            final int equals = args[i].indexOf('=');
            if (equals < 1 || !options.containsKey(args[i].substring(0, equals)))
            {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + options.keySet());
            }
            options.put(args[i].substring(0, equals), args[i].substring(equals + 1));
        }
        final int securities = Integer.parseInt(options.get("securities"));
        final int rate = Integer.parseInt(options.get("rate"));
        final int warmup = Integer.parseInt(options.get("warmup"));
        final int seconds = Integer.parseInt(options.get("seconds"));
        idleStrategy = options.get("idle");
        shared = Boolean.parseBoolean(options.get("shared"));
        System.out.printf("TierBench %s %s, %d cores, Java %s%n", args[0], options,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));
        if ("latency".equals(args[0]))
        {
            latency(Integer.parseInt(options.get("tiers")), securities, rate, warmup, seconds);
        }
        else
        {
            fanout(Integer.parseInt(options.get("downstreams")), securities, rate, warmup, seconds);
        }
    }

    private static void latency(
        final int tiers, final int securities, final int rate, final int warmup, final int seconds) throws Exception
    {
        final List<MeridianServer> servers = new ArrayList<>();
        final List<WebSocket> sockets = new ArrayList<>();
        try
        {
            servers.add(startTop(securities, rate));
            for (int t = 1; t < tiers; t++)
            {
                servers.add(startBelow(servers.get(t - 1)));
            }
            final List<String> keys = servers.get(0).feedServer().securityKeys();
            final Map<String, long[]> arrivals = new ConcurrentHashMap<>();
            final Histogram[] added = new Histogram[tiers];
            for (int t = 1; t < tiers; t++)
            {
                added[t] = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
            }
            final long[] measureFrom = { Long.MAX_VALUE };
            for (int t = 0; t < tiers; t++)
            {
                final int tier = t;
                final WebSocket socket = connect(servers.get(t), (text, nanos) ->
                    onTrades(text, nanos, tier, tiers, arrivals, added, measureFrom[0]));
                sockets.add(socket);
                for (final String key : keys)
                {
                    socket.sendText("{\"Controller\":\"Market\",\"Topic\":\"Trades!" + key +
                        "\",\"Action\":\"Sub\"}", true).get(5, TimeUnit.SECONDS);
                }
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
            measureFrom[0] = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            synchronized (added)
            {
                for (int t = 1; t < tiers; t++)
                {
                    Percentiles.print("tiers 1.." + t + " add", added[t]);
                }
            }
        }
        finally
        {
            sockets.forEach(WebSocket::abort);
            closeAll(servers);
        }
    }

    /**
     * One trade frame reached a tier's client: note when, per trade, and once every tier has it, record what each
     * tier below the top added.
     */
    private static void onTrades(
        final String text,
        final long nanos,
        final int tier,
        final int tiers,
        final Map<String, long[]> arrivals,
        final Histogram[] added,
        final long measureFrom)
    {
        final JsonNode frame;
        try
        {
            frame = JSON.readTree(text);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        final String topic = frame.path("Topic").asText();
        final JsonNode data = frame.path("Data");
        if (!topic.startsWith("Trades!") || !data.isArray() || frame.has("Action"))
        {
            return;
        }
        for (final JsonNode change : data)
        {
            if (!"A".equals(change.path("O").asText()))
            {
                continue;
            }
            final String id = topic + '|' + change.path("Trade").path("ID").asText();
            final long[] times = arrivals.computeIfAbsent(id, k -> new long[tiers]);
            synchronized (times)
            {
                times[tier] = nanos;
                for (final long time : times)
                {
                    if (time == 0)
                    {
                        return;
                    }
                }
            }
            arrivals.remove(id);
            if (times[0] >= measureFrom)
            {
                synchronized (added)
                {
                    for (int t = 1; t < tiers; t++)
                    {
                        added[t].recordValue(Math.max(0, times[t] - times[0]));
                    }
                }
            }
        }
    }

    private static void fanout(
        final int downstreams, final int securities, final int rate, final int warmup, final int seconds)
        throws Exception
    {
        final List<MeridianServer> servers = new ArrayList<>();
        final List<WebSocket> sockets = new ArrayList<>();
        try
        {
            final MeridianServer top = startTop(securities, rate);
            servers.add(top);
            for (int d = 0; d < downstreams; d++)
            {
                servers.add(startBelow(top));
            }
            final List<String> keys = top.feedServer().securityKeys();
            for (final MeridianServer server : servers)
            {
                final WebSocket socket = connect(server, (text, nanos) -> { });
                sockets.add(socket);
                for (final String key : keys)
                {
                    socket.sendText("{\"Controller\":\"Market\",\"Topic\":\"Depth!" + key +
                        "\",\"Action\":\"Sub\"}", true).get(5, TimeUnit.SECONDS);
                }
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
            final long[] before = sample(servers);
            final long bytesBefore = sentBytes(top);
            final long backPressureBefore = top.engine().counters().downstreamBackPressure();
            final long sharedBackPressureBefore = top.engine().counters().downstreamSharedBackPressure();
            final long gapsBefore = top.engine().counters().sequenceGaps();
            final long resyncsBefore = top.engine().counters().itemResyncs();
            final long cpuBefore = processCpuNanos();
            final long start = System.nanoTime();
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            final long[] after = sample(servers);
            final long bytes = sentBytes(top) - bytesBefore;
            final long cpu = processCpuNanos() - cpuBefore;
            final double elapsed = (System.nanoTime() - start) / 1e9;
            System.out.printf("proxy 0: %.1f MB/s written to its downstream publications; the whole JVM (every " +
                "proxy, driver and client): %.2f cores%n", bytes / elapsed / 1e6, cpu / elapsed / 1e9);
            final EngineCounters topCounters = top.engine().counters();
            System.out.printf("proxy 0: %d offers the links did not take, %d the shared publication did not; " +
                "%d sequence gaps and %d resyncs of its own%n",
                topCounters.downstreamBackPressure() - backPressureBefore,
                topCounters.downstreamSharedBackPressure() - sharedBackPressureBefore,
                topCounters.sequenceGaps() - gapsBefore, topCounters.itemResyncs() - resyncsBefore);
            for (int d = 1; d <= downstreams; d++)
            {
                final EngineCounters below = servers.get(d).engine().counters();
                System.out.printf("downstream %d: %d resyncs, %d shared updates passed over, %d shared-stream " +
                    "silences%n", d, below.itemResyncs(), below.upstreamSharedSkipped(), below.upstreamSharedLost());
            }
            if (shared)
            {
                // How the shared publication stood at the end: its limits and readers, from the media driver.
                top.engine().aeron().countersReader().forEach((value, counterId, label) ->
                {
                    if (label.contains("control-mode=dynamic"))
                    {
                        System.out.printf("  %s = %d%n", label.substring(0, label.indexOf(':')), value);
                    }
                });
            }
            System.out.printf("proxy 0: %.0f book updates/s applied, %.0f messages/s to %d downstream links, " +
                "%.0f messages/s on the shared stream, %d snapshots owed for back pressure%n",
                (after[0] - before[0]) / elapsed, (after[1] - before[1]) / elapsed, downstreams,
                (after[3] - before[3]) / elapsed, after[2] - before[2]);
            for (int d = 1; d <= downstreams; d++)
            {
                final int at = SAMPLE_TOP + 2 * (d - 1);
                System.out.printf("downstream %d: %.0f book updates/s applied (%.1f %% of proxy 0's), " +
                    "%d sequence gaps%n", d, (after[at] - before[at]) / elapsed,
                    100.0 * (after[at] - before[at]) / Math.max(1, after[0] - before[0]),
                    after[at + 1] - before[at + 1]);
            }
        }
        finally
        {
            sockets.forEach(WebSocket::abort);
            closeAll(servers);
        }
    }

    /**
     * @return the bytes the proxy's media driver has sent on all its UDP publications: every downstream link, and
     * the shared publication once however many destinations it has.
     */
    private static long sentBytes(final MeridianServer server)
    {
        final long[] sum = { 0 };
        server.engine().aeron().countersReader().forEach((value, counterId, label) ->
        {
            if (label.startsWith("snd-pos"))
            {
                sum[0] += value;
            }
        });
        return sum[0];
    }

    private static long processCpuNanos()
    {
        return ((com.sun.management.OperatingSystemMXBean)java.lang.management.ManagementFactory
            .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Where the downstream proxies' figures start in a sample: two each, updates applied and sequence gaps. */
    private static final int SAMPLE_TOP = 4;

    private static long[] sample(final List<MeridianServer> servers)
    {
        final long[] sample = new long[SAMPLE_TOP + 2 * (servers.size() - 1)];
        final EngineCounters top = servers.get(0).engine().counters();
        sample[0] = top.depthUpdates();
        sample[1] = top.downstreamMessages();
        sample[2] = top.downstreamResnapshots();
        sample[3] = top.downstreamSharedMessages();
        for (int d = 1; d < servers.size(); d++)
        {
            final EngineCounters below = servers.get(d).engine().counters();
            sample[SAMPLE_TOP + 2 * (d - 1)] = below.depthUpdates();
            sample[SAMPLE_TOP + 2 * (d - 1) + 1] = below.sequenceGaps();
        }
        return sample;
    }

    /** The downstream channel each proxy serves on, for the proxies below it. */
    private static final Map<MeridianServer, String> DOWNSTREAM_CHANNELS = new ConcurrentHashMap<>();
    /** The control address of each proxy's shared publication, when {@code shared}. */
    private static final Map<MeridianServer, String> SHARED_CONTROLS = new ConcurrentHashMap<>();

    private static MeridianServer startTop(final int securities, final int rate)
    {
        final Map<String, String> settings = new HashMap<>(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "server.name", "tier-0",
            "engine.idle-strategy", idleStrategy,
            "sim.markets", "1",
            "sim.securities", Integer.toString(securities),
            "sim.update-rate", Integer.toString(rate),
            "sim.session-seconds", "0",
            "downstream.service-token", TOKEN));
        return start(settings);
    }

    private static MeridianServer startBelow(final MeridianServer upstream)
    {
        final Map<String, String> settings = new HashMap<>(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.enabled", "false",
            "engine.idle-strategy", idleStrategy,
            "trading.enabled", "false",
            "upstream.channel", DOWNSTREAM_CHANNELS.get(upstream),
            "upstream.control-stream-id", "1011",
            "upstream.response-channel", udp(freeUdpPort()),
            "upstream.service-token", TOKEN,
            "downstream.service-token", TOKEN));
        if (shared)
        {
            settings.put("upstream.shared-channel", udp(freeUdpPort()) + "|control=" + SHARED_CONTROLS.get(upstream));
        }
        return start(settings);
    }

    /**
     * Start a proxy that serves the ones below it on a downstream channel of its own, and on a shared publication
     * too when {@code shared}.
     */
    private static MeridianServer start(final Map<String, String> settings)
    {
        final String channel = udp(freeUdpPort());
        final String control = "127.0.0.1:" + freeUdpPort();
        settings.put("downstream.channel", channel);
        if (shared)
        {
            settings.put("downstream.shared-channel", "aeron:udp?control=" + control + "|control-mode=dynamic|fc=max");
        }
        final MeridianServer server = MeridianServer.start(MeridianConfig.of(settings));
        DOWNSTREAM_CHANNELS.put(server, channel);
        SHARED_CONTROLS.put(server, control);
        return server;
    }

    /**
     * Receives each whole text frame with the time it arrived.
     */
    private interface FrameHandler
    {
        void onFrame(String text, long nanos);
    }

    private static WebSocket connect(final MeridianServer server, final FrameHandler handler) throws Exception
    {
        final long deadline = System.currentTimeMillis() + 30_000;
        while (!server.engine().marketsLive())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new IllegalStateException("the market list never reached a proxy");
            }
            Thread.sleep(20);
        }
        final StringBuilder partial = new StringBuilder();
        return ZenithConnect.open(HttpClient.newHttpClient(), server.port(), "bench",
                new WebSocket.Listener()
                {
                    @Override
                    public CompletionStage<?> onText(
                        final WebSocket socket, final CharSequence data, final boolean last)
                    {
                        final long nanos = System.nanoTime();
                        partial.append(data);
                        if (last)
                        {
                            handler.onFrame(partial.toString(), nanos);
                            partial.setLength(0);
                        }
                        socket.request(1);
                        return null;
                    }
                });
    }


    private static void closeAll(final List<MeridianServer> servers)
    {
        for (int i = servers.size() - 1; i >= 0; i--)
        {
            servers.get(i).close();
        }
    }

    private static String udp(final int port)
    {
        return "aeron:udp?endpoint=127.0.0.1:" + port;
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final java.net.SocketException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
