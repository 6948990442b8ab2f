package io.meridian.codecs;

import io.meridian.codecs.interlink.TradingState;

/**
 * What each interlink {@link TradingState} means to a client: the Zenith {@code QueryTradingStates} reason and the
 * actions it allows. The table is part of the protocol, so a feed server, a trading agent and every proxy agree on
 * what a market in a given state accepts.
 */
public final class TradingStates
{
    /** Zenith {@code Allows} names, in the order the bits below are numbered. */
    public static final String[] ALLOW_NAMES = {
        "OrderPlace", "OrderAmend", "OrderMove", "OrderCancel", "Match", "ReportCancel",
    };
    public static final int ORDER_PLACE = 1;
    public static final int ORDER_AMEND = 1 << 1;
    public static final int ORDER_MOVE = 1 << 2;
    public static final int ORDER_CANCEL = 1 << 3;
    public static final int MATCH = 1 << 4;
    public static final int REPORT_CANCEL = 1 << 5;
    public static final int ORDERS_ONLY = ORDER_PLACE | ORDER_AMEND | ORDER_MOVE | ORDER_CANCEL;
    public static final int ALL = ORDERS_ONLY | MATCH | REPORT_CANCEL;

    private TradingStates()
    {
    }

    /**
     * @param state a trading state.
     * @return the bits of what the state allows.
     */
    public static int allows(final TradingState state)
    {
        switch (state)
        {
            case PreOpen:
                return ORDERS_ONLY | REPORT_CANCEL;
            case Open:
                return ALL;
            case Suspended:
                return ORDER_CANCEL | REPORT_CANCEL;
            default:
                return 0;
        }
    }

    /**
     * @param state a trading state.
     * @return the Zenith reason name.
     */
    public static String reason(final TradingState state)
    {
        return state == TradingState.Suspended ? "Suspend" : "Normal";
    }

    /**
     * @param allows bits from {@link #allows(TradingState)}.
     * @return the Zenith {@code Allows} text: {@code All}, {@code None}, or a comma list.
     */
    public static String allowsText(final int allows)
    {
        if (allows == ALL)
        {
            return "All";
        }
        if (allows == 0)
        {
            return "None";
        }
        final StringBuilder text = new StringBuilder();
        for (int i = 0; i < ALLOW_NAMES.length; i++)
        {
            if ((allows & (1 << i)) != 0)
            {
                if (text.length() > 0)
                {
                    text.append(',');
                }
                text.append(ALLOW_NAMES[i]);
            }
        }
        return text.toString();
    }
}
