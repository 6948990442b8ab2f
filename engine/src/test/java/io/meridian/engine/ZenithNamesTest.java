package io.meridian.engine;

import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ZenithNamesTest
{
    @Test
    void knownCodesMapToZenithNames()
    {
        assertEquals("PreOpen", ZenithNames.tradingState(TradingState.PreOpen.value()));
        assertEquals("Open", ZenithNames.tradingState(TradingState.Open.value()));
        assertEquals("Down", ZenithNames.trend(Trend.Down.value()));
        assertEquals("Active", ZenithNames.feedStatus(FeedStatus.Active.value()));
    }

    @Test
    void unknownAndNullCodesMapToSafeNames()
    {
        assertEquals("Unknown", ZenithNames.tradingState((short)200));
        assertEquals("Unknown", ZenithNames.tradingState(TradingState.NULL_VAL.value()));
        assertEquals("None", ZenithNames.trend((short)77));
        assertEquals("Impaired", ZenithNames.feedStatus((short)99));
    }
}
