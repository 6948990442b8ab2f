package io.meridian.gateway.http;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.SetArgs;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.meridian.config.MeridianConfig;
import io.meridian.engine.CountersFile;
import org.agrona.concurrent.status.AtomicCounter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The optional second tier of the HTTP cache: stored responses in a Redis server that several proxies share, so a
 * response one proxy fetched is a hit on the others. Memory stays the first tier; Redis is asked only on a memory
 * miss or a stale memory copy, by the request that leads the origin fetch (so concurrent misses ask once).
 * <ul>
 *     <li>One value per request target: all its {@code Vary} variants in {@link SharedCodec}'s form, under
 *     {@code prefix + target}, expiring when no proxy could use it any more (see {@link #keepMs}).</li>
 *     <li>Writes are asynchronous: the response goes to the client without waiting for Redis. At most
 *     {@link #MAX_PENDING_BYTES} of values may be on their way; beyond that a write is dropped and counted.</li>
 *     <li>A lookup waits at most {@code http-cache.redis-timeout-ms}, then counts as a miss.</li>
 *     <li>Redis down: lookups and writes are skipped at once (commands are refused while disconnected), so the proxy
 *     serves from memory and the origin. After {@link #OPEN_AFTER_FAILURES} failed lookups in a row, lookups pause
 *     for {@link #OPEN_MS}, so a Redis that answers slowly does not slow every miss. The connection comes back by
 *     itself, and is tried in the background when Redis is not there at start.</li>
 *     <li>Purges, invalidations by unsafe methods and clears are published on the channel
 *     {@code prefix + "invalidate"}, and every proxy drops those targets from its memory too.</li>
 * </ul>
 * Thread safe.
 */
final class RedisStore implements AutoCloseable
{
    /** Most bytes of values written but not yet acknowledged by Redis. */
    static final long MAX_PENDING_BYTES = 64L << 20;
    /** Failed lookups in a row that pause lookups. */
    static final int OPEN_AFTER_FAILURES = 3;
    /** How long lookups pause. */
    static final long OPEN_MS = 2_000;
    /** The invalidation message that means every target. */
    static final String EVERY_TARGET = "*";

    private static final Logger LOG = LoggerFactory.getLogger(RedisStore.class);
    private static final int SCAN_BATCH = 500;
    private static final long CLEAR_TIMEOUT_MS = 30_000;

    private final String prefix;
    private final byte[] channel;
    private final long timeoutMs;
    private final long maxTtlMs;
    private final long defaultTtlSeconds;
    private final String instance = UUID.randomUUID().toString();
    private final Consumer<String> onInvalidated;
    private final RedisURI uri;
    private final ClientResources resources;
    private final io.lettuce.core.RedisClient client;
    private final ScheduledExecutorService connector;
    private final AtomicLong pendingBytes = new AtomicLong();
    private final AtomicInteger failuresInRow = new AtomicInteger();
    private volatile long openUntilMs;
    private volatile StatefulRedisConnection<byte[], byte[]> connection;
    private volatile StatefulRedisPubSubConnection<byte[], byte[]> pubSub;
    private volatile boolean closed;
    private volatile boolean wasUp;
    private AtomicCounter lookupHits;
    private AtomicCounter lookupMisses;
    private AtomicCounter lookupErrors;
    private AtomicCounter lookupsSkipped;
    private AtomicCounter writesDone;
    private AtomicCounter writeErrors;
    private AtomicCounter writesDropped;
    private AtomicCounter upGauge;

    /**
     * @param config        settings; {@code http-cache.redis-host} must be set.
     * @param onInvalidated told the target another proxy purged or invalidated ({@value #EVERY_TARGET}: all).
     */
    RedisStore(final MeridianConfig config, final Consumer<String> onInvalidated)
    {
        this.prefix = config.httpCacheRedisKeyPrefix();
        this.channel = (prefix + "invalidate").getBytes(StandardCharsets.UTF_8);
        this.timeoutMs = config.httpCacheRedisTimeoutMs();
        this.maxTtlMs = config.httpCacheRedisMaxTtlSeconds() * 1000L;
        this.defaultTtlSeconds = config.httpCacheDefaultTtlSeconds();
        this.onInvalidated = onInvalidated;
        final RedisURI.Builder builder = RedisURI.Builder
            .redis(config.httpCacheRedisHost(), config.httpCacheRedisPort())
            .withTimeout(Duration.ofMillis(Math.max(1_000, 10L * timeoutMs)));
        if (!config.httpCacheRedisPassword().isEmpty())
        {
            builder.withPassword(config.httpCacheRedisPassword().toCharArray());
        }
        this.uri = builder.build();
        this.resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(2).build();
        this.client = io.lettuce.core.RedisClient.create(resources, uri);
        client.setOptions(ClientOptions.builder()
            .autoReconnect(true)
            // While the link is down, commands fail at once rather than queue: the cache goes on without Redis.
            .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
            .requestQueueSize(10_000)
            .timeoutOptions(TimeoutOptions.enabled(Duration.ofMillis(Math.max(1_000, 10L * timeoutMs))))
            .build());
        this.connector = Executors.newSingleThreadScheduledExecutor(task ->
        {
            final Thread thread = new Thread(task, "meridian-redis-connect");
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Count into {@code file}: {@code http-cache.shared-lookups result=hit|miss|error|skipped},
     * {@code http-cache.shared-writes result=ok|error|dropped} and the gauge {@code http-cache.shared-up}.
     *
     * @param file where the server's counters live.
     */
    void counters(final CountersFile file)
    {
        lookupHits = file.newTotal("http-cache.shared-lookups result=hit");
        lookupMisses = file.newTotal("http-cache.shared-lookups result=miss");
        lookupErrors = file.newTotal("http-cache.shared-lookups result=error");
        lookupsSkipped = file.newTotal("http-cache.shared-lookups result=skipped");
        writesDone = file.newTotal("http-cache.shared-writes result=ok");
        writeErrors = file.newTotal("http-cache.shared-writes result=error");
        writesDropped = file.newTotal("http-cache.shared-writes result=dropped");
        upGauge = file.newGauge("http-cache.shared-up");
    }

    /**
     * Start connecting, in the background; retried until it succeeds or the store closes.
     */
    void start()
    {
        connector.execute(this::connect);
    }

    /**
     * @return true while commands can reach Redis.
     */
    boolean up()
    {
        final StatefulRedisConnection<byte[], byte[]> current = connection;
        final boolean up = null != current && current.isOpen();
        if (up != wasUp)
        {
            wasUp = up;
            if (up)
            {
                LOG.info("HTTP cache: shared store at {}:{} is up", uri.getHost(), uri.getPort());
            }
            else
            {
                LOG.warn("HTTP cache: shared store at {}:{} is down; serving from memory and the origin",
                    uri.getHost(), uri.getPort());
            }
        }
        if (null != upGauge)
        {
            upGauge.setRelease(up ? 1 : 0);
        }
        return up;
    }

    /**
     * Look a target up, waiting at most {@code http-cache.redis-timeout-ms}.
     *
     * @param target the request target.
     * @return its stored responses, or null when Redis has none, cannot be asked, or does not answer in time.
     */
    List<StoredResponse> get(final String target)
    {
        if (closed || System.currentTimeMillis() < openUntilMs || !up())
        {
            count(lookupsSkipped);
            return null;
        }
        final CompletableFuture<byte[]> reply = connection.async().get(key(target)).toCompletableFuture();
        final byte[] value;
        try
        {
            value = reply.get(timeoutMs, TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            reply.cancel(false);
            return null;
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            reply.cancel(false);
            failed(ex instanceof ExecutionException ? ex.getCause() : ex);
            return null;
        }
        failuresInRow.set(0);
        if (null == value)
        {
            count(lookupMisses);
            return null;
        }
        try
        {
            final List<StoredResponse> responses = SharedCodec.decode(value, defaultTtlSeconds);
            count(lookupHits);
            return responses;
        }
        catch (final IllegalArgumentException ex)
        {
            // Another proxy of another version, or a key someone else wrote: not ours to read, so a miss.
            count(lookupErrors);
            LOG.warn("HTTP cache: the shared store's value for {} is unreadable ({}); treated as a miss", target,
                ex.getMessage());
            return null;
        }
    }

    private void failed(final Throwable cause)
    {
        count(lookupErrors);
        if (failuresInRow.incrementAndGet() >= OPEN_AFTER_FAILURES)
        {
            failuresInRow.set(0);
            openUntilMs = System.currentTimeMillis() + OPEN_MS;
            LOG.warn("HTTP cache: {} shared store lookups failed in a row (last: {}); lookups pause for {} ms",
                OPEN_AFTER_FAILURES, cause.toString(), OPEN_MS);
        }
    }

    /**
     * Write a target's responses, without waiting; the value expires when none of them can be used any more.
     *
     * @param target    the request target.
     * @param responses its responses as this proxy holds them; empty to delete.
     * @param nowMs     the current time.
     */
    void put(final String target, final List<StoredResponse> responses, final long nowMs)
    {
        if (closed || !up())
        {
            count(writesDropped);
            return;
        }
        long keep = 0;
        for (final StoredResponse response : responses)
        {
            keep = Math.max(keep, keepMs(response, nowMs, maxTtlMs));
        }
        final RedisAsyncCommands<byte[], byte[]> commands = connection.async();
        if (keep <= 0)
        {
            commands.unlink(key(target)).whenComplete((n, error) -> written(0, error));
            return;
        }
        final byte[] value = SharedCodec.encode(responses);
        if (pendingBytes.addAndGet(value.length) > MAX_PENDING_BYTES)
        {
            pendingBytes.addAndGet(-value.length);
            count(writesDropped);
            return;
        }
        commands.set(key(target), value, SetArgs.Builder.px(keep))
            .whenComplete((ok, error) -> written(value.length, error));
    }

    private void written(final int bytes, final Throwable error)
    {
        pendingBytes.addAndGet(-bytes);
        if (null == error)
        {
            count(writesDone);
        }
        else
        {
            count(writeErrors);
        }
    }

    /**
     * Delete a target, and tell the other proxies to drop it from memory.
     *
     * @param target the request target.
     */
    void invalidate(final String target)
    {
        if (closed || !up())
        {
            count(writesDropped);
            return;
        }
        final RedisAsyncCommands<byte[], byte[]> commands = connection.async();
        commands.unlink(key(target)).whenComplete((n, error) -> written(0, error));
        commands.publish(channel, message(target));
    }

    /**
     * Delete every key under the prefix, and tell the other proxies to clear their memory. Blocks until done.
     *
     * @return how many keys were deleted, or -1 when Redis could not be reached.
     */
    long clear()
    {
        if (closed || !up())
        {
            return -1;
        }
        final RedisAsyncCommands<byte[], byte[]> commands = connection.async();
        final ScanArgs match = ScanArgs.Builder.matches(globEscaped(prefix) + "/*").limit(SCAN_BATCH);
        long deleted = 0;
        try
        {
            ScanCursor cursor = ScanCursor.INITIAL;
            do
            {
                final KeyScanCursor<byte[]> page =
                    commands.scan(cursor, match).get(CLEAR_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                if (!page.getKeys().isEmpty())
                {
                    deleted += commands.unlink(page.getKeys().toArray(new byte[0][]))
                        .get(CLEAR_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
                cursor = page;
            }
            while (!cursor.isFinished());
            commands.publish(channel, message(EVERY_TARGET)).get(CLEAR_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            return deleted;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return -1;
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            LOG.warn("HTTP cache: clearing the shared store failed after {} keys: {}", deleted, ex.toString());
            return -1;
        }
    }

    /**
     * How long a response is worth keeping in the shared store: while fresh, plus its {@code stale-while-revalidate}
     * and {@code stale-if-error} time; the longest allowed when it has a validator, since a stale copy can still be
     * revalidated with a 304.
     *
     * @param response a stored response.
     * @param nowMs    the current time.
     * @param maxMs    the longest allowed.
     * @return milliseconds, at most {@code maxMs}; 0 or less when it is not worth keeping.
     */
    static long keepMs(final StoredResponse response, final long nowMs, final long maxMs)
    {
        if (Validation.canValidate(response.headers()))
        {
            return maxMs;
        }
        final CacheControl control = response.cacheControl();
        final long extension = Math.max(Math.max(0, control.seconds("stale-while-revalidate")),
            Math.max(0, control.seconds("stale-if-error")));
        final long remaining = response.lifetimeMs() - response.currentAgeMs(nowMs);
        return Math.min(maxMs, remaining + Math.min(extension, maxMs / 1000) * 1000);
    }

    @Override
    public void close()
    {
        closed = true;
        connector.shutdownNow();
        // Closes both connections too.
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS);
    }

    private void connect()
    {
        if (closed)
        {
            return;
        }
        try
        {
            final StatefulRedisPubSubConnection<byte[], byte[]> subscriber =
                client.connectPubSubAsync(ByteArrayCodec.INSTANCE, uri).get(10, TimeUnit.SECONDS);
            subscriber.addListener(new RedisPubSubAdapter<>()
            {
                @Override
                public void message(final byte[] from, final byte[] message)
                {
                    received(message);
                }
            });
            subscriber.sync().subscribe(channel);
            pubSub = subscriber;
            connection = client.connectAsync(ByteArrayCodec.INSTANCE, uri).get(10, TimeUnit.SECONDS);
            up();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        catch (final Exception ex)
        {
            if (!closed)
            {
                LOG.warn("HTTP cache: shared store at {}:{} not reachable ({}); trying again in 1 s",
                    uri.getHost(), uri.getPort(), null == ex.getCause() ? ex.toString() : ex.getCause().toString());
                final StatefulRedisPubSubConnection<byte[], byte[]> half = pubSub;
                if (null != half)
                {
                    pubSub = null;
                    half.closeAsync();
                }
                connector.schedule(this::connect, 1, TimeUnit.SECONDS);
            }
        }
    }

    private void received(final byte[] message)
    {
        final String text = new String(message, StandardCharsets.UTF_8);
        final int newline = text.indexOf('\n');
        if (newline < 0 || text.substring(0, newline).equals(instance))
        {
            return;
        }
        final String target = text.substring(newline + 1);
        if (EVERY_TARGET.equals(target) || target.startsWith("/"))
        {
            onInvalidated.accept(target);
        }
    }

    private byte[] message(final String target)
    {
        return (instance + "\n" + target).getBytes(StandardCharsets.UTF_8);
    }

    private byte[] key(final String target)
    {
        return (prefix + target).getBytes(StandardCharsets.UTF_8);
    }

    private static String globEscaped(final String text)
    {
        final StringBuilder escaped = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    private static void count(final AtomicCounter counter)
    {
        if (null != counter)
        {
            counter.increment();
        }
    }
}
