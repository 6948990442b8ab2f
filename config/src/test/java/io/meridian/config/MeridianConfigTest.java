package io.meridian.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;
import static org.junit.jupiter.params.provider.Arguments.arguments;

class MeridianConfigTest
{
    /** Where a case puts its settings. */
    enum Source
    {
        FILE, ENV, SYSTEM_PROPERTY, OVERRIDE
    }

    @TempDir
    Path dir;

    @Test
    void defaults()
    {
        final MeridianConfig config = MeridianConfig.defaults();

        assertEquals(8080, config.serverPort());
        assertTrue(config.demoMode());
        assertEquals(List.of("RS256", "ES256"), config.authAlgorithms());
        assertEquals("aeron:ipc", config.upstreamChannel());
        assertEquals(16_384, config.engineRingSize());
        assertEquals("backoff", config.engineIdleStrategy());
        assertTrue(config.simEnabled());
        for (final Setting setting : Setting.values())
        {
            assertEquals(setting.defaultValue(), config.string(setting), setting.key());
            assertEquals("default", config.origin(setting), setting.key());
        }
    }

    @Test
    void laterSourcesTakePrecedence() throws IOException
    {
        final Path file = write("server.port=1001\n");
        final Map<String, String> env = Map.of("MERIDIAN_SERVER_PORT", "1002");
        final Properties sysProps = properties("meridian.server.port", "1003");
        final Map<String, String> overrides = Map.of("server.port", "1004");

        final MeridianConfig fromFile = MeridianConfig.load(file, Map.of(), new Properties(), Map.of());
        assertEquals(1001, fromFile.serverPort());
        assertEquals("config file " + file, fromFile.origin(Setting.SERVER_PORT));

        final MeridianConfig fromEnv = MeridianConfig.load(file, env, new Properties(), Map.of());
        assertEquals(1002, fromEnv.serverPort());
        assertEquals("environment MERIDIAN_SERVER_PORT", fromEnv.origin(Setting.SERVER_PORT));

        final MeridianConfig fromSysProps = MeridianConfig.load(file, env, sysProps, Map.of());
        assertEquals(1003, fromSysProps.serverPort());
        assertEquals("system property -Dmeridian.server.port", fromSysProps.origin(Setting.SERVER_PORT));

        final MeridianConfig fromOverrides = MeridianConfig.load(file, env, sysProps, overrides);
        assertEquals(1004, fromOverrides.serverPort());
        assertEquals("command line", fromOverrides.origin(Setting.SERVER_PORT));
        assertEquals("default", fromOverrides.origin(Setting.SERVER_NAME));
    }

    @Test
    void ignoresEnvironmentAndSystemPropertiesOutsideItsNamespace()
    {
        final MeridianConfig config = MeridianConfig.load(
            null,
            Map.of("SERVER_PORT", "1", "PATH", "/usr/bin"),
            properties("server.port", "2", "java.version", "17"),
            Map.of());

        assertEquals(8080, config.serverPort());
    }

    @Test
    void readsEveryKindOfValueFromAFile() throws IOException
    {
        final Path file = write(
            "# comment\n" +
            "server.name = Meridian Sydney\n" +
            "auth.algorithms=rs256, ps256\n" +
            "sim.enabled=FALSE\n" +
            "engine.ring-size=1_024\n" +
            "upstream.channel=aeron:udp?endpoint=localhost:40123\n");

        final MeridianConfig config = MeridianConfig.load(file, Map.of(), new Properties(), Map.of());

        assertEquals("Meridian Sydney", config.serverName());
        assertEquals(List.of("RS256", "PS256"), config.authAlgorithms());
        assertFalse(config.simEnabled());
        assertEquals(1024, config.engineRingSize());
        assertEquals("aeron:udp?endpoint=localhost:40123", config.upstreamChannel());
    }

    @Test
    void identityProviderSettingsLeaveDemoMode()
    {
        final MeridianConfig config = MeridianConfig.of(Map.of(
            "auth.jwks-url", "https://idp.example.com/.well-known/jwks.json",
            "auth.issuer", "https://idp.example.com/",
            "auth.audience", "meridian"));

        assertFalse(config.demoMode());
        assertEquals("https://idp.example.com/.well-known/jwks.json", config.authJwksUrl());
        assertEquals("https://idp.example.com/", config.authIssuer());
        assertEquals("meridian", config.authAudience());
    }

