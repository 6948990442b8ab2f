package io.meridian.gateway.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.gateway.auth.DemoTokenHandler;
import io.meridian.gateway.auth.Rights;

import java.io.IOException;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * {@code meridian --clear-cache}: asks a running Meridian to clear its HTTP cache through {@code POST /cache/clear},
 * with an operator's token. Without a token given, it asks a demo-mode Meridian's own issuer for one, as anyone who
 * can reach a demo-mode Meridian could.
 */
public final class ClearCacheCommand
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private ClearCacheCommand()
    {
    }

    /**
     * Clear the cache and say how it went.
     *
     * @param host  where Meridian listens.
     * @param port  its HTTP port.
     * @param token an access token with the admin scope, or null or empty to try the demo issuer.
     * @param out   where the result goes.
     * @param err   where errors go.
     * @return the exit code: 0 when cleared, 1 when not.
     */
    public static int run(final String host, final int port, final String token, final PrintStream out,
        final PrintStream err)
    {
        final String base = "http://" + (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
        final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
        try
        {
            final String bearer = bearer(http, base, token, "--clear-cache", err);
            if (null == bearer)
            {
                return 1;
            }
            final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base +
                HttpCacheHandler.CLEAR_PATH))
                .timeout(TIMEOUT)
                .header("Authorization", "Bearer " + bearer)
                .POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
            final JsonNode body = json(response.body());
            if (response.statusCode() == 200)
            {
                out.println("meridian: HTTP cache cleared at " + base + " (stored responses dropped: " +
                    body.path("cleared").asLong() + ")");
                return 0;
            }
            err.println("meridian: clearing the HTTP cache at " + base + " failed: HTTP " + response.statusCode() +
                (body.has("error") ? ": " + body.get("error").asText() : ""));
            return 1;
        }
        catch (final IOException | InterruptedException ex)
        {
            return failed(ex, "clearing the HTTP cache at " + base, base, err);
        }
    }

    /**
     * The token an operator command uses: the one given, else one from a demo-mode Meridian's issuer; says why when
     * there is none.
     *
     * @param http    the client.
     * @param base    Meridian's base URL.
     * @param token   the token given, or null or empty.
     * @param command the command, for the message.
     * @param err     where the message goes.
     * @return the token, or null.
     * @throws IOException          if Meridian cannot be reached.
     * @throws InterruptedException if interrupted.
     */
    public static String bearer(
        final HttpClient http, final String base, final String token, final String command, final PrintStream err)
        throws IOException, InterruptedException
    {
        if (null != token && !token.isBlank())
        {
            return token.trim();
        }
        final String demo = demoToken(http, base);
        if (null == demo)
        {
            err.println("meridian: " + command + " needs an admin token (scope " + Rights.ADMIN +
                "): set MERIDIAN_ADMIN_TOKEN or pass --token TOKEN");
        }
        return demo;
    }

    /**
     * Say why an operator command could not reach Meridian.
     *
     * @param ex    what went wrong.
     * @param doing what the command was doing, for the message.
     * @param base  Meridian's base URL.
     * @param err   where the message goes.
     * @return the exit code, 1.
     */
    public static int failed(final Exception ex, final String doing, final String base, final PrintStream err)
    {
        if (ex instanceof InterruptedException)
        {
            Thread.currentThread().interrupt();
            err.println("meridian: interrupted");
        }
        else if (ex instanceof ConnectException)
        {
            err.println("meridian: nothing answers at " + base + "; is Meridian running there (--port N)?");
        }
        else
        {
            err.println("meridian: " + doing + " failed: " + ex);
        }
        return 1;
    }

    /**
     * Ask a demo-mode Meridian's own issuer for an operator token, as anyone who can reach it could.
     *
     * @param http the client.
     * @param base Meridian's base URL.
     * @return the token, or null when Meridian is not in demo mode.
     * @throws IOException          if Meridian cannot be reached.
     * @throws InterruptedException if interrupted.
     */
    public static String demoToken(final HttpClient http, final String base) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base +
            DemoTokenHandler.PATH + "?user=admin&scope=" + Rights.ADMIN.replace("/", "%2F")))
            .timeout(TIMEOUT)
            .POST(HttpRequest.BodyPublishers.noBody())
            .build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200)
        {
            return null;
        }
        final JsonNode token = json(response.body()).get("access_token");
        return null == token ? null : token.asText();
    }

    private static JsonNode json(final String text)
    {
        try
        {
            return MAPPER.readTree(text);
        }
        catch (final IOException ex)
        {
            return MAPPER.createObjectNode();
        }
    }
}
