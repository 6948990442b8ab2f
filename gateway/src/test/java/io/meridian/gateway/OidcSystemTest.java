package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meridian.config.MeridianConfig;
import io.meridian.gateway.auth.AuthException;
import io.meridian.gateway.auth.Rights;
import io.meridian.gateway.auth.TokenVerifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.meridian.gateway.ZenithTestClient.action;
import static io.meridian.gateway.ZenithTestClient.data;
import static io.meridian.gateway.ZenithTestClient.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Meridian against a real OpenID Connect provider running in the test JVM (mock-oauth2-server, see
 * {@link MockIdentityProvider}): {@code auth.jwks-url} is the provider's JWKS endpoint, {@code auth.issuer} its
 * issuer, and every token reaches the gateway the way a client sends it, as {@code Auth/AuthToken} on the
 * WebSocket. Tokens are shaped like Keycloak's, with rights in {@code scope} and {@code realm_access.roles}, so
 * the claim mapping is exercised end to end too.
 * <p>
 * Key rotation and the provider outage each get a Meridian of their own: the verifier's JWKS cache and its rate
 * limit on refetches (two in 30 seconds) are state that the other tests would disturb.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OidcSystemTest
{
    private static final long WAIT_MS = 10_000;
    private static final String AUDIENCE = "meridian-api";
    private static final AtomicLong TRANSACTION_IDS = new AtomicLong(100);

    private static MockIdentityProvider idp;
    private static MeridianServer server;
    private static TokenVerifier referenceVerifier;

    @BeforeAll
    static void start()
    {
        idp = new MockIdentityProvider();
        final MeridianConfig config = config(idp);
        server = MeridianServer.start(config);
        // The same settings in a verifier of the test's own, to learn why the gateway refuses a token: the
        // gateway answers only Rejected, on purpose.
        referenceVerifier = TokenVerifier.fromConfig(config);
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
        if (null != idp)
        {
            idp.close();
        }
    }

    static MeridianConfig config(final MockIdentityProvider provider)
    {
        return MeridianConfig.of(Map.ofEntries(
            Map.entry("server.port", "0"),
            Map.entry("server.host", "127.0.0.1"),
            Map.entry("sim.markets", "2"),
            Map.entry("sim.securities", "10"),
            Map.entry("sim.update-rate", "200"),
            Map.entry("upstream.heartbeat-interval-ms", "200"),
            Map.entry("upstream.liveness-timeout-ms", "2000"),
            Map.entry("auth.jwks-url", provider.jwksUrl()),
            Map.entry("auth.issuer", provider.issuer()),
            Map.entry("auth.audience", AUDIENCE),
            Map.entry("auth.scope-claims", "scope,realm_access.roles"),
            Map.entry("auth.trading-scopes", "zenith/trading,meridian-trader")));
    }

    /**
     * Claims of a Keycloak user with market data through a client scope and trading through a realm role.
     */
    static Map<String, Object> keycloakClaims(final String user)
    {
        final Map<String, Object> claims = new HashMap<>();
        claims.put("preferred_username", user);
        claims.put("scope", "openid profile zenith/market");
        claims.put("realm_access", Map.of("roles", List.of("offline_access", "meridian-trader")));
        claims.put("azp", "motif-web");
        return claims;
    }

    static String token(final MockIdentityProvider provider, final String user)
    {
        return provider.token(user, AUDIENCE, keycloakClaims(user));
    }

    @Test
    void discoveryDocumentNamesTheIssuerAndJwksMeridianIsSetTo() throws Exception
    {
        final HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create(idp.issuer() + "/.well-known/openid-configuration")).build(),
            HttpResponse.BodyHandlers.ofString());

        final JsonNode discovery = ZenithTestClient.JSON.readTree(response.body());
        assertEquals(idp.issuer(), discovery.get("issuer").asText());
        assertEquals(idp.jwksUrl(), discovery.get("jwks_uri").asText());
        assertEquals(idp.tokenEndpoint(), discovery.get("token_endpoint").asText());
    }

    @Test
    void loginWithATokenFromTheTokenEndpointAndSubscribe() throws Exception
    {
        final JsonNode response = idp.clientCredentials("motif-service", AUDIENCE, Map.of(
            "scope", "zenith/market",
            "realm_access", Map.of("roles", List.of("meridian-trader"))));
        assertEquals("Bearer", response.get("token_type").asText());
        final String token = response.get("access_token").asText();

        try (ZenithTestClient client = new ZenithTestClient(server.port(), null))
        {
            final JsonNode auth = authToken(client, token);
            assertEquals("Success", auth.get("Data").get("Result").asText(), auth.toString());
            assertEquals("motif-service", auth.get("Data").get("UserID").asText());
            assertEquals(token, auth.get("Data").get("AccessToken").asText());
            assertEquals(List.of(Rights.MARKET, Rights.TRADING),
                ZenithTestClient.JSON.convertValue(auth.get("Data").get("Scope"), List.class));

            final String key = server.feedServer().securityKeys().get(0);
            final String topic = "Security!" + key;
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\",\"Confirm\":true}");
            final JsonNode full = client.await(data(topic), WAIT_MS);
            assertEquals(key.substring(0, key.indexOf('.')), full.get("Data").get("Code").asText());
            assertTrue(client.await(action(topic, "Sub"), WAIT_MS).get("Confirm").asBoolean());
        }
    }

    @Test
    void renewalWithAFreshTokenIsAcceptedAndATokenForAnotherUserIsRefused() throws Exception
    {
        try (ZenithTestClient client = new ZenithTestClient(server.port(), null))
        {
            final String first = token(idp, "renee");
            assertEquals("Success", authToken(client, first).get("Data").get("Result").asText());

            final String fresh = token(idp, "renee");
            assertNotEquals(first, fresh);
            final JsonNode renewed = authToken(client, fresh);
            assertEquals("Success", renewed.get("Data").get("Result").asText(), renewed.toString());
            assertEquals(fresh, renewed.get("Data").get("AccessToken").asText());
            assertEquals("renee", renewed.get("Data").get("UserID").asText());

            final JsonNode swap = authToken(client, token(idp, "mallory"));
            assertEquals("Rejected", swap.get("Data").get("Result").asText(), swap.toString());

            client.send("{\"Controller\":\"Auth\",\"Topic\":\"QueryIdentify\",\"TransactionID\":1}");
            final JsonNode identify = client.await(transaction(1), WAIT_MS);
            assertEquals("renee", identify.get("Data").get("UserID").asText(), "the session kept its user");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("rejectedTokens")
    void rejectedOverTheWebSocket(final String name, final String reason, final TokenMaker maker) throws Exception
    {
        final String token = maker.make();
        if (null != reason)
        {
            final AuthException ex = assertThrows(AuthException.class, () -> referenceVerifier.verify(token));
            assertEquals(reason, ex.reason(), "the token is refused for the reason the case is about");
        }

        try (ZenithTestClient client = new ZenithTestClient(server.port(), null))
        {
            if (null == reason)
            {
                // The renewal case: the session first belongs to someone else.
                assertEquals("Success", authToken(client, token(idp, "owner")).get("Data").get("Result").asText());
            }

            final JsonNode reply = authToken(client, token);
            assertEquals("AuthToken", reply.get("Topic").asText());
            assertEquals("Rejected", reply.get("Data").get("Result").asText(), reply.toString());
            assertFalse(reply.get("Data").has("UserID"), reply.toString());
        }
    }

    static Stream<Arguments> rejectedTokens()
    {
        return Stream.of(
            Arguments.of("alg none", "unsigned token", (TokenMaker)() ->
            {
                final String[] parts = token(idp, "alice").split("\\.");
                return Base64URL.encode("{\"alg\":\"none\",\"typ\":\"JWT\"}") + "." + parts[1] + ".";
            }),
            Arguments.of("HS256 signed with the RSA public key bytes", "algorithm not allowed", (TokenMaker)() ->
            {
                final RSAKey key = idp.currentKey();
                final SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.HS256).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(),
                    claimsOf(token(idp, "alice")));
                jwt.sign(new MACSigner(key.toRSAPublicKey().getEncoded()));
                return jwt.serialize();
            }),
            Arguments.of("wrong issuer", "wrong issuer", (TokenMaker)() ->
                idp.token("another-realm", "alice", AUDIENCE, keycloakClaims("alice"))),
            Arguments.of("wrong audience", "wrong audience", (TokenMaker)() ->
                idp.token("alice", "another-api", keycloakClaims("alice"))),
            Arguments.of("expired", "expired", (TokenMaker)() -> shifted(Duration.ofHours(-2))),
            Arguments.of("not yet valid", "not yet valid", (TokenMaker)() -> shifted(Duration.ofHours(1))),
            Arguments.of("tampered payload", "bad signature", (TokenMaker)() ->
            {
                final String genuine = token(idp, "alice");
                final String[] parts = genuine.split("\\.");
                final Map<String, Object> claims = claimsOf(genuine).toJSONObject();
                claims.put("realm_access", Map.of("roles", List.of("meridian-trader", "zenith/admin")));
                claims.put("scope", "openid zenith/market zenith/trading zenith/orderpad zenith/admin");
                final String forged = Base64URL.encode(
                    ZenithTestClient.JSON.writeValueAsString(claims).getBytes(StandardCharsets.UTF_8)).toString();
                return parts[0] + "." + forged + "." + parts[2];
            }),
            Arguments.of("unknown key", "unknown signing key", (TokenMaker)() ->
            {
                final RSAKey stranger = new RSAKeyGenerator(2048).keyID("not-published").generate();
                final SignedJWT jwt = new SignedJWT(
                    new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID("not-published").build(),
                    claimsOf(token(idp, "alice")));
                jwt.sign(new RSASSASigner(stranger));
                return jwt.serialize();
            }),
            Arguments.of("renewal for another user", null, (TokenMaker)() -> token(idp, "intruder")));
    }

    /**
     * Key rotation at the provider. mock-oauth2-server rotates in place (see {@link MockIdentityProvider}): its
     * key provider is asked for the key on every signature and every JWKS request, so swapping the key the test's
     * provider hands out is a rotation, with no restart and no second server. A token under the new key id is
     * accepted once the verifier has fetched the JWKS again, which it does exactly once; sessions opened before
     * the rotation renew with new-key tokens; the retired key, gone from the JWKS, is trusted no longer.
     */
    @Test
    void keyRotationAtTheProvider() throws Exception
    {
        try (MockIdentityProvider provider = new MockIdentityProvider();
            MeridianServer meridian = MeridianServer.start(config(provider));
            ZenithTestClient before = new ZenithTestClient(meridian.port(), null))
        {
            final String oldKeyToken = token(provider, "rotor");
            final String oldKeyId = provider.currentKey().getKeyID();
            assertEquals("Success", authToken(before, oldKeyToken).get("Data").get("Result").asText());
            assertEquals(1, provider.jwksFetches());

            provider.rotate();
            final String newKeyId = provider.currentKey().getKeyID();
            assertEquals(Set.of(newKeyId), provider.publishedKeyIds());
            final int fetchesBeforeNewKid = provider.jwksFetches();

            final String newKeyToken = token(provider, "rotor");
            assertEquals(newKeyId, SignedJWT.parse(newKeyToken).getHeader().getKeyID());
            try (ZenithTestClient after = new ZenithTestClient(meridian.port(), null))
            {
                final JsonNode auth = authToken(after, newKeyToken);
                assertEquals("Success", auth.get("Data").get("Result").asText(), auth.toString());
            }
            assertEquals(fetchesBeforeNewKid + 1, provider.jwksFetches(), "one refetch for the new key id");

            final JsonNode renewed = authToken(before, token(provider, "rotor"));
            assertEquals("Success", renewed.get("Data").get("Result").asText(), renewed.toString());

            assertNotEquals(oldKeyId, newKeyId);
            try (ZenithTestClient late = new ZenithTestClient(meridian.port(), null))
            {
                final JsonNode auth = authToken(late, oldKeyToken);
                assertEquals("Rejected", auth.get("Data").get("Result").asText(), auth.toString());
            }
        }
    }

    /**
     * The provider goes down for a while. Tokens under keys Meridian has already fetched go on verifying, for new
     * sessions and renewals alike, since the JWKS is cached; once the provider is back, on the same port, its
     * tokens verify again, including ones under a key it rotated to while it was down, which needs a fetch from
     * the provider that came back.
     */
    @Test
    void providerBrieflyDown() throws Exception
    {
        try (MockIdentityProvider provider = new MockIdentityProvider();
            MeridianServer meridian = MeridianServer.start(config(provider));
            ZenithTestClient open = new ZenithTestClient(meridian.port(), null))
        {
            assertEquals("Success", authToken(open, token(provider, "otto")).get("Data").get("Result").asText());
            final String renewal = token(provider, "otto");
            final String newcomer = token(provider, "nora");

            provider.stop();
            final Exception down = assertThrows(Exception.class, provider::publishedKeyIds);
            assertInstanceOf(ConnectException.class, down, down.toString());

            final JsonNode renewed = authToken(open, renewal);
            assertEquals("Success", renewed.get("Data").get("Result").asText(), renewed.toString());
            try (ZenithTestClient client = new ZenithTestClient(meridian.port(), null))
            {
                final JsonNode auth = authToken(client, newcomer);
                assertEquals("Success", auth.get("Data").get("Result").asText(), auth.toString());
                client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":2}");
                assertEquals(2, client.await(transaction(2), WAIT_MS).get("Data").size());
            }

            provider.rotate();
            provider.start();
            final int fetchesBefore = provider.jwksFetches();

            try (ZenithTestClient client = new ZenithTestClient(meridian.port(), null))
            {
                final JsonNode auth = authToken(client, token(provider, "nora"));
                assertEquals("Success", auth.get("Data").get("Result").asText(), auth.toString());
                assertEquals("nora", auth.get("Data").get("UserID").asText());
            }
            assertEquals(fetchesBefore + 1, provider.jwksFetches(), "the new key came from the provider");
        }
    }

    private static JsonNode authToken(final ZenithTestClient client, final String token) throws Exception
    {
        final long id = TRANSACTION_IDS.incrementAndGet();
        client.send("{\"Controller\":\"Auth\",\"Topic\":\"AuthToken\",\"TransactionID\":" + id +
            ",\"Data\":{\"Provider\":\"Bearer\",\"AccessToken\":\"" + token + "\"}}");
        return client.await(transaction(id), WAIT_MS);
    }

    private static String shifted(final Duration offset)
    {
        idp.shiftClock(offset);
        try
        {
            return token(idp, "alice");
        }
        finally
        {
            idp.shiftClock(Duration.ZERO);
        }
    }

    private static JWTClaimsSet claimsOf(final String token) throws Exception
    {
        return SignedJWT.parse(token).getJWTClaimsSet();
    }

    /**
     * Makes a case's token when the case runs, once the provider is up.
     */
    @FunctionalInterface
    interface TokenMaker
    {
        String make() throws Exception;
    }
}
