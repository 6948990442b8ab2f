package io.meridian.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenVerifierTest
{
    private static final String ISSUER = "https://idp.example.com/realms/meridian";
    private static final String AUDIENCE = "meridian-api";
    private static final int SKEW_SECONDS = 60;
    private static final long NOW_SECONDS = 1_800_000_000L;
    private static final Clock CLOCK = Clock.fixed(Instant.ofEpochSecond(NOW_SECONDS), ZoneOffset.UTC);

    private static RSAKey rsaKey;
    private static ECKey ecKey;
    private static RSAKey strangerKey;
    private static RSAKey rotatedKey;
    private static TokenVerifier verifier;

    @BeforeAll
    static void makeKeys() throws JOSEException
    {
        rsaKey = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
        ecKey = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
        strangerKey = new RSAKeyGenerator(2048).keyID("stranger").generate();
        rotatedKey = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
        final JWKSet publicKeys = new JWKSet(List.of(rsaKey.toPublicJWK(), ecKey.toPublicJWK()));
        verifier = TokenVerifier.forKeys(
            new ImmutableJWKSet<>(publicKeys), ISSUER, AUDIENCE, List.of("RS256", "ES256"), SKEW_SECONDS, CLOCK);
    }

    @Test
    void shouldAcceptValidRs256Token() throws Exception
    {
        final String token = sign(rsaKey, JWSAlgorithm.RS256, validClaims()
            .claim("name", "Alice Example")
            .claim("scope", "zenith/market zenith/trading")
            .claim("scp", List.of("zenith/orderpad", "zenith/market"))
            .build());

        final AuthenticatedUser user = verifier.verify(token);

        assertEquals("alice", user.userId());
        assertEquals("Alice Example", user.displayName());
        assertEquals(Set.of("zenith/market", "zenith/trading", "zenith/orderpad"), user.scopes());
        assertEquals((NOW_SECONDS + 600) * 1000L, user.expiresAtMs());
        assertEquals(token, user.token());
        assertTrue(user.hasScope("zenith/trading"));
        assertFalse(user.toString().contains(token));
    }

    @Test
    void shouldAcceptValidEs256Token() throws Exception
    {
        final String token = sign(ecKey, JWSAlgorithm.ES256, validClaims().claim("scp", "zenith/market").build());

        final AuthenticatedUser user = verifier.verify(token);

        assertEquals("alice", user.userId());
        assertEquals(Set.of("zenith/market"), user.scopes());
    }

    @Test
    void shouldTakeDisplayNameFromPreferredUsernameWhenNoName() throws Exception
    {
        final String token = sign(rsaKey, JWSAlgorithm.RS256, validClaims()
            .claim("preferred_username", "alice.e")
            .build());

        assertEquals("alice.e", verifier.verify(token).displayName());
    }

    @Test
    void shouldTakeDisplayNameFromSubjectWhenNoNameClaims() throws Exception
    {
        final AuthenticatedUser user = verifier.verify(sign(rsaKey, JWSAlgorithm.RS256, validClaims().build()));

        assertEquals("alice", user.displayName());
        assertTrue(user.scopes().isEmpty());
    }

    @Test
    void shouldAcceptAccessTokenType() throws Exception
    {
        final String token = sign(
            rsaKey, JWSAlgorithm.RS256, validClaims().build(), (h) -> h.type(new JOSEObjectType("at+jwt")));

        assertEquals("alice", verifier.verify(token).userId());
    }

    @Test
    void shouldAcceptAbsentType() throws Exception
    {
        final String token = sign(rsaKey, JWSAlgorithm.RS256, validClaims().build(), (h) -> h.type(null));

        assertEquals("alice", verifier.verify(token).userId());
    }

    @Test
    void shouldRejectOtherType() throws Exception
    {
        final String token = sign(
            rsaKey, JWSAlgorithm.RS256, validClaims().build(), (h) -> h.type(new JOSEObjectType("logout+jwt")));

        assertRejected("token type not allowed", token);
    }

    @Test
    void shouldRejectWrongIssuer() throws Exception
    {
        assertRejected("wrong issuer", sign(rsaKey, JWSAlgorithm.RS256, validClaims().issuer(ISSUER + "x").build()));
    }

    @Test
    void shouldRejectWrongAudience() throws Exception
    {
        assertRejected("wrong audience", sign(rsaKey, JWSAlgorithm.RS256, validClaims().audience("other").build()));
    }

    @Test
    void shouldAcceptAudienceAmongSeveral() throws Exception
    {
        final String token = sign(rsaKey, JWSAlgorithm.RS256, validClaims()
            .audience(List.of("other", AUDIENCE))
            .build());

        assertEquals("alice", verifier.verify(token).userId());
    }

    @Test
    void shouldRejectTokenExpiredBeyondSkew() throws Exception
    {
        final String token = sign(rsaKey, JWSAlgorithm.RS256, validClaims()
            .expirationTime(at(NOW_SECONDS - SKEW_SECONDS - 1))
            .build());

        assertRejected("expired", token);
    }

    @Test
    void shouldAcceptTokenExpiredWithinSkew() throws Exception
    {
        final String token = sign(rsaKey, JWSAlgorithm.RS256, validClaims()
            .expirationTime(at(NOW_SECONDS - SKEW_SECONDS + 5))
            .build());

        assertEquals((NOW_SECONDS - SKEW_SECONDS + 5) * 1000L, verifier.verify(token).expiresAtMs());
    }

    @Test
    void shouldRejectNotBeforeInFutureBeyondSkew() throws Exception
    {
        final String token = sign(rsaKey, JWSAlgorithm.RS256, validClaims()
            .notBeforeTime(at(NOW_SECONDS + SKEW_SECONDS + 1))
            .build());

        assertRejected("not yet valid", token);
    }

    @Test
    void shouldAcceptNotBeforeInFutureWithinSkew() throws Exception
    {
        final String token = sign(rsaKey, JWSAlgorithm.RS256, validClaims()
            .notBeforeTime(at(NOW_SECONDS + SKEW_SECONDS - 5))
            .build());

        assertEquals("alice", verifier.verify(token).userId());
    }

    @Test
    void shouldRejectMissingSubject() throws Exception
    {
        assertRejected("missing claim sub", sign(rsaKey, JWSAlgorithm.RS256, validClaims().subject(null).build()));
    }

    @Test
    void shouldRejectMissingExpiry() throws Exception
    {
        assertRejected(
            "missing claim exp", sign(rsaKey, JWSAlgorithm.RS256, validClaims().expirationTime(null).build()));
    }

    @Test
    void shouldRejectUnsignedToken()
    {
        final String payload = Base64URL.encode(validClaims().build().toString()).toString();

        assertRejected("unsigned token", "eyJhbGciOiJub25lIn0." + payload + ".");
    }

    @Test
    void shouldRejectHs256SignedWithPublicKeyBytes() throws Exception
    {
        final SignedJWT jwt = new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(rsaKey.getKeyID()).build(), validClaims().build());
        jwt.sign(new MACSigner(rsaKey.toRSAPublicKey().getEncoded()));

        assertRejected("algorithm not allowed", jwt.serialize());
    }

    @Test
    void shouldRejectTamperedPayload() throws Exception
    {
        final String[] parts = sign(rsaKey, JWSAlgorithm.RS256, validClaims().build()).split("\\.");
        final String forged = Base64URL.encode(validClaims().subject("mallory").build().toString()).toString();

        assertRejected("bad signature", parts[0] + "." + forged + "." + parts[2]);
    }

    @Test
    void shouldRejectTokenSignedByKeyNotInKeySet() throws Exception
    {
        assertRejected("unknown signing key", sign(strangerKey, JWSAlgorithm.RS256, validClaims().build()));
    }

    @Test
    void shouldRejectTokenSignedByOtherKeyUnderKnownKeyId() throws Exception
    {
        final RSAKey impostor = new RSAKey.Builder(strangerKey).keyID(rsaKey.getKeyID()).build();

        assertRejected("bad signature", sign(impostor, JWSAlgorithm.RS256, validClaims().build()));
    }

    @Test
    void shouldRejectAlgorithmNotInAllowList() throws Exception
    {
        final TokenVerifier rs256Only = TokenVerifier.forKeys(
            new ImmutableJWKSet<>(new JWKSet(rsaKey.toPublicJWK())), ISSUER, AUDIENCE, List.of("RS256"), 60, CLOCK);

        assertRejected(rs256Only, "algorithm not allowed", sign(rsaKey, JWSAlgorithm.RS512, validClaims().build()));
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @MethodSource("garbage")
    void shouldRejectGarbage(final String name, final String token)
    {
        final AuthException ex = assertThrows(AuthException.class, () -> verifier.verify(token));
        assertFalse(ex.reason().isEmpty());
    }

    static Stream<Arguments> garbage()
    {
        final String deepHeader = Base64URL.encode("{\"alg\":\"RS256\",\"x\":" + "[".repeat(5000) +
            "]".repeat(5000) + "}").toString();
        return Stream.of(
            Arguments.of("word", "garbage"),
            Arguments.of("three dots", "..."),
            Arguments.of("three words", "a.b.c"),
            Arguments.of("bad base64 parts", "eyJ%%.eyJ%%.sig"),
            Arguments.of("header not JSON", Base64URL.encode("nope") + ".e30.c2ln"),
            Arguments.of("payload not JSON", "eyJhbGciOiJSUzI1NiJ9." + Base64URL.encode("[1,2") + ".c2ln"),
            Arguments.of("payload JSON array", "eyJhbGciOiJSUzI1NiJ9." + Base64URL.encode("[1]") + ".c2ln"),
            Arguments.of("unknown alg", Base64URL.encode("{\"alg\":\"XX999\"}") + ".e30.c2ln"),
            Arguments.of("deeply nested header", deepHeader + ".e30.c2ln"),
            Arguments.of("five parts", "a.b.c.d.e"),
            Arguments.of("bearer prefix", "Bearer abc.def.ghi"),
            Arguments.of("base64 of garbage", Base64.getEncoder().encodeToString("hello".getBytes())),
            Arguments.of("base64 of binary", Base64.getEncoder().encodeToString(new byte[]{(byte)0xff, 0x2e, 0})),
            Arguments.of("unicode", "\u00e9\u00e8.\u4e2d.\ud83d\ude00"),
            Arguments.of("control characters", "\u0000\u0001.\u0002.\u0003"));
    }

    @Test
    void shouldRejectOverlongTokenWithoutParsing()
    {
        assertRejected("token too long", "a".repeat(20 * 1024));
    }

    @ParameterizedTest(name = "[{index}] \"{0}\"")
    @NullAndEmptySource
    @ValueSource(strings = { "   ", "\t\n" })
    void shouldRejectMissingToken(final String token)
    {
        assertRejected("missing token", token);
    }

    @Test
    void shouldAcceptStandardBase64WrappedToken() throws Exception
    {
        final String token = sign(rsaKey, JWSAlgorithm.RS256, validClaims().build());
        final String wrapped = Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.US_ASCII));

        final AuthenticatedUser user = verifier.verify(wrapped);

        assertEquals("alice", user.userId());
        assertEquals(token, user.token());
    }

    @Test
    void shouldAcceptUnpaddedUrlSafeBase64WrappedToken() throws Exception
    {
        final String token = sign(rsaKey, JWSAlgorithm.RS256, validClaims().claim("name", "Alice").build());
        // A length that is not a multiple of 3 makes the encoding need padding, which is then left off.
        final String text = token.length() % 3 == 0 ? token + "\n" : token;
        final String wrapped = Base64.getUrlEncoder().withoutPadding()
            .encodeToString(text.getBytes(StandardCharsets.US_ASCII));
        assertTrue(wrapped.length() % 4 != 0, "needs unpadded input to test");

        assertEquals("alice", verifier.verify(wrapped).userId());
    }

    @Test
    void shouldRefuseUnknownAlgorithmName()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class,
            () -> TokenVerifier.forKeys(
                new ImmutableJWKSet<>(new JWKSet()), ISSUER, AUDIENCE, List.of("RS256", "RS257"), 60));

        assertTrue(ex.getMessage().contains("auth.algorithms"), ex.getMessage());
        assertTrue(ex.getMessage().contains("RS257"), ex.getMessage());
    }

    @Test
    void shouldRefuseSharedSecretAlgorithm()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class,
            () -> TokenVerifier.forKeys(new ImmutableJWKSet<>(new JWKSet()), ISSUER, AUDIENCE, List.of("HS256"), 60));

        assertTrue(ex.getMessage().contains("auth.algorithms"), ex.getMessage());
    }

    @Test
    void shouldRefuseConfigInDemoMode()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> TokenVerifier.fromConfig(MeridianConfig.defaults()));

        assertTrue(ex.getMessage().contains("auth.jwks-url"), ex.getMessage());
    }

    @Test
    void shouldLoadKeySetFromFileUrl(@TempDir final Path dir) throws Exception
    {
        final Path file = dir.resolve("jwks.json");
        Files.writeString(file, new JWKSet(List.of(rsaKey, ecKey)).toString(false));
        final TokenVerifier fromFile = TokenVerifier.fromConfig(MeridianConfig.of(Map.of(
            "auth.jwks-url", file.toUri().toString(),
            "auth.issuer", ISSUER,
            "auth.audience", AUDIENCE,
            "auth.algorithms", "RS256,ES256")));

        assertEquals("alice", fromFile.verify(sign(ecKey, JWSAlgorithm.ES256, liveClaims().build())).userId());
        assertEquals("alice", fromFile.verify(sign(rsaKey, JWSAlgorithm.RS256, liveClaims().build())).userId());
        assertRejected(fromFile, "unknown signing key", sign(strangerKey, JWSAlgorithm.RS256, liveClaims().build()));
    }

    @Test
    void shouldReportUnreadableKeySetFile(@TempDir final Path dir)
    {
        final MeridianConfig config = MeridianConfig.of(Map.of(
            "auth.jwks-url", dir.resolve("missing.json").toUri().toString(),
            "auth.issuer", ISSUER,
            "auth.audience", AUDIENCE));

        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> TokenVerifier.fromConfig(config));
        assertTrue(ex.getMessage().contains("auth.jwks-url"), ex.getMessage());
    }

    @Test
    void shouldFetchKeySetOverHttpAndRefreshOnUnknownKeyId() throws Exception
    {
        final AtomicReference<String> served = new AtomicReference<>(new JWKSet(rsaKey.toPublicJWK()).toString());
        final AtomicInteger fetches = new AtomicInteger();
        final HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/jwks.json", (exchange) ->
        {
            fetches.incrementAndGet();
            final byte[] body = served.get().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody())
            {
                out.write(body);
            }
        });
        server.start();
        try
        {
            final TokenVerifier remote = TokenVerifier.fromConfig(MeridianConfig.of(Map.of(
                "auth.jwks-url", "http://127.0.0.1:" + server.getAddress().getPort() + "/jwks.json",
                "auth.issuer", ISSUER,
                "auth.audience", AUDIENCE,
                "auth.algorithms", "RS256")));

            assertEquals("alice", remote.verify(sign(rsaKey, JWSAlgorithm.RS256, liveClaims().build())).userId());
            assertEquals("alice", remote.verify(sign(rsaKey, JWSAlgorithm.RS256, liveClaims().build())).userId());
            assertEquals(1, fetches.get());

            served.set(new JWKSet(List.of(rotatedKey.toPublicJWK(), rsaKey.toPublicJWK())).toString());
            final String rotated = sign(rotatedKey, JWSAlgorithm.RS256, liveClaims().subject("bob").build());

            assertEquals("bob", remote.verify(rotated).userId());
            assertEquals(2, fetches.get());
            assertEquals("alice", remote.verify(sign(rsaKey, JWSAlgorithm.RS256, liveClaims().build())).userId());
            assertEquals(2, fetches.get());
        }
        finally
        {
            server.stop(0);
        }
    }

    private static void assertRejected(final String reason, final String token)
    {
        assertRejected(verifier, reason, token);
    }

    private static void assertRejected(final TokenVerifier verifier, final String reason, final String token)
    {
        final AuthException ex = assertThrows(AuthException.class, () -> verifier.verify(token));
        assertEquals(reason, ex.reason());
        assertEquals(reason, ex.getMessage());
    }

    private static JWTClaimsSet.Builder validClaims()
    {
        return claimsAt(NOW_SECONDS);
    }

    private static JWTClaimsSet.Builder liveClaims()
    {
        return claimsAt(System.currentTimeMillis() / 1000L);
    }

    private static JWTClaimsSet.Builder claimsAt(final long nowSeconds)
    {
        return new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject("alice")
            .issueTime(at(nowSeconds))
            .notBeforeTime(at(nowSeconds))
            .expirationTime(at(nowSeconds + 600));
    }

    private static Date at(final long epochSeconds)
    {
        return new Date(epochSeconds * 1000L);
    }

    private static String sign(final Object key, final JWSAlgorithm algorithm, final JWTClaimsSet claims)
        throws JOSEException
    {
        return sign(key, algorithm, claims, UnaryOperator.identity());
    }

    private static String sign(
        final Object key,
        final JWSAlgorithm algorithm,
        final JWTClaimsSet claims,
        final UnaryOperator<JWSHeader.Builder> header)
        throws JOSEException
    {
        final JWSSigner signer;
        final String keyId;
        if (key instanceof RSAKey)
        {
            signer = new RSASSASigner((RSAKey)key);
            keyId = ((RSAKey)key).getKeyID();
        }
        else
        {
            signer = new ECDSASigner((ECKey)key);
            keyId = ((ECKey)key).getKeyID();
        }
        final JWSHeader.Builder builder = new JWSHeader.Builder(algorithm).type(JOSEObjectType.JWT).keyID(keyId);
        final SignedJWT jwt = new SignedJWT(header.apply(builder).build(), claims);
        jwt.sign(signer);
        return jwt.serialize();
    }
}
