package io.meridian.gateway.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DemoIssuerTest
{
    private static final long NOW_SECONDS = 1_700_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW_SECONDS * 1000L + 123), ZoneOffset.UTC);
    private static final int LIFETIME_SECONDS = 1800;
    private static final Set<String> PRIVATE_MEMBERS = Set.of("d", "p", "q", "dp", "dq", "qi", "oth", "k");

    private static DemoIssuer issuer;

    @BeforeAll
    static void makeIssuer()
    {
        issuer = new DemoIssuer(LIFETIME_SECONDS, CLOCK);
    }

    @Test
    void shouldMintTokenThatItsVerifierAccepts() throws Exception
    {
        final AuthenticatedUser user = issuer.verifier(List.of("RS256"), 60).verify(issuer.mint("alice@example.com"));

        assertEquals("alice@example.com", user.userId());
        assertEquals("alice@example.com", user.displayName());
        assertEquals(Set.of("zenith/market", "zenith/trading", "zenith/orderpad"), user.scopes());
        assertEquals((NOW_SECONDS + LIFETIME_SECONDS) * 1000L, user.expiresAtMs());
    }

    @Test
    void shouldMintTokenWithClaimsAndHeaderOfAccessToken() throws Exception
    {
        final SignedJWT jwt = SignedJWT.parse(issuer.mint("bob"));
        final JWTClaimsSet claims = jwt.getJWTClaimsSet();
        final JWK key = JWKSet.parse(issuer.jwksJson()).getKeys().get(0);

        assertEquals(JWSAlgorithm.RS256, jwt.getHeader().getAlgorithm());
        assertEquals(JOSEObjectType.JWT, jwt.getHeader().getType());
        assertEquals(key.getKeyID(), jwt.getHeader().getKeyID());
        assertEquals(DemoIssuer.ISSUER, claims.getIssuer());
        assertEquals(List.of(DemoIssuer.AUDIENCE), claims.getAudience());
        assertEquals("bob", claims.getSubject());
        assertEquals("bob", claims.getStringClaim("name"));
        assertEquals(new Date(NOW_SECONDS * 1000L), claims.getIssueTime());
        assertEquals(claims.getIssueTime(), claims.getNotBeforeTime());
        assertEquals(new Date((NOW_SECONDS + LIFETIME_SECONDS) * 1000L), claims.getExpirationTime());
        assertEquals("zenith/market zenith/trading zenith/orderpad", claims.getStringClaim("scope"));
        assertNotNull(claims.getJWTID());
    }

    @Test
    void shouldGiveEachTokenItsOwnId() throws Exception
    {
        final String first = SignedJWT.parse(issuer.mint("bob")).getJWTClaimsSet().getJWTID();
        final String second = SignedJWT.parse(issuer.mint("bob")).getJWTClaimsSet().getJWTID();

        assertNotEquals(first, second);
    }

    @Test
    void shouldReportLifetime()
    {
        assertEquals(LIFETIME_SECONDS, issuer.lifetimeSeconds());
    }

    @Test
    void shouldHaveTokensExpireAfterLifetimeAndSkew() throws Exception
    {
        final String token = issuer.mint("alice");
        final Clock later = Clock.offset(CLOCK, Duration.ofSeconds(LIFETIME_SECONDS + 61));
        final TokenVerifier verifier = TokenVerifier.forKeys(
            issuer.keySource(), DemoIssuer.ISSUER, DemoIssuer.AUDIENCE, List.of("RS256"), 60, later);

        final AuthException ex = assertThrows(AuthException.class, () -> verifier.verify(token));
        assertEquals("expired", ex.reason());
    }

    @Test
    void shouldNotAcceptTokensOfAnotherDemoIssuer()
    {
        final DemoIssuer other = new DemoIssuer(LIFETIME_SECONDS, CLOCK);
        final String token = other.mint("alice");

        final AuthException ex = assertThrows(
            AuthException.class, () -> issuer.verifier(List.of("RS256"), 60).verify(token));
        assertEquals("unknown signing key", ex.reason());
    }

    @Test
    void shouldPublishOnlyPublicKeyMembers() throws Exception
    {
        final JsonNode keys = new ObjectMapper().readTree(issuer.jwksJson()).get("keys");

        assertEquals(1, keys.size());
        final JsonNode key = keys.get(0);
        for (final Iterator<String> names = key.fieldNames(); names.hasNext(); )
        {
            final String name = names.next();
            assertFalse(PRIVATE_MEMBERS.contains(name), "private member " + name + " published");
        }
        assertEquals("RSA", key.get("kty").asText());
        assertTrue(key.has("n"));
        assertTrue(key.has("e"));

        final JWK parsed = JWKSet.parse(issuer.jwksJson()).getKeys().get(0);
        assertFalse(parsed.isPrivate());
        assertEquals(KeyUse.SIGNATURE, parsed.getKeyUse());
        assertEquals(JWSAlgorithm.RS256, parsed.getAlgorithm());
        assertEquals(2048, parsed.size());
    }

    @Test
    void shouldRefuseToMintForInvalidUserName()
    {
        assertThrows(IllegalArgumentException.class, () -> issuer.mint("a b"));
    }

    @Test
    void shouldRefuseNonPositiveLifetime()
    {
        assertThrows(IllegalArgumentException.class, () -> new DemoIssuer(0, CLOCK));
    }

    @ParameterizedTest(name = "[{index}] {0} -> {2}")
    @MethodSource("userNames")
    void shouldValidateUserNames(final String description, final String user, final boolean valid)
    {
        assertEquals(valid, DemoIssuer.validUserName(user));
    }

    static Stream<Arguments> userNames()
    {
        return Stream.of(
            Arguments.of("simple", "alice", true),
            Arguments.of("one character", "a", true),
            Arguments.of("every allowed kind", "Alice.B_C-d@example.com09", true),
            Arguments.of("64 characters", "x".repeat(64), true),
            Arguments.of("65 characters", "x".repeat(65), false),
            Arguments.of("null", null, false),
            Arguments.of("empty", "", false),
            Arguments.of("space inside", "a b", false),
            Arguments.of("slash", "a/b", false),
            Arguments.of("newline", "alice\n", false),
            Arguments.of("non-ASCII letter", "\u00e5sa", false),
            Arguments.of("quote", "al\"ice", false),
            Arguments.of("plus", "a+b", false));
    }
}
