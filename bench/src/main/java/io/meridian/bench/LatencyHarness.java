package io.meridian.bench;

import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Exchange to client latency through Meridian, at a fixed update rate. Meridian runs in a process of its own with
 * its simulated exchange sending stamped security updates ({@code sim.stamp-rate}): each carries, in ValueTraded,
 * the {@code System.nanoTime()} at which it was due, so a duty cycle of the exchange that runs late shows as
 * latency (no coordinated omission). WebSocket clients in this process subscribe to every security and record, for
 * each update, its arrival time less its due time in an HdrHistogram; {@code System.nanoTime()} is the same clock
 * in both processes on Linux. The results are printed, and written as a percentile distribution ({@code .hgrm})
 * and a plot ({@code .svg}).
 * <p>
 * Usage: {@code java -cp bench/target/benchmarks.jar io.meridian.bench.LatencyHarness [name=value ...]} with
 * {@code rate} (updates per second, 1000), {@code clients} (1), {@code securities} (20), {@code warmup} (10 s),
 * {@code seconds} (30), {@code out} (directory for the files, none by default), {@code label} (file name stem),
 * and any {@code set.KEY=VALUE} passed to Meridian as a setting.
 */
public final class LatencyHarness
{

    private LatencyHarness()
    {
    }

    /**
     * @param args options.
     * @throws Exception if Meridian does not start or answer.
     */
    public static void main(final String[] args) throws Exception
    {
        final Map<String, String> options = new HashMap<>(Map.of("rate", "1000", "clients", "1",
            "securities", "20", "warmup", "10", "seconds", "30", "out", "", "label", "latency"));
        final List<String> settings = new ArrayList<>();
        HarnessOptions.parse(args, options, settings);
        final int rate = Integer.parseInt(options.get("rate"));
        final int clients = Integer.parseInt(options.get("clients"));
        final int securities = Integer.parseInt(options.get("securities"));
        final int warmup = Integer.parseInt(options.get("warmup"));
        final int seconds = Integer.parseInt(options.get("seconds"));
        System.out.printf("LatencyHarness %s %s, %d cores, Java %s%n", options, settings,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        final List<Client> started = new ArrayList<>();
        try (MeridianProcess proxy = new MeridianProcess(rate, securities, List.of(), settings))
        {
            final int port = proxy.port();
            final HttpClient http = HttpClient.newHttpClient();
            final List<String> keys = proxy.securityKeys(http, securities);
            for (int c = 0; c < clients; c++)
            {
                final Client client = new Client(http, port, "latency-" + c);
                started.add(client);
                for (final String key : keys)
                {
                    client.socket.sendText("{\"Controller\":\"Market\",\"Topic\":\"Security!" + key +
                        "\",\"Action\":\"Sub\"}", true).get(5, TimeUnit.SECONDS);
                }
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(warmup));
            final long from = System.nanoTime();
            for (final Client client : started)
            {
                client.measureFrom = from;
            }
            Thread.sleep(TimeUnit.SECONDS.toMillis(seconds));
            final long to = System.nanoTime();
            final Histogram all = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            long frames = 0;
            for (final Client client : started)
            {
                client.measureTo = to;
            }
            Thread.sleep(200);
            for (final Client client : started)
            {
                synchronized (client)
                {
                    all.add(client.histogram);
                    frames += client.frames;
                }
            }
            final double elapsed = (to - from) / 1e9;
            System.out.printf("%d updates/s over %d securities to %d client(s): %d measured in %.1f s " +
                "(%.0f per client per second, %.1f %% of the rate)%n", rate, keys.size(), clients,
                all.getTotalCount(), elapsed, all.getTotalCount() / elapsed / clients,
                100.0 * all.getTotalCount() / elapsed / clients / rate);
            System.out.printf("latency  p50 %.1f us  p90 %.1f us  p99 %.1f us  p99.9 %.1f us  p99.99 %.1f us  " +
                "max %.1f us  (%d frames)%n",
                all.getValueAtPercentile(50) / 1000.0, all.getValueAtPercentile(90) / 1000.0,
                all.getValueAtPercentile(99) / 1000.0, all.getValueAtPercentile(99.9) / 1000.0,
                all.getValueAtPercentile(99.99) / 1000.0, all.getMaxValue() / 1000.0, frames);
            if (!options.get("out").isEmpty())
            {
                final Path out = Files.createDirectories(Path.of(options.get("out")));
                final String label = options.get("label");
                try (PrintStream hgrm = new PrintStream(Files.newOutputStream(out.resolve(label + ".hgrm")), true,
                    StandardCharsets.UTF_8))
                {
                    all.outputPercentileDistribution(hgrm, 1000.0);
                }
                new PercentilePlot("Exchange to client latency, " + rate + " updates/s, " + clients +
                    " client(s)").add(label, all).write(out.resolve(label + ".svg"));
            }
        }
        finally
        {
            for (final Client client : started)
            {
                client.socket.abort();
            }
        }
    }

    /**
     * One WebSocket client: records the latency of every stamped update in its own histogram.
     */
    private static final class Client implements WebSocket.Listener
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final WebSocket socket;
        private final StringBuilder partial = new StringBuilder();
        volatile long measureFrom = Long.MAX_VALUE;
        volatile long measureTo = Long.MAX_VALUE;
        long frames;

        Client(final HttpClient http, final int port, final String user) throws Exception
        {
            socket = ZenithConnect.open(http, port, user, this);
        }

        @Override
        public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
        {
            final long arrived = System.nanoTime();
            partial.append(data);
            if (last)
            {
                onFrame(partial, arrived);
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }

        private void onFrame(final CharSequence frame, final long arrived)
        {
            final long nanos = Stamps.due(frame);
            if (nanos == 0 || arrived < measureFrom || arrived >= measureTo)
            {
                return;
            }
            synchronized (this)
            {
                histogram.recordValue(Math.max(0, arrived - nanos));
                frames++;
            }
        }
    }
}
