package io.meridian.gateway.auth;

import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Publishes the demo issuer's public JWK set at {@value #PATH} so that other services, and clients that check
 * tokens themselves, can verify demo tokens. Answers GET and HEAD; any other method gets 405. Runs on the IO thread:
 * the body is made once.
 */
public final class JwksHandler implements HttpHandler
{
    /**
     * Where the handler is meant to be mounted.
     */
    public static final String PATH = "/.well-known/jwks.json";

    private static final String ALLOWED_METHODS = "GET, HEAD";

    private final ByteBuffer body;

    /**
     * A handler publishing the demo issuer's keys.
     *
     * @param issuer whose public keys to publish.
     */
    public JwksHandler(final DemoIssuer issuer)
    {
        final byte[] bytes = issuer.jwksJson().getBytes(StandardCharsets.UTF_8);
        body = ByteBuffer.allocateDirect(bytes.length).put(bytes).flip().asReadOnlyBuffer();
    }

    /**
     * Answer one request.
     *
     * @param exchange the request and its response.
     */
    @Override
    public void handleRequest(final HttpServerExchange exchange)
    {
        if (!Methods.GET.equals(exchange.getRequestMethod()) && !Methods.HEAD.equals(exchange.getRequestMethod()))
        {
            exchange.setStatusCode(StatusCodes.METHOD_NOT_ALLOWED);
            exchange.getResponseHeaders().put(Headers.ALLOW, ALLOWED_METHODS);
            exchange.endExchange();
            return;
        }

        exchange.setStatusCode(StatusCodes.OK);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-cache");
        // Undertow drops the body of a HEAD response but keeps its Content-Length.
        exchange.getResponseSender().send(body.duplicate());
    }
}
