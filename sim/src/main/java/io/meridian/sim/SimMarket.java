package io.meridian.sim;

import io.meridian.codecs.interlink.TradingState;

import java.nio.charset.StandardCharsets;

/**
 * One simulated market: its code, its trading state and the securities listed on it.
 */
final class SimMarket
{
    final int index;
    final String code;
    final byte[] codeBytes;
    SimSecurity[] securities = new SimSecurity[0];
    TradingState state = TradingState.Open;

    SimMarket(final int index, final String code)
    {
        this.index = index;
        this.code = code;
        this.codeBytes = code.getBytes(StandardCharsets.US_ASCII);
    }
}
