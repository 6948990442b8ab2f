package io.meridian.config;

import java.util.Locale;

/**
 * Every setting Meridian reads: its name, default and meaning. A setting named {@code auth.jwks-url} is read, in
 * rising precedence, from its default, a {@code --config} properties file, the environment as
 * {@code MERIDIAN_AUTH_JWKS_URL} (a few settings also under a plain alias such as {@code PROXY_URL}), the system
 * property {@code -Dmeridian.auth.jwks-url}, and the command line.
 */
public enum Setting
{
    SERVER_HOST("server.host", "0.0.0.0", "Address the HTTP and WebSocket listeners (plain and TLS) bind to."),
    SERVER_PORT("server.port", "8080", "Plain HTTP and WebSocket port; 0 picks a free port."),
    SERVER_PLAIN_HTTP("server.plain-http", "true",
        "Serve plain HTTP and WebSocket on server.port; false serves only the TLS listener on tls.port."),
    SERVER_IO_THREADS("server.io-threads", "2", "Undertow IO threads."),
    SERVER_NAME("server.name", "Meridian", "Name announced in Zenith/ServerInfo."),
    LOG_FORMAT("log.format", "plain",
        "Log line format: plain (time, level, logger, message) or json (one JSON object per line)."),
    LOG_LEVEL("log.level", "info", "Least severe level logged: error, warn, info, debug or trace."),
    COUNTERS_FILE("counters.file", "",
        "File the counters are memory-mapped in, for meridian stat --file; empty: in memory only."),
    SERVER_DRAIN_GRACE_SECONDS("server.drain-grace-seconds", "10",
        "On SIGTERM, how long to keep serving connected clients while /ready says 503, so a load balancer can " +
        "take this server out, before clients are closed with 1001; skipped when no client is connected."),

    TLS_PORT("tls.port", "-1", "HTTPS and WSS port; -1: no TLS listener; 0 picks a free port."),
    TLS_CERT_FILE("tls.cert-file", "",
        "PEM certificate chain of the TLS listener, the server's own certificate first (e.g. fullchain.pem)."),
    TLS_KEY_FILE("tls.key-file", "",
        "PEM private key of tls.cert-file, unencrypted: PKCS#8, PKCS#1 RSA or SEC1 EC."),
    TLS_KEYSTORE_FILE("tls.keystore-file", "",
        "Keystore with the TLS listener's private key and certificate chain, instead of the PEM files."),
    TLS_KEYSTORE_PASSWORD("tls.keystore-password", "", "Password of tls.keystore-file and of the key in it."),
    TLS_KEYSTORE_TYPE("tls.keystore-type", "PKCS12", "Type of tls.keystore-file: PKCS12 or JKS."),

    AUTH_JWKS_URL("auth.jwks-url", "", "JWKS of the identity provider (http, https or file URL). Empty: demo mode."),
    AUTH_ISSUER("auth.issuer", "", "Required iss claim of access tokens."),
    AUTH_AUDIENCE("auth.audience", "", "Required aud claim of access tokens."),
    AUTH_ALGORITHMS("auth.algorithms", "RS256,ES256", "Accepted JWS algorithms, comma separated."),
    AUTH_CLOCK_SKEW_SECONDS("auth.clock-skew-seconds", "60", "Tolerance for exp and nbf checks, in seconds."),
    AUTH_EXPIRY_GRACE_SECONDS("auth.expiry-grace-seconds", "30",
        "How long past its token's expiry a session keeps receiving data; then data stops until AuthToken renews."),
    AUTH_USER_CLAIM("auth.user-claim", "sub",
        "Claim holding the user id (a string); a dotted path reaches into nested objects."),
    AUTH_NAME_CLAIMS("auth.name-claims", "name,preferred_username",
        "Claims tried in order for the display name, comma separated; the user id when none is present."),
    AUTH_SCOPE_CLAIMS("auth.scope-claims", "scope,scp",
        "Claims whose values grant rights, comma separated: space-separated strings or arrays of strings; "
        + "a dotted path such as realm_access.roles reaches into nested objects."),
    AUTH_MARKET_SCOPES("auth.market-scopes", "zenith/market",
        "Token values (scopes, roles, permissions) that grant the zenith/market right, comma separated; "
        + "empty: no token grants it."),
    AUTH_TRADING_SCOPES("auth.trading-scopes", "zenith/trading",
        "Token values that grant the zenith/trading right, comma separated; empty: no token grants it."),
    AUTH_ORDERPAD_SCOPES("auth.orderpad-scopes", "zenith/orderpad",
        "Token values that grant the zenith/orderpad right, comma separated; empty: no token grants it."),
    AUTH_ADMIN_SCOPES("auth.admin-scopes", "zenith/admin",
        "Token values that grant the zenith/admin right, comma separated; empty: no token grants it."),
    DEMO_TOKEN_LIFETIME_SECONDS("demo.token-lifetime-seconds", "1800", "Lifetime of tokens from the demo issuer."),

