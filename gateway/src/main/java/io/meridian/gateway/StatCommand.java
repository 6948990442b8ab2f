package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.gateway.http.ClearCacheCommand;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@code meridian stat}: print a running Meridian's counters, one per line with its name, as Aeron's AeronStat does
 * for a media driver; with {@code --watch SECONDS}, again every that many seconds with each counter's rate per second
 * since the previous print. Reads {@code GET /admin/counters} with an operator's token; without one, it asks a
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
            Map<String, Long> previous = null;
            long previousMs = 0;
            for (int printed = 0; ; )
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
                    return 1;
                }
                final JsonNode body = MAPPER.readTree(response.body());
                final long nowMs = body.path("timeMs").asLong();
                final Map<String, Long> values = new LinkedHashMap<>();
                for (final JsonNode counter : body.path("counters"))
                {
                    values.put(counter.path("name").asText(), counter.path("value").asLong());
                }
                print(out, base, nowMs, values, previous, nowMs - previousMs);
                printed++;
                if (0 == watchSeconds || (count > 0 && printed >= count))
                {
                    return 0;
                }
                previous = values;
                previousMs = nowMs;
                Thread.sleep(watchSeconds * 1000L);
            }
        }
        catch (final IOException | InterruptedException ex)
        {
            return ClearCacheCommand.failed(ex, "reading the counters at " + base, base, err);
        }
    }

    private static void print(
        final PrintStream out,
        final String base,
        final long nowMs,
        final Map<String, Long> values,
        final Map<String, Long> previous,
        final long elapsedMs)
    {
        out.println("Meridian at " + base + ", " + Instant.ofEpochMilli(nowMs));
        for (final Map.Entry<String, Long> counter : values.entrySet())
        {
            if (null == previous || elapsedMs <= 0)
            {
                out.printf(Locale.ROOT, "  %-36s %,18d%n", counter.getKey(), counter.getValue());
            }
            else
            {
                final long before = previous.getOrDefault(counter.getKey(), 0L);
                out.printf(Locale.ROOT, "  %-36s %,18d %,14.1f/s%n", counter.getKey(), counter.getValue(),
                    (counter.getValue() - before) * 1000.0 / elapsedMs);
            }
        }
        out.flush();
    }
}
