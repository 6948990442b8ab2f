package io.meridian.engine;

import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MarketUpdateDecoder;
import io.meridian.codecs.interlink.MarketUpdateEncoder;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.json.JsonWriter;

import java.util.ArrayList;

/**
 * The cached market list, rendered as the Zenith {@code Markets} payload: an array of market state objects.
 */
final class MarketsItem extends Item
{
    static final String KEY = io.meridian.codecs.InterlinkProtocol.MARKETS_KEY;

    private static final FeedStatus[] FEED_STATUSES = FeedStatus.values();
    private static final TradingState[] TRADING_STATES = TradingState.values();

    static final class Market
    {
        final String code;
        String feed = FeedStatus.Initialising.name();
        String status = "Unknown";
        int tradingDate;
        boolean changed;
        boolean feedChanged;

        Market(final String code)
        {
            this.code = code;
        }
    }

    private final ArrayList<Market> markets = new ArrayList<>();

    MarketsItem()
    {
        super(KEY);
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.MARKETS.value();
    }

    @Override
    void clearState()
    {
        // Markets stay listed across a resync; the snapshot refreshes each one.
    }

    /**
     * Apply one market's state.
     *
     * @param decoder wrapped on the message.
     */
    void apply(final MarketUpdateDecoder decoder)
    {
        final short feedRaw = decoder.feedStatusRaw();
        final short stateRaw = decoder.tradingStateRaw();
        final int tradingDate = decoder.tradingDate();
        final Market market = market(decoder.marketCode());
        final String feed = ZenithNames.feedStatus(feedRaw);
        market.feedChanged |= !feed.equals(market.feed);
        market.feed = feed;
        market.status = ZenithNames.tradingState(stateRaw);
        market.tradingDate = tradingDate;
        market.changed = true;
    }

    /**
     * A MarketUpdate per market, in list order. A trading state the schema does not know ({@code Unknown}) goes as
     * the null value, which reads back as {@code Unknown}.
     */
    @Override
    void writeSnapshot(final SnapshotWriter writer)
    {
        for (int i = 0; i < markets.size(); i++)
        {
            final Market market = markets.get(i);
            final MarketUpdateEncoder encoder = writer.marketUpdate()
                .feedStatus(feedStatus(market.feed))
                .tradingState(tradingState(market.status))
                .tradingDate(market.tradingDate)
                .marketCode(market.code);
            writer.send(encoder.encodedLength());
        }
    }

    private static FeedStatus feedStatus(final String name)
    {
        for (final FeedStatus status : FEED_STATUSES)
        {
            if (status.name().equals(name))
            {
                return status;
            }
        }
        return FeedStatus.NULL_VAL;
    }

    private static TradingState tradingState(final String name)
    {
        for (final TradingState state : TRADING_STATES)
        {
            if (state != TradingState.NULL_VAL && state.name().equals(name))
            {
                return state;
            }
        }
        return TradingState.NULL_VAL;
    }

    /**
     * Set every market's feed status, e.g. Impaired when the upstream is lost.
     *
     * @param status the Zenith feed status.
     */
    void setFeedStatus(final FeedStatus status)
    {
        for (int i = 0; i < markets.size(); i++)
        {
            final Market market = markets.get(i);
            if (!market.feed.equals(status.name()))
            {
                market.feed = status.name();
                market.changed = true;
                market.feedChanged = true;
            }
        }
    }

    boolean anyChanged()
    {
        for (int i = 0; i < markets.size(); i++)
        {
            if (markets.get(i).changed)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @return true if any market's feed status changed since {@link #clearChanged()}.
     */
    boolean anyFeedChanged()
    {
        for (int i = 0; i < markets.size(); i++)
        {
            if (markets.get(i).feedChanged)
            {
                return true;
            }
        }
        return false;
    }

    void clearChanged()
    {
        for (int i = 0; i < markets.size(); i++)
        {
            final Market market = markets.get(i);
            market.changed = false;
            market.feedChanged = false;
        }
    }

    Market market(final int index)
    {
        return markets.get(index);
    }

    int size()
    {
        return markets.size();
    }

    @Override
    void writeFull(final JsonWriter writer)
    {
        write(writer, false);
    }

    /**
     * Write only the markets that changed since {@link #clearChanged()}.
     *
     * @param writer where to write.
     */
    void writeChanged(final JsonWriter writer)
    {
        write(writer, true);
    }

    private void write(final JsonWriter writer, final boolean changedOnly)
    {
        writer.startArray();
        for (int i = 0; i < markets.size(); i++)
        {
            final Market market = markets.get(i);
            if (changedOnly && !market.changed)
            {
                continue;
            }
            writer.startObject()
                .name("Code").string(market.code)
                .name("Feed").string(market.feed);
            if (!FeedStatus.Initialising.name().equals(market.feed))
            {
                if (market.tradingDate > 0)
                {
                    writer.name("TradingDate").date(market.tradingDate);
                }
                writer.name("Status").string(market.status)
                    .name("States").startArray()
                    .startObject().name("Name").string(market.code).name("Status").string(market.status).endObject()
                    .endArray();
            }
            writer.endObject();
        }
        writer.endArray();
    }

    /**
     * @param code a market code.
     * @return the market, or null if the list does not hold it.
     */
    Market find(final String code)
    {
        for (int i = 0; i < markets.size(); i++)
        {
            if (markets.get(i).code.equals(code))
            {
                return markets.get(i);
            }
        }
        return null;
    }

    private Market market(final String code)
    {
        for (int i = 0; i < markets.size(); i++)
        {
            if (markets.get(i).code.equals(code))
            {
                return markets.get(i);
            }
        }
        final Market market = new Market(code);
        markets.add(market);
        return market;
    }
}
