package io.meridian.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Meridian in demo mode in a process of its own, started from the benchmarks jar (which holds the whole product)
 * with the simulated exchange sending stamped security updates, as the harnesses use it.
 */
final class MeridianProcess implements AutoCloseable
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

    private final Process process;
    private final int port;

    /**
     * Start Meridian and wait until it listens.
     *
     * @param jvmOptions options for its JVM, before the main class.
     * @param settings   {@code key=value} settings, after the harness's own (so they win).
     * @throws Exception if it does not start within 60 s.
     */
    MeridianProcess(final int stampRate, final int securities, final List<String> jvmOptions,
        final List<String> settings) throws Exception
    {
        final String jar = Path.of(MeridianProcess.class.getProtectionDomain().getCodeSource().getLocation().toURI())
            .toString();
        final List<String> command = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED"));
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", jar, "io.meridian.gateway.Meridian", "--port", "0",
            "--set", "server.host=127.0.0.1",
            "--set", "sim.markets=1",
            "--set", "sim.securities=" + securities,
            "--set", "sim.update-rate=0",
            "--set", "sim.session-seconds=0",
            "--set", "sim.stamp-rate=" + stampRate));
        for (final String setting : settings)
        {
            command.add("--set");
            command.add(setting);
        }
        process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try
        {
            port = awaitPort();
        }
        catch (final Exception ex)
        {
            close();
            throw ex;
        }
    }

    /**
     * @return the HTTP and WebSocket port.
     */
    int port()
    {
        return port;
    }

    /**
     * @return the process id.
     */
    long pid()
    {
        return process.pid();
    }

    /**
     * Keys ({@code CODE.XSX}) of the first securities of the simulated market, from a QuerySymbols request.
     *
     * @throws Exception if Meridian does not answer within 30 s.
     */
    List<String> securityKeys(final HttpClient http, final int securities) throws Exception
    {
        final CompletableFuture<String> answer = new CompletableFuture<>();
        final StringBuilder partial = new StringBuilder();
        final WebSocket socket = ZenithConnect.open(http, port, "harness-keys", new WebSocket.Listener()
        {
            @Override
            public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
            {
                partial.append(data);
                if (last)
                {
                    final String text = partial.toString();
                    partial.setLength(0);
                    if (text.contains("\"TransactionID\":1,"))
                    {
                        answer.complete(text);
                    }
                }
                webSocket.request(1);
                return null;
            }
        });
        try
        {
            socket.sendText("{\"Controller\":\"Market\",\"Topic\":\"QuerySymbols\",\"TransactionID\":1," +
                "\"Data\":{\"Market\":\"XSX\",\"SearchText\":\"\",\"IsPartial\":true,\"Count\":" + securities + "}}",
                true).get(5, TimeUnit.SECONDS);
            final List<String> keys = new ArrayList<>();
            for (final JsonNode symbol : JSON.readTree(answer.get(30, TimeUnit.SECONDS)).get("Data"))
            {
                keys.add(symbol.get("Code").asText() + ".XSX");
            }
            return keys;
        }
        finally
        {
            socket.abort();
        }
    }

    /**
     * Ask the JVM for a full collection ({@code jcmd PID GC.run}), so that the GC log's next line gives the live heap.
     *
     * @throws Exception if jcmd fails.
     */
    void fullGc() throws Exception
    {
        final Process jcmd = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
            Long.toString(pid()), "GC.run").redirectErrorStream(true).start();
        final String output = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!jcmd.waitFor(60, TimeUnit.SECONDS) || jcmd.exitValue() != 0)
        {
            throw new IllegalStateException("jcmd GC.run failed: " + output);
        }
    }

    @Override
    public void close() throws InterruptedException
    {
        process.destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS))
        {
            process.destroyForcibly();
        }
    }

    private int awaitPort() throws Exception
    {
        final LinkedBlockingQueue<Integer> found = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() ->
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while (null != (line = lines.readLine()))
                {
                    final Matcher matcher = LISTENING.matcher(line);
                    if (matcher.find())
                    {
                        found.add(Integer.parseInt(matcher.group(1)));
                    }
                }
            }
            catch (final IOException ex)
            {
                // The process ended.
            }
        }, "meridian-output");
        reader.setDaemon(true);
        reader.start();
        final Integer listening = found.poll(60, TimeUnit.SECONDS);
        if (null == listening)
        {
            throw new IllegalStateException("Meridian did not start within 60 s");
        }
        return listening;
    }

    /**
     * Resident memory of a process in bytes, from {@code /proc/PID/status}; -1 if it cannot be read.
     */
    static long residentBytes(final long pid)
    {
        try
        {
            for (final String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status")))
            {
                if (line.startsWith("VmRSS:"))
                {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        }
        catch (final IOException | NumberFormatException ex)
        {
            return -1;
        }
        return -1;
    }

    /**
     * CPU time (user and system) a process has used, in clock ticks of 1/100 s, from {@code /proc/PID/stat}; -1 if
     * it cannot be read.
     */
    static long cpuTicks(final long pid)
    {
        return cpuTicks(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /**
     * CPU time, as {@link #cpuTicks(long)}, of the threads of a process whose names start with a prefix, on its own
     * or as the first of a composite agent's ({@code [name,...]}); Linux keeps the first 15 characters of a name.
     */
    static long threadCpuTicks(final long pid, final String namePrefix)
    {
        long ticks = 0;
        try (java.util.stream.Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task")))
        {
            for (final Path task : (Iterable<Path>)tasks::iterator)
            {
                final String name = Files.readString(task.resolve("comm"));
                if (name.startsWith(namePrefix) || name.startsWith("[" + namePrefix))
                {
                    ticks += Math.max(0, cpuTicks(task.resolve("stat")));
                }
            }
        }
        catch (final IOException | java.io.UncheckedIOException ex)
        {
            return -1;
        }
        return ticks;
    }

    private static long cpuTicks(final Path statFile)
    {
        try
        {
            final String stat = Files.readString(statFile);
            // The command name may hold spaces; the fields after it are counted from its closing parenthesis.
            final String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }
}
