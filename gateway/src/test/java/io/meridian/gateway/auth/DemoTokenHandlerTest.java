package io.meridian.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoTokenHandlerTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

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
    void shouldIssueTokenForUser() throws Exception
    {
        final HttpResponse<String> response = send("POST", DemoTokenHandler.PATH + "?user=alice");

        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        assertEquals("no-store", response.headers().firstValue("Cache-Control").orElse(""));
        final JsonNode body = MAPPER.readTree(response.body());
        assertEquals(3, body.size());
        assertEquals("Bearer", body.get("token_type").asText());
        assertTrue(body.get("expires_in").isInt());
        assertEquals(1800, body.get("expires_in").asInt());
        assertTrue(body.get("access_token").isTextual());

        final AuthenticatedUser user =
            server.issuer.verifier(List.of("RS256"), 60).verify(body.get("access_token").asText());
        assertEquals("alice", user.userId());
    }

    @Test
    void shouldIssueTheScopesAskedFor() throws Exception
    {
        final HttpResponse<String> response =
            send("POST", DemoTokenHandler.PATH + "?user=ops&scope=zenith/admin%20zenith/market");

        assertEquals(200, response.statusCode(), response.body());
        final AuthenticatedUser user = server.issuer.verifier(List.of("RS256"), 60)
            .verify(MAPPER.readTree(response.body()).get("access_token").asText());
        assertEquals(java.util.Set.of("zenith/admin", "zenith/market"), user.scopes());
    }

    @Test
    void shouldRejectAnUnknownScope() throws Exception
    {
        assertInvalidRequest(send("POST", DemoTokenHandler.PATH + "?user=ops&scope=zenith/market%20root"));
    }

    @Test
    void shouldRejectMissingUser() throws Exception
    {
        assertInvalidRequest(send("POST", DemoTokenHandler.PATH));
    }

    @Test
    void shouldRejectEmptyUser() throws Exception
    {
        assertInvalidRequest(send("POST", DemoTokenHandler.PATH + "?user="));
    }

    @Test
    void shouldRejectUserWithSpace() throws Exception
    {
        assertInvalidRequest(send("POST", DemoTokenHandler.PATH + "?user=a%20b"));
    }

    @Test
    void shouldRejectOverlongUser() throws Exception
    {
        assertInvalidRequest(send("POST", DemoTokenHandler.PATH + "?user=" + "x".repeat(65)));
    }

    @Test
    void shouldRejectUserGivenTwice() throws Exception
    {
        assertInvalidRequest(send("POST", DemoTokenHandler.PATH + "?user=alice&user=bob"));
    }

    @Test
    void shouldRejectGet() throws Exception
    {
        final HttpResponse<String> response = send("GET", DemoTokenHandler.PATH + "?user=alice");

        assertEquals(405, response.statusCode());
        assertEquals("POST", response.headers().firstValue("Allow").orElse(""));
        assertFalse(response.body().contains("access_token"));
    }

    private static void assertInvalidRequest(final HttpResponse<String> response) throws Exception
    {
        assertEquals(400, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("Content-Type").orElse(""));
        final JsonNode body = MAPPER.readTree(response.body());
        assertEquals("invalid_request", body.get("error").asText());
        assertFalse(body.get("error_description").asText().isEmpty());
        assertFalse(body.has("access_token"));
    }

    private static HttpResponse<String> send(final String method, final String pathAndQuery) throws Exception
    {
        final HttpRequest request = HttpRequest.newBuilder(server.uri(pathAndQuery))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .timeout(Duration.ofSeconds(10))
            .build();
        return server.client.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
