package io.meridian.gateway.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.jwk.source.ImmutableJWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meridian.config.MeridianConfig;

import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The built-in token issuer of demo mode, used when no identity provider is configured so that a default run works
 * out of the box. Makes a fresh RSA 2048 key at construction, mints RS256 access tokens for any well-formed user
 * name, and publishes the public key as a JWK set. Anyone who can reach the token endpoint can become any user, so
 * it must never be on when {@code auth.jwks-url} is set. Thread safe.
 */
public final class DemoIssuer
{
    /**
     * The {@code iss} of demo tokens.
     */
    public static final String ISSUER = "urn:meridian:demo";

    /**
     * The {@code aud} of demo tokens.
     */
    public static final String AUDIENCE = "meridian";

    /**
     * The space-separated {@code scope} of demo tokens: every Zenith controller.
     */
    public static final String SCOPE = "zenith/market zenith/trading zenith/orderpad";

    /**
     * Longest user name {@link #mint} accepts.
     */
    public static final int MAX_USER_NAME_LENGTH = 64;

    private static final int RSA_KEY_BITS = 2048;

    private final int lifetimeSeconds;
    private final Clock clock;
    private final RSAKey publicKey;
    private final RSASSASigner signer;
    private final JWKSet publicKeys;
    private final String jwksJson;

    /**
     * An issuer on the system clock.
     *
     * @param lifetimeSeconds how long minted tokens are valid.
     */
    public DemoIssuer(final int lifetimeSeconds)
    {
        this(lifetimeSeconds, Clock.systemUTC());
    }

    /**
     * An issuer with its own time source, for tests.
     *
     * @param lifetimeSeconds how long minted tokens are valid, at least 1.
     * @param clock           gives {@code iat}, {@code nbf} and {@code exp} of minted tokens.
     */
    public DemoIssuer(final int lifetimeSeconds, final Clock clock)
    {
        if (lifetimeSeconds < 1)
        {
            throw new IllegalArgumentException("token lifetime must be at least 1 second, got " + lifetimeSeconds);
        }
        this.lifetimeSeconds = lifetimeSeconds;
        this.clock = Objects.requireNonNull(clock, "clock");

        final RSAKey key;
        try
        {
            key = new RSAKeyGenerator(RSA_KEY_BITS)
                .keyID(UUID.randomUUID().toString())
                .keyUse(KeyUse.SIGNATURE)
                .algorithm(JWSAlgorithm.RS256)
                .generate();
            signer = new RSASSASigner(key);
        }
        catch (final JOSEException ex)
        {
            throw new IllegalStateException("cannot make the demo signing key", ex);
        }

        publicKey = key.toPublicJWK();
        publicKeys = new JWKSet(publicKey);
        jwksJson = publicKeys.toString(true);
    }

    /**
     * The issuer for demo mode from {@code demo.token-lifetime-seconds}.
     *
     * @param config the process settings.
     * @return a new issuer with a new key.
     */
    public static DemoIssuer fromConfig(final MeridianConfig config)
    {
        return new DemoIssuer(config.demoTokenLifetimeSeconds());
    }

    /**
     * Is a name acceptable as a demo user: 1 to 64 characters of {@code A-Z a-z 0-9 . _ @ -}?
     *
     * @param user the requested name, may be null.
     * @return true when {@link #mint} will accept it.
     */
    public static boolean validUserName(final String user)
    {
        if (null == user || user.isEmpty() || user.length() > MAX_USER_NAME_LENGTH)
        {
            return false;
        }

        for (int i = 0, length = user.length(); i < length; i++)
        {
            final char c = user.charAt(i);
            final boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '@' || c == '-';
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }

    /**
     * Mint a signed access token for a user, valid from now for {@link #lifetimeSeconds()}.
     *
     * @param user the {@code sub} and {@code name}; must pass {@link #validUserName}.
     * @return the compact JWT.
     * @throws IllegalArgumentException when the name is not valid.
     */
    public String mint(final String user)
    {
        return mint(user, SCOPE);
    }

    /**
     * Mint a signed access token for a user with chosen scopes, e.g. market data only, to try what a user without
     * trading or order-pad rights sees.
     *
     * @param user  the {@code sub} and {@code name}; must pass {@link #validUserName}.
     * @param scope the space-separated {@code scope} claim.
     * @return the compact JWT.
     * @throws IllegalArgumentException when the name is not valid.
     */
    public String mint(final String user, final String scope)
    {
        return mint(user, scope, lifetimeSeconds);
    }

    /**
     * Mint a signed access token with chosen scopes and lifetime, e.g. a short one to watch a session's token run
     * out.
     *
     * @param user            the {@code sub} and {@code name}; must pass {@link #validUserName}.
     * @param scope           the space-separated {@code scope} claim.
     * @param lifetimeSeconds seconds from now until {@code exp}; at least 1.
     * @return the compact JWT.
     * @throws IllegalArgumentException when the name is not valid or the lifetime is not positive.
     */
    public String mint(final String user, final String scope, final long lifetimeSeconds)
    {
        if (lifetimeSeconds < 1)
        {
            throw new IllegalArgumentException("lifetime must be at least one second");
        }
        if (!validUserName(user))
        {
            throw new IllegalArgumentException("invalid demo user name");
        }

        // JWT times are whole seconds; truncate so exp - iat is exactly the lifetime.
        final long nowSeconds = Math.floorDiv(clock.millis(), 1000L);
        final Date issuedAt = new Date(nowSeconds * 1000L);
        final Date expiry = new Date((nowSeconds + lifetimeSeconds) * 1000L);

        final JWSHeader header = new JWSHeader.Builder(JWSAlgorithm.RS256)
            .type(JOSEObjectType.JWT)
            .keyID(publicKey.getKeyID())
            .build();
        final JWTClaimsSet claims = new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject(user)
            .claim("name", user)
            .issueTime(issuedAt)
            .notBeforeTime(issuedAt)
            .expirationTime(expiry)
            .jwtID(UUID.randomUUID().toString())
            .claim("scope", scope)
            .build();

        final SignedJWT jwt = new SignedJWT(header, claims);
        try
        {
            jwt.sign(signer);
        }
        catch (final JOSEException ex)
        {
            throw new IllegalStateException("cannot sign a demo token", ex);
        }

        return jwt.serialize();
    }

    /**
     * The public JWK set as JSON, to publish at {@code /.well-known/jwks.json}. Holds no private key material.
     *
     * @return the JSON text.
     */
    public String jwksJson()
    {
        return jwksJson;
    }

    /**
     * The public keys, for verifying demo tokens in this process.
     *
     * @return a key source over the public JWK set.
     */
    public JWKSource<SecurityContext> keySource()
    {
        return new ImmutableJWKSet<>(publicKeys);
    }

    /**
     * A verifier for tokens from this issuer, on the same clock.
     *
     * @param algorithms       accepted JWS algorithm names; must include {@code RS256} for demo tokens to pass.
     * @param clockSkewSeconds tolerance for {@code exp} and {@code nbf}.
     * @return the verifier.
     */
    public TokenVerifier verifier(final List<String> algorithms, final int clockSkewSeconds)
    {
        return TokenVerifier.forKeys(keySource(), ISSUER, AUDIENCE, algorithms, clockSkewSeconds, clock);
    }

    /**
     * How long minted tokens are valid.
     *
     * @return the lifetime in seconds.
     */
    public int lifetimeSeconds()
    {
        return lifetimeSeconds;
    }
}
