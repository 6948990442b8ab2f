package io.meridian.bench;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.Recorder;

import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fan-out: many WebSocket sessions, each subscribed to a window of the items, so that the windows overlap and every
 * item has about {@code sessions * per-session / items} subscribers. Updates are stamped with the time they were
 * due (no coordinated omission) and go out at a fixed total rate, round robin over the items. The harness reports
 * the frames delivered per second against those owed, the latency of each (arrival less due time, HdrHistogram),
 * the server's CPU and memory and, for Meridian, its GC pauses.
 * <p>
 * Two targets, the same load:
 * <ul>
 *     <li>{@code target=meridian}: Meridian runs in a process of its own (demo mode) with its simulated exchange
 *     sending the stamped security updates ({@code sim.stamp-rate}); each session subscribes to
 *     {@code Security!KEY} for the keys of its window. The JVM logs GC to {@code LABEL-gc.log}; after the measured
 *     seconds the harness reads heap and direct memory from {@code /metrics} and asks for a full collection
 *     ({@code jcmd GC.run}) to read the live heap.</li>
 *     <li>{@code target=nchan}: an nginx with the nchan module, started by {@code bench/push/push-bench.sh}, at
 *     {@code url}; each session subscribes over WebSocket to its window's channels in one connection
 *     ({@code /sub?c=s1,s2,...}), and the harness itself publishes the same stamped messages over one WebSocket
 *     per channel ({@code /pub?c=s1}). {@code pids} names nginx's processes for CPU and memory.</li>
 * </ul>
 * Usage: {@code java -cp bench/target/benchmarks.jar io.meridian.bench.FanoutHarness [name=value ...]} with
 * {@code target} (meridian), {@code sessions} (100), {@code items} (100), {@code per-session} (10), {@code rate}
 * (updates per second over all items, 1000), {@code warmup} (10 s), {@code seconds} (30), {@code out} (directory
 * for the files, none by default), {@code label}, {@code jvm} (Meridian's JVM options, space separated,
 * {@code -Xmx1g}), {@code url} and {@code pids} (nchan), {@code payload} (nchan message length in bytes; 0 leaves
 * it as short as the stamp allows), {@code connect} (connections set up at once, 64), {@code timeline} (true: print
 * each measured second's count, p99 and maximum) and {@code set.KEY=VALUE} for any Meridian setting.
 */
public final class FanoutHarness
{
    /** The thread of the simulated Feed Server (and Trading Agent). */
    private static final String SIM_THREAD = "feed-server";
    private static final Pattern PAUSE = Pattern.compile("Pause (.*?) (\\d+)M->(\\d+)M\\((\\d+)M\\) ([0-9.]+)ms");

    private FanoutHarness()
    {
    }

    /**
     * @param args options.
     * @throws Exception if the server does not start or answer.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = new HashMap<>(Map.ofEntries(Map.entry("target", "meridian"),
            Map.entry("sessions", "100"), Map.entry("items", "100"), Map.entry("per-session", "10"),
            Map.entry("rate", "1000"), Map.entry("warmup", "10"), Map.entry("seconds", "30"), Map.entry("out", ""),
            Map.entry("label", "fanout"), Map.entry("jvm", "-Xmx1g"), Map.entry("url", ""), Map.entry("pids", ""),
            Map.entry("payload", "0"), Map.entry("connect", "64"), Map.entry("timeline", "false")));
        final List<String> settings = new ArrayList<>();
        HarnessOptions.parse(args, options, settings);
        final String target = options.get("target");
        if (!target.equals("meridian") && !target.equals("nchan"))
        {
            throw new IllegalArgumentException("target must be meridian or nchan, not " + target);
        }
        final Load load = new Load(Integer.parseInt(options.get("sessions")), Integer.parseInt(options.get("items")),
            Integer.parseInt(options.get("per-session")), Integer.parseInt(options.get("rate")));
        if (load.perSession > load.items)
        {
            throw new IllegalArgumentException("per-session must not exceed items");
        }
        final Path out = options.get("out").isEmpty() ? Files.createTempDirectory("fanout") :
            Files.createDirectories(Path.of(options.get("out")));
        final String label = options.get("label");
        System.out.printf("FanoutHarness %s %s, %d cores, Java %s%n", new java.util.TreeMap<>(options), settings,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        final HttpClient http = HttpClient.newHttpClient();
        final WsLoadClient sessions = new WsLoadClient(2);
        final WsLoadClient publishers = new WsLoadClient(1);
        final Run run = new Run(load, Integer.parseInt(options.get("connect")));
        final Path gcLog = out.resolve(label + "-gc.log");
        MeridianProcess meridian = null;
        Publisher publisher = null;
        try
        {
            final long[] pids;
            final List<String> keys;
            if (target.equals("meridian"))
            {
                Files.deleteIfExists(gcLog);
                final List<String> jvm = new ArrayList<>(Arrays.asList(options.get("jvm").trim().split("\\s+")));
                jvm.removeIf(String::isEmpty);
                jvm.add("-Xlog:gc:file=" + gcLog);
                final List<String> meridianSettings = new ArrayList<>(List.of("session.max-subscriptions=100000"));
                meridianSettings.addAll(settings);
                meridian = new MeridianProcess(load.rate, load.items, jvm, meridianSettings);
                pids = new long[] {meridian.pid()};
                keys = meridian.securityKeys(http, load.items);
                if (keys.size() != load.items)
                {
                    throw new IllegalStateException("the exchange has " + keys.size() + " securities, not " +
                        load.items);
                }
                final int port = meridian.port();
                run.connectAll(s -> connectMeridian(http, sessions, port, s, keys, load, run));
            }
            else
            {
                if (options.get("url").isEmpty() || options.get("pids").isEmpty())
                {
                    throw new IllegalArgumentException("target=nchan needs url=ws://HOST:PORT and pids=PID,PID");
                }
                pids = Arrays.stream(options.get("pids").split(",")).mapToLong(Long::parseLong).toArray();
                keys = new ArrayList<>();
                for (int i = 0; i < load.items; i++)
                {
                    keys.add("s" + i);
                }
                final URI url = URI.create(options.get("url"));
                run.connectAll(s -> connectNchan(sessions, url, s, keys, load, run));
                publisher = new Publisher(publishers, url, keys, load.rate, Integer.parseInt(options.get("payload")));
                publisher.start();
            }
            System.out.printf("%d sessions open (%d failed) in %.1f s%n", run.open.get(), run.failed.get(),
                run.connectSeconds);

            Thread.sleep(TimeUnit.SECONDS.toMillis(Long.parseLong(options.get("warmup"))));
            final long gcFrom = Files.exists(gcLog) ? Files.size(gcLog) : 0;
            final long cpuFrom = cpuTicks(pids);
            // The simulated exchange runs inside Meridian: its thread's share is reported apart.
            final long simFrom = null == meridian ? 0 : MeridianProcess.threadCpuTicks(pids[0], SIM_THREAD);
            final long ownCpuFrom = ownCpuNanos();
            run.recorder.reset();
            run.frames.reset();
            run.bytes.reset();
            final long from = System.nanoTime();
            run.measureFrom = from;
            run.perSecond.reset();
            final int seconds = Integer.parseInt(options.get("seconds"));
            if (Boolean.parseBoolean(options.get("timeline")))
            {
                // Each second's count, p99 and maximum: when the slow frames came, not only how many.
                Histogram second = null;
                for (int i = 1; i <= seconds; i++)
                {
                    Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(from + i * 1_000_000_000L -
                        System.nanoTime())));
                    second = run.perSecond.getIntervalHistogram(second);
                    System.out.printf("second %3d: %7d frames  p99 %9.1f us  max %9.1f us%n", i,
                        second.getTotalCount(), second.getValueAtPercentile(99) / 1000.0,
                        second.getMaxValue() / 1000.0);
                }
            }
            else
            {
                Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            }
            final long to = System.nanoTime();
            run.measureTo = to;
            final long cpuTo = cpuTicks(pids);
            final long simTo = null == meridian ? 0 : MeridianProcess.threadCpuTicks(pids[0], SIM_THREAD);
            final long ownCpuTo = ownCpuNanos();
            final long gcTo = Files.exists(gcLog) ? Files.size(gcLog) : 0;
            Thread.sleep(200);
            final double elapsed = (to - from) / 1e9;
            final Histogram latency = run.recorder.getIntervalHistogram();
            final long frames = run.frames.sum();
            final double owed = (double)load.rate * load.sessions * load.perSession / load.items;

            System.out.printf("%s: %d sessions, %d items, %d per session, %d updates/s: owed %.0f frames/s%n",
                target, run.open.get(), load.items, load.perSession, load.rate, owed);
            System.out.printf("delivered %.0f frames/s (%.1f %% of owed), %.0f bytes per frame, " +
                "%d stamped frames measured%n", frames / elapsed, 100.0 * frames / elapsed / owed,
                frames == 0 ? 0.0 : (double)run.bytes.sum() / frames, latency.getTotalCount());
            Percentiles.print("latency", latency);
            System.out.printf("server CPU %.2f cores%s; harness CPU %.2f cores%n",
                (cpuTo - cpuFrom) / 100.0 / elapsed, null == meridian ? "" : String.format(
                " (of which its simulated exchange %.2f)", (simTo - simFrom) / 100.0 / elapsed),
                (ownCpuTo - ownCpuFrom) / 1e9 / elapsed);
            if (null != meridian)
            {
                reportMeridianMemory(meridian, gcLog, gcFrom, gcTo);
            }
            else
            {
                long rss = 0;
                for (final long pid : pids)
                {
                    rss += MeridianProcess.residentBytes(pid);
                }
                System.out.printf("server resident memory %.1f MiB over %d processes; publisher behind by at " +
                    "most %.1f ms%n", rss / 1048576.0, pids.length, publisher.maxBehindNs / 1e6);
            }
            if (run.closed.get() > 0)
            {
                System.out.printf("%d sessions were closed by the server during the run%n", run.closed.get());
            }
            try (PrintStream hgrm = new PrintStream(Files.newOutputStream(out.resolve(label + ".hgrm")), true,
                StandardCharsets.UTF_8);
                PrintStream hlog = new PrintStream(Files.newOutputStream(out.resolve(label + ".hlog")), true,
                    StandardCharsets.UTF_8))
            {
                latency.outputPercentileDistribution(hgrm, 1000.0);
                // The histogram itself, for PercentilePlot to draw beside another run's.
                new HistogramLogWriter(hlog).outputIntervalHistogram(latency);
            }
            new PercentilePlot(target + ": " + load.rate + " updates/s, " + run.open.get() + " sessions x " +
                load.perSession + " of " + load.items + " items").add(label, latency)
                .write(out.resolve(label + ".svg"));
        }
        finally
        {
            if (null != publisher)
            {
                publisher.stop();
            }
            sessions.close();
            publishers.close();
            if (null != meridian)
            {
                meridian.close();
            }
        }
    }

    private static void reportMeridianMemory(final MeridianProcess meridian, final Path gcLog, final long gcFrom,
        final long gcTo) throws Exception
    {
        final String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + meridian.port() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        final double heap = metric(metrics, "jvm_memory_used_bytes{area=\"heap\"");
        final double direct = metric(metrics, "jvm_buffer_memory_used_bytes{id=\"direct\"");
        final long rss = MeridianProcess.residentBytes(meridian.pid());
        meridian.fullGc();
        Thread.sleep(500);
        final List<String> lines = Files.readAllLines(gcLog);
        final String full = lines.stream().filter(line -> line.contains("Pause Full")).reduce((a, b) -> b)
            .orElse("");
        final Matcher fullMatch = PAUSE.matcher(full);
        System.out.printf("server heap used %.1f MiB (live after a full GC: %s MiB of %s MiB), direct buffers " +
            "%.1f MiB, resident %.1f MiB%n", heap / 1048576.0, fullMatch.find() ? fullMatch.group(3) : "?",
            fullMatch.find(0) ? fullMatch.group(4) : "?", direct / 1048576.0, rss / 1048576.0);

        final byte[] log = Files.readAllBytes(gcLog);
        final String window = new String(log, (int)Math.min(gcFrom, log.length),
            (int)(Math.min(gcTo, log.length) - Math.min(gcFrom, log.length)), StandardCharsets.UTF_8);
        int pauses = 0;
        double total = 0;
        double max = 0;
        for (final String line : window.split("\n"))
        {
            final Matcher matcher = PAUSE.matcher(line);
            if (matcher.find())
            {
                final double ms = Double.parseDouble(matcher.group(5));
                pauses++;
                total += ms;
                max = Math.max(max, ms);
            }
        }
        System.out.printf("GC pauses while measured: %d, total %.1f ms, longest %.1f ms (log: %s)%n", pauses, total,
            max, gcLog.getFileName());
    }

    private static double metric(final String metrics, final String prefix)
    {
        double sum = 0;
        for (final String line : metrics.split("\n"))
        {
            if (line.startsWith(prefix))
            {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private static long cpuTicks(final long[] pids)
    {
        long ticks = 0;
        for (final long pid : pids)
        {
            ticks += Math.max(0, MeridianProcess.cpuTicks(pid));
        }
        return ticks;
    }

    private static long ownCpuNanos()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean())
            .getProcessCpuTime();
    }

    /**
     * Window of items for session s: {@code perSession} items from {@code 3 s mod items}, so that neighbouring
     * sessions share most of theirs and, when 3 and the item count have no common factor, every item has the same
     * number of subscribers.
     */
    private static List<String> window(final int s, final List<String> keys, final Load load)
    {
        final int step = load.items % 3 == 0 ? 1 : 3;
        final List<String> window = new ArrayList<>();
        for (int j = 0; j < load.perSession; j++)
        {
            window.add(keys.get((s * step + j) % load.items));
        }
        return window;
    }

    private static CompletableFuture<?> connectMeridian(final HttpClient http, final WsLoadClient client,
        final int port, final int s, final List<String> keys, final Load load, final Run run)
    {
        final List<String> subscriptions = new ArrayList<>();
        for (final String key : window(s, keys, load))
        {
            subscriptions.add("{\"Controller\":\"Market\",\"Topic\":\"Security!" + key + "\",\"Action\":\"Sub\"}");
        }
        return http.sendAsync(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/demo/token?user=fan-" + s))
            .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
            .thenCompose(response ->
            {
                final String body = response.body();
                final int at = body.indexOf("\"access_token\":\"") + 16;
                final Session session = new Session(run, subscriptions);
                client.connect("127.0.0.1", port, "/Zenith?version=2.0", List.of(
                    "Authorization: Bearer " + body.substring(at, body.indexOf('"', at)),
                    "Sec-WebSocket-Protocol: ZenithJson"), session);
                return session.opened;
            });
    }

    private static CompletableFuture<?> connectNchan(final WsLoadClient client, final URI url, final int s,
        final List<String> keys, final Load load, final Run run)
    {
        final Session session = new Session(run, List.of());
        client.connect(url.getHost(), url.getPort(), "/sub?c=" + String.join(",", window(s, keys, load)), List.of(),
            session);
        return session.opened;
    }

    /**
     * The load: how many sessions, items, items per session and updates per second.
     */
    private record Load(int sessions, int items, int perSession, int rate)
    {
    }

    /**
     * Connections a function can open for session s.
     */
    private interface Connector
    {
        CompletableFuture<?> connect(int s);
    }

    /**
     * What every session of a run shares: the latency recorder, the counts, the measured window.
     */
    private static final class Run
    {
        final Load load;
        final int parallel;
        final Semaphore connecting;
        final Recorder recorder = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        /** The same values, taken each second by the timeline. */
        final Recorder perSecond = new Recorder(TimeUnit.SECONDS.toNanos(60), 3);
        final LongAdder frames = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final AtomicInteger open = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();
        final AtomicInteger closed = new AtomicInteger();
        volatile long measureFrom = Long.MAX_VALUE;
        volatile long measureTo = Long.MAX_VALUE;
        double connectSeconds;

        Run(final Load load, final int parallel)
        {
            this.load = load;
            this.parallel = parallel;
            this.connecting = new Semaphore(parallel);
        }

        void connectAll(final Connector connector) throws InterruptedException
        {
            final long start = System.nanoTime();
            for (int s = 0; s < load.sessions; s++)
            {
                connecting.acquire();
                connector.connect(s).whenComplete((opened, error) ->
                {
                    if (null == error)
                    {
                        open.incrementAndGet();
                    }
                    else if (failed.incrementAndGet() <= 3)
                    {
                        System.out.println("connection failed: " + error);
                    }
                    connecting.release();
                });
            }
            // Every connection gives its permit back when it is done, so all permits back means none in flight.
            connecting.acquire(parallel);
            connecting.release(parallel);
            connectSeconds = (System.nanoTime() - start) / 1e9;
        }
    }

    /**
     * One session's listener: subscribes once open, counts frames in the measured window and records the latency of
     * stamped ones.
     */
    private static final class Session implements WsLoadClient.Listener
    {
        final CompletableFuture<Void> opened = new CompletableFuture<>();
        private final Run run;
        private final List<String> subscriptions;

        Session(final Run run, final List<String> subscriptions)
        {
            this.run = run;
            this.subscriptions = subscriptions;
        }

        @Override
        public void onOpen(final WsLoadClient.Connection connection)
        {
            for (final String subscription : subscriptions)
            {
                connection.sendText(subscription);
            }
            opened.complete(null);
        }

        @Override
        public void onText(final ByteBuffer buffer, final int from, final int to, final long readNanos)
        {
            if (readNanos >= run.measureFrom && readNanos < run.measureTo)
            {
                run.frames.increment();
                run.bytes.add(to - from);
                final long due = Stamps.due(buffer, from, to);
                if (due > 0)
                {
                    final long latency = Math.min(TimeUnit.SECONDS.toNanos(60), Math.max(0, readNanos - due));
                    run.recorder.recordValue(latency);
                    run.perSecond.recordValue(latency);
                }
            }
        }

        @Override
        public void onClosed(final String reason)
        {
            if (!opened.completeExceptionally(new IllegalStateException(reason)) && run.closed.incrementAndGet() <= 3)
            {
                System.out.println("session closed: " + reason);
            }
        }
    }

    /**
     * Publishes the stamped messages to nchan at a fixed rate, round robin over the channels, one WebSocket per
     * channel; each message carries the time it was due, so a publisher that falls behind shows as latency.
     */
    private static final class Publisher
    {
        private final List<WsLoadClient.Connection> connections = new ArrayList<>();
        private final List<String> keys;
        private final int rate;
        private final int payload;
        private final Thread thread;
        private volatile boolean running = true;
        volatile long maxBehindNs;

        Publisher(final WsLoadClient client, final URI url, final List<String> keys, final int rate,
            final int payload) throws Exception
        {
            this.keys = keys;
            this.rate = rate;
            this.payload = payload;
            for (final String key : keys)
            {
                final CompletableFuture<WsLoadClient.Connection> opened = new CompletableFuture<>();
                client.connect(url.getHost(), url.getPort(), "/pub?c=" + key, List.of(), new WsLoadClient.Listener()
                {
                    @Override
                    public void onOpen(final WsLoadClient.Connection connection)
                    {
                        opened.complete(connection);
                    }

                    @Override
                    public void onText(final ByteBuffer buffer, final int from, final int to, final long readNanos)
                    {
                        // nchan may answer a publish; the answer is not needed.
                    }

                    @Override
                    public void onClosed(final String reason)
                    {
                        opened.completeExceptionally(new IllegalStateException("publisher " + key + ": " + reason));
                    }
                });
                connections.add(opened.get(10, TimeUnit.SECONDS));
            }
            thread = new Thread(this::publish, "nchan-publisher");
            thread.setDaemon(true);
        }

        void start()
        {
            thread.start();
        }

        void stop() throws InterruptedException
        {
            running = false;
            thread.join(5000);
        }

        private void publish()
        {
            final long start = System.nanoTime();
            final StringBuilder message = new StringBuilder(Math.max(256, payload + 64));
            for (long k = 0; running; k++)
            {
                final long due = start + (long)(k * 1e9 / rate);
                long wait;
                while ((wait = due - System.nanoTime()) > 0)
                {
                    // Parked up to the due time, as the simulated exchange does (no spinning on a shared machine).
                    LockSupport.parkNanos(wait);
                }
                final long behind = -wait;
                if (k > rate && behind > maxBehindNs)
                {
                    maxBehindNs = behind;
                }
                final int channel = (int)(k % keys.size());
                message.setLength(0);
                message.append("{\"Controller\":\"Market\",\"Topic\":\"Security!").append(keys.get(channel))
                    .append("\",\"Action\":\"Publish\",\"Data\":{\"ValueTraded\":").append(due / 100).append('.')
                    .append((char)('0' + (due / 10) % 10)).append((char)('0' + due % 10));
                if (message.length() + 2 < payload)
                {
                    message.append(",\"Pad\":\"");
                    while (message.length() + 4 < payload)
                    {
                        message.append('x');
                    }
                    message.append('"');
                }
                message.append("}}");
                connections.get(channel).sendText(message.toString());
            }
        }
    }
}