    @Test
    void withReturnsModifiedCopy()
    {
        final MeridianConfig original = MeridianConfig.of(Map.of("server.name", "first"));

        final MeridianConfig copy = original.with(Map.of("server.port", "9090", "sim.enabled", "false"));

        assertNotSame(original, copy);
        assertEquals(9090, copy.serverPort());
        assertFalse(copy.simEnabled());
        assertEquals("first", copy.serverName());
        assertEquals(8080, original.serverPort());
        assertTrue(original.simEnabled());
    }

    @Test
    void withValidatesTheCopy()
    {
        final ConfigException ex = assertThrows(
            ConfigException.class, () -> MeridianConfig.defaults().with(Map.of("server.port", "-1")));

        assertTrue(ex.getMessage().contains("server.port"), ex.getMessage());
    }

    @Test
    void mapsSettingKeysToEnvironmentAndPropertyNames()
    {
        assertEquals("MERIDIAN_AUTH_JWKS_URL", Setting.AUTH_JWKS_URL.envName());
        assertEquals("meridian.auth.jwks-url", Setting.AUTH_JWKS_URL.propertyName());
        assertEquals("MERIDIAN_SERVER_PORT", Setting.SERVER_PORT.envName());
        assertEquals("MERIDIAN_UPSTREAM_LIVENESS_TIMEOUT_MS", Setting.UPSTREAM_LIVENESS_MS.envName());
    }

    @ParameterizedTest
    @EnumSource(Setting.class)
    void everySettingIsFoundByItsKeyAndReadFromItsEnvironmentName(final Setting setting)
    {
        assertSame(setting, Setting.byKey(setting.key()));
        assertEquals("meridian." + setting.key(), setting.propertyName());

        final MeridianConfig config = MeridianConfig.load(
            null, Map.of(setting.envName(), setting.defaultValue()), new Properties(), Map.of());
        assertEquals("environment " + setting.envName(), config.origin(setting));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void rejectsBadValueNamingSettingAndOrigin(
        final String name, final Source source, final Map<String, String> settings, final List<String> expected)
        throws IOException
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> loadFrom(source, settings));

