package io.meridian.gateway;

import io.meridian.config.MeridianConfig;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The console: one page that speaks the Zenith protocol over WebSocket like any client (trader view) and reads the
 * admin API (operator view). Its three files are read from the class path once, at start, and served from memory
 * under {@value #PATH}; {@code config.json} tells the page whether the demo issuer is there.
 */
final class ConsoleHandler implements HttpHandler
{
    static final String PATH = "/console";

    private static final String CSP = "default-src 'self'; img-src 'self' data:; connect-src 'self' ws: wss:%s; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private record File(byte[] bytes, String contentType)
    {
    }

    private final Map<String, File> files;
    private final String csp;

    /**
     * @param config  settings: {@code server.name}, and {@code console.oidc-*} with {@code auth.issuer} for a
     *                sign-in at the identity provider.
     * @param demo    true when the demo issuer's token endpoint is there.
     * @param version Meridian's version.
     */
    ConsoleHandler(final MeridianConfig config, final boolean demo, final String version)
    {
        final StringBuilder json = new StringBuilder("{\"demo\":").append(demo)
            .append(",\"name\":\"").append(jsonEscaped(config.serverName()))
            .append("\",\"version\":\"").append(jsonEscaped(version)).append('"');
        String identityProvider = "";
        if (!demo && !config.consoleOidcClientId().isEmpty())
        {
            json.append(",\"oidc\":{\"issuer\":\"").append(jsonEscaped(config.authIssuer()))
                .append("\",\"clientId\":\"").append(jsonEscaped(config.consoleOidcClientId()))
                .append("\",\"scope\":\"").append(jsonEscaped(config.consoleOidcScope())).append("\"}");
            // The page fetches the provider's discovery document and token endpoint itself.
            final URI issuer = URI.create(config.authIssuer());
            identityProvider = " " + issuer.getScheme() + "://" + issuer.getRawAuthority();
        }
        final String configJson = json.append('}').toString();
        csp = String.format(CSP, identityProvider);
        files = Map.of(
            "/", new File(read("index.html"), "text/html; charset=utf-8"),
            "/console.js", new File(read("console.js"), "text/javascript; charset=utf-8"),
            "/console.css", new File(read("console.css"), "text/css; charset=utf-8"),
            "/config.json", new File(configJson.getBytes(StandardCharsets.UTF_8), "application/json"));
    }

    /**
     * @return a handler for {@code /} that serves the page itself.
     */
    HttpHandler page()
    {
        return exchange -> serve(exchange, "/");
    }

    @Override
    public void handleRequest(final HttpServerExchange exchange)
    {
        final String path = exchange.getRelativePath();
        if (path.isEmpty())
        {
            exchange.setStatusCode(StatusCodes.FOUND);
            exchange.getResponseHeaders().put(Headers.LOCATION, PATH + "/");
            exchange.endExchange();
            return;
        }
        serve(exchange, path);
    }

    private void serve(final HttpServerExchange exchange, final String path)
    {
        if (!Methods.GET.equals(exchange.getRequestMethod()) && !Methods.HEAD.equals(exchange.getRequestMethod()))
        {
            exchange.setStatusCode(StatusCodes.METHOD_NOT_ALLOWED);
            exchange.getResponseHeaders().put(Headers.ALLOW, "GET, HEAD");
            exchange.endExchange();
            return;
        }
        final File file = files.get(path);
        if (null == file)
        {
            exchange.setStatusCode(StatusCodes.NOT_FOUND);
            exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "text/plain; charset=utf-8");
            exchange.getResponseSender().send("no such console file: " + PATH + path + "\n");
            return;
        }
        exchange.getResponseHeaders()
            .put(Headers.CONTENT_TYPE, file.contentType)
            .put(Headers.CACHE_CONTROL, "no-cache")
            .put(Headers.CONTENT_SECURITY_POLICY, csp)
            .put(Headers.X_CONTENT_TYPE_OPTIONS, "nosniff")
            .put(Headers.CONTENT_LENGTH, file.bytes.length);
        if (Methods.HEAD.equals(exchange.getRequestMethod()))
        {
            exchange.endExchange();
            return;
        }
        exchange.getResponseSender().send(ByteBuffer.wrap(file.bytes));
    }

    private static byte[] read(final String name)
    {
        try (InputStream in = ConsoleHandler.class.getResourceAsStream("/console/" + name))
        {
            if (null == in)
            {
                throw new IllegalStateException("the console file " + name + " is missing from the class path");
            }
            return in.readAllBytes();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String jsonEscaped(final String text)
    {
        final StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '"' || c == '\\')
            {
                escaped.append('\\').append(c);
            }
            else if (c < 0x20)
            {
                escaped.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                escaped.append(c);
            }
        }
        return escaped.toString();
    }
}
