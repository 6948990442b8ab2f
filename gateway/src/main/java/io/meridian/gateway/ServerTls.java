package io.meridian.gateway;

import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import io.meridian.config.Setting;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.UnrecoverableKeyException;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * The key and certificate chain of the HTTPS/WSS listener, from PEM files ({@code tls.cert-file},
 * {@code tls.key-file}) or a keystore ({@code tls.keystore-file}), as an {@link SSLContext}. Every problem with the
 * files is a {@link ConfigException} naming the setting and the file, raised before anything else starts.
 */
final class ServerTls
{
    /** The only protocol versions the listener speaks: older ones have known weaknesses. */
    static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");

    private static final Logger LOG = LoggerFactory.getLogger(ServerTls.class);
    private static final String ALIAS = "meridian";

    private ServerTls()
    {
    }

    /**
     * @param config validated settings with TLS on.
     * @return a context serving the configured key and certificate chain.
     * @throws ConfigException naming the setting and file that cannot be used.
     */
    static SSLContext fromConfig(final MeridianConfig config)
    {
        final KeyStore keys;
        final char[] password;
        if (config.tlsKeystoreFile().isEmpty())
        {
            // The store lives only in memory, so its password protects nothing; any value will do.
            password = UUID.randomUUID().toString().toCharArray();
            keys = fromPem(config, password);
        }
        else
        {
            password = config.tlsKeystorePassword().toCharArray();
            keys = fromKeystore(config, password);
        }

        try
        {
            final KeyManagerFactory keyManagers =
                KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            try
            {
                keyManagers.init(keys, password);
            }
            catch (final UnrecoverableKeyException ex)
            {
                throw secretProblem(config, Setting.TLS_KEYSTORE_PASSWORD, "opens tls.keystore-file " +
                    config.tlsKeystoreFile() + " but not the private key in it; the key needs the same password");
            }
            final SSLContext context = SSLContext.getInstance("TLS");
            context.init(keyManagers.getKeyManagers(), null, null);
            return context;
        }
        catch (final GeneralSecurityException ex)
        {
            throw new IllegalStateException("this JVM cannot set up TLS: " + ex, ex);
        }
    }

    private static KeyStore fromKeystore(final MeridianConfig config, final char[] password)
    {
        final Path file = Path.of(config.tlsKeystoreFile());
        final String type = config.tlsKeystoreType();
        final KeyStore store;
        try
        {
            store = KeyStore.getInstance(type);
        }
        catch (final GeneralSecurityException ex)
        {
            throw problem(config, Setting.TLS_KEYSTORE_TYPE, "this JVM has no " + type + " keystores");
        }
        try (InputStream in = Files.newInputStream(file))
        {
            store.load(in, password);
        }
        catch (final IOException ex)
        {
            if (ex.getCause() instanceof UnrecoverableKeyException)
            {
                throw secretProblem(config, Setting.TLS_KEYSTORE_PASSWORD,
                    "wrong password for tls.keystore-file " + file);
            }
            throw problem(config, Setting.TLS_KEYSTORE_FILE, "cannot read the file as a " + type + " keystore (" +
                ex.getMessage() + "); is tls.keystore-type right?");
        }
        catch (final GeneralSecurityException ex)
        {
            throw problem(config, Setting.TLS_KEYSTORE_FILE, "cannot read the keystore: " + ex.getMessage());
        }

        try
        {
            for (final String alias : Collections.list(store.aliases()))
            {
                final Certificate[] chain = store.getCertificateChain(alias);
                if (store.isKeyEntry(alias) && null != chain && chain.length > 0)
                {
                    if (chain[0] instanceof X509Certificate)
                    {
                        logCertificate((X509Certificate)chain[0], config.tlsKeystoreFile());
                    }
                    return store;
                }
            }
        }
        catch (final GeneralSecurityException ex)
        {
            throw problem(config, Setting.TLS_KEYSTORE_FILE, "cannot read the keystore: " + ex.getMessage());
        }
        throw problem(config, Setting.TLS_KEYSTORE_FILE, "holds no private key with a certificate chain");
    }

    private static KeyStore fromPem(final MeridianConfig config, final char[] password)
    {
        final List<X509Certificate> chain = readCertificates(config);
        final PrivateKey key = readPrivateKey(config);
        if (!belongTogether(key, chain.get(0).getPublicKey()))
        {
            throw problem(config, Setting.TLS_KEY_FILE, "is not the key of the first certificate in tls.cert-file " +
                config.tlsCertFile() + " (the server's own certificate must come first)");
        }
        logCertificate(chain.get(0), config.tlsCertFile());
        try
        {
            final KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry(ALIAS, key, password, chain.toArray(new X509Certificate[0]));
            return store;
        }
        catch (final GeneralSecurityException | IOException ex)
        {
            throw problem(config, Setting.TLS_KEY_FILE, "cannot be used with tls.cert-file: " + ex.getMessage());
        }
    }

