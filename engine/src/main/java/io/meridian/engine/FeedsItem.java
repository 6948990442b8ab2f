package io.meridian.engine;

import io.meridian.codecs.json.JsonWriter;

/**
 * The Zenith {@code Feeds} list, derived from the market list: one feed of class {@code Market} per market, named
 * by its code, with that market's feed status. It has no upstream subscription of its own; it follows the market
 * list's snapshots and feed status changes.
 */
final class FeedsItem extends Item
{
    static final String KEY = "feeds";

    private final MarketsItem markets;

    FeedsItem(final MarketsItem markets)
    {
        super(KEY);
        this.markets = markets;
    }

    @Override
    short itemTypeCode()
    {
        return 0;
    }

    @Override
    void clearState()
    {
    }

    @Override
    void writeFull(final JsonWriter writer)
    {
        writer.startArray();
        for (int i = 0, size = markets.size(); i < size; i++)
        {
            final MarketsItem.Market market = markets.market(i);
            writer.startObject()
                .name("Name").string(market.code)
                .name("Class").string("Market")
                .name("Status").string(market.feed)
                .endObject();
        }
        writer.endArray();
    }
}
