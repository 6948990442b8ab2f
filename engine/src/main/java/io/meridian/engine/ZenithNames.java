package io.meridian.engine;

import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;

/**
 * Zenith text for interlink enum codes. Raw codes come from upstream and may be unknown to this schema version;
 * they map to a safe name instead of throwing, so a newer or broken upstream cannot stop the engine.
 */
final class ZenithNames
{
    private static final TradingState[] TRADING_STATES = TradingState.values();
    private static final Trend[] TRENDS = Trend.values();
    private static final FeedStatus[] FEED_STATUSES = FeedStatus.values();

    private ZenithNames()
    {
    }

    static String tradingState(final short raw)
    {
        for (final TradingState state : TRADING_STATES)
        {
            if (state != TradingState.NULL_VAL && state.value() == raw)
            {
                return state.name();
            }
        }
        return "Unknown";
    }

    static String trend(final short raw)
    {
        for (final Trend trend : TRENDS)
        {
            if (trend != Trend.NULL_VAL && trend.value() == raw)
            {
                return trend.name();
            }
        }
        return Trend.None.name();
    }

    static String feedStatus(final short raw)
    {
        for (final FeedStatus status : FEED_STATUSES)
        {
            if (status != FeedStatus.NULL_VAL && status.value() == raw)
            {
                return status.name();
            }
        }
        return FeedStatus.Impaired.name();
    }
}