    AERON_DIR("aeron.dir", "", "Directory of an external Aeron media driver. Empty: start an embedded driver."),
    UPSTREAM_CHANNEL("upstream.channel", "aeron:ipc", "Aeron channel of the upstream's control stream."),
    UPSTREAM_CONTROL_STREAM_ID("upstream.control-stream-id", "1001", "Stream id of the upstream's control stream."),
    UPSTREAM_RESPONSE_CHANNEL("upstream.response-channel", "aeron:ipc", "Aeron channel the upstream sends data on."),
    UPSTREAM_RESPONSE_STREAM_ID("upstream.response-stream-id", "1002", "Stream id the upstream sends data on."),
    UPSTREAM_SHARED_CHANNEL("upstream.shared-channel", "",
        "Aeron channel to read the upstream proxy's shared stream on (its downstream.shared-channel, with an " +
            "endpoint of this host), taking item updates from it; empty: every update comes on this proxy's own link."),
    UPSTREAM_SHARED_STREAM_ID("upstream.shared-stream-id", "1012", "Stream id of the upstream's shared stream."),
    UPSTREAM_SERVICE_TOKEN("upstream.service-token", "", "Service token sent in Hello to the upstream."),
    UPSTREAM_HEARTBEAT_MS("upstream.heartbeat-interval-ms", "1000", "Heartbeat interval on the upstream link."),
    UPSTREAM_LIVENESS_MS("upstream.liveness-timeout-ms", "5000", "Silence after which the upstream link is lost."),

    DOWNSTREAM_ENABLED("downstream.enabled", "true",
        "Serve interlink to downstream Meridian proxies, which take this proxy as their upstream."),
    DOWNSTREAM_CHANNEL("downstream.channel", "aeron:ipc",
        "Aeron channel of the control stream downstream proxies send Hello and Subscribe on; aeron:udp?endpoint=" +
            "host:port to serve other hosts."),
    DOWNSTREAM_CONTROL_STREAM_ID("downstream.control-stream-id", "1011", "Stream id of that control stream."),
    DOWNSTREAM_SERVICE_TOKEN("downstream.service-token", "",
        "Service token a downstream proxy's Hello must carry; empty accepts any, which only an aeron:ipc channel " +
            "allows."),
    DOWNSTREAM_MAX_LINKS("downstream.max-links", "64", "Most downstream links served at once; more are refused."),
    DOWNSTREAM_SHARED_CHANNEL("downstream.shared-channel", "",
        "Aeron channel of one publication that carries market-data updates once for every downstream link that asks " +
            "for it: multi-destination cast (aeron:udp?control=host:port|control-mode=dynamic|fc=max) or multicast; " +
            "empty: each link gets its own copy."),
    DOWNSTREAM_SHARED_STREAM_ID("downstream.shared-stream-id", "1012", "Stream id of the shared publication."),

    TRADING_ENABLED("trading.enabled", "true",
        "Connect to a Trading Agent for accounts, orders, holdings, balances and order requests."),
    TRADING_CHANNEL("trading.channel", "aeron:ipc", "Aeron channel of the Trading Agent's control stream."),
    TRADING_CONTROL_STREAM_ID("trading.control-stream-id", "1003", "Stream id of the Trading Agent's control stream."),
    TRADING_RESPONSE_CHANNEL("trading.response-channel", "aeron:ipc",
        "Aeron channel the Trading Agent sends data on."),
    TRADING_RESPONSE_STREAM_ID("trading.response-stream-id", "1004", "Stream id the Trading Agent sends data on."),
    TRADING_SERVICE_TOKEN("trading.service-token", "", "Service token sent in Hello to the Trading Agent."),
    TRADING_ACTION_TIMEOUT_MS("trading.action-timeout-ms", "35000",
        "How long an order request, or a query waiting on an upstream, may wait before the client gets " +
            "Operation.Timeout."),
    TRADING_ALLOW_PLAIN("trading.allow-plain-connections", "false",
        "Grant trading and order-pad rights on connections without TLS; demo mode always allows them."),

