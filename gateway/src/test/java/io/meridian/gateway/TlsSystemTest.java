package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.meridian.gateway.ZenithTestClient.action;
import static io.meridian.gateway.ZenithTestClient.data;
import static io.meridian.gateway.ZenithTestClient.transaction;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTPS and WSS end to end: Meridian with a self-signed certificate on an ephemeral TLS port, next to (or instead
 * of) the plain listener, reached by JDK clients that trust exactly that certificate.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TlsSystemTest
{
    private static final long WAIT_MS = 10_000;
    private static final String KEYSTORE_PASSWORD = "keystore-secret";
    private static final String ISSUER = "https://idp.example.com/realms/meridian";
    private static final String AUDIENCE = "meridian-api";

    @TempDir
    static Path dir;

    private static X509Certificate certificate;
    private static Path certFile;
    private static Path keyFile;
    private static HttpClient https;
    private static MeridianServer server;

    @BeforeAll
    static void start() throws Exception
    {
        final KeyPair keys = TestCertificates.rsa();
        certificate = TestCertificates.selfSigned(keys);
        certFile = TestCertificates.writePem(dir.resolve("fullchain.pem"), certificate);
        keyFile = TestCertificates.writePkcs8(dir.resolve("privkey.pem"), keys.getPrivate());
        TestCertificates.writeKeystore(
            dir.resolve("server.p12"), "PKCS12", KEYSTORE_PASSWORD, keys.getPrivate(), certificate);
        https = TestCertificates.httpsClient(certificate);
        server = MeridianServer.start(MeridianConfig.of(settings(
            "tls.port", "0",
            "tls.cert-file", certFile.toString(),
            "tls.key-file", keyFile.toString())));
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
    void servesPlainAndTlsOnTheirOwnPorts()
    {
        assertTrue(server.port() > 0, "plain port " + server.port());
        assertTrue(server.tlsPort() > 0, "TLS port " + server.tlsPort());
        assertNotEquals(server.port(), server.tlsPort());
    }

    @Test
    void healthAnswersOverHttpsWithTheConfiguredCertificate() throws Exception
    {
        final HttpResponse<String> response = awaitHealthy(https, "https", server.tlsPort());

        assertEquals("UP", ZenithTestClient.JSON.readTree(response.body()).get("upstream").asText());
        final SSLSession session = response.sslSession().orElseThrow();
        assertEquals(certificate, session.getPeerCertificates()[0]);
        assertEquals("TLSv1.3", session.getProtocol());
    }

    @Test
    void healthStillAnswersOverPlainHttp() throws Exception
    {
        final HttpResponse<String> response = awaitHealthy(HttpClient.newHttpClient(), "http", server.port());

        assertTrue(response.sslSession().isEmpty());
        assertEquals("UP", ZenithTestClient.JSON.readTree(response.body()).get("upstream").asText());
    }

    @Test
    void speaksTls12AndTls13() throws Exception
    {
        for (final String protocol : ServerTls.PROTOCOLS)
        {
            final SSLParameters parameters = new SSLParameters();
            parameters.setProtocols(new String[]{ protocol });
            final HttpClient client = HttpClient.newBuilder().sslContext(TestCertificates.trusting(certificate))
                .sslParameters(parameters).connectTimeout(Duration.ofSeconds(5)).build();

            final HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.tlsPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());

            assertEquals(200, response.statusCode());
            assertEquals(protocol, response.sslSession().orElseThrow().getProtocol());
        }
    }

    @Test
    void aClientThatDoesNotTrustTheCertificateIsRefused()
    {
        final HttpClient untrusting = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        final IOException ex = assertThrows(IOException.class, () -> untrusting.send(
            HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + server.tlsPort() + "/health")).build(),
            HttpResponse.BodyHandlers.ofString()));

        assertTrue(causedBy(ex, SSLHandshakeException.class), ex.toString());
    }

    @Test
    void theTlsPortAnswersNoPlainHttp()
    {
        final HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

        assertThrows(IOException.class, () -> plain.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.tlsPort() + "/health"))
                .timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()));
    }

    @Test
    void aDemoTokenFromHttpsAuthenticatesAZenithSessionOverWss() throws Exception
    {
        final String token = demoToken(https, "https://127.0.0.1:" + server.tlsPort(), "alice");

        try (ZenithTestClient client = wss(server, null))
        {
            assertEquals("ZenithJson", client.subprotocol());
            client.send("{\"Controller\":\"Auth\",\"Topic\":\"AuthToken\",\"TransactionID\":1," +
                "\"Data\":{\"Provider\":\"Bearer\",\"AccessToken\":\"" + token + "\"}}");
            final JsonNode auth = client.await(transaction(1), WAIT_MS);
            assertEquals("Success", auth.get("Data").get("Result").asText(), auth.toString());
            assertEquals("alice", auth.get("Data").get("UserID").asText());

            client.send("{\"Controller\":\"Market\",\"Topic\":\"QueryMarkets\",\"TransactionID\":2}");
            assertEquals(2, client.await(transaction(2), WAIT_MS).get("Data").size());

            final String topic = "Security!" + server.feedServer().securityKeys().get(0);
            client.send("{\"Controller\":\"Market\",\"Topic\":\"" + topic + "\",\"Action\":\"Sub\"}");
            assertTrue(client.await(data(topic), WAIT_MS).get("Data").has("Code"));
        }
    }

    /**
     * Outside demo mode, with {@code trading.allow-plain-connections} off, trading rights depend only on whether
     * the session arrived over TLS: the same token is let in over WSS and refused over plain WS.
     */
    @Test
    void tradingIsGrantedOverWssAndRefusedOverPlainWebSocket() throws Exception
    {
        final RSAKey signingKey = new RSAKeyGenerator(2048).keyID("tls-test").generate();
        final Path jwks = Files.writeString(dir.resolve("jwks.json"), new JWKSet(signingKey.toPublicJWK()).toString());
        final String token = token(signingKey, "trader");
        try (MeridianServer secured = MeridianServer.start(MeridianConfig.of(settings(
            "tls.port", "0",
            "tls.keystore-file", dir.resolve("server.p12").toString(),
            "tls.keystore-password", KEYSTORE_PASSWORD,
            "tls.keystore-type", "PKCS12",
            "auth.jwks-url", jwks.toUri().toString(),
            "auth.issuer", ISSUER,
            "auth.audience", AUDIENCE,
            "trading.allow-plain-connections", "false",
            "sim.update-rate", "0"))))
        {
            assertFalse(secured.demoMode());
            try (ZenithTestClient overTls = wss(secured, token);
                ZenithTestClient plain = new ZenithTestClient(secured.port(), token))
            {
                overTls.send("{\"Controller\":\"Trading\",\"Topic\":\"Accounts\",\"Action\":\"Sub\"}");
                final JsonNode accounts = overTls.await(topic("Accounts"), WAIT_MS);
                assertFalse(accounts.has("Action"), "not an error: " + accounts);
                assertEquals("TRADER-1", accounts.get("Data").get(0).get("ID").asText(), accounts.toString());

                plain.send("{\"Controller\":\"Trading\",\"Topic\":\"Accounts\",\"Action\":\"Sub\"}");
                final JsonNode refused = plain.await(topic("Accounts"), WAIT_MS);
                assertEquals("Error", refused.path("Action").asText(), refused.toString());
                assertEquals("Authority", refused.get("Data").asText());

                final String cancel = "{\"Controller\":\"Trading\",\"Topic\":\"CancelOrder\",\"TransactionID\":7," +
                    "\"Data\":{\"Account\":\"TRADER-1\",\"OrderID\":\"NO-SUCH-ORDER\"}}";
                overTls.send(cancel);
                plain.send(cancel);
                final JsonNode pastTheConnectionCheck = overTls.await(orderResult(7), WAIT_MS).get("Data");
                final JsonNode stoppedByIt = plain.await(orderResult(7), WAIT_MS).get("Data");
                assertEquals("[\"Order\"]", pastTheConnectionCheck.get("Errors").toString(),
                    "over TLS the request reaches the Trading Agent, which knows no such order");
                assertEquals("Rejected", stoppedByIt.get("Result").asText());
                assertEquals("[\"Connection\"]", stoppedByIt.get("Errors").toString());
            }
        }
    }

    @Test
    void withPlainHttpOffOnlyTheTlsPortListens() throws Exception
    {
        final int plainPort = freePort();
        final KeyPair ecKeys = TestCertificates.ec();
        final X509Certificate ecCertificate = TestCertificates.selfSigned(ecKeys);
        final Path ecCert = TestCertificates.writePem(dir.resolve("ec-cert.pem"), ecCertificate);
        final Path ecKey = TestCertificates.writeSec1(dir.resolve("ec-key.pem"), ecKeys);
        try (MeridianServer tlsOnly = MeridianServer.start(MeridianConfig.of(settings(
            "server.port", String.valueOf(plainPort),
            "server.plain-http", "false",
            "tls.port", "0",
            "tls.cert-file", ecCert.toString(),
            "tls.key-file", ecKey.toString()))))
        {
            assertEquals(-1, tlsOnly.port());
            assertTrue(tlsOnly.tlsPort() > 0);
            assertThrows(ConnectException.class, () ->
            {
                try (Socket socket = new Socket())
                {
                    socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), plainPort), 5_000);
                }
            }, "nothing listens on server.port");

            final HttpClient trustingEc = TestCertificates.httpsClient(ecCertificate);
            final HttpResponse<String> health = awaitHealthy(trustingEc, "https", tlsOnly.tlsPort());
            assertEquals(ecCertificate, health.sslSession().orElseThrow().getPeerCertificates()[0]);
            assertFalse(demoToken(trustingEc, "https://127.0.0.1:" + tlsOnly.tlsPort(), "bob").isEmpty());
        }
    }

    private static Map<String, String> settings(final String... keyValues)
    {
        final Map<String, String> settings = new HashMap<>(Map.of(
            "server.port", "0",
            "server.host", "127.0.0.1",
            "sim.markets", "2",
            "sim.securities", "10",
            "sim.update-rate", "200",
            "upstream.heartbeat-interval-ms", "200",
            "upstream.liveness-timeout-ms", "2000"));
        for (int i = 0; i < keyValues.length; i += 2)
        {
            settings.put(keyValues[i], keyValues[i + 1]);
        }
        return settings;
    }

    private static ZenithTestClient wss(final MeridianServer target, final String token) throws Exception
    {
        return new ZenithTestClient(https,
            URI.create("wss://127.0.0.1:" + target.tlsPort() + "/Zenith?version=2.0"), token);
    }

    private static String demoToken(final HttpClient client, final String base, final String user) throws Exception
    {
        final HttpResponse<String> response = client.send(
            HttpRequest.newBuilder(URI.create(base + "/demo/token?user=" + user))
                .POST(HttpRequest.BodyPublishers.noBody()).build(),
            HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return ZenithTestClient.JSON.readTree(response.body()).get("access_token").asText();
    }

    private static String token(final RSAKey key, final String user) throws Exception
    {
        final long now = System.currentTimeMillis();
        final JWTClaimsSet claims = new JWTClaimsSet.Builder()
            .issuer(ISSUER)
            .audience(AUDIENCE)
            .subject(user)
            .issueTime(new Date(now))
            .notBeforeTime(new Date(now))
            .expirationTime(new Date(now + 600_000))
            .claim("scope", "zenith/market zenith/trading zenith/orderpad")
            .build();
        final SignedJWT jwt = new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.RS256).type(JOSEObjectType.JWT).keyID(key.getKeyID()).build(), claims);
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }

    private static HttpResponse<String> awaitHealthy(final HttpClient client, final String scheme, final int port)
        throws Exception
    {
        final long deadline = System.currentTimeMillis() + WAIT_MS;
        while (true)
        {
            final HttpResponse<String> response = client.send(
                HttpRequest.newBuilder(URI.create(scheme + "://127.0.0.1:" + port + "/health")).build(),
                HttpResponse.BodyHandlers.ofString());
            if (200 == response.statusCode() || System.currentTimeMillis() > deadline)
            {
                assertEquals(200, response.statusCode(), response.body());
                return response;
            }
            Thread.sleep(50);
        }
    }

    private static Predicate<JsonNode> topic(final String topic)
    {
        return node -> topic.equals(node.path("Topic").asText()) &&
            (node.has("Data") || action(topic, "Error").test(node));
    }

    private static Predicate<JsonNode> orderResult(final long transactionId)
    {
        return node -> transaction(transactionId).test(node) && !node.has("Action");
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static boolean causedBy(final Throwable error, final Class<? extends Throwable> type)
    {
        for (Throwable cause = error; null != cause; cause = cause.getCause())
        {
            if (type.isInstance(cause))
            {
                return true;
            }
        }
        return false;
    }
}
