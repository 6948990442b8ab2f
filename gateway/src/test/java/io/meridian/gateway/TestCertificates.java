package io.meridian.gateway;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.OutputStream;
import java.io.Writer;
import java.math.BigInteger;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Self-signed server certificates for tests, written as PEM files or keystores the way operators would get them,
 * and clients that trust exactly such a certificate.
 */
final class TestCertificates
{
    private static final AtomicLong SERIAL = new AtomicLong(System.currentTimeMillis());

    private TestCertificates()
    {
    }

    static KeyPair rsa() throws Exception
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
        generator.initialize(2048);
        return generator.generateKeyPair();
    }

    static KeyPair ec() throws Exception
    {
        final KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /**
     * A certificate for 127.0.0.1 and localhost, valid from a day ago to a day ahead, signed by its own key.
     */
    static X509Certificate selfSigned(final KeyPair pair) throws Exception
    {
        final Instant now = Instant.now();
        final X500Name name = new X500Name("CN=meridian-test");
        final JcaX509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
            name, BigInteger.valueOf(SERIAL.incrementAndGet()), Date.from(now.minus(Duration.ofDays(1))),
            Date.from(now.plus(Duration.ofDays(1))), name, pair.getPublic());
        builder.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[]{
            new GeneralName(GeneralName.iPAddress, "127.0.0.1"), new GeneralName(GeneralName.dNSName, "localhost") }));
        builder.addExtension(Extension.keyUsage, true,
            new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        builder.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        final String algorithm = "RSA".equals(pair.getPrivate().getAlgorithm()) ? "SHA256withRSA" : "SHA256withECDSA";
        return new JcaX509CertificateConverter().getCertificate(
            builder.build(new JcaContentSignerBuilder(algorithm).build(pair.getPrivate())));
    }

    /**
     * Write objects as PEM the way OpenSSL's traditional tools do: certificates as {@code CERTIFICATE}, RSA keys
     * as PKCS#1 {@code RSA PRIVATE KEY}.
     */
    static Path writePem(final Path file, final Object... objects) throws Exception
    {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
            JcaPEMWriter pem = new JcaPEMWriter(out))
        {
            for (final Object object : objects)
            {
                pem.writeObject(object);
            }
        }
        return file;
    }

    /**
     * Write an EC key as SEC1 {@code EC PRIVATE KEY} with its curve and public key, as {@code openssl ecparam
     * -genkey} does (the JDK's own encoding leaves the curve out of the SEC1 structure).
     */
    static Path writeSec1(final Path file, final KeyPair pair) throws Exception
    {
        final SubjectPublicKeyInfo publicKey = SubjectPublicKeyInfo.getInstance(pair.getPublic().getEncoded());
        final BigInteger secret = ((ECPrivateKey)pair.getPrivate()).getS();
        final int orderBits = ((ECPrivateKey)pair.getPrivate()).getParams().getOrder().bitLength();
        final org.bouncycastle.asn1.sec.ECPrivateKey sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(
            orderBits, secret, publicKey.getPublicKeyData(), publicKey.getAlgorithm().getParameters());
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
            PemWriter pem = new PemWriter(out))
        {
            pem.writeObject(new PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        return file;
    }

    /**
     * Write a key as unencrypted PKCS#8 {@code PRIVATE KEY}, as Let's Encrypt clients and current OpenSSL do.
     */
    static Path writePkcs8(final Path file, final PrivateKey key) throws Exception
    {
        try (Writer out = Files.newBufferedWriter(file, StandardCharsets.US_ASCII);
            JcaPEMWriter pem = new JcaPEMWriter(out))
        {
            pem.writeObject(new JcaPKCS8Generator(key, null));
        }
        return file;
    }

    static Path writeKeystore(
        final Path file,
        final String type,
        final String password,
        final PrivateKey key,
        final X509Certificate certificate) throws Exception
    {
        final KeyStore store = KeyStore.getInstance(type);
        store.load(null, null);
        store.setKeyEntry("server", key, password.toCharArray(), new X509Certificate[]{ certificate });
        try (OutputStream out = Files.newOutputStream(file))
        {
            store.store(out, password.toCharArray());
        }
        return file;
    }

    /**
     * @return a client context trusting the given certificate and nothing else.
     */
    static SSLContext trusting(final X509Certificate certificate) throws Exception
    {
        final KeyStore trusted = KeyStore.getInstance("PKCS12");
        trusted.load(null, null);
        trusted.setCertificateEntry("server", certificate);
        final TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        trust.init(trusted);
        final SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, trust.getTrustManagers(), null);
        return context;
    }

    static HttpClient httpsClient(final X509Certificate certificate) throws Exception
    {
        return HttpClient.newBuilder().sslContext(trusting(certificate)).connectTimeout(Duration.ofSeconds(5)).build();
    }
}