    SIM_ENABLED("sim.enabled", "true",
        "Run the simulated Feed Server and Trading Agent in this process as the upstream."),
    SIM_MARKETS("sim.markets", "4", "Number of simulated markets (1 to 8)."),
    SIM_SECURITIES("sim.securities", "1000", "Number of simulated securities, spread over the markets."),
    SIM_UPDATE_RATE("sim.update-rate", "1000",
        "Simulated order book events (adds, amends, cancels, aggressive orders) per second, over all securities."),
    SIM_STAMP_RATE("sim.stamp-rate", "0",
        "For latency benchmarks: security updates per second, round robin over the securities, each carrying in " +
            "ValueTraded the time it was due (System.nanoTime() / 100); 0 sends none."),
    SIM_SESSION_SECONDS("sim.session-seconds", "300",
        "Length of the simulated trading cycle: Open for 80%, Closed 10%, PreOpen 10%; 0 keeps every market Open."),
    SIM_MAX_ORDERS_PER_SIDE("sim.max-orders-per-side", "40",
        "Most resting orders on each side of a simulated book; an order added to a full side cancels its oldest."),
    SIM_TRADE_HISTORY("sim.trade-history", "1000",
        "Most recent trades each simulated security keeps for trade snapshots and history requests."),
    SIM_SEED("sim.seed", "42", "Random seed of the simulation."),
    SIM_SERVICE_TOKEN("sim.service-token", "", "Service token the simulated Feed Server requires; empty: any."),

    ENGINE_RING_SIZE("engine.ring-size", "16384", "Disruptor ring slots (a power of two)."),
    ENGINE_SLOT_BYTES("engine.slot-bytes", "1024", "Bytes per ring slot: the largest upstream message."),
    ENGINE_IDLE_STRATEGY("engine.idle-strategy", "backoff",
        "How idle threads wait: backoff, sleeping, yielding or busy-spin."),
    ENGINE_IDLE_MAX_PARK_US("engine.idle-max-park-us", "1000",
        "Longest sleep of a backoff thread that has had nothing to do for 100 ms, in microseconds (1 to 1000)."),
    ENGINE_BUSY_MAX_PARK_US("engine.busy-max-park-us", "100",
        "Longest sleep of a backoff thread that has done work in the last 100 ms, in microseconds (1 to 1000): the "
        + "most its waking adds to a message's latency while messages keep coming."),

    CACHE_MAX_IDLE_ITEMS("cache.max-idle-items", "100000",
        "Most securities kept subscribed upstream with no client; the longest idle beyond it are evicted."),
    CACHE_IDLE_TIMEOUT_SECONDS("cache.idle-timeout-seconds", "0",
        "Evict a security no client has wanted for this long; 0 keeps idle securities without a time limit."),
    CACHE_TRADE_HISTORY("cache.trade-history", "1000",
        "Trades held per security for QueryTrades; also the most trades one QueryTrades answer holds."),

    SESSION_SEND_BUFFER_BYTES("session.send-buffer-bytes", "1048576",
        "Per-session outbound buffer at most (a power of two; it starts at 16 KiB and doubles as a session needs "
        + "it); the largest message is an eighth of it; past half full "
        + "a session's deltas are replaced by a resync."),
    SESSION_SLOW_CONSUMER_TIMEOUT_MS("session.slow-consumer-timeout-ms", "10000",
        "How long a session may stay behind (waiting for its resync) before it is closed."),
    SESSION_MAX_FRAME_BYTES("session.max-frame-bytes", "65536",
        "Largest inbound WebSocket message accepted; a larger one closes the connection with 1009."),
    SESSION_MAX_SUBSCRIPTIONS("session.max-subscriptions", "2000",
        "Most subscriptions one session may hold; a Sub beyond it gets the Limited error."),
    SESSION_MAX_REQUESTS_PER_SECOND("session.max-requests-per-second", "200",
        "Most requests one session may send in any one-second window; requests beyond it get the Limited error."),
    SESSION_MAX_PER_USER("session.max-per-user", "10",
        "Most sessions one user may have open; a session beyond it is closed with 4000."),
    SESSION_AUTH_TIMEOUT_SECONDS("session.auth-timeout-seconds", "30",
        "Time a new session has to authenticate before it is closed with 1008."),
    SESSION_IDLE_TIMEOUT_SECONDS("session.idle-timeout-seconds", "60",
        "A session from which nothing (not even a pong) arrives for this long is closed with 1008."),
    SESSION_PING_INTERVAL_SECONDS("session.ping-interval-seconds", "30",
        "Interval of the server's WebSocket pings; must be shorter than the idle timeout."),

