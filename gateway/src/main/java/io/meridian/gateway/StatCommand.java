package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.engine.CountersFile;
import io.meridian.gateway.http.ClearCacheCommand;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code meridian stat}: print a running Meridian's counters, one per line with its name, as Aeron's AeronStat does
 * for a media driver; with {@code --watch SECONDS}, again every that many seconds with each counter's rate per second
 * since the previous print (gauges are printed as they are). Reads the counters file when there is one
 * ({@code counters.file}), otherwise {@code GET /admin/counters} with an operator's token; without one, it asks a
 * demo-mode Meridian's own issuer, as {@code --clear-cache} does.
 */
final class StatCommand
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private StatCommand()
    {
    }

    /**
     * @param host         where Meridian listens.
     * @param port         its HTTP port.
     * @param token        an access token with the admin scope, or null or empty to try the demo issuer.
     * @param watchSeconds seconds between prints, or 0 to print once.
     * @param count        prints before stopping when watching; 0 for no end.
     * @param out          where the counters go.
     * @param err          where errors go.
     * @return the exit code: 0 when printed, 1 when not.
     */
    static int run(
        final String host,
        final int port,
        final String token,
        final int watchSeconds,
        final int count,
        final PrintStream out,
        final PrintStream err)
    {
        final String base = "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        try
        {
            final String bearer = ClearCacheCommand.bearer(http, base, token, "stat", err);
            if (null == bearer)
            {
                return 1;
            }
            return loop("Meridian at " + base, watchSeconds, count, out, () ->
            {
                final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    URI.create(base + AdminHandler.PATH + AdminHandler.COUNTERS))
                    .timeout(TIMEOUT)
                    .header("Authorization", "Bearer " + bearer)
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() != 200)
                {
                    err.println("meridian: reading the counters at " + base + " failed: HTTP " +
                        response.statusCode() + " " + response.body().trim());
                    return null;
                }
                final JsonNode body = MAPPER.readTree(response.body());
                final Sample sample = new Sample(body.path("timeMs").asLong());
                for (final JsonNode counter : body.path("counters"))
                {
                    sample.add(counter.path("name").asText(), "gauge".equals(counter.path("type").asText()),
                        counter.path("value").asLong());
                }
                return sample;
            });
        }
        catch (final IOException | InterruptedException ex)
        {
            return ClearCacheCommand.failed(ex, "reading the counters at " + base, base, err);
        }
    }

    /**
     * Print the counters of the Meridian writing {@code file} ({@code counters.file}), with no token and no request
     * to it: a mapped read, as AeronStat reads a media driver's counters.
     *
     * @param file         the counters file.
     * @param watchSeconds seconds between prints, or 0 to print once.
     * @param count        prints before stopping when watching; 0 for no end.
     * @param out          where the counters go.
     * @param err          where errors go.
     * @return the exit code: 0 when printed, 1 when not.
     */
    static int runFile(
        final File file, final int watchSeconds, final int count, final PrintStream out, final PrintStream err)
    {
        final CountersFile.Mapped mapped;
        try
        {
            mapped = CountersFile.open(file);
        }
        catch (final IllegalStateException | IllegalArgumentException ex)
        {
            err.println("meridian: stat: " + ex.getMessage());
            return 1;
        }
        try (mapped)
        {
            final String title = "Meridian pid " + mapped.pid() + " (" + file + ", started " +
                Instant.ofEpochMilli(mapped.startMs()) + ")";
            return loop(title, watchSeconds, count, out, () ->
            {
                if (!mapped.writerAlive())
                {
                    err.println("meridian: stat: process " + mapped.pid() + " that wrote " + file +
                        " is not running; these are its last values");
                }
                final Sample sample = new Sample(System.currentTimeMillis());
                final CountersReader reader = mapped.reader();
                reader.forEach((CountersReader.MetaData)(counterId, typeId, keyBuffer, label) ->
                    sample.add(label, typeId == CountersFile.TYPE_GAUGE, reader.getCounterValue(counterId)));
                return sample;
            });
        }
        catch (final IOException | InterruptedException ex)
        {
            err.println("meridian: stat: " + ex);
            return 1;
        }
    }

    /**
     * One reading of every counter.
     */
    private static final class Sample
    {
        final long timeMs;
        final Map<String, Long> values = new LinkedHashMap<>();
        final Set<String> gauges = new HashSet<>();

        Sample(final long timeMs)
        {
            this.timeMs = timeMs;
        }

        void add(final String name, final boolean gauge, final long value)
        {
            values.put(name, value);
            if (gauge)
            {
                gauges.add(name);
            }
        }
    }

    @FunctionalInterface
    private interface Reading
    {
        /**
         * @return the counters now, or null when they could not be read (the reason printed).
         */
        Sample read() throws IOException, InterruptedException;
    }

    private static int loop(
        final String title, final int watchSeconds, final int count, final PrintStream out, final Reading reading)
        throws IOException, InterruptedException
    {
        Sample previous = null;
        for (int printed = 0; ; )
        {
            final Sample sample = reading.read();
            if (null == sample)
            {
                return 1;
            }
            print(out, title, sample, previous);
            printed++;
            if (0 == watchSeconds || (count > 0 && printed >= count))
            {
                return 0;
            }
            previous = sample;
            Thread.sleep(watchSeconds * 1000L);
        }
    }

    private static void print(final PrintStream out, final String title, final Sample sample, final Sample previous)
    {
        out.println(title + ", " + Instant.ofEpochMilli(sample.timeMs));
        final long elapsedMs = null == previous ? 0 : sample.timeMs - previous.timeMs;
        for (final Map.Entry<String, Long> counter : sample.values.entrySet())
        {
            if (null == previous || elapsedMs <= 0 || sample.gauges.contains(counter.getKey()))
            {
                out.printf(Locale.ROOT, "  %-40s %,18d%n", counter.getKey(), counter.getValue());
            }
            else
            {
                final long before = previous.values.getOrDefault(counter.getKey(), 0L);
                out.printf(Locale.ROOT, "  %-40s %,18d %,14.1f/s%n", counter.getKey(), counter.getValue(),
                    (counter.getValue() - before) * 1000.0 / elapsedMs);
            }
        }
        out.flush();
    }
}
