package io.meridian.gateway.auth;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JwksHandlerTest
{
    private static HttpTestServer server;

    @BeforeAll
    static void start()
    {
        server = new HttpTestServer(new DemoIssuer(1800));
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void shouldServePublicKeySetThatVerifiesDemoTokens() throws Exception
    {
        final HttpResponse<String> response = send("GET");

        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        final JWKSet keys = JWKSet.parse(response.body());
        assertEquals(1, keys.getKeys().size());
        assertFalse(keys.getKeys().get(0).isPrivate());

        final TokenVerifier verifier = TokenVerifier.forKeys(
            new ImmutableJWKSet<>(keys), DemoIssuer.ISSUER, DemoIssuer.AUDIENCE, List.of("RS256"), 60);
        assertEquals("carol", verifier.verify(server.issuer.mint("carol")).userId());
    }

    @Test
    void shouldAnswerHeadWithoutBody() throws Exception
    {
        final HttpResponse<String> response = send("HEAD");

        assertEquals(200, response.statusCode());
        assertTrue(response.body().isEmpty());
        assertEquals(
            server.issuer.jwksJson().getBytes(StandardCharsets.UTF_8).length,
            Long.parseLong(response.headers().firstValue("Content-Length").orElse("-1")));
    }

    @Test
    void shouldRejectPost() throws Exception
    {
        final HttpResponse<String> response = send("POST");

        assertEquals(405, response.statusCode());
        assertEquals("GET, HEAD", response.headers().firstValue("Allow").orElse(""));
        assertFalse(response.body().contains("keys"));
    }

    private static HttpResponse<String> send(final String method) throws Exception
    {
        final HttpRequest request = HttpRequest.newBuilder(server.uri(JwksHandler.PATH))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build();
        return server.client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
