package io.meridian.gateway.http;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Request coalescing: of the concurrent requests for one key, the first leads and does the work; the rest wait for
 * its result instead of repeating the work. Thread safe.
 *
 * @param <K> the key.
 * @param <V> the result.
 */
final class Coalescer<K, V>
{
    private final ConcurrentHashMap<K, CompletableFuture<V>> flights = new ConcurrentHashMap<>();
    private final AtomicInteger waiting = new AtomicInteger();

    /**
     * A place in a flight.
     *
     * @param leader true for the caller that must do the work and then call {@link #complete}.
     * @param result completes with the leader's result.
     */
    record Flight<V>(boolean leader, CompletableFuture<V> result)
    {
    }

    /**
     * @param key what is wanted.
     * @return a leading place when no flight for the key is under way, else a waiting one.
     */
    Flight<V> join(final K key)
    {
        final CompletableFuture<V> mine = new CompletableFuture<>();
        final CompletableFuture<V> existing = flights.putIfAbsent(key, mine);
        if (null == existing)
        {
            return new Flight<>(true, mine);
        }
        waiting.incrementAndGet();
        existing.whenComplete((result, error) -> waiting.decrementAndGet());
        return new Flight<>(false, existing);
    }

    /**
     * @param key what is wanted.
     * @return a leading place, or null when a flight for the key is already under way.
     */
    Flight<V> lead(final K key)
    {
        final CompletableFuture<V> mine = new CompletableFuture<>();
        return null == flights.putIfAbsent(key, mine) ? new Flight<>(true, mine) : null;
    }

    /**
     * End a flight: later callers lead a new one, and the waiters get the result. The leader must call this
     * exactly once, whatever happens.
     *
     * @param key    the key the flight was for.
     * @param flight the leader's place.
     * @param result the result for the waiters.
     */
    void complete(final K key, final Flight<V> flight, final V result)
    {
        flights.remove(key, flight.result());
        flight.result().complete(result);
    }

    /**
     * @return the number of callers waiting for a flight.
     */
    int waiting()
    {
        return waiting.get();
    }

    /**
     * @return the number of flights under way.
     */
    int inFlight()
    {
        return flights.size();
    }
}
