package io.meridian.engine;

import io.meridian.codecs.json.JsonWriter;

/**
 * The Zenith {@code Feeds} list, derived from the market list: one feed of class {@code Market} per market, named
 * by its code, with that market's feed status. When a Trading Agent is configured it also lists the trading
 * authority ({@code TradingAuthority}, class {@code Authority}, first, as clients bind account lists to the first
 * authority feed) and the trading feed ({@code OMS}, class {@code Trading}) whose status follows the Trading Agent
 * link. It has no upstream subscription of its own.
 */
final class FeedsItem extends Item
{
    static final String KEY = "feeds";

    private final MarketsItem markets;
    /** Status of the trading feeds, or null when there is no Trading Agent. */
    String tradingStatus;

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
        if (null != tradingStatus)
        {
            writer.startObject()
                .name("Name").string("TradingAuthority")
                .name("Class").string("Authority")
                .name("Status").string(tradingStatus)
                .endObject();
        }
        for (int i = 0, size = markets.size(); i < size; i++)
        {
            final MarketsItem.Market market = markets.market(i);
            writer.startObject()
                .name("Name").string(market.code)
                .name("Class").string("Market")
                .name("Status").string(market.feed)
                .endObject();
        }
        if (null != tradingStatus)
        {
            writer.startObject()
                .name("Name").string(AccountsItem.PROVIDER)
                .name("Class").string("Trading")
                .name("Status").string(tradingStatus)
                .endObject();
        }
        writer.endArray();
    }
}
