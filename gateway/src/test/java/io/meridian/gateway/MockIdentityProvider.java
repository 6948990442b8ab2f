package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import no.nav.security.mock.oauth2.MockOAuth2Server;
import no.nav.security.mock.oauth2.OAuth2Config;
import no.nav.security.mock.oauth2.token.DefaultOAuth2TokenCallback;
import no.nav.security.mock.oauth2.token.KeyProvider;
import no.nav.security.mock.oauth2.token.OAuth2TokenProvider;
import okhttp3.mockwebserver.RecordedRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A real OpenID Connect provider in the test JVM: NAV's mock-oauth2-server on a loopback port, with discovery,
 * a token endpoint and a JWKS endpoint, signing RS256 tokens with a key the test can rotate, on a clock the test
 * can shift. It can be stopped and started again on the same port, so the issuer and JWKS URL stay the same
 * across an outage.
 * <p>
 * Key rotation happens in place: mock-oauth2-server asks its {@link KeyProvider} for the issuer's key each time
 * it signs a token and each time it serves the JWKS, and the provider here answers with whichever key is current.
 * The JWKS therefore lists only the current key: an abrupt rotation, where a real provider would publish the next
 * key ahead and keep the previous one for a while.
 */
final class MockIdentityProvider implements AutoCloseable
{
    /**
     * The issuer id, the first path segment of every endpoint.
     */
    static final String ISSUER_ID = "meridian-realm";

    private static final String PROBE_HEADER = "X-Meridian-Test-Probe";
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final RotatingKeys keys = new RotatingKeys();
    private final AtomicLong clockOffsetSeconds = new AtomicLong();
    private final OAuth2TokenProvider tokenProvider =
        new OAuth2TokenProvider(keys, () -> Instant.now().plusSeconds(clockOffsetSeconds.get()));
    private MockOAuth2Server server;
    private boolean running;
    private int port;
    private String issuer;
    private int jwksFetches;

    /**
     * Starts on a free loopback port.
     */
    MockIdentityProvider()
    {
        port = freePort();
        start();
    }

    /**
     * Start (again): on the same port after {@link #stop()}.
     */
    synchronized void start()
    {
        // A stopped MockOAuth2Server cannot be started again; a new one shares the key and clock of the last. The
        // port is always given, never 0: MockWebServer then sets SO_REUSEADDR, which its sockets must have for the
        // port to be bound again while connections from before the stop are still closing.
        server = new MockOAuth2Server(new OAuth2Config(false, null, null, false, tokenProvider));
        server.start(port);
        running = true;
        final String url = server.issuerUrl(ISSUER_ID).toString();
        if (null != issuer && !issuer.equals(url))
        {
            throw new IllegalStateException("restarted as " + url + ", not " + issuer);
        }
        issuer = url;
    }

    /**
     * Stop answering: connections to the port are refused until {@link #start()}.
     */
    synchronized void stop()
    {
        countJwksFetches();
        server.shutdown();
        running = false;
    }

    @Override
    public synchronized void close()
    {
        if (running)
        {
            stop();
        }
    }

    /**
     * The underlying server, for its own token API.
     */
    synchronized MockOAuth2Server server()
    {
        return server;
    }

    /**
     * The {@code iss} of this provider's tokens, as its discovery document gives it.
     */
    synchronized String issuer()
    {
        return issuer;
    }

    synchronized String jwksUrl()
    {
        return issuer + "/jwks";
    }

    synchronized String tokenEndpoint()
    {
        return issuer + "/token";
    }

    /**
     * Sign with a new key under a new key id from now on; the JWKS lists only the new key.
     */
    void rotate()
    {
        keys.rotate();
    }

    /**
     * The key tokens are signed with now, private part included.
     */
    RSAKey currentKey()
    {
        return keys.current;
    }

    /**
     * Run the provider's clock ahead of (or behind) the real one, to mint tokens that are not yet valid or
     * already expired.
     */
    void shiftClock(final Duration offset)
    {
        clockOffsetSeconds.set(offset.toSeconds());
    }

    /**
     * How many times the JWKS has been fetched from this provider so far, over restarts, leaving out the test's
     * own {@link #publishedKeyIds()}.
     */
    synchronized int jwksFetches()
    {
        countJwksFetches();
        return jwksFetches;
    }