        for (final String fragment : expected)
        {
            assertTrue(ex.getMessage().contains(fragment), "'" + fragment + "' not in: " + ex.getMessage());
        }
    }

    static Stream<Arguments> badValues()
    {
        return Stream.of(
            arguments("non-integer port", Source.ENV, Map.of("MERIDIAN_SERVER_PORT", "80a"),
                List.of("server.port", "environment MERIDIAN_SERVER_PORT", "80a")),
            arguments("port out of range", Source.SYSTEM_PROPERTY, Map.of("meridian.server.port", "70000"),
                List.of("server.port", "system property -Dmeridian.server.port", "70000")),
            arguments("ring size not a power of two", Source.OVERRIDE, Map.of("engine.ring-size", "1000"),
                List.of("engine.ring-size", "command line", "power of two")),
            arguments("unknown idle strategy", Source.FILE, Map.of("engine.idle-strategy", "spinning"),
                List.of("engine.idle-strategy", "config file", "spinning")),
            arguments("boolean neither true nor false", Source.ENV, Map.of("MERIDIAN_SIM_ENABLED", "maybe"),
                List.of("sim.enabled", "environment MERIDIAN_SIM_ENABLED", "maybe")),
            arguments("channel not an Aeron URI", Source.OVERRIDE, Map.of("upstream.channel", "udp://localhost:1"),
                List.of("upstream.channel", "command line")),
            arguments("response channel not an Aeron URI", Source.FILE,
                Map.of("upstream.response-channel", "ipc"),
                List.of("upstream.response-channel", "config file")),
            arguments("liveness not above heartbeat", Source.OVERRIDE,
                Map.of("upstream.heartbeat-interval-ms", "2000", "upstream.liveness-timeout-ms", "2000"),
                List.of("upstream.liveness-timeout-ms", "upstream.heartbeat-interval-ms", "command line")),
            arguments("jwks-url without issuer", Source.OVERRIDE,
                Map.of("auth.jwks-url", "https://idp.example.com/jwks", "auth.audience", "meridian"),
                List.of("auth.issuer", "auth.jwks-url")),
            arguments("issuer without jwks-url", Source.ENV,
                Map.of("MERIDIAN_AUTH_ISSUER", "https://idp.example.com/"),
                List.of("auth.jwks-url", "auth.issuer")),
            arguments("jwks-url with ftp scheme", Source.SYSTEM_PROPERTY,
                Map.of("meridian.auth.jwks-url", "ftp://idp.example.com/jwks", "meridian.auth.issuer", "i",
                    "meridian.auth.audience", "a"),
                List.of("auth.jwks-url", "system property -Dmeridian.auth.jwks-url", "ftp://idp.example.com/jwks")),
            arguments("empty user claim", Source.OVERRIDE, Map.of("auth.user-claim", " "),
                List.of("auth.user-claim", "command line", "must name a claim")),
            arguments("claim path with an empty segment", Source.ENV,
                Map.of("MERIDIAN_AUTH_SCOPE_CLAIMS", "scope,realm_access..roles"),
                List.of("auth.scope-claims", "environment MERIDIAN_AUTH_SCOPE_CLAIMS", "empty segment")),
            arguments("name claim with a trailing dot", Source.FILE, Map.of("auth.name-claims", "name,profile."),
                List.of("auth.name-claims", "config file", "profile.")),
            arguments("claim path with white space", Source.OVERRIDE, Map.of("auth.user-claim", "user id"),
                List.of("auth.user-claim", "white space")),
            arguments("no scope claims", Source.SYSTEM_PROPERTY, Map.of("meridian.auth.scope-claims", " , "),
                List.of("auth.scope-claims", "at least one claim")),
            arguments("origin not http", Source.ENV, Map.of("PROXY_URL", "ftp://files.example.com"),
                List.of("http-cache.origin", "environment PROXY_URL", "ftp://files.example.com")),
            arguments("origin without host", Source.OVERRIDE, Map.of("http-cache.origin", "http:/nohost"),
                List.of("http-cache.origin", "command line")),
            arguments("origin with query", Source.OVERRIDE, Map.of("http-cache.origin", "http://h:1/?a=b"),
                List.of("http-cache.origin", "query")),
            arguments("negative default ttl", Source.ENV, Map.of("PROXY_EXPIRY", "-5"),
                List.of("http-cache.default-ttl-seconds", "environment PROXY_EXPIRY", "-5")),
            arguments("object larger than the cache", Source.OVERRIDE,
                Map.of("http-cache.max-bytes", "1048576", "http-cache.max-object-bytes", "2097152"),
                List.of("http-cache.max-object-bytes", "http-cache.max-bytes")),
            arguments("console sign-in without an issuer", Source.OVERRIDE,
                Map.of("console.oidc-client-id", "meridian-console"),
                List.of("console.oidc-client-id", "needs auth.issuer")),
            arguments("console client id with a space", Source.OVERRIDE,
                Map.of("console.oidc-client-id", "my console"), List.of("console.oidc-client-id")),
            arguments("blank console scope", Source.ENV, Map.of("MERIDIAN_CONSOLE_OIDC_SCOPE", " "),
                List.of("console.oidc-scope", "environment MERIDIAN_CONSOLE_OIDC_SCOPE")),
            arguments("redis host with a scheme", Source.OVERRIDE,
                Map.of("http-cache.origin", "http://h:1", "http-cache.redis-host", "redis://cache"),
                List.of("http-cache.redis-host", "without scheme")),
            arguments("redis without an HTTP cache", Source.ENV, Map.of("REDIS_HOST", "cache.internal"),
                List.of("http-cache.redis-host", "environment REDIS_HOST", "needs http-cache.origin")),
            arguments("redis port out of range", Source.ENV,
                Map.of("PROXY_URL", "http://h:1", "REDIS_HOST", "cache", "REDIS_PORT", "70000"),
                List.of("http-cache.redis-port", "environment REDIS_PORT", "70000")),
            arguments("redis lookup timeout of 0", Source.OVERRIDE,
                Map.of("http-cache.redis-timeout-ms", "0"), List.of("http-cache.redis-timeout-ms", "between 1")),
            arguments("unknown key in config file", Source.FILE, Map.of("server.prot", "9090"),
                List.of("server.prot", "unknown")),
            arguments("unknown meridian system property", Source.SYSTEM_PROPERTY, Map.of("meridian.xyz", "1"),
                List.of("meridian.xyz", "unknown")),
            arguments("unknown override", Source.OVERRIDE, Map.of("xyz", "1"),
                List.of("xyz", "unknown")));
    }

    @Test
    void claimSettingsDefaultToTheStandardClaimsAndCanonicalRights()
    {
        final MeridianConfig config = MeridianConfig.defaults();

        assertEquals("sub", config.authUserClaim());
        assertEquals(List.of("name", "preferred_username"), config.authNameClaims());
        assertEquals(List.of("scope", "scp"), config.authScopeClaims());
        assertEquals(List.of("zenith/market"), config.authMarketScopes());
        assertEquals(List.of("zenith/trading"), config.authTradingScopes());
        assertEquals(List.of("zenith/orderpad"), config.authOrderPadScopes());
        assertEquals(List.of("zenith/admin"), config.authAdminScopes());
    }

    @Test
    void claimListsAreTrimmedAndMayGrantARightToNoOne()
    {
        final MeridianConfig config = MeridianConfig.of(Map.of(
            "auth.user-claim", "oid",
            "auth.name-claims", "",
            "auth.scope-claims", " scp , roles,resource_access.meridian-api.roles ",
            "auth.trading-scopes", "Trading.Write, Market Maker ",
            "auth.admin-scopes", ""));

        assertEquals("oid", config.authUserClaim());
        assertEquals(List.of(), config.authNameClaims());
        assertEquals(List.of("scp", "roles", "resource_access.meridian-api.roles"), config.authScopeClaims());
        assertEquals(List.of("Trading.Write", "Market Maker"), config.authTradingScopes());
        assertEquals(List.of(), config.authAdminScopes());
    }

    @Test
    void rejectsUnreadableConfigFile()
    {
        final Path missing = dir.resolve("missing.properties");

        final ConfigException ex = assertThrows(
            ConfigException.class, () -> MeridianConfig.load(missing, Map.of(), new Properties(), Map.of()));

        assertTrue(ex.getMessage().contains(missing.toString()), ex.getMessage());
        assertTrue(ex.getMessage().contains("cannot read"), ex.getMessage());
    }

    private MeridianConfig loadFrom(final Source source, final Map<String, String> settings) throws IOException
    {
        switch (source)
        {
            case FILE:
            {
                final StringBuilder text = new StringBuilder();
                settings.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
                return MeridianConfig.load(write(text.toString()), Map.of(), new Properties(), Map.of());
            }
            case ENV:
                return MeridianConfig.load(null, settings, new Properties(), Map.of());
            case SYSTEM_PROPERTY:
            {
                final Properties sysProps = new Properties();
                sysProps.putAll(settings);
                return MeridianConfig.load(null, Map.of(), sysProps, Map.of());
            }
            default:
                return MeridianConfig.load(null, Map.of(), new Properties(), settings);
        }
    }

    private Path write(final String text) throws IOException
    {
        final Path file = Files.createTempFile(dir, "meridian", ".properties");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return file;
    }

    private static Properties properties(final String... keyValues)
    {
        final Properties properties = new Properties();
        for (int i = 0; i < keyValues.length; i += 2)
        {
            properties.setProperty(keyValues[i], keyValues[i + 1]);
        }
        return properties;
    }

    @Test
    void unknownMeridianEnvironmentVariableFailsNamingIt()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> MeridianConfig.load(
            null, Map.of("MERIDIAN_SERVER_PROT", "9090", "HOME", "/root"), new Properties(), Map.of()));
        assertTrue(ex.getMessage().contains("MERIDIAN_SERVER_PROT"), ex.getMessage());
    }

    @Test
    void withKeepsWhereUnchangedSettingsCameFrom()
    {
        final MeridianConfig fromEnv = MeridianConfig.load(
            null, Map.of("MERIDIAN_SERVER_NAME", "east"), new Properties(), Map.of());
        final MeridianConfig copy = fromEnv.with(Map.of("server.port", "9090"));
        assertEquals("environment MERIDIAN_SERVER_NAME", copy.origin(Setting.SERVER_NAME));
        assertEquals("default", copy.origin(Setting.SIM_SEED));
        assertEquals("command line", copy.origin(Setting.SERVER_PORT));
    }

    @Test
    void tlsIsOffAndPlainHttpOnByDefault()
    {
        final MeridianConfig config = MeridianConfig.defaults();

        assertEquals(-1, config.tlsPort());
        assertFalse(config.tlsEnabled());
        assertTrue(config.serverPlainHttp());
        assertEquals("PKCS12", config.tlsKeystoreType());
    }

    @Test
    void acceptsPemFilesOrAKeystoreForTheTlsListener() throws IOException
    {
        final Path cert = Files.writeString(dir.resolve("cert.pem"), "certificate");
        final Path key = Files.writeString(dir.resolve("key.pem"), "key");
        final Path keystore = Files.writeString(dir.resolve("keystore.jks"), "keystore");

        final MeridianConfig pem = MeridianConfig.of(Map.of(
            "tls.port", "8443", "tls.cert-file", cert.toString(), "tls.key-file", key.toString(),
            "server.plain-http", "false"));
        final MeridianConfig store = MeridianConfig.of(Map.of(
            "tls.port", "0", "tls.keystore-file", keystore.toString(), "tls.keystore-type", "jks",
            "tls.keystore-password", "secret"));

        assertTrue(pem.tlsEnabled());
        assertEquals(8443, pem.tlsPort());
        assertFalse(pem.serverPlainHttp());
        assertEquals(cert.toString(), pem.tlsCertFile());
        assertEquals(key.toString(), pem.tlsKeyFile());
        assertEquals("", pem.tlsKeystoreFile());
        assertTrue(store.tlsEnabled());
        assertEquals(0, store.tlsPort());
        assertTrue(store.serverPlainHttp());
        assertEquals(keystore.toString(), store.tlsKeystoreFile());
        assertEquals("JKS", store.tlsKeystoreType());
        assertEquals("secret", store.tlsKeystorePassword());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTlsSettings")
    void rejectsBadTlsSettingsWithAMessageNamingTheSetting(
        final String name, final Map<String, String> settings, final String expected) throws IOException
    {
        Files.writeString(dir.resolve("cert.pem"), "certificate");
        Files.writeString(dir.resolve("key.pem"), "key");
        Files.writeString(dir.resolve("keystore.p12"), "keystore");
        Files.createDirectory(dir.resolve("folder"));
        final Map<String, String> overrides = new HashMap<>();
        settings.forEach((key, value) -> overrides.put(key, value.replace("{dir}", dir.toString())));

        final ConfigException ex = assertThrows(ConfigException.class, () -> MeridianConfig.of(overrides));

        assertEquals(expected.replace("{dir}", dir.toString()), ex.getMessage());
    }

    static Stream<Arguments> badTlsSettings()
    {
        final String cert = "{dir}/cert.pem";
        final String key = "{dir}/key.pem";
        final String keystore = "{dir}/keystore.p12";
        return Stream.of(
            arguments("plain HTTP off without TLS", Map.of("server.plain-http", "false"),
                "server.plain-http (command line): false leaves no listener unless TLS is on: set tls.port and " +
                "tls.cert-file with tls.key-file, or tls.keystore-file, got 'false'"),
            arguments("plain HTTP neither true nor false", Map.of("server.plain-http", "no"),
                "server.plain-http (command line): must be true or false, got 'no'"),
            arguments("TLS port without key material", Map.of("tls.port", "8443"),
                "tls.port (command line): a TLS listener needs tls.cert-file with tls.key-file, or " +
                "tls.keystore-file, got '8443'"),
            arguments("TLS port without key material and plain HTTP off",
                Map.of("tls.port", "0", "server.plain-http", "false"),
                "tls.port (command line): a TLS listener needs tls.cert-file with tls.key-file, or " +
                "tls.keystore-file, got '0'"),
            arguments("certificate without key", Map.of("tls.port", "8443", "tls.cert-file", cert),
                "tls.key-file (default): must be set when tls.cert-file is set, got ''"),
            arguments("key without certificate", Map.of("tls.port", "8443", "tls.key-file", key),
                "tls.cert-file (default): must be set when tls.key-file is set, got ''"),
            arguments("PEM files and a keystore", Map.of("tls.port", "8443", "tls.cert-file", cert,
                "tls.key-file", key, "tls.keystore-file", keystore),
                "tls.keystore-file (command line): set either tls.keystore-file or tls.cert-file with " +
                "tls.key-file, not both, got '{dir}/keystore.p12'"),
            arguments("keystore and a certificate", Map.of("tls.port", "8443", "tls.cert-file", cert,
                "tls.keystore-file", keystore),
                "tls.keystore-file (command line): set either tls.keystore-file or tls.cert-file with " +
                "tls.key-file, not both, got '{dir}/keystore.p12'"),
            arguments("missing certificate file", Map.of("tls.port", "8443",
                "tls.cert-file", "{dir}/missing.pem", "tls.key-file", key),
                "tls.cert-file (command line): cannot read the file: it does not exist, got '{dir}/missing.pem'"),
            arguments("missing key file", Map.of("tls.port", "8443", "tls.cert-file", cert,
                "tls.key-file", "{dir}/missing-key.pem"),
                "tls.key-file (command line): cannot read the file: it does not exist, " +
                "got '{dir}/missing-key.pem'"),
            arguments("missing keystore file", Map.of("tls.port", "8443", "tls.keystore-file", "{dir}/none.p12"),
                "tls.keystore-file (command line): cannot read the file: it does not exist, got '{dir}/none.p12'"),
            arguments("keystore is a directory", Map.of("tls.port", "8443", "tls.keystore-file", "{dir}/folder"),
                "tls.keystore-file (command line): cannot read the file: it is not a regular file, " +
                "got '{dir}/folder'"),
            arguments("key material without a TLS port", Map.of("tls.cert-file", cert, "tls.key-file", key),
                "tls.port (default): must be 0 or a port when tls.cert-file, tls.key-file or tls.keystore-file " +
                "is set (-1 means no TLS listener), got '-1'"),
            arguments("keystore without a TLS port and plain HTTP off",
                Map.of("tls.keystore-file", keystore, "server.plain-http", "false"),
                "tls.port (default): must be 0 or a port when tls.cert-file, tls.key-file or tls.keystore-file " +
                "is set (-1 means no TLS listener), got '-1'"),
            arguments("TLS port below -1", Map.of("tls.port", "-2"),
                "tls.port (command line): must be between -1 and 65535, got '-2'"),
            arguments("TLS port above 65535", Map.of("tls.port", "65536"),
                "tls.port (command line): must be between -1 and 65535, got '65536'"),
            arguments("TLS port on the plain port", Map.of("tls.port", "8080", "tls.keystore-file", keystore),
                "tls.port (command line): must differ from server.port while server.plain-http is true, got '8080'"),
            arguments("unknown keystore type", Map.of("tls.keystore-type", "PKCS11"),
                "tls.keystore-type (command line): must be one of PKCS12, JKS, got 'PKCS11'"));
    }

    @Test
    void tlsPortMayEqualServerPortWhenPlainHttpIsOff() throws IOException
    {
        final Path keystore = Files.writeString(dir.resolve("keystore.p12"), "keystore");

        final MeridianConfig config = MeridianConfig.of(Map.of(
            "tls.port", "8080", "tls.keystore-file", keystore.toString(), "server.plain-http", "false"));

        assertEquals(8080, config.tlsPort());
    }

    @Test
    void rejectsAKeyFileThisProcessCannotRead() throws IOException
    {
        final Path cert = Files.writeString(dir.resolve("cert.pem"), "certificate");
        final Path key = Files.writeString(dir.resolve("key.pem"), "key");
        Files.setPosixFilePermissions(key, Set.of());
        assumeFalse(Files.isReadable(key), "file permissions do not bind this user (root)");

        final ConfigException ex = assertThrows(ConfigException.class, () -> MeridianConfig.of(Map.of(
            "tls.port", "8443", "tls.cert-file", cert.toString(), "tls.key-file", key.toString())));

        assertEquals("tls.key-file (command line): cannot read the file: permission denied, got '" + key + "'",
            ex.getMessage());
    }

    @Test
    void namesTheEnvironmentVariableATlsSettingCameFrom()
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> MeridianConfig.load(
            null, Map.of("MERIDIAN_SERVER_PLAIN_HTTP", "false"), new Properties(), Map.of()));

        assertTrue(ex.getMessage().startsWith("server.plain-http (environment MERIDIAN_SERVER_PLAIN_HTTP): "),
            ex.getMessage());
    }

    @Test
    void httpCacheIsOffByDefaultAndOnWithAnOrigin()
    {
        assertFalse(MeridianConfig.defaults().httpCacheEnabled());

        final MeridianConfig config = MeridianConfig.of(Map.of("http-cache.origin", "http://origin.example:8081/"));

        assertTrue(config.httpCacheEnabled());
        assertEquals("http://origin.example:8081", config.httpCacheOrigin(), "the trailing slash is dropped");
        assertEquals(0, config.httpCacheDefaultTtlSeconds());
        assertEquals(256L << 20, config.httpCacheMaxBytes());
        assertEquals(8 << 20, config.httpCacheMaxObjectBytes());
        assertTrue(config.httpCacheGzip());
        assertEquals("", config.httpCacheRedisHost(), "no shared store by default");
    }

    @Test
    void theSharedRedisStoreTakesTheEnvironmentNamesOfTheClassicProxy() throws Exception
    {
        final MeridianConfig config = MeridianConfig.load(null, Map.of("PROXY_URL", "http://origin:8081",
            "REDIS_HOST", "cache.internal", "REDIS_PORT", "6380", "REDIS_PASSWORD", "s3cret"), new Properties(),
            Map.of());

        assertEquals("cache.internal", config.httpCacheRedisHost());
        assertEquals(6380, config.httpCacheRedisPort());
        assertEquals("s3cret", config.httpCacheRedisPassword());
        assertEquals("meridian:http:", config.httpCacheRedisKeyPrefix());
        assertEquals(100, config.httpCacheRedisTimeoutMs());
        assertEquals(86_400, config.httpCacheRedisMaxTtlSeconds());
    }

    @Test
    void plainProxyVariablesAreAliasesAndTheMeridianNamesWin()
    {
        final MeridianConfig aliases = MeridianConfig.load(
            null, Map.of("PROXY_URL", "http://origin:3001", "PROXY_EXPIRY", "60"), new Properties(), Map.of());
        assertEquals("http://origin:3001", aliases.httpCacheOrigin());
        assertEquals("environment PROXY_URL", aliases.origin(Setting.HTTP_CACHE_ORIGIN));
        assertEquals(60, aliases.httpCacheDefaultTtlSeconds());
        assertEquals("environment PROXY_EXPIRY", aliases.origin(Setting.HTTP_CACHE_DEFAULT_TTL_SECONDS));

        final MeridianConfig both = MeridianConfig.load(null,
            Map.of("PROXY_URL", "http://alias:1", "MERIDIAN_HTTP_CACHE_ORIGIN", "http://named:2"),
            new Properties(), Map.of());
        assertEquals("http://named:2", both.httpCacheOrigin());
        assertEquals("environment MERIDIAN_HTTP_CACHE_ORIGIN", both.origin(Setting.HTTP_CACHE_ORIGIN));
    }

    @Test
    void theAdminTokenVariableIsNoUnknownSetting()
    {
        final MeridianConfig config = MeridianConfig.load(
            null, Map.of(MeridianConfig.ADMIN_TOKEN_ENV, "token"), new Properties(), Map.of());

        assertEquals(8080, config.serverPort());
    }

    @Test
    void downstreamProxiesAreServedOnIpcByDefaultAndOverUdpOnlyWithAServiceToken()
    {
        final MeridianConfig defaults = MeridianConfig.defaults();
        assertTrue(defaults.downstreamEnabled());
        assertEquals("aeron:ipc", defaults.downstreamChannel());
        assertEquals(1011, defaults.downstreamControlStreamId());
        assertEquals(64, defaults.downstreamMaxLinks());

        final ConfigException open = assertThrows(ConfigException.class, () -> MeridianConfig.defaults().with(
            Map.of("downstream.channel", "aeron:udp?endpoint=0.0.0.0:40011")));
        assertTrue(open.getMessage().startsWith("downstream.service-token"), open.getMessage());

        final MeridianConfig udp = MeridianConfig.defaults().with(Map.of(
            "downstream.channel", "aeron:udp?endpoint=0.0.0.0:40011", "downstream.service-token", "t0ken"));
        assertEquals("t0ken", udp.downstreamServiceToken());
        assertFalse(MeridianConfig.defaults().with(Map.of("downstream.enabled", "false",
            "downstream.channel", "aeron:udp?endpoint=0.0.0.0:40011")).downstreamEnabled());

        final ConfigException notAeron = assertThrows(ConfigException.class, () -> MeridianConfig.defaults().with(
            Map.of("downstream.channel", "udp://0.0.0.0:40011")));
        assertTrue(notAeron.getMessage().contains("Aeron channel"), notAeron.getMessage());
        assertThrows(ConfigException.class, () -> MeridianConfig.defaults().with(Map.of("downstream.max-links", "0")));
    }
}
