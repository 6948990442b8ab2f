package io.meridian.config;

import java.io.IOException;
import java.io.Reader;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * The typed, validated settings of one Meridian process. Built by {@link #load}, which layers defaults, a
 * properties file, the environment, system properties and explicit overrides, and checks every value; a bad value
 * fails with a {@link ConfigException} naming the setting and where it came from.
 */
public final class MeridianConfig
{
    private static final String ENV_PREFIX = "MERIDIAN_";
    private static final List<String> KEYSTORE_TYPES = List.of("PKCS12", "JKS");

    /**
     * The admin token the {@code --clear-cache} command reads. It is no setting of the server, but it shares the
     * prefix, so it must not stop the start as an unknown one.
     */
    public static final String ADMIN_TOKEN_ENV = "MERIDIAN_ADMIN_TOKEN";

    private final EnumMap<Setting, String> raw;
    private final EnumMap<Setting, String> origin;

    private MeridianConfig(final EnumMap<Setting, String> raw, final EnumMap<Setting, String> origin)
    {
        this.raw = raw;
        this.origin = origin;
        validate();
    }

    /**
     * The defaults only.
     *
     * @return a config with every setting at its default.
     */
    public static MeridianConfig defaults()
    {
        return load(null, Map.of(), new Properties(), Map.of());
    }

    /**
     * Defaults with some settings replaced, for tests and embedding.
     *
     * @param overrides setting key to value.
     * @return the config.
     */
    public static MeridianConfig of(final Map<String, String> overrides)
    {
        return load(null, Map.of(), new Properties(), overrides);
    }

    /**
     * Layer every source, lowest precedence first.
     *
     * @param configFile  a properties file of settings, or null.
     * @param env         the environment ({@code MERIDIAN_*} variables are read).
     * @param sysProps    system properties ({@code meridian.*} properties are read).
     * @param overrides   highest precedence, e.g. from the command line, by setting key.
     * @return the validated config.
     * @throws ConfigException naming the first bad setting.
     */
    public static MeridianConfig load(
        final Path configFile,
        final Map<String, String> env,
        final Properties sysProps,
        final Map<String, String> overrides)
    {
        final EnumMap<Setting, String> raw = new EnumMap<>(Setting.class);
        final EnumMap<Setting, String> origin = new EnumMap<>(Setting.class);
        for (final Setting setting : Setting.values())
        {
            raw.put(setting, setting.defaultValue());
            origin.put(setting, "default");
        }

        if (null != configFile)
        {
            final Properties fileProps = new Properties();
            try (Reader reader = Files.newBufferedReader(configFile))
            {
                fileProps.load(reader);
            }
            catch (final IOException ex)
            {
                final String why = ex instanceof java.nio.charset.CharacterCodingException ?
                    "the file is not valid UTF-8" : ex.toString();
                throw new ConfigException("config file " + configFile + ": cannot read: " + why);
            }
            for (final String key : fileProps.stringPropertyNames())
            {
                final Setting setting = Setting.byKey(key.trim());
                if (null == setting)
                {
                    throw new ConfigException(
                        key + ": unknown setting in " + configFile + " (see docs/settings.md)");
                }
                raw.put(setting, fileProps.getProperty(key).trim());
                origin.put(setting, "config file " + configFile);
            }
        }

        for (final Setting setting : Setting.values())
        {
            final String alias = setting.envAlias();
            final String aliasValue = alias.isEmpty() ? null : env.get(alias);
            if (null != aliasValue)
            {
                raw.put(setting, aliasValue.trim());
                origin.put(setting, "environment " + alias);
            }
            final String value = env.get(setting.envName());
            if (null != value)
            {
                raw.put(setting, value.trim());
                origin.put(setting, "environment " + setting.envName());
            }
        }
        for (final String name : env.keySet())
        {
            if (name.startsWith(ENV_PREFIX) && null == settingForEnv(name) && !ADMIN_TOKEN_ENV.equals(name))
            {
                throw new ConfigException(name + ": unknown setting (environment); names are listed in " +
                    "docs/settings.md");
            }
        }

        for (final String name : sysProps.stringPropertyNames())
        {
            if (name.startsWith("meridian."))
            {
                final Setting setting = Setting.byKey(name.substring("meridian.".length()));
                if (null == setting)
                {
                    throw new ConfigException(name + ": unknown setting (system property)");
                }
                raw.put(setting, sysProps.getProperty(name).trim());
                origin.put(setting, "system property -D" + name);
            }
        }

        for (final Map.Entry<String, String> entry : overrides.entrySet())
        {
            final Setting setting = Setting.byKey(entry.getKey());
            if (null == setting)
            {
                throw new ConfigException(entry.getKey() + ": unknown setting");
            }
            raw.put(setting, entry.getValue().trim());
            origin.put(setting, "command line");
        }

        return new MeridianConfig(raw, origin);
    }

    private static Setting settingForEnv(final String envName)
    {
        for (final Setting setting : Setting.values())
        {
            if (setting.envName().equals(envName))
            {
                return setting;
            }
        }
        return null;
    }

    private void validate()
    {
        for (final Setting setting : Setting.values())
        {
            switch (setting)
            {
                case SERVER_PORT:
                    intIn(setting, 0, 65535);
                    break;
                case TLS_PORT:
                    intIn(setting, -1, 65535);
                    break;
                case TLS_KEYSTORE_TYPE:
                    if (!KEYSTORE_TYPES.contains(tlsKeystoreType()))
                    {
                        throw bad(setting, "must be one of " + String.join(", ", KEYSTORE_TYPES));
                    }
                    break;
                case SERVER_IO_THREADS:
                    intIn(setting, 1, 256);
                    break;
                case AUTH_CLOCK_SKEW_SECONDS:
                case AUTH_EXPIRY_GRACE_SECONDS:
                case SERVER_DRAIN_GRACE_SECONDS:
                    intIn(setting, 0, 600);
                    break;
                case DEMO_TOKEN_LIFETIME_SECONDS:
                    intIn(setting, 60, 86_400);
                    break;
                case UPSTREAM_CONTROL_STREAM_ID:
                case UPSTREAM_RESPONSE_STREAM_ID:
                case UPSTREAM_SHARED_STREAM_ID:
                case DOWNSTREAM_CONTROL_STREAM_ID:
                case DOWNSTREAM_SHARED_STREAM_ID:
                    intIn(setting, 1, Integer.MAX_VALUE);
                    break;
                case DOWNSTREAM_MAX_LINKS:
                    intIn(setting, 1, 65_536);
                    break;
                case UPSTREAM_HEARTBEAT_MS:
                    intIn(setting, 10, 60_000);
                    break;
                case UPSTREAM_LIVENESS_MS:
                    intIn(setting, 50, 600_000);
                    break;
                case SERVER_PLAIN_HTTP:
                case SIM_ENABLED:
                case DOWNSTREAM_ENABLED:
                case TRADING_ENABLED:
                case TRADING_ALLOW_PLAIN:
                    bool(setting);
                    break;
                case TRADING_CONTROL_STREAM_ID:
                case TRADING_RESPONSE_STREAM_ID:
                    intIn(setting, 1, Integer.MAX_VALUE);
                    break;
                case TRADING_ACTION_TIMEOUT_MS:
                    intIn(setting, 100, 600_000);
                    break;
                case SIM_MARKETS:
                    intIn(setting, 1, 8);
                    break;
                case SIM_SECURITIES:
                    intIn(setting, 1, 1_000_000);
                    break;
                case SIM_UPDATE_RATE:
                case SIM_STAMP_RATE:
                    intIn(setting, 0, 10_000_000);
                    break;
                case SIM_SEED:
                    longValue(setting);
                    break;
                case SIM_SESSION_SECONDS:
                    intIn(setting, 0, 86_400);
                    break;
                case SIM_MAX_ORDERS_PER_SIDE:
                    intIn(setting, 2, 1000);
                    break;
                case SIM_TRADE_HISTORY:
                    intIn(setting, 1, 100_000);
                    break;
                case ENGINE_RING_SIZE:
                    powerOfTwo(setting, 64, 1 << 24);
                    break;
                case ENGINE_SLOT_BYTES:
                    intIn(setting, 256, 1 << 20);
                    break;
                case SESSION_SEND_BUFFER_BYTES:
                    powerOfTwo(setting, 4096, 1 << 30);
                    break;
                case CACHE_MAX_IDLE_ITEMS:
                    intIn(setting, 0, Integer.MAX_VALUE);
                    break;
                case CACHE_IDLE_TIMEOUT_SECONDS:
                    intIn(setting, 0, 365 * 86_400);
                    break;
                case CACHE_TRADE_HISTORY:
                    intIn(setting, 1, 1_000_000);
                    break;
                case SESSION_SLOW_CONSUMER_TIMEOUT_MS:
                    intIn(setting, 100, 3_600_000);
                    break;
                case SESSION_MAX_FRAME_BYTES:
                    intIn(setting, 256, 16 << 20);
                    break;
                case SESSION_MAX_SUBSCRIPTIONS:
                case SESSION_MAX_REQUESTS_PER_SECOND:
                    intIn(setting, 1, 1_000_000);
                    break;
                case SESSION_MAX_PER_USER:
                    intIn(setting, 1, 100_000);
                    break;
                case SESSION_AUTH_TIMEOUT_SECONDS:
                case SESSION_IDLE_TIMEOUT_SECONDS:
                    intIn(setting, 1, 86_400);
                    break;
                case SESSION_PING_INTERVAL_SECONDS:
                    intIn(setting, 1, 86_400);
                    if (longValue(setting) >= longValue(Setting.SESSION_IDLE_TIMEOUT_SECONDS))
                    {
                        throw bad(setting, "must be shorter than session.idle-timeout-seconds, or idle clients " +
                            "that answer pings would still be closed");
                    }
                    break;
                case ENGINE_IDLE_STRATEGY:
                    oneOf(setting, "backoff", "sleeping", "yielding", "busy-spin");
                    break;
                case ENGINE_IDLE_MAX_PARK_US:
                case ENGINE_BUSY_MAX_PARK_US:
                    intIn(setting, 1, 1000);
                    break;
                case LOG_FORMAT:
                    oneOf(setting, "plain", "json");
                    break;
                case LOG_LEVEL:
                    oneOf(setting, "error", "warn", "info", "debug", "trace");
                    break;
                case HTTP_CACHE_ORIGIN:
                    checkOrigin();
                    break;
                case HTTP_CACHE_DEFAULT_TTL_SECONDS:
                    intIn(setting, 0, Integer.MAX_VALUE);
                    break;
                case HTTP_CACHE_MAX_BYTES:
                    longIn(setting, 1 << 16, 1L << 40);
                    break;
                case HTTP_CACHE_MAX_OBJECT_BYTES:
                    intIn(setting, 1024, 1 << 30);
                    if (longValue(setting) > longValue(Setting.HTTP_CACHE_MAX_BYTES))
                    {
                        throw bad(setting, "must not exceed " + Setting.HTTP_CACHE_MAX_BYTES.key());
                    }
                    break;
                case HTTP_CACHE_ORIGIN_CONNECTIONS:
                    intIn(setting, 1, 10_000);
                    break;
                case HTTP_CACHE_ORIGIN_TIMEOUT_MS:
                    intIn(setting, 100, 3_600_000);
                    break;
                case HTTP_CACHE_GZIP:
                    bool(setting);
                    break;
                case CONSOLE_OIDC_CLIENT_ID:
                    if (!string(setting).isEmpty() && !authIssuer().matches("https?://[^/?#\\s]+(/[^?#\\s]*)?"))
                    {
                        throw bad(setting, "needs auth.issuer to be the identity provider's http or https URL, " +
                            "where the console signs in");
                    }
                    if (!string(setting).matches("[\\x21-\\x7e]*"))
                    {
                        throw bad(setting, "must be printable ASCII without spaces");
                    }
                    break;
                case CONSOLE_OIDC_SCOPE:
                    if (string(setting).isBlank() || !string(setting).matches("[\\x20-\\x7e]*"))
                    {
                        throw bad(setting, "must be printable ASCII, space-separated scope values");
                    }
                    break;
                case HTTP_CACHE_REDIS_HOST:
                    checkRedisHost();
                    break;
                case HTTP_CACHE_REDIS_PORT:
                    intIn(setting, 1, 65_535);
                    break;
                case HTTP_CACHE_REDIS_KEY_PREFIX:
                    if (string(setting).isEmpty() || string(setting).length() > 200)
                    {
                        throw bad(setting, "must be 1 to 200 characters");
                    }
                    break;
                case HTTP_CACHE_REDIS_TIMEOUT_MS:
                    intIn(setting, 1, 60_000);
                    break;
                case HTTP_CACHE_REDIS_MAX_TTL_SECONDS:
                    intIn(setting, 1, 31_536_000);
                    break;
                case AUTH_ALGORITHMS:
                    if (authAlgorithms().isEmpty())
                    {
                        throw bad(setting, "must name at least one algorithm");
                    }
                    break;
                case AUTH_JWKS_URL:
                    checkJwksUrl();
                    break;
                case AUTH_USER_CLAIM:
                    claimPath(setting, string(setting));
                    break;
                case AUTH_NAME_CLAIMS:
                    for (final String path : list(setting))
                    {
                        claimPath(setting, path);
                    }
                    break;
                case AUTH_SCOPE_CLAIMS:
                    if (list(setting).isEmpty())
                    {
                        throw bad(setting, "must name at least one claim, or no token could grant any right");
                    }
                    for (final String path : list(setting))
                    {
                        claimPath(setting, path);
                    }
                    break;
                case UPSTREAM_CHANNEL:
                case UPSTREAM_RESPONSE_CHANNEL:
                case DOWNSTREAM_CHANNEL:
                    if (!string(setting).startsWith("aeron:"))
                    {
                        throw bad(setting,
                            "must be an Aeron channel URI such as aeron:ipc or aeron:udp?endpoint=host:port");
                    }
                    break;
                case UPSTREAM_SHARED_CHANNEL:
                case DOWNSTREAM_SHARED_CHANNEL:
                    if (!string(setting).isEmpty() && !string(setting).startsWith("aeron:udp"))
                    {
                        throw bad(setting, "must be empty or a UDP channel: multi-destination cast such as " +
                            "aeron:udp?control=host:port|control-mode=dynamic|fc=max, or multicast");
                    }
                    break;
                default:
                    break;
            }
        }
        if (downstreamEnabled() && downstreamServiceToken().isEmpty() && !downstreamChannel().startsWith("aeron:ipc"))
        {
            throw bad(Setting.DOWNSTREAM_SERVICE_TOKEN,
                "must be set when downstream.channel is not aeron:ipc, or any host that reaches the channel could " +
                    "link; set downstream.enabled=false to serve no downstream proxies");
        }
        if (upstreamLivenessMs() <= upstreamHeartbeatMs())
        {
            throw bad(Setting.UPSTREAM_LIVENESS_MS, "must be greater than " + Setting.UPSTREAM_HEARTBEAT_MS.key());
        }
        checkTls();
    }

    private void checkTls()
    {
        final boolean pem = !tlsCertFile().isEmpty() || !tlsKeyFile().isEmpty();
        final boolean keystore = !tlsKeystoreFile().isEmpty();
        if (!tlsEnabled())
        {
            // Key material without a TLS port is most likely a forgotten tls.port: failing beats serving plain only.
            if (pem || keystore)
            {
                throw bad(Setting.TLS_PORT, "must be 0 or a port when tls.cert-file, tls.key-file or " +
                    "tls.keystore-file is set (-1 means no TLS listener)");
            }
            if (!serverPlainHttp())
            {
                throw bad(Setting.SERVER_PLAIN_HTTP, "false leaves no listener unless TLS is on: set tls.port " +
                    "and tls.cert-file with tls.key-file, or tls.keystore-file");
            }
            return;
        }
        if (pem && keystore)
        {
            throw bad(Setting.TLS_KEYSTORE_FILE, "set either tls.keystore-file or tls.cert-file with tls.key-file, " +
                "not both");
        }
        if (!pem && !keystore)
        {
            throw bad(Setting.TLS_PORT, "a TLS listener needs tls.cert-file with tls.key-file, or tls.keystore-file");
        }
        if (pem)
        {
            if (tlsCertFile().isEmpty())
            {
                throw bad(Setting.TLS_CERT_FILE, "must be set when tls.key-file is set");
            }
            if (tlsKeyFile().isEmpty())
            {
                throw bad(Setting.TLS_KEY_FILE, "must be set when tls.cert-file is set");
            }
            readableFile(Setting.TLS_CERT_FILE);
            readableFile(Setting.TLS_KEY_FILE);
        }
        else
        {
            readableFile(Setting.TLS_KEYSTORE_FILE);
        }
        if (serverPlainHttp() && 0 != tlsPort() && tlsPort() == serverPort())
        {
            throw bad(Setting.TLS_PORT, "must differ from server.port while server.plain-http is true");
        }
    }

    private void readableFile(final Setting setting)
    {
        final Path path;
        try
        {
            path = Path.of(string(setting));
        }
        catch (final InvalidPathException ex)
        {
            throw bad(setting, "not a file name (" + ex.getReason() + ")");
        }
        if (!Files.exists(path))
        {
            throw bad(setting, "cannot read the file: it does not exist");
        }
        if (!Files.isRegularFile(path))
        {
            throw bad(setting, "cannot read the file: it is not a regular file");
        }
        if (!Files.isReadable(path))
        {
            throw bad(setting, "cannot read the file: permission denied");
        }
    }

    private void checkJwksUrl()
    {
        final String url = authJwksUrl();
        final boolean anySet = !url.isEmpty() || !authIssuer().isEmpty() || !authAudience().isEmpty();
        if (!anySet)
        {
            return;
        }
        if (url.isEmpty())
        {
            throw bad(Setting.AUTH_JWKS_URL, "must be set when auth.issuer or auth.audience is set");
        }
        final String lower = url.toLowerCase(Locale.ROOT);
        if (!(lower.startsWith("http://") || lower.startsWith("https://") || lower.startsWith("file:")))
        {
            throw bad(Setting.AUTH_JWKS_URL, "must be an http, https or file URL");
        }
        if (authIssuer().isEmpty())
        {
            throw bad(Setting.AUTH_ISSUER, "must be set when auth.jwks-url is set");
        }
        if (authAudience().isEmpty())
        {
            throw bad(Setting.AUTH_AUDIENCE, "must be set when auth.jwks-url is set");
        }
    }

    /**
     * A claim name or dotted path: no empty segment, since "a..b" or a trailing dot can only be a typo.
     */
    private void claimPath(final Setting setting, final String path)
    {
        if (path.isEmpty())
        {
            throw bad(setting, "must name a claim");
        }
        if (path.startsWith(".") || path.endsWith(".") || path.contains(".."))
        {
            throw bad(setting, "claim path '" + path + "' has an empty segment");
        }
        for (int i = 0; i < path.length(); i++)
        {
            if (Character.isWhitespace(path.charAt(i)))
            {
                throw bad(setting, "claim path '" + path + "' contains white space");
            }
        }
    }

    /**
     * A comma-separated value as a list: entries trimmed, empty entries dropped, order kept.
     */
    private List<String> list(final Setting setting)
    {
        final List<String> result = new ArrayList<>();
        for (final String entry : string(setting).split(","))
        {
            final String trimmed = entry.trim();
            if (!trimmed.isEmpty())
            {
                result.add(trimmed);
            }
        }
        return Collections.unmodifiableList(result);
    }

    private void checkOrigin()
    {
        final String url = httpCacheOrigin();
        if (url.isEmpty())
        {
            return;
        }
        final URI uri;
        try
        {
            uri = new URI(url);
        }
        catch (final URISyntaxException ex)
        {
            throw bad(Setting.HTTP_CACHE_ORIGIN, "must be a URL (" + ex.getReason() + ")");
        }
        final String scheme = null == uri.getScheme() ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!("http".equals(scheme) || "https".equals(scheme)) || null == uri.getHost())
        {
            throw bad(Setting.HTTP_CACHE_ORIGIN, "must be an http or https URL with a host, such as http://host:8081");
        }
        if (null != uri.getRawQuery() || null != uri.getRawFragment() || null != uri.getRawUserInfo())
        {
            throw bad(Setting.HTTP_CACHE_ORIGIN, "must have no user, query or fragment");
        }
    }

    private void checkRedisHost()
    {
        final String host = string(Setting.HTTP_CACHE_REDIS_HOST);
        for (int i = 0; i < host.length(); i++)
        {
            final char c = host.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == ':' || c == '_'))
            {
                throw bad(Setting.HTTP_CACHE_REDIS_HOST, "must be a host name or address, without scheme or port");
            }
        }
        if (!host.isEmpty() && !httpCacheEnabled())
        {
            throw bad(Setting.HTTP_CACHE_REDIS_HOST, "needs http-cache.origin: the shared store is the HTTP cache's");
        }
    }

    private ConfigException bad(final Setting setting, final String why)
    {
        return new ConfigException(setting.key() + " (" + origin.get(setting) + "): " + why + ", got '" +
            raw.get(setting) + "'");
    }

    private int intIn(final Setting setting, final int min, final int max)
    {
        final long value = longValue(setting);
        if (value < min || value > max)
        {
            throw bad(setting, "must be between " + min + " and " + max);
        }
        return (int)value;
    }

    private long longIn(final Setting setting, final long min, final long max)
    {
        final long value = longValue(setting);
        if (value < min || value > max)
        {
            throw bad(setting, "must be between " + min + " and " + max);
        }
        return value;
    }

    private void powerOfTwo(final Setting setting, final int min, final int max)
    {
        final int value = intIn(setting, min, max);
        if (Integer.bitCount(value) != 1)
        {
            throw bad(setting, "must be a power of two");
        }
    }

    private long longValue(final Setting setting)
    {
        try
        {
            return Long.parseLong(raw.get(setting).replace("_", ""));
        }
        catch (final NumberFormatException ex)
        {
            throw bad(setting, "must be an integer");
        }
    }

    private boolean bool(final Setting setting)
    {
        final String value = raw.get(setting).toLowerCase(Locale.ROOT);
        if ("true".equals(value))
        {
            return true;
        }
        if ("false".equals(value))
        {
            return false;
        }
        throw bad(setting, "must be true or false");
    }

    private void oneOf(final Setting setting, final String... allowed)
    {
        for (final String value : allowed)
        {
            if (value.equals(raw.get(setting)))
            {
                return;
            }
        }
        throw bad(setting, "must be one of " + String.join(", ", allowed));
    }

    /**
     * @param setting which one.
     * @return the value as text, after layering.
     */
    public String string(final Setting setting)
    {
        return raw.get(setting);
    }

    /**
     * @param setting which one.
     * @return where the value came from: default, config file, environment, system property or command line.
     */
    public String origin(final Setting setting)
    {
        return origin.get(setting);
    }

    public String serverHost()
    {
        return string(Setting.SERVER_HOST);
    }

    public int serverPort()
    {
        return intIn(Setting.SERVER_PORT, 0, 65535);
    }

    /**
     * @return true when the plain HTTP and WebSocket listener on {@code server.port} runs.
     */
    public boolean serverPlainHttp()
    {
        return bool(Setting.SERVER_PLAIN_HTTP);
    }

    /**
     * @return the HTTPS and WSS port, 0 for a free one, or -1 when there is no TLS listener.
     */
    public int tlsPort()
    {
        return (int)longValue(Setting.TLS_PORT);
    }

    /**
     * @return true when the TLS listener runs.
     */
    public boolean tlsEnabled()
    {
        return -1 != tlsPort();
    }

    /**
     * @return the PEM certificate chain file, or empty when a keystore (or no TLS) is used.
     */
    public String tlsCertFile()
    {
        return string(Setting.TLS_CERT_FILE);
    }

    /**
     * @return the PEM private key file, or empty when a keystore (or no TLS) is used.
     */
    public String tlsKeyFile()
    {
        return string(Setting.TLS_KEY_FILE);
    }

    /**
     * @return the keystore file, or empty when PEM files (or no TLS) are used.
     */
    public String tlsKeystoreFile()
    {
        return string(Setting.TLS_KEYSTORE_FILE);
    }

    public String tlsKeystorePassword()
    {
        return string(Setting.TLS_KEYSTORE_PASSWORD);
    }

    /**
     * @return the keystore type, upper case: PKCS12 or JKS.
     */
    public String tlsKeystoreType()
    {
        return string(Setting.TLS_KEYSTORE_TYPE).toUpperCase(Locale.ROOT);
    }

    public int serverIoThreads()
    {
        return (int)longValue(Setting.SERVER_IO_THREADS);
    }

    /**
     * @return seconds a drain keeps serving connected clients before closing them.
     */
    public int serverDrainGraceSeconds()
    {
        return (int)longValue(Setting.SERVER_DRAIN_GRACE_SECONDS);
    }

    public String serverName()
    {
        return string(Setting.SERVER_NAME);
    }

    public String authJwksUrl()
    {
        return string(Setting.AUTH_JWKS_URL);
    }

    public String authIssuer()
    {
        return string(Setting.AUTH_ISSUER);
    }

    public String authAudience()
    {
        return string(Setting.AUTH_AUDIENCE);
    }

    /**
     * @return the accepted JWS algorithm names, upper case.
     */
    public List<String> authAlgorithms()
    {
        final List<String> result = new ArrayList<>();
        for (final String name : string(Setting.AUTH_ALGORITHMS).split(","))
        {
            final String trimmed = name.trim().toUpperCase(Locale.ROOT);
            if (!trimmed.isEmpty())
            {
                result.add(trimmed);
            }
        }
        return Collections.unmodifiableList(result);
    }

    public int authClockSkewSeconds()
    {
        return (int)longValue(Setting.AUTH_CLOCK_SKEW_SECONDS);
    }

    /**
     * @return seconds past a token's expiry that its session keeps receiving data.
     */
    public int authExpiryGraceSeconds()
    {
        return (int)longValue(Setting.AUTH_EXPIRY_GRACE_SECONDS);
    }

    /**
     * @return the claim, or dotted path to a nested claim, that holds the user id.
     */
    public String authUserClaim()
    {
        return string(Setting.AUTH_USER_CLAIM);
    }

    /**
     * @return the claims tried in order for the display name; may be empty.
     */
    public List<String> authNameClaims()
    {
        return list(Setting.AUTH_NAME_CLAIMS);
    }

    /**
     * @return the claims whose values grant rights, at least one.
     */
    public List<String> authScopeClaims()
    {
        return list(Setting.AUTH_SCOPE_CLAIMS);
    }

    /**
     * @return the token values that grant the {@code zenith/market} right; may be empty.
     */
    public List<String> authMarketScopes()
    {
        return list(Setting.AUTH_MARKET_SCOPES);
    }

    /**
     * @return the token values that grant the {@code zenith/trading} right; may be empty.
     */
    public List<String> authTradingScopes()
    {
        return list(Setting.AUTH_TRADING_SCOPES);
    }

    /**
     * @return the token values that grant the {@code zenith/orderpad} right; may be empty.
     */
    public List<String> authOrderPadScopes()
    {
        return list(Setting.AUTH_ORDERPAD_SCOPES);
    }

    /**
     * @return the token values that grant the {@code zenith/admin} right; may be empty.
     */
    public List<String> authAdminScopes()
    {
        return list(Setting.AUTH_ADMIN_SCOPES);
    }

    /**
     * @return true when no identity provider is configured and the built-in demo issuer signs tokens.
     */
    public boolean demoMode()
    {
        return authJwksUrl().isEmpty();
    }

    public int demoTokenLifetimeSeconds()
    {
        return (int)longValue(Setting.DEMO_TOKEN_LIFETIME_SECONDS);
    }

    /**
     * @return the file the counters are mapped in, or empty to keep them in memory only.
     */
    public String countersFile()
    {
        return string(Setting.COUNTERS_FILE);
    }

    /**
     * @return directory of an external media driver; empty for an embedded one.
     */
    public String aeronDir()
    {
        return string(Setting.AERON_DIR);
    }

    /**
     * @return true if downstream proxies may link to this one.
     */
    public boolean downstreamEnabled()
    {
        return bool(Setting.DOWNSTREAM_ENABLED);
    }

    public String downstreamChannel()
    {
        return string(Setting.DOWNSTREAM_CHANNEL);
    }

    public int downstreamControlStreamId()
    {
        return (int)longValue(Setting.DOWNSTREAM_CONTROL_STREAM_ID);
    }

    public String downstreamServiceToken()
    {
        return string(Setting.DOWNSTREAM_SERVICE_TOKEN);
    }

    public int downstreamMaxLinks()
    {
        return (int)longValue(Setting.DOWNSTREAM_MAX_LINKS);
    }

    /**
     * @return the channel of the shared publication that carries market-data updates once for every downstream
     * link that asks; empty when there is none.
     */
    public String downstreamSharedChannel()
    {
        return string(Setting.DOWNSTREAM_SHARED_CHANNEL);
    }

    public int downstreamSharedStreamId()
    {
        return (int)longValue(Setting.DOWNSTREAM_SHARED_STREAM_ID);
    }

    /**
     * @return the channel this proxy reads its upstream proxy's shared stream on; empty to take every update on its
     * own link.
     */
    public String upstreamSharedChannel()
    {
        return string(Setting.UPSTREAM_SHARED_CHANNEL);
    }

    public int upstreamSharedStreamId()
    {
        return (int)longValue(Setting.UPSTREAM_SHARED_STREAM_ID);
    }

    public String upstreamChannel()
    {
        return string(Setting.UPSTREAM_CHANNEL);
    }

    public int upstreamControlStreamId()
    {
        return (int)longValue(Setting.UPSTREAM_CONTROL_STREAM_ID);
    }

    public String upstreamResponseChannel()
    {
        return string(Setting.UPSTREAM_RESPONSE_CHANNEL);
    }

    public int upstreamResponseStreamId()
    {
        return (int)longValue(Setting.UPSTREAM_RESPONSE_STREAM_ID);
    }

    public String upstreamServiceToken()
    {
        return string(Setting.UPSTREAM_SERVICE_TOKEN);
    }

    public int sessionMaxSubscriptions()
    {
        return (int)longValue(Setting.SESSION_MAX_SUBSCRIPTIONS);
    }

    public int sessionMaxRequestsPerSecond()
    {
        return (int)longValue(Setting.SESSION_MAX_REQUESTS_PER_SECOND);
    }

    public int sessionMaxPerUser()
    {
        return (int)longValue(Setting.SESSION_MAX_PER_USER);
    }

    public int sessionAuthTimeoutSeconds()
    {
        return (int)longValue(Setting.SESSION_AUTH_TIMEOUT_SECONDS);
    }

    public int sessionIdleTimeoutSeconds()
    {
        return (int)longValue(Setting.SESSION_IDLE_TIMEOUT_SECONDS);
    }

    public int sessionPingIntervalSeconds()
    {
        return (int)longValue(Setting.SESSION_PING_INTERVAL_SECONDS);
    }

    public boolean tradingEnabled()
    {
        return bool(Setting.TRADING_ENABLED);
    }

    public String tradingChannel()
    {
        return string(Setting.TRADING_CHANNEL);
    }

    public int tradingControlStreamId()
    {
        return (int)longValue(Setting.TRADING_CONTROL_STREAM_ID);
    }

    public String tradingResponseChannel()
    {
        return string(Setting.TRADING_RESPONSE_CHANNEL);
    }

    public int tradingResponseStreamId()
    {
        return (int)longValue(Setting.TRADING_RESPONSE_STREAM_ID);
    }

    public String tradingServiceToken()
    {
        return string(Setting.TRADING_SERVICE_TOKEN);
    }

    public long tradingActionTimeoutMs()
    {
        return longValue(Setting.TRADING_ACTION_TIMEOUT_MS);
    }

    /**
     * @return true if trading and order-pad rights are granted on connections without TLS (always in demo mode).
     */
    public boolean tradingAllowPlainConnections()
    {
        return bool(Setting.TRADING_ALLOW_PLAIN) || demoMode();
    }

    public int upstreamHeartbeatMs()
    {
        return (int)longValue(Setting.UPSTREAM_HEARTBEAT_MS);
    }

    public int upstreamLivenessMs()
    {
        return (int)longValue(Setting.UPSTREAM_LIVENESS_MS);
    }

    public boolean simEnabled()
    {
        return bool(Setting.SIM_ENABLED);
    }

    public int simMarkets()
    {
        return (int)longValue(Setting.SIM_MARKETS);
    }

    public int simSecurities()
    {
        return (int)longValue(Setting.SIM_SECURITIES);
    }

    /**
     * @return stamped security updates per second the simulator sends for latency benchmarks; 0 for none.
     */
    public int simStampRate()
    {
        return (int)longValue(Setting.SIM_STAMP_RATE);
    }

    public int simUpdateRate()
    {
        return (int)longValue(Setting.SIM_UPDATE_RATE);
    }

    public long simSeed()
    {
        return longValue(Setting.SIM_SEED);
    }

    public String simServiceToken()
    {
        return string(Setting.SIM_SERVICE_TOKEN);
    }

    public int simSessionSeconds()
    {
        return (int)longValue(Setting.SIM_SESSION_SECONDS);
    }

    public int simMaxOrdersPerSide()
    {
        return (int)longValue(Setting.SIM_MAX_ORDERS_PER_SIDE);
    }

    public int simTradeHistory()
    {
        return (int)longValue(Setting.SIM_TRADE_HISTORY);
    }

    public int engineRingSize()
    {
        return (int)longValue(Setting.ENGINE_RING_SIZE);
    }

    public int engineSlotBytes()
    {
        return (int)longValue(Setting.ENGINE_SLOT_BYTES);
    }

    public String engineIdleStrategy()
    {
        return string(Setting.ENGINE_IDLE_STRATEGY);
    }

    /**
     * @return longest park of the backoff idle strategy, in nanoseconds.
     */
    public long engineIdleMaxParkNs()
    {
        return longValue(Setting.ENGINE_IDLE_MAX_PARK_US) * 1000L;
    }

    /**
     * @return longest park of the backoff idle strategy while its thread is busy, in nanoseconds.
     */
    public long engineBusyMaxParkNs()
    {
        return longValue(Setting.ENGINE_BUSY_MAX_PARK_US) * 1000L;
    }

    /**
     * @return {@code plain} or {@code json}.
     */
    public String logFormat()
    {
        return string(Setting.LOG_FORMAT);
    }

    /**
     * @return the least severe level logged, lower case.
     */
    public String logLevel()
    {
        return string(Setting.LOG_LEVEL);
    }

    public int cacheMaxIdleItems()
    {
        return (int)longValue(Setting.CACHE_MAX_IDLE_ITEMS);
    }

    /**
     * @return trades held per security, and the most one QueryTrades answer holds.
     */
    public int cacheTradeHistory()
    {
        return (int)longValue(Setting.CACHE_TRADE_HISTORY);
    }

    public int cacheIdleTimeoutSeconds()
    {
        return (int)longValue(Setting.CACHE_IDLE_TIMEOUT_SECONDS);
    }

    public int sessionSendBufferBytes()
    {
        return (int)longValue(Setting.SESSION_SEND_BUFFER_BYTES);
    }

    public int sessionSlowConsumerTimeoutMs()
    {
        return (int)longValue(Setting.SESSION_SLOW_CONSUMER_TIMEOUT_MS);
    }

    public int sessionMaxFrameBytes()
    {
        return (int)longValue(Setting.SESSION_MAX_FRAME_BYTES);
    }

    /**
     * @return the origin of the HTTP cache without a trailing slash, or empty when the HTTP cache is off.
     */
    public String httpCacheOrigin()
    {
        final String url = string(Setting.HTTP_CACHE_ORIGIN);
        return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
    }

    /**
     * @return true when an origin is set and the HTTP cache serves every path Meridian does not own.
     */
    public boolean httpCacheEnabled()
    {
        return !httpCacheOrigin().isEmpty();
    }

    /**
     * @return freshness in seconds for storable responses without explicit freshness; 0 for none.
     */
    public int httpCacheDefaultTtlSeconds()
    {
        return (int)longValue(Setting.HTTP_CACHE_DEFAULT_TTL_SECONDS);
    }

    public long httpCacheMaxBytes()
    {
        return longValue(Setting.HTTP_CACHE_MAX_BYTES);
    }

    public int httpCacheMaxObjectBytes()
    {
        return (int)longValue(Setting.HTTP_CACHE_MAX_OBJECT_BYTES);
    }

    public int httpCacheOriginConnections()
    {
        return (int)longValue(Setting.HTTP_CACHE_ORIGIN_CONNECTIONS);
    }

    public int httpCacheOriginTimeoutMs()
    {
        return (int)longValue(Setting.HTTP_CACHE_ORIGIN_TIMEOUT_MS);
    }

    public boolean httpCacheGzip()
    {
        return bool(Setting.HTTP_CACHE_GZIP);
    }

    /**
     * @return the client id the console signs in with at {@code auth.issuer}, or empty when it does not.
     */
    public String consoleOidcClientId()
    {
        return string(Setting.CONSOLE_OIDC_CLIENT_ID);
    }

    public String consoleOidcScope()
    {
        return string(Setting.CONSOLE_OIDC_SCOPE);
    }

    /**
     * @return the host of the shared Redis store, or empty when the HTTP cache is in memory only.
     */
    public String httpCacheRedisHost()
    {
        return string(Setting.HTTP_CACHE_REDIS_HOST);
    }

    public int httpCacheRedisPort()
    {
        return (int)longValue(Setting.HTTP_CACHE_REDIS_PORT);
    }

    /**
     * @return the password of the shared Redis store, or empty for none.
     */
    public String httpCacheRedisPassword()
    {
        return string(Setting.HTTP_CACHE_REDIS_PASSWORD);
    }

    public String httpCacheRedisKeyPrefix()
    {
        return string(Setting.HTTP_CACHE_REDIS_KEY_PREFIX);
    }

    public int httpCacheRedisTimeoutMs()
    {
        return (int)longValue(Setting.HTTP_CACHE_REDIS_TIMEOUT_MS);
    }

    public int httpCacheRedisMaxTtlSeconds()
    {
        return (int)longValue(Setting.HTTP_CACHE_REDIS_MAX_TTL_SECONDS);
    }

    /**
     * @return a copy of this config with some settings replaced.
     * @param overrides setting key to value.
     */
    public MeridianConfig with(final Map<String, String> overrides)
    {
        final EnumMap<Setting, String> newRaw = new EnumMap<>(raw);
        final EnumMap<Setting, String> newOrigin = new EnumMap<>(origin);
        for (final Map.Entry<String, String> entry : overrides.entrySet())
        {
            final Setting setting = Setting.byKey(entry.getKey());
            if (null == setting)
            {
                throw new ConfigException(entry.getKey() + ": unknown setting");
            }
            newRaw.put(setting, entry.getValue().trim());
            newOrigin.put(setting, "command line");
        }
        return new MeridianConfig(newRaw, newOrigin);
    }
}
