package io.meridian.gateway.auth;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.undertow.server.HttpHandler;
import io.undertow.server.HttpServerExchange;
import io.undertow.util.Headers;
import io.undertow.util.Methods;
import io.undertow.util.StatusCodes;

import java.nio.charset.StandardCharsets;
import java.util.Deque;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

/**
 * The demo mode token endpoint: {@code POST /demo/token?user=NAME} answers with an OAuth-style token response
 * {@code {"access_token":"...","token_type":"Bearer","expires_in":1800}} carrying a token minted by the
 * {@link DemoIssuer}, with the market, trading and order-pad scopes, or with the space-separated {@code scope}
 * parameter's choice of those and {@value Rights#ADMIN}. A missing or invalid user or scope gets 400
 * {@code invalid_request}; any method but POST gets 405. Mount it only in demo mode: it hands out a token for any
 * user name asked for.
 */
public final class DemoTokenHandler implements HttpHandler
{
    /**
     * Where the handler is meant to be mounted.
     */
    public static final String PATH = "/demo/token";

    private static final Set<String> GRANTABLE = Set.copyOf(Rights.ALL);

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String JSON = "application/json";

    private final DemoIssuer issuer;

    /**
     * A handler minting tokens with an issuer.
     *
     * @param issuer signs the tokens.
     */
    public DemoTokenHandler(final DemoIssuer issuer)
    {
        this.issuer = Objects.requireNonNull(issuer, "issuer");
    }

    /**
     * Answer one request. Checks are made on the IO thread; signing, which takes a millisecond or more of CPU, on a
     * worker thread.
     *
     * @param exchange the request and its response.
     */
    @Override
    public void handleRequest(final HttpServerExchange exchange)
    {
        exchange.getResponseHeaders().put(Headers.CACHE_CONTROL, "no-store");
        if (!Methods.POST.equals(exchange.getRequestMethod()))
        {
            exchange.setStatusCode(StatusCodes.METHOD_NOT_ALLOWED);
            exchange.getResponseHeaders().put(Headers.ALLOW, Methods.POST_STRING);
            exchange.endExchange();
            return;
        }

        final Deque<String> users = exchange.getQueryParameters().get("user");
        if (null == users || users.isEmpty())
        {
            invalidRequest(exchange, "missing query parameter user");
            return;
        }
        if (users.size() > 1)
        {
            invalidRequest(exchange, "query parameter user given more than once");
            return;
        }
        final String user = users.getFirst();
        if (!DemoIssuer.validUserName(user))
        {
            invalidRequest(exchange, "user must be 1 to " + DemoIssuer.MAX_USER_NAME_LENGTH +
                " characters of A-Z a-z 0-9 . _ @ -");
            return;
        }

        String scope = DemoIssuer.SCOPE;
        final Deque<String> scopes = exchange.getQueryParameters().get("scope");
        if (null != scopes && !scopes.isEmpty())
        {
            scope = String.join(" ", scopes).trim();
            for (final String granted : scope.split(" +"))
            {
                if (!GRANTABLE.contains(granted))
                {
                    invalidRequest(exchange, "scope may hold only " + String.join(", ", new TreeSet<>(GRANTABLE)));
                    return;
                }
            }
        }

        if (exchange.isInIoThread())
        {
            exchange.dispatch(this);
            return;
        }

        final ObjectNode response = MAPPER.createObjectNode()
            .put("access_token", issuer.mint(user, scope))
            .put("token_type", "Bearer")
            .put("expires_in", issuer.lifetimeSeconds());
        send(exchange, StatusCodes.OK, response);
    }

    private static void invalidRequest(final HttpServerExchange exchange, final String description)
    {
        final ObjectNode response = MAPPER.createObjectNode()
            .put("error", "invalid_request")
            .put("error_description", description);
        send(exchange, StatusCodes.BAD_REQUEST, response);
    }

    private static void send(final HttpServerExchange exchange, final int status, final ObjectNode response)
    {
        exchange.setStatusCode(status);
        exchange.getResponseHeaders().put(Headers.CONTENT_TYPE, JSON);
        exchange.getResponseSender().send(response.toString(), StandardCharsets.UTF_8);
    }
}
