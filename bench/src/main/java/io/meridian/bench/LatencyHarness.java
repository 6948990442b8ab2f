package io.meridian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.HdrHistogram.Histogram;

import java.io.BufferedReader;
import java.io.InputStreamReader;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");
    private static final String FIELD = "\"ValueTraded\":";

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
        for (final String arg : args)
        {
            final int equals = arg.indexOf('=');
            final String name = equals < 1 ? arg : arg.substring(0, equals);
            if (name.startsWith("set."))
            {
                settings.add(name.substring(4) + "=" + arg.substring(equals + 1));
            }
            else if (equals < 1 || !options.containsKey(name))
            {
                throw new IllegalArgumentException("unknown option " + arg + "; options: " + options.keySet() +
                    " and set.KEY=VALUE");
            }
            else
            {
                options.put(name, arg.substring(equals + 1));
            }
        }
        final int rate = Integer.parseInt(options.get("rate"));
        final int clients = Integer.parseInt(options.get("clients"));
        final int securities = Integer.parseInt(options.get("securities"));
        final int warmup = Integer.parseInt(options.get("warmup"));
        final int seconds = Integer.parseInt(options.get("seconds"));
        System.out.printf("LatencyHarness %s %s, %d cores, Java %s%n", options, settings,
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

        final Process proxy = startProxy(rate, securities, settings);
        final List<Client> started = new ArrayList<>();
        try
        {
            final int port = awaitPort(proxy);
            final HttpClient http = HttpClient.newHttpClient();
            final List<String> keys = securityKeys(http, port, securities);
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
            proxy.destroy();
            proxy.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static Process startProxy(final int rate, final int securities, final List<String> settings)
        throws Exception
    {
        final String jar = Path.of(LatencyHarness.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "-cp", jar, "io.meridian.gateway.Meridian", "--port", "0",
            "--set", "server.host=127.0.0.1",
            "--set", "sim.markets=1",
            "--set", "sim.securities=" + securities,
            "--set", "sim.update-rate=0",
            "--set", "sim.session-seconds=0",
            "--set", "sim.stamp-rate=" + rate));
        for (final String setting : settings)
        {
            command.add("--set");
            command.add(setting);
        }
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    private static int awaitPort(final Process proxy) throws Exception
    {
        final LinkedBlockingQueue<Integer> port = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(proxy.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    final Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find())
                    {
                        port.add(Integer.parseInt(matcher.group(1)));
                    }
                }
            }
            catch (final java.io.IOException ex)
            {
                // The process ended.
            }
        }, "proxy-output");
        reader.setDaemon(true);
        reader.start();
        final Integer found = port.poll(60, TimeUnit.SECONDS);
        if (null == found)
        {
            throw new IllegalStateException("Meridian did not start within 60 s");
        }
        return found;
    }

    private static List<String> securityKeys(final HttpClient http, final int port, final int securities)
        throws Exception
    {
        final Client client = new Client(http, port, "latency-keys");
        try
        {
            client.socket.sendText("{\"Controller\":\"Market\",\"Topic\":\"QuerySymbols\",\"TransactionID\":1," +
                "\"Data\":{\"Market\":\"XSX\",\"SearchText\":\"\",\"IsPartial\":true,\"Count\":" + securities + "}}",
                true).get(5, TimeUnit.SECONDS);
            final String answer = client.answer.get(30, TimeUnit.SECONDS);
            final List<String> keys = new ArrayList<>();
            for (final JsonNode symbol : JSON.readTree(answer).get("Data"))
            {
                keys.add(symbol.get("Code").asText() + ".XSX");
            }
            return keys;
        }
        finally
        {
            client.socket.abort();
        }
    }

    /**
     * One WebSocket client: records the latency of every stamped update in its own histogram.
     */
    private static final class Client implements WebSocket.Listener
    {
        final Histogram histogram = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final CompletableFuture<String> answer = new CompletableFuture<>();
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
            final String text = frame.toString();
            if (text.contains("\"TransactionID\":1,"))
            {
                answer.complete(text);
                return;
            }
            final int at = text.indexOf(FIELD);
            if (at < 0 || arrived < measureFrom || arrived >= measureTo)
            {
                return;
            }
            // ValueTraded is the due time in nanoseconds over 100.
            long digits = 0;
            int decimals = -1;
            for (int i = at + FIELD.length(); i < text.length(); i++)
            {
                final char c = text.charAt(i);
                if (c >= '0' && c <= '9')
                {
                    digits = digits * 10 + (c - '0');
                    decimals += decimals >= 0 ? 1 : 0;
                }
                else if (c == '.' && decimals < 0)
                {
                    decimals = 0;
                }
                else
                {
                    break;
                }
            }
            long nanos = digits;
            for (int d = Math.max(0, decimals); d < 2; d++)
            {
                nanos *= 10;
            }
            synchronized (this)
            {
                histogram.recordValue(Math.max(0, arrived - nanos));
                frames++;
            }
        }
    }
}
