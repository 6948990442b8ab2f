package io.meridian.gateway;

import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import javax.crypto.Cipher;
import javax.crypto.EncryptedPrivateKeyInfo;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.PBEParameterSpec;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reading the TLS listener's key and certificates from every supported file format, checked by a real handshake,
 * and the message for each kind of unusable file.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServerTlsTest
{
    /** DER of the P-256 curve's object identifier, as {@code openssl ecparam -genkey} writes before the key. */
    private static final String P256_PARAMETERS =
        "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";

    private static KeyPair rsa;
    private static X509Certificate rsaCertificate;
    private static KeyPair ec;
    private static X509Certificate ecCertificate;

    @TempDir
    Path dir;

    @BeforeAll
    static void makeKeys() throws Exception
    {
        rsa = TestCertificates.rsa();
        rsaCertificate = TestCertificates.selfSigned(rsa);
        ec = TestCertificates.ec();
        ecCertificate = TestCertificates.selfSigned(ec);
    }

    @Test
    void servesAPkcs8Key() throws Exception
    {
        final Path cert = TestCertificates.writePem(dir.resolve("cert.pem"), rsaCertificate);
        final Path key = TestCertificates.writePkcs8(dir.resolve("key.pem"), rsa.getPrivate());
        assertTrue(Files.readString(key).startsWith("-----BEGIN PRIVATE KEY-----"));

        assertServes(pem(cert, key), rsaCertificate);
    }

    @Test
    void servesAPkcs1RsaKey() throws Exception
    {
        final Path cert = TestCertificates.writePem(dir.resolve("cert.pem"), rsaCertificate);
        final Path key = TestCertificates.writePem(dir.resolve("key.pem"), rsa.getPrivate());
        assertTrue(Files.readString(key).startsWith("-----BEGIN RSA PRIVATE KEY-----"));

        assertServes(pem(cert, key), rsaCertificate);
    }

    @Test
    void servesASec1EcKeyWithOrWithoutItsParametersBlock() throws Exception
    {
        final Path cert = TestCertificates.writePem(dir.resolve("cert.pem"), ecCertificate);
        final Path key = TestCertificates.writeSec1(dir.resolve("key.pem"), ec);
        final Path withParameters = Files.writeString(
            dir.resolve("key-with-parameters.pem"), P256_PARAMETERS + Files.readString(key));
        assertTrue(Files.readString(key).startsWith("-----BEGIN EC PRIVATE KEY-----"));

        assertServes(pem(cert, key), ecCertificate);
        assertServes(pem(cert, withParameters), ecCertificate);
    }

    @Test
    void servesTheWholeChainOfAFullChainFile() throws Exception
    {
        final X509Certificate issuer = TestCertificates.selfSigned(TestCertificates.ec());
        final Path chain = TestCertificates.writePem(dir.resolve("fullchain.pem"), rsaCertificate, issuer);
        final Path key = TestCertificates.writePkcs8(dir.resolve("privkey.pem"), rsa.getPrivate());

        final Certificate[] served = handshake(ServerTls.fromConfig(pem(chain, key)), rsaCertificate);

        assertArrayEquals(new Certificate[]{ rsaCertificate, issuer }, served);
    }

    @Test
    void readsKeyAndCertificateFromOneCombinedFile() throws Exception
    {
        final Path combined = TestCertificates.writePem(dir.resolve("combined.pem"), rsaCertificate, rsa.getPrivate());

        assertServes(pem(combined, combined), rsaCertificate);
    }

    @Test
    void servesAPkcs12Keystore() throws Exception
    {
        final Path keystore = TestCertificates.writeKeystore(
            dir.resolve("server.p12"), "PKCS12", "changeit", rsa.getPrivate(), rsaCertificate);

        assertServes(keystore(keystore, "PKCS12", "changeit"), rsaCertificate);
    }

    @Test
    void servesAJksKeystore() throws Exception
    {
        final Path keystore = TestCertificates.writeKeystore(
            dir.resolve("server.jks"), "JKS", "changeit", ec.getPrivate(), ecCertificate);

        assertServes(keystore(keystore, "JKS", "changeit"), ecCertificate);
    }

    @Test
    void namesThePasswordSettingAndTheFileForAWrongKeystorePassword() throws Exception
    {
        for (final String type : new String[]{ "PKCS12", "JKS" })
        {
            final Path keystore = TestCertificates.writeKeystore(
                dir.resolve("server." + type), type, "changeit", rsa.getPrivate(), rsaCertificate);

            final ConfigException ex = assertThrows(
                ConfigException.class, () -> ServerTls.fromConfig(keystore(keystore, type, "wrong")));

            assertEquals("tls.keystore-password (command line): wrong password for tls.keystore-file " + keystore,
                ex.getMessage());
            assertFalse(ex.getMessage().contains("'wrong'"), "the password is not repeated");
        }
    }

    @Test
    void namesThePasswordSettingWhenTheKeyHasAnotherPassword() throws Exception
    {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setKeyEntry("server", rsa.getPrivate(), "key-password".toCharArray(),
            new X509Certificate[]{ rsaCertificate });
        final Path keystore = dir.resolve("server.p12");
        try (OutputStream out = Files.newOutputStream(keystore))
        {
            store.store(out, "store-password".toCharArray());
        }

        final ConfigException ex = assertThrows(ConfigException.class,
            () -> ServerTls.fromConfig(keystore(keystore, "PKCS12", "store-password")));

        assertEquals("tls.keystore-password (command line): opens tls.keystore-file " + keystore +
            " but not the private key in it; the key needs the same password", ex.getMessage());
    }

    @Test
    void rejectsAKeystoreWithoutAPrivateKey() throws Exception
    {
        final KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        store.setCertificateEntry("trusted", rsaCertificate);
        final Path keystore = dir.resolve("trust.p12");
        try (OutputStream out = Files.newOutputStream(keystore))
        {
            store.store(out, "changeit".toCharArray());
        }

        final ConfigException ex = assertThrows(
            ConfigException.class, () -> ServerTls.fromConfig(keystore(keystore, "PKCS12", "changeit")));

        assertEquals("tls.keystore-file (command line): holds no private key with a certificate chain, got '" +
            keystore + "'", ex.getMessage());
    }

    @Test
    void rejectsAFileThatIsNoKeystore() throws Exception
    {
        final Path keystore = Files.writeString(dir.resolve("server.p12"), "not a keystore");

        final ConfigException ex = assertThrows(
            ConfigException.class, () -> ServerTls.fromConfig(keystore(keystore, "PKCS12", "changeit")));

        assertTrue(ex.getMessage().startsWith("tls.keystore-file (command line): cannot read the file as a PKCS12 " +
            "keystore ("), ex.getMessage());
        assertTrue(ex.getMessage().endsWith("); is tls.keystore-type right?, got '" + keystore + "'"),
            ex.getMessage());
    }

    @Test
    void rejectsAKeyThatDoesNotBelongToTheCertificate() throws Exception
    {
        final Path cert = TestCertificates.writePem(dir.resolve("cert.pem"), rsaCertificate);
        final Path key = TestCertificates.writePkcs8(dir.resolve("key.pem"), TestCertificates.rsa().getPrivate());

        final ConfigException ex = assertThrows(ConfigException.class, () -> ServerTls.fromConfig(pem(cert, key)));

        assertEquals("tls.key-file (command line): is not the key of the first certificate in tls.cert-file " + cert +
            " (the server's own certificate must come first), got '" + key + "'", ex.getMessage());
    }

    @Test
    void rejectsAChainThatDoesNotStartWithTheServersCertificate() throws Exception
    {
        final X509Certificate issuer = TestCertificates.selfSigned(TestCertificates.ec());
        final Path chain = TestCertificates.writePem(dir.resolve("fullchain.pem"), issuer, rsaCertificate);
        final Path key = TestCertificates.writePkcs8(dir.resolve("key.pem"), rsa.getPrivate());

        final ConfigException ex = assertThrows(ConfigException.class, () -> ServerTls.fromConfig(pem(chain, key)));

        assertTrue(ex.getMessage().startsWith("tls.key-file (command line): is not the key of the first certificate"),
            ex.getMessage());
    }

    @Test
    void rejectsACertificateFileWithoutACertificate() throws Exception
    {
        final Path key = TestCertificates.writePkcs8(dir.resolve("key.pem"), rsa.getPrivate());

        final ConfigException ex = assertThrows(ConfigException.class, () -> ServerTls.fromConfig(pem(key, key)));

        assertEquals("tls.cert-file (command line): holds no PEM certificate (BEGIN CERTIFICATE), got '" + key + "'",
            ex.getMessage());
    }

    @Test
    void rejectsAKeyFileWithoutAKey() throws Exception
    {
        final Path cert = TestCertificates.writePem(dir.resolve("cert.pem"), rsaCertificate);

        final ConfigException ex = assertThrows(ConfigException.class, () -> ServerTls.fromConfig(pem(cert, cert)));

        assertEquals("tls.key-file (command line): holds no PEM private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE " +
            "KEY or BEGIN EC PRIVATE KEY), got '" + cert + "'", ex.getMessage());
    }

    @Test
    void rejectsAnEncryptedKey() throws Exception
    {
        final Path cert = TestCertificates.writePem(dir.resolve("cert.pem"), rsaCertificate);
        final Path key = Files.writeString(dir.resolve("key.pem"), "-----BEGIN ENCRYPTED PRIVATE KEY-----\n" +
            Base64.getMimeEncoder(64, new byte[]{ '\n' }).encodeToString(encrypted(rsa.getPrivate(), "pw")) +
            "\n-----END ENCRYPTED PRIVATE KEY-----\n");
        assertTrue(Files.readString(key).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----"));

        final ConfigException ex = assertThrows(ConfigException.class, () -> ServerTls.fromConfig(pem(cert, key)));

        assertEquals("tls.key-file (command line): holds an encrypted private key; decrypt it (openssl pkey -in KEY " +
            "-out KEY.pem) or put it in a keystore for tls.keystore-file, got '" + key + "'", ex.getMessage());
    }

    @Test
    void rejectsAKeyFileWithBrokenPem() throws Exception
    {
        final Path cert = TestCertificates.writePem(dir.resolve("cert.pem"), rsaCertificate);
        final Path key = Files.writeString(dir.resolve("key.pem"),
            "-----BEGIN PRIVATE KEY-----\nnot base64 at all!\n-----END PRIVATE KEY-----\n");

        final ConfigException ex = assertThrows(ConfigException.class, () -> ServerTls.fromConfig(pem(cert, key)));

        assertTrue(ex.getMessage().startsWith("tls.key-file (command line): is not a readable PEM private key ("),
            ex.getMessage());
        assertTrue(ex.getMessage().endsWith(", got '" + key + "'"), ex.getMessage());
    }

    @Test
    void aKeyBelongsOnlyToItsOwnCertificate() throws Exception
    {
        assertTrue(ServerTls.belongTogether(rsa.getPrivate(), rsaCertificate.getPublicKey()));
        assertTrue(ServerTls.belongTogether(ec.getPrivate(), ecCertificate.getPublicKey()));
        assertFalse(ServerTls.belongTogether(rsa.getPrivate(), ecCertificate.getPublicKey()));
        assertFalse(ServerTls.belongTogether(ec.getPrivate(), rsaCertificate.getPublicKey()));
        assertFalse(ServerTls.belongTogether(TestCertificates.rsa().getPrivate(), rsaCertificate.getPublicKey()));
    }

    /**
     * @return the key as PKCS#8 EncryptedPrivateKeyInfo, as {@code openssl pkcs8 -topk8 -v1 PBE-SHA1-3DES} writes it.
     */
    private static byte[] encrypted(final PrivateKey key, final String password) throws Exception
    {
        final String algorithm = "PBEWithSHA1AndDESede";
        final SecretKey secret = SecretKeyFactory.getInstance(algorithm).generateSecret(
            new PBEKeySpec(password.toCharArray()));
        final Cipher cipher = Cipher.getInstance(algorithm);
        cipher.init(Cipher.ENCRYPT_MODE, secret, new PBEParameterSpec(new byte[8], 2048));
        return new EncryptedPrivateKeyInfo(cipher.getParameters(), cipher.doFinal(key.getEncoded())).getEncoded();
    }

    private static MeridianConfig pem(final Path cert, final Path key)
    {
        return MeridianConfig.of(Map.of(
            "tls.port", "0", "tls.cert-file", cert.toString(), "tls.key-file", key.toString()));
    }

    private static MeridianConfig keystore(final Path file, final String type, final String password)
    {
        return MeridianConfig.of(Map.of("tls.port", "0", "tls.keystore-file", file.toString(),
            "tls.keystore-type", type, "tls.keystore-password", password));
    }

    private static void assertServes(final MeridianConfig config, final X509Certificate expected) throws Exception
    {
        final Certificate[] served = handshake(ServerTls.fromConfig(config), expected);
        assertEquals(expected, served[0]);
    }

    /**
     * A real handshake on loopback between the context under test and a client trusting only the expected
     * certificate: the client fails unless the server presents it.
     *
     * @return the chain the server presented.
     */
    private static Certificate[] handshake(final SSLContext server, final X509Certificate expected) throws Exception
    {
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        try (SSLServerSocket listener =
            (SSLServerSocket)server.getServerSocketFactory().createServerSocket(0, 1, loopback))
        {
            final Thread acceptor = new Thread(() ->
            {
                try (SSLSocket accepted = (SSLSocket)listener.accept())
                {
                    accepted.startHandshake();
                    accepted.getInputStream().read();
                }
                catch (final IOException ex)
                {
                    // The client's verdict is what the test checks.
                }
            }, "tls-test-acceptor");
            acceptor.start();
            try (SSLSocket client = (SSLSocket)TestCertificates.trusting(expected).getSocketFactory()
                .createSocket(loopback, listener.getLocalPort()))
            {
                client.startHandshake();
                return client.getSession().getPeerCertificates();
            }
            finally
            {
                acceptor.join(5_000);
            }
        }
    }
}