    CONSOLE_OIDC_CLIENT_ID("console.oidc-client-id", "",
        "Public client id the console signs in with at auth.issuer (authorization code with PKCE); empty: the console "
        + "asks for a token to paste."),
    CONSOLE_OIDC_SCOPE("console.oidc-scope", "openid",
        "Scope the console asks the identity provider for when it signs in."),

    HTTP_CACHE_ORIGIN("http-cache.origin", "",
        "Origin the HTTP caching reverse proxy forwards to (http or https URL); empty: the HTTP cache is off.",
        "PROXY_URL"),
    HTTP_CACHE_DEFAULT_TTL_SECONDS("http-cache.default-ttl-seconds", "0",
        "Freshness given to storable responses without explicit freshness, instead of the Last-Modified "
        + "heuristic; 0: none.", "PROXY_EXPIRY"),
    HTTP_CACHE_MAX_BYTES("http-cache.max-bytes", "268435456",
        "Memory bound of the HTTP cache: stored bodies and headers, in bytes."),
    HTTP_CACHE_MAX_OBJECT_BYTES("http-cache.max-object-bytes", "8388608",
        "Largest response body the HTTP cache stores; larger ones are streamed through."),
    HTTP_CACHE_ORIGIN_CONNECTIONS("http-cache.origin-connections", "32",
        "Most requests open to the origin at once, so most pooled keep-alive connections to it."),
    HTTP_CACHE_ORIGIN_TIMEOUT_MS("http-cache.origin-timeout-ms", "30000",
        "How long the origin may take to start a response, or stay silent within a body."),
    HTTP_CACHE_GZIP("http-cache.gzip", "true",
        "Store compressible bodies the origin sent uncompressed gzip-compressed."),
    HTTP_CACHE_REDIS_HOST("http-cache.redis-host", "",
        "Redis server of a response store shared by several proxies; empty: memory only.", "REDIS_HOST"),
    HTTP_CACHE_REDIS_PORT("http-cache.redis-port", "6379", "Port of the shared Redis store.", "REDIS_PORT"),
    HTTP_CACHE_REDIS_PASSWORD("http-cache.redis-password", "",
        "Password of the shared Redis store; empty: none.", "REDIS_PASSWORD"),
    HTTP_CACHE_REDIS_KEY_PREFIX("http-cache.redis-key-prefix", "meridian:http:",
        "Prefix of every key (and of the invalidation channel) the HTTP cache uses in Redis."),
    HTTP_CACHE_REDIS_TIMEOUT_MS("http-cache.redis-timeout-ms", "100",
        "How long a lookup in the shared store may take before it counts as a miss."),
    HTTP_CACHE_REDIS_MAX_TTL_SECONDS("http-cache.redis-max-ttl-seconds", "86400",
        "Longest time a response stays in the shared store; responses with validators are kept this long.");

    private final String key;
    private final String defaultValue;
    private final String description;
    private final String envAlias;

    Setting(final String key, final String defaultValue, final String description)
    {
        this(key, defaultValue, description, "");
    }

    Setting(final String key, final String defaultValue, final String description, final String envAlias)
    {
        this.key = key;
        this.defaultValue = defaultValue;
        this.description = description;
        this.envAlias = envAlias;
    }

    /**
     * @return the dotted name, as used in config files and on the command line.
     */
    public String key()
    {
        return key;
    }

    /**
     * @return the environment variable the setting is read from.
     */
    public String envName()
    {
        return "MERIDIAN_" + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /**
     * A second, shorter environment variable some settings are also read from, for deployments that already use
     * that name; {@link #envName()} wins when both are set.
     *
     * @return the alias, or empty when the setting has none.
     */
    public String envAlias()
    {
        return envAlias;
    }

    /**
     * @return the system property the setting is read from.
     */
    public String propertyName()
    {
        return "meridian." + key;
    }

    public String defaultValue()
    {
        return defaultValue;
    }

    public String description()
    {
        return description;
    }

    /**
     * @param key dotted name.
     * @return the setting of that name, or null.
     */
    public static Setting byKey(final String key)
    {
        for (final Setting setting : values())
        {
            if (setting.key.equals(key))
            {
                return setting;
            }
        }
        return null;
    }
}
