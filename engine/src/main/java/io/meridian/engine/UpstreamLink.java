package io.meridian.engine;

import org.agrona.collections.Long2ObjectHashMap;

import java.util.ArrayDeque;

/**
 * The engine's state for one upstream link: the Feed Server for market items, the Trading Agent for account
 * items. Each has its own link id and liveness, its own item ids and requests in flight, so one can be lost and
 * come back without touching the other's items.
 */
final class UpstreamLink
{
    /** Ring events and items of the market-data upstream. */
    static final int MARKET = 0;
    /** Ring events and items of the trading upstream. */
    static final int TRADING = 1;

    final int index;
    final String name;
    final UpstreamSender sender;
    final Long2ObjectHashMap<Item> byUpstreamId = new Long2ObjectHashMap<>();
    final Long2ObjectHashMap<Item> byRequestId = new Long2ObjectHashMap<>();
    /** Items whose Subscribe could not be offered yet (back pressure), retried at the end of each batch. */
    final ArrayDeque<Item> toRequest = new ArrayDeque<>();
    boolean up;
    long linkId;
    /** The upstream sends this link's market-data updates on its shared stream (its Welcome said so). */
    boolean shared;

    /**
     * @param index  {@link #MARKET} or {@link #TRADING}.
     * @param name   what errors call it.
     * @param sender where its control messages go; offers fail while there is no such upstream.
     */
    UpstreamLink(final int index, final String name, final UpstreamSender sender)
    {
        this.index = index;
        this.name = name;
        this.sender = sender;
    }

    /**
     * Forget every request and item id of the previous link incarnation.
     */
    void reset()
    {
        byRequestId.clear();
        byUpstreamId.clear();
        toRequest.clear();
    }
}