    private static List<X509Certificate> readCertificates(final MeridianConfig config)
    {
        final List<X509Certificate> chain = new ArrayList<>();
        final JcaX509CertificateConverter converter = new JcaX509CertificateConverter();
        try (PEMParser parser = new PEMParser(reader(config.tlsCertFile())))
        {
            for (Object item = parser.readObject(); null != item; item = parser.readObject())
            {
                if (item instanceof X509CertificateHolder)
                {
                    chain.add(converter.getCertificate((X509CertificateHolder)item));
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw problem(config, Setting.TLS_CERT_FILE, "is not a readable PEM file (" + ex.getMessage() + ")");
        }
        catch (final CertificateException ex)
        {
            throw problem(config, Setting.TLS_CERT_FILE, "holds a certificate that cannot be read (" +
                ex.getMessage() + ")");
        }
        if (chain.isEmpty())
        {
            throw problem(config, Setting.TLS_CERT_FILE, "holds no PEM certificate (BEGIN CERTIFICATE)");
        }
        return chain;
    }

    private static PrivateKey readPrivateKey(final MeridianConfig config)
    {
        final JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
        Object found = null;
        try (PEMParser parser = new PEMParser(reader(config.tlsKeyFile())))
        {
            for (Object item = parser.readObject(); null != item && null == found; item = parser.readObject())
            {
                if (item instanceof PrivateKeyInfo || item instanceof PEMKeyPair ||
                    item instanceof PKCS8EncryptedPrivateKeyInfo || item instanceof PEMEncryptedKeyPair)
                {
                    found = item;
                }
            }
            if (found instanceof PrivateKeyInfo)
            {
                return converter.getPrivateKey((PrivateKeyInfo)found);
            }
            if (found instanceof PEMKeyPair)
            {
                // Only the private half: SEC1 keys may leave out the public key, which a key pair would need.
                return converter.getPrivateKey(((PEMKeyPair)found).getPrivateKeyInfo());
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            throw problem(config, Setting.TLS_KEY_FILE, "is not a readable PEM private key (" + ex.getMessage() + ")");
        }
        if (null != found)
        {
            throw problem(config, Setting.TLS_KEY_FILE, "holds an encrypted private key; decrypt it " +
                "(openssl pkey -in KEY -out KEY.pem) or put it in a keystore for tls.keystore-file");
        }
        throw problem(config, Setting.TLS_KEY_FILE,
            "holds no PEM private key (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN EC PRIVATE KEY)");
    }

    private static Reader reader(final String file) throws IOException
    {
        // Latin-1 reads any byte, so text around the PEM blocks (openssl's "Bag Attributes") cannot fail decoding.
        return Files.newBufferedReader(Path.of(file), StandardCharsets.ISO_8859_1);
    }

    /**
     * Sign with the private key and verify with the certificate's public key: a mismatched pair would otherwise
     * only show as failed handshakes once clients connect.
     */
    static boolean belongTogether(final PrivateKey key, final PublicKey publicKey)
    {
        final String algorithm;
        switch (key.getAlgorithm())
        {
            case "RSA":
                algorithm = "SHA256withRSA";
                break;
            case "EC":
                algorithm = "SHA256withECDSA";
                break;
            case "EdDSA":
            case "Ed25519":
            case "Ed448":
                algorithm = "EdDSA";
                break;
            default:
                // No probe for this kind of key; the handshake will tell.
                return true;
        }
        try
        {
            final byte[] probe = "meridian".getBytes(StandardCharsets.US_ASCII);
            final Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            final byte[] signature = signer.sign();
            final Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(publicKey);
            verifier.update(probe);
            return verifier.verify(signature);
        }
        catch (final GeneralSecurityException ex)
        {
            return false;
        }
    }

    private static void logCertificate(final X509Certificate certificate, final String file)
    {
        final Date now = new Date();
        LOG.info("TLS certificate " + certificate.getSubjectX500Principal().getName() + " from " + file +
            ", valid until " + certificate.getNotAfter().toInstant());
        if (now.after(certificate.getNotAfter()) || now.before(certificate.getNotBefore()))
        {
            LOG.warn("the TLS certificate from " + file + " is not valid now (valid from " +
                certificate.getNotBefore().toInstant() + " to " + certificate.getNotAfter().toInstant() +
                "): clients will refuse it");
        }
    }

    private static ConfigException problem(final MeridianConfig config, final Setting setting, final String why)
    {
        return new ConfigException(setting.key() + " (" + config.origin(setting) + "): " + why + ", got '" +
            config.string(setting) + "'");
    }

    /** Like {@link #problem}, without repeating the value: it is a secret. */
    private static ConfigException secretProblem(final MeridianConfig config, final Setting setting, final String why)
    {
        return new ConfigException(setting.key() + " (" + config.origin(setting) + "): " + why);
    }
}
