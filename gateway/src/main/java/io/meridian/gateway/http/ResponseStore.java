package io.meridian.gateway.http;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The stored responses, in memory, bounded in bytes. One entry per request target (the primary key) holds that
 * target's variants: responses selected by {@code Vary} (the secondary keys). An entry weighs the bytes of all its
 * variants, and Caffeine evicts by weight beyond {@code http-cache.max-bytes}, least valuable (by frequency and
 * recency) first. Thread safe.
 */
final class ResponseStore
{
    /**
     * Most variants kept per target; a {@code Vary} on a field with many values (User-Agent) would otherwise let one
     * target crowd out the rest. Beyond it the oldest variant goes.
     */
    static final int MAX_VARIANTS = 32;

    private final Cache<String, Variants> cache;

    /**
     * @param maxBytes the memory bound.
     */
    ResponseStore(final long maxBytes)
    {
        cache = Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((final String key, final Variants variants) -> variants.weight(key))
            // Eviction runs on the thread that stored, so the bound holds as soon as put returns.
            .executor(Runnable::run)
            .build();
    }

    /**
     * The result of a lookup.
     *
     * @param response the most recent stored response the request may use, or null.
     * @param varyMiss true when the target has stored responses but none for this request's {@code Vary} values.
     */
    record Lookup(StoredResponse response, boolean varyMiss)
    {
    }

    /**
     * @param key     the request target.
     * @param request the request header.
     * @return the selected response, if any.
     */
    Lookup lookup(final String key, final HttpFields request)
    {
        final Variants variants = cache.getIfPresent(key);
        if (null == variants)
        {
            return new Lookup(null, false);
        }
        StoredResponse selected = null;
        for (final StoredResponse candidate : variants.responses)
        {
            if (candidate.matches(request) &&
                (null == selected || candidate.responseTimeMs() > selected.responseTimeMs()))
            {
                selected = candidate;
            }
        }
        return new Lookup(selected, null == selected);
    }

    /**
     * Store a response, replacing the variants it supersedes: those answering the same requests, and those the
     * request that got it would have selected.
     *
     * @param key      the request target.
     * @param response the response.
     * @param request  the header of the request that got it.
     */
    void put(final String key, final StoredResponse response, final HttpFields request)
    {
        cache.asMap().compute(key, (k, old) -> null == old ? new Variants(List.of(response)) :
            old.with(response, request));
    }

    /**
     * Take in responses another proxy stored for a target (from the shared store): each replaces an older response
     * for the same variant, and is dropped when an equally new or newer one is held already.
     *
     * @param key       the request target.
     * @param responses the other proxy's responses.
     */
    void merge(final String key, final List<StoredResponse> responses)
    {
        cache.asMap().compute(key, (k, old) ->
        {
            Variants merged = old;
            for (final StoredResponse response : responses)
            {
                merged = null == merged ? new Variants(List.of(response)) : merged.newer(response);
            }
            return merged;
        });
    }

    /**
     * @param key the request target.
     * @return its stored responses, without counting as a use; empty when none.
     */
    List<StoredResponse> responses(final String key)
    {
        final Variants variants = cache.policy().getIfPresentQuietly(key);
        return null == variants ? List.of() : variants.responses;
    }

    /**
     * Drop one stored response, if it is still stored.
     *
     * @param key      the request target.
     * @param response the response.
     */
    void remove(final String key, final StoredResponse response)
    {
        cache.asMap().computeIfPresent(key, (k, old) -> old.without(response));
    }

    /**
     * @param key a request target.
     * @return how many stored responses were dropped.
     */
    int remove(final String key)
    {
        final Variants removed = cache.asMap().remove(key);
        return null == removed ? 0 : removed.responses.size();
    }

    /**
     * @return how many stored responses were dropped.
     */
    long clear()
    {
        long count = 0;
        for (final String key : new ArrayList<>(cache.asMap().keySet()))
        {
            count += remove(key);
        }
        return count;
    }

    /**
     * @return the bytes held, as weighed, after any pending eviction.
     */
    long weightedSize()
    {
        cache.cleanUp();
        return cache.policy().eviction().orElseThrow().weightedSize().orElse(0);
    }

    /**
     * @return the number of stored responses.
     */
    long responseCount()
    {
        cache.cleanUp();
        long count = 0;
        for (final Variants variants : cache.asMap().values())
        {
            count += variants.responses.size();
        }
        return count;
    }

    /**
     * The stored responses of one target. Immutable: a change replaces the whole, so Caffeine weighs it anew.
     */
    private static final class Variants
    {
        private final List<StoredResponse> responses;

        Variants(final List<StoredResponse> responses)
        {
            this.responses = responses;
        }

        Variants with(final StoredResponse response, final HttpFields request)
        {
            final List<StoredResponse> kept = new ArrayList<>(responses.size() + 1);
            for (final StoredResponse old : responses)
            {
                if (!old.sameVariant(response) && !old.matches(request))
                {
                    kept.add(old);
                }
            }
            kept.add(response);
            return newest(kept);
        }

        Variants newer(final StoredResponse response)
        {
            for (final StoredResponse old : responses)
            {
                if (old.sameVariant(response) && old.responseTimeMs() >= response.responseTimeMs())
                {
                    return this;
                }
            }
            final List<StoredResponse> kept = new ArrayList<>(responses.size() + 1);
            for (final StoredResponse old : responses)
            {
                if (!old.sameVariant(response))
                {
                    kept.add(old);
                }
            }
            kept.add(response);
            return newest(kept);
        }

        private static Variants newest(final List<StoredResponse> kept)
        {
            if (kept.size() > MAX_VARIANTS)
            {
                kept.sort((a, b) -> Long.compare(a.responseTimeMs(), b.responseTimeMs()));
                kept.subList(0, kept.size() - MAX_VARIANTS).clear();
            }
            return new Variants(Collections.unmodifiableList(kept));
        }

        Variants without(final StoredResponse response)
        {
            final List<StoredResponse> kept = new ArrayList<>(responses);
            kept.removeIf(r -> r == response);
            return kept.isEmpty() ? null : new Variants(Collections.unmodifiableList(kept));
        }

        int weight(final String key)
        {
            long weight = 64 + 2L * key.length();
            for (final StoredResponse response : responses)
            {
                weight += response.weight();
            }
            return (int)Math.min(Integer.MAX_VALUE, weight);
        }
    }
}
