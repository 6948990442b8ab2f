package io.meridian.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import io.meridian.config.MeridianConfig;
import io.meridian.config.Setting;

import java.io.File;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.time.Clock;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Date;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * Verifies OAuth/OIDC access tokens (signed JWTs) and turns them into an {@link AuthenticatedUser}. Checks the
 * signature against a JWK set, the algorithm against an allow-list, the JOSE {@code typ} ({@code JWT},
 * {@code at+jwt} or none), the exact issuer, the audience, and {@code exp}/{@code nbf} with a clock skew
 * tolerance; {@code exp} and the user id claim are required. Which claims hold the user id, display name and
 * rights is a {@link ClaimMapping}, so the user's scopes are always the canonical {@link Rights}. Thread safe: one
 * instance serves every session.
 * <p>
 * {@link #verify} never throws anything but {@link AuthException}, whatever the input, and rejects values over
 * {@link #MAX_TOKEN_CHARS} without parsing them.
 */
public final class TokenVerifier
{
    /**
     * Longest token accepted, in characters; anything longer is rejected unparsed.
     */
    public static final int MAX_TOKEN_CHARS = 16 * 1024;

    /**
     * How long a fetched remote JWK set is used before it is fetched again, in milliseconds.
     */
    public static final long JWKS_CACHE_TTL_MS = 5 * 60 * 1000L;

    /**
     * How long a caller waits for another thread's JWK set fetch before giving up, in milliseconds.
     */
    public static final long JWKS_CACHE_REFRESH_TIMEOUT_MS = 15 * 1000L;

    /**
     * How long the last good remote JWK set is kept in use while the identity provider cannot be reached.
     */
    public static final long JWKS_OUTAGE_TTL_MS = 60 * 60 * 1000L;

    private static final JOSEObjectType AT_JWT = new JOSEObjectType("at+jwt");
    private static final JOSEObjectType APPLICATION_AT_JWT = new JOSEObjectType("application/at+jwt");
    private static final Set<JOSEObjectType> ACCEPTED_TYPES = Collections.unmodifiableSet(
        new HashSet<>(Arrays.asList(JOSEObjectType.JWT, AT_JWT, APPLICATION_AT_JWT, null)));

    private volatile java.util.function.Consumer<String> rejectionListener;
    private final DefaultJWTProcessor<SecurityContext> processor;
    private final Set<JWSAlgorithm> algorithms;
    private final ClaimMapping mapping;

    private TokenVerifier(
        final JWKSource<SecurityContext> keys,
        final String issuer,
        final String audience,
        final Set<JWSAlgorithm> algorithms,
        final int clockSkewSeconds,
        final Clock clock,
        final ClaimMapping mapping)
    {
        this.algorithms = algorithms;
        this.mapping = mapping;
        processor = new DefaultJWTProcessor<>();
        processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(ACCEPTED_TYPES));
        processor.setJWSKeySelector(new JWSVerificationKeySelector<>(algorithms, keys));
        processor.setJWTClaimsSetVerifier(new ClaimsVerifier(issuer, audience, clockSkewSeconds, clock));
    }

    /**
     * The verifier for an external identity provider, from {@code auth.jwks-url}, {@code auth.issuer},
     * {@code auth.audience}, {@code auth.algorithms}, {@code auth.clock-skew-seconds} and the claim settings read by
     * {@link ClaimMapping#fromConfig}. An http or https JWK set is fetched on first use, cached, fetched again (rate
     * limited) when a token names an unknown key id, retried once on failure, and kept in use through an outage of
     * the provider; a {@code file:} JWK set is read now.
     *
     * @param config the process settings; must not be in demo mode.
     * @return the verifier.
     * @throws IllegalArgumentException naming the setting when a value cannot be used.
     */
    public static TokenVerifier fromConfig(final MeridianConfig config)
    {
        final String url = config.authJwksUrl();
        if (url.isEmpty())
        {
            throw new IllegalArgumentException(Setting.AUTH_JWKS_URL.key() +
                " is empty (demo mode): verify with DemoIssuer.verifier instead");
        }

        return forKeys(
            jwkSource(url),
            config.authIssuer(),
            config.authAudience(),
            config.authAlgorithms(),
            config.authClockSkewSeconds(),
            Clock.systemUTC(),
            ClaimMapping.fromConfig(config));
    }

    /**
     * A verifier over a given key source, for the demo issuer and tests, using the system clock and the default
     * {@link ClaimMapping}.
     *
     * @param keys             the public keys tokens may be signed with.
     * @param issuer           the exact {@code iss} required.
     * @param audience         a value that must be in {@code aud}.
     * @param algorithms       accepted JWS algorithm names, such as {@code RS256}.
     * @param clockSkewSeconds tolerance for {@code exp} and {@code nbf}.
     * @return the verifier.
     * @throws IllegalArgumentException when an algorithm is unknown or unsupported, or an argument is empty.
     */
    public static TokenVerifier forKeys(
        final JWKSource<SecurityContext> keys,
        final String issuer,
        final String audience,
        final List<String> algorithms,
        final int clockSkewSeconds)
    {
        return forKeys(keys, issuer, audience, algorithms, clockSkewSeconds, Clock.systemUTC());
    }

    /**
     * A verifier over a given key source with its own clock for the {@code exp} and {@code nbf} checks and the
     * default {@link ClaimMapping}.
     *
     * @param keys             the public keys tokens may be signed with.
     * @param issuer           the exact {@code iss} required.
     * @param audience         a value that must be in {@code aud}.
     * @param algorithms       accepted JWS algorithm names, such as {@code RS256}.
     * @param clockSkewSeconds tolerance for {@code exp} and {@code nbf}.
     * @param clock            the time the checks are made against.
     * @return the verifier.
     * @throws IllegalArgumentException when an algorithm is unknown or unsupported, or an argument is empty.
     */
    public static TokenVerifier forKeys(
        final JWKSource<SecurityContext> keys,
        final String issuer,
        final String audience,
        final List<String> algorithms,
        final int clockSkewSeconds,
        final Clock clock)
    {
        return forKeys(keys, issuer, audience, algorithms, clockSkewSeconds, clock, ClaimMapping.defaults());
    }

    /**
     * A verifier over a given key source with its own clock and claim mapping.
     *
     * @param keys             the public keys tokens may be signed with.
     * @param issuer           the exact {@code iss} required.
     * @param audience         a value that must be in {@code aud}.
     * @param algorithms       accepted JWS algorithm names, such as {@code RS256}.
     * @param clockSkewSeconds tolerance for {@code exp} and {@code nbf}.
     * @param clock            the time the checks are made against.
     * @param mapping          where the user id, display name and rights are found in a token.
     * @return the verifier.
     * @throws IllegalArgumentException when an algorithm is unknown or unsupported, or an argument is empty.
     */
    public static TokenVerifier forKeys(
        final JWKSource<SecurityContext> keys,
        final String issuer,
        final String audience,
        final List<String> algorithms,
        final int clockSkewSeconds,
        final Clock clock,
        final ClaimMapping mapping)
    {
        Objects.requireNonNull(keys, "keys");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(mapping, "mapping");
        if (null == issuer || issuer.isEmpty())
        {
            throw new IllegalArgumentException(Setting.AUTH_ISSUER.key() + " must not be empty");
        }
        if (null == audience || audience.isEmpty())
        {
            throw new IllegalArgumentException(Setting.AUTH_AUDIENCE.key() + " must not be empty");
        }
        if (clockSkewSeconds < 0)
        {
            throw new IllegalArgumentException(Setting.AUTH_CLOCK_SKEW_SECONDS.key() + " must not be negative, got " +
                clockSkewSeconds);
        }

        return new TokenVerifier(
            keys, issuer, audience, parseAlgorithms(algorithms), clockSkewSeconds, clock, mapping);
    }

    /**
     * Verify an access token. Accepts the compact JWT, or the JWT wrapped in standard or URL-safe Base64 as some
     * Zenith clients send it.
     *
     * @param token the token as the client sent it; may be anything, including null.
     * @return who the token is for.
     * @throws AuthException with a short reason when the token is rejected.
     */
    public AuthenticatedUser verify(final String token) throws AuthException
    {
        try
        {
            final String compact = unwrap(token);
            final SignedJWT jwt = parseSigned(compact);
            final JWTClaimsSet claims = process(jwt);

            return toUser(claims, compact);
        }
        catch (final AuthException ex)
        {
            rejected(ex.reason());
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            rejected("malformed token");
            throw new AuthException("malformed token", ex);
        }
    }

    /**
     * @param listener told the reason of every rejected token, on the verifying thread; for the auth-failure
     *                 counters.
     */
    public void onRejected(final java.util.function.Consumer<String> listener)
    {
        rejectionListener = listener;
    }

    private void rejected(final String reason)
    {
        final java.util.function.Consumer<String> listener = rejectionListener;
        if (null != listener)
        {
            listener.accept(reason);
        }
    }

    /**
     * The algorithms this verifier accepts.
     *
     * @return the allow-list, unmodifiable.
     */
    public Set<JWSAlgorithm> algorithms()
    {
        return algorithms;
    }

    private static String unwrap(final String token) throws AuthException
    {
        if (null == token)
        {
            throw new AuthException("missing token");
        }
        if (token.length() > MAX_TOKEN_CHARS)
        {
            throw new AuthException("token too long");
        }

        final String trimmed = token.trim();
        if (trimmed.isEmpty())
        {
            throw new AuthException("missing token");
        }
        if (trimmed.indexOf('.') >= 0)
        {
            return trimmed;
        }

        // Base64 has no '.', so a value without one can only be a wrapped JWT or garbage. The characters of a JWT
        // never encode to '+', '/', '-' or '_', so standard and URL-safe Base64 of one are the same text and one
        // decoder, which also takes unpadded input, covers both.
        final byte[] decoded;
        try
        {
            decoded = Base64.getDecoder().decode(trimmed);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new AuthException("malformed token", ex);
        }

        try
        {
            final String text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(decoded))
                .toString()
                .trim();
            if (text.indexOf('.') < 0)
            {
                throw new AuthException("malformed token");
            }
            return text;
        }
        catch (final CharacterCodingException ex)
        {
            throw new AuthException("malformed token", ex);
        }
    }

    private SignedJWT parseSigned(final String compact) throws AuthException
    {
        final JWT jwt;
        try
        {
            jwt = JWTParser.parse(compact);
        }
        catch (final ParseException ex)
        {
            throw new AuthException("malformed token", ex);
        }

        if (jwt instanceof PlainJWT)
        {
            throw new AuthException("unsigned token");
        }
        if (!(jwt instanceof SignedJWT))
        {
            throw new AuthException("encrypted token not supported");
        }

        final SignedJWT signed = (SignedJWT)jwt;
        final JWSHeader header = signed.getHeader();
        if (!algorithms.contains(header.getAlgorithm()))
        {
            throw new AuthException("algorithm not allowed");
        }
        if (!ACCEPTED_TYPES.contains(header.getType()))
        {
            throw new AuthException("token type not allowed");
        }

        return signed;
    }

    private JWTClaimsSet process(final SignedJWT jwt) throws AuthException
    {
        try
        {
            return processor.process(jwt, null);
        }
        catch (final ClaimsRejectedException ex)
        {
            throw new AuthException(ex.reason, ex.getCause());
        }
        catch (final BadJWSException ex)
        {
            throw new AuthException("bad signature", ex);
        }
        catch (final BadJWTException ex)
        {
            throw new AuthException("malformed claims", ex);
        }
        catch (final BadJOSEException ex)
        {
            // Algorithm and type were checked before, so this is a token signed by a key not in the JWK set.
            throw new AuthException("unknown signing key", ex);
        }
        catch (final KeySourceException ex)
        {
            throw new AuthException("signing keys unavailable", ex);
        }
        catch (final JOSEException ex)
        {
            throw new AuthException("signature check failed", ex);
        }
    }

    private AuthenticatedUser toUser(final JWTClaimsSet claims, final String compact) throws AuthException
    {
        final String userId = mapping.userId(claims);
        final String displayName = mapping.displayName(claims, userId);
        final Set<String> rights = mapping.rights(claims);

        final Date expiry = claims.getExpirationTime();
        if (null == expiry)
        {
            throw new AuthException("missing claim exp");
        }

        return new AuthenticatedUser(userId, displayName, rights, expiry.getTime(), compact);
    }

    private static Set<JWSAlgorithm> parseAlgorithms(final List<String> names)
    {
        if (null == names || names.isEmpty())
        {
            throw new IllegalArgumentException(Setting.AUTH_ALGORITHMS.key() + " must name at least one algorithm");
        }

        final Set<JWSAlgorithm> result = new LinkedHashSet<>();
        for (final String name : names)
        {
            final String trimmed = null == name ? "" : name.trim();
            final JWSAlgorithm algorithm = JWSAlgorithm.parse(trimmed);
            if (JWSAlgorithm.Family.HMAC_SHA.contains(algorithm))
            {
                throw new IllegalArgumentException(Setting.AUTH_ALGORITHMS.key() + ": " + trimmed +
                    " is a shared-secret algorithm; only public-key algorithms can be verified against a JWK set");
            }
            if (JWSAlgorithm.Family.ED.contains(algorithm))
            {
                throw new IllegalArgumentException(Setting.AUTH_ALGORITHMS.key() + ": " + trimmed +
                    " is not supported (EdDSA verification needs a library not on the class path)");
            }
            if (!JWSAlgorithm.Family.RSA.contains(algorithm) && !JWSAlgorithm.Family.EC.contains(algorithm))
            {
                throw new IllegalArgumentException(Setting.AUTH_ALGORITHMS.key() + ": unknown JWS algorithm '" +
                    trimmed + "', expected names such as RS256, PS256 or ES256");
            }
            result.add(algorithm);
        }

        return Collections.unmodifiableSet(result);
    }

    private static JWKSource<SecurityContext> jwkSource(final String url)
    {
        final String lower = url.toLowerCase(Locale.ROOT);
        if (lower.startsWith("file:"))
        {
            return new ImmutableJWKSet<>(loadFile(url));
        }
        if (lower.startsWith("http://") || lower.startsWith("https://"))
        {
            try
            {
                return JWKSourceBuilder.<SecurityContext>create(URI.create(url).toURL())
                    .cache(JWKS_CACHE_TTL_MS, JWKS_CACHE_REFRESH_TIMEOUT_MS)
                    .rateLimited(true)
                    .retrying(true)
                    .outageTolerant(JWKS_OUTAGE_TTL_MS)
                    .build();
            }
            catch (final MalformedURLException | IllegalArgumentException ex)
            {
                throw new IllegalArgumentException(Setting.AUTH_JWKS_URL.key() + ": not a valid URL: " +
                    ex.getMessage(), ex);
            }
        }

        throw new IllegalArgumentException(Setting.AUTH_JWKS_URL.key() + " must be an http, https or file URL");
    }

    private static JWKSet loadFile(final String url)
    {
        File file;
        try
        {
            file = new File(URI.create(url));
        }
        catch (final IllegalArgumentException ex)
        {
            // An opaque URL such as file:relative/jwks.json names a path relative to the working directory.
            file = new File(url.substring("file:".length()));
        }

        try
        {
            return JWKSet.load(file).toPublicJWKSet();
        }
        catch (final IOException | ParseException ex)
        {
            throw new IllegalArgumentException(Setting.AUTH_JWKS_URL.key() + ": cannot load a JWK set from " + file +
                ": " + ex.getMessage(), ex);
        }
    }

    /**
     * Nimbus's claim checks, with a fixed reason worked out for each rejection.
     */
    private static final class ClaimsVerifier extends DefaultJWTClaimsVerifier<SecurityContext>
    {
        private final String issuer;
        private final String audience;
        private final long skewMs;
        private final Clock clock;

        ClaimsVerifier(final String issuer, final String audience, final int clockSkewSeconds, final Clock clock)
        {
            super(
                Set.of(audience),
                new JWTClaimsSet.Builder().issuer(issuer).build(),
                // The user id claim is configurable (Entra ID's oid, say), so it is checked by the mapping instead.
                Set.of("exp", "iss", "aud"),
                null);
            setMaxClockSkew(clockSkewSeconds);
            this.issuer = issuer;
            this.audience = audience;
            this.skewMs = clockSkewSeconds * 1000L;
            this.clock = clock;
        }

        @Override
        protected Date currentTime()
        {
            return new Date(clock.millis());
        }

        @Override
        public void verify(final JWTClaimsSet claims, final SecurityContext context) throws BadJWTException
        {
            final long nowMs = clock.millis();
            try
            {
                super.verify(claims, context);
            }
            catch (final BadJWTException ex)
            {
                throw new ClaimsRejectedException(reason(claims, nowMs), ex);
            }
        }

        private String reason(final JWTClaimsSet claims, final long nowMs)
        {
            final List<String> audiences = claims.getAudience();
            if (null == audiences || !audiences.contains(audience))
            {
                return "wrong audience";
            }
            if (null == claims.getClaim("exp"))
            {
                return "missing claim exp";
            }
            if (!issuer.equals(claims.getClaim("iss")))
            {
                return "wrong issuer";
            }
            final Date expiry = claims.getExpirationTime();
            if (null != expiry && expiry.getTime() + skewMs < nowMs)
            {
                return "expired";
            }
            final Date notBefore = claims.getNotBeforeTime();
            if (null != notBefore && notBefore.getTime() - skewMs > nowMs)
            {
                return "not yet valid";
            }
            return "invalid claims";
        }
    }

    /**
     * A claims rejection carrying its reason through the Nimbus processor.
     */
    private static final class ClaimsRejectedException extends BadJWTException
    {
        private final String reason;

        ClaimsRejectedException(final String reason, final BadJWTException cause)
        {
            super(reason, cause);
            this.reason = reason;
        }
    }
}