    private void countJwksFetches()
    {
        while (true)
        {
            final RecordedRequest request;
            try
            {
                request = server.takeRequest(10, TimeUnit.MILLISECONDS);
            }
            catch (final RuntimeException ex)
            {
                // takeRequest throws once no request is left.
                return;
            }
            if ("GET".equals(request.getMethod()) && request.getPath().endsWith("/jwks") &&
                null == request.getHeader(PROBE_HEADER))
            {
                jwksFetches++;
            }
        }
    }

    /**
     * An access token for this provider's issuer through its token API, valid for ten minutes.
     *
     * @param subject  the {@code sub}.
     * @param audience the {@code aud}.
     * @param claims   further claims.
     * @return the compact JWT.
     */
    synchronized String token(final String subject, final String audience, final Map<String, Object> claims)
    {
        return token(ISSUER_ID, subject, audience, claims);
    }

    /**
     * An access token from a given issuer id of this provider: another id is another issuer.
     */
    synchronized String token(
        final String issuerId, final String subject, final String audience, final Map<String, Object> claims)
    {
        return server.issueToken(issuerId, subject, audience, claims, 600).serialize();
    }

    /**
     * Decide who the next user to sign in through the authorization endpoint is (the provider signs in without
     * asking): the token endpoint then issues tokens with these claims for the code, and for refreshes.
     *
     * @param subject       the {@code sub}.
     * @param audience      the {@code aud}.
     * @param claims        further claims.
     * @param expirySeconds the tokens' lifetime.
     */
    void nextLogin(final String subject, final String audience, final Map<String, Object> claims,
        final long expirySeconds)
    {
        for (int i = 0; i < 4; i++)
        {
            // One for the code, and some for refreshes, whichever way the provider takes them.
            server().enqueueCallback(new DefaultOAuth2TokenCallback(
                ISSUER_ID, subject, "JWT", List.of(audience), claims, expirySeconds));
        }
    }

    /**
     * An access token from the token endpoint over HTTP, with the client credentials grant: the way a service
     * gets one. The token's {@code sub} is the client id.
     *
     * @param clientId the client.
     * @param audience the {@code aud}.
     * @param claims   further claims the provider puts in the token.
     * @return the token response.
     */
    JsonNode clientCredentials(final String clientId, final String audience, final Map<String, Object> claims)
        throws Exception
    {
        server().enqueueCallback(new DefaultOAuth2TokenCallback(
            ISSUER_ID, UUID.randomUUID().toString(), "JWT", List.of(audience), claims, 600));
        final String form = "grant_type=client_credentials&client_id=" + encode(clientId) +
            "&client_secret=" + encode("not-checked") + "&scope=" + encode("openid zenith");
        final HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(tokenEndpoint()))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(), HttpResponse.BodyHandlers.ofString());
        if (200 != response.statusCode())
        {
            throw new AssertionError("token endpoint answered " + response.statusCode() + ": " + response.body());
        }
        return ZenithTestClient.JSON.readTree(response.body());
    }

    /**
     * The key ids the JWKS endpoint lists now.
     */
    Set<String> publishedKeyIds() throws Exception
    {
        final HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(jwksUrl()))
            .header(PROBE_HEADER, "true")
            .build(), HttpResponse.BodyHandlers.ofString());
        final Set<String> ids = new LinkedHashSet<>();
        for (final JsonNode key : ZenithTestClient.JSON.readTree(response.body()).get("keys"))
        {
            ids.add(key.get("kid").asText());
        }
        return ids;
    }

    private static int freePort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String encode(final String value)
    {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /**
     * Hands mock-oauth2-server one RSA key for every issuer id, swapped by {@link #rotate()}.
     */
    private static final class RotatingKeys extends KeyProvider
    {
        private volatile RSAKey current = newKey();

        RotatingKeys()
        {
            super(List.of(), JWSAlgorithm.RS256.getName());
        }

        @Override
        public JWK signingKey(final String issuerId)
        {
            return current;
        }

        void rotate()
        {
            current = newKey();
        }

        private static RSAKey newKey()
        {
            try
            {
                return new RSAKeyGenerator(2048)
                    .keyID(UUID.randomUUID().toString())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.RS256)
                    .generate();
            }
            catch (final JOSEException ex)
            {
                throw new IllegalStateException(ex);
            }
        }
    }
}
