package io.meridian.gateway.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.StatusCodes;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * The gate of every operator endpoint (the admin API, clearing and purging the HTTP cache): an
 * {@code Authorization: Bearer} access token verified like a client's, carrying the
 * {@value Rights#ADMIN} scope. Without a valid token the answer is 401 with
 * {@code WWW-Authenticate: Bearer}, without the scope 403; both as JSON {@code {"error":"..."}}.
 */
public final class AdminAccess
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final TokenVerifier verifier;

    /**
     * @param verifier verifies the operators' tokens.
     */
    public AdminAccess(final TokenVerifier verifier)
    {
        this.verifier = Objects.requireNonNull(verifier, "verifier");
    }

    /**
     * Check the request's token. Call it on a worker thread: verifying may fetch the identity provider's keys.
     *
     * @param exchange the request.
     * @return the operator, or null when the request was refused and the 401 or 403 answer sent.
     */
    public AuthenticatedUser authorize(final HttpServerExchange exchange)
    {
        return authorize(exchange, Rights.ADMIN);
    }

    /**
     * Check the request's bearer token for a right other than admin (the market data HTTP API asks for
     * {@link Rights#MARKET}); the same answers as {@link #authorize(HttpServerExchange)}.
     *
     * @param exchange the request.
     * @param right    the scope the token must grant.
     * @return the user, or null when the request was refused and the 401 or 403 answer sent.
     */
    public AuthenticatedUser authorize(final HttpServerExchange exchange, final String right)
    {
        final String authorization = exchange.getRequestHeaders().getFirst(Headers.AUTHORIZATION);
        if (null == authorization || !authorization.regionMatches(true, 0, "Bearer ", 0, 7))
        {
            unauthorized(exchange, "an Authorization: Bearer access token is required");
            return null;
        }
        final AuthenticatedUser user;
        try
        {
            user = verifier.verify(authorization.substring(7).trim());
        }
        catch (final AuthException ex)
        {
            exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer error=\"invalid_token\"");
            error(exchange, StatusCodes.UNAUTHORIZED, "invalid token: " + ex.reason());
            return null;
        }
        if (!user.hasScope(right))
        {
            error(exchange, StatusCodes.FORBIDDEN, "the token lacks the " + right + " scope");
            return null;
        }
        return user;
    }

    /**
     * Answer {@code {"error":"..."}}.
     *
     * @param exchange the request.
     * @param status   HTTP status.
     * @param why      the message.
     */
    public static void error(final HttpServerExchange exchange, final int status, final String why)
    {
        send(exchange, status, MAPPER.createObjectNode().put("error", why));
    }

    /**
     * Answer with a JSON body that no cache may keep.
     *
     * @param exchange the request.
     * @param status   HTTP status.
     * @param body     the JSON.
     */
    public static void send(final HttpServerExchange exchange, final int status, final ObjectNode body)
    {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, "application/json");
        exchange.getResponseSender().send(body.toString(), StandardCharsets.UTF_8);
    }

    /**
     * @return a new empty JSON object for {@link #send}.
     */
    public static ObjectNode object()
    {
        return MAPPER.createObjectNode();
    }

    private static void unauthorized(final HttpServerExchange exchange, final String why)
    {
        exchange.getResponseHeaders().put(Headers.WWW_AUTHENTICATE, "Bearer");
        error(exchange, StatusCodes.UNAUTHORIZED, why);
    }
}
