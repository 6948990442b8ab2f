package io.meridian.codecs;

/**
 * Bits of the {@code presence} and {@code cleared} masks of an interlink {@code SecurityUpdate}. A set presence bit
 * says the field carries a value; a set cleared bit says the field is now null. Variable-length fields (code,
 * market, name, currency, cfi) are carried when {@link #STATIC} is present, which every snapshot sets.
 */
public final class SecurityFields
{
    public static final long TRADING_STATE = 1L;
    public static final long TREND = 1L << 1;
    public static final long OPEN = 1L << 2;
    public static final long HIGH = 1L << 3;
    public static final long LOW = 1L << 4;
    public static final long CLOSE = 1L << 5;
    public static final long LAST = 1L << 6;
    public static final long BEST_BID = 1L << 7;
    public static final long BID_QUANTITY = 1L << 8;
    public static final long BID_COUNT = 1L << 9;
    public static final long BEST_ASK = 1L << 10;
    public static final long ASK_QUANTITY = 1L << 11;
    public static final long ASK_COUNT = 1L << 12;
    public static final long NUMBER_OF_TRADES = 1L << 13;
    public static final long VOLUME = 1L << 14;
    public static final long VALUE_TRADED = 1L << 15;
    public static final long VWAP = 1L << 16;
    public static final long LOT_SIZE = 1L << 17;
    /** Code, market, name, currency and CFI are carried in the variable-length fields. */
    public static final long STATIC = 1L << 18;

    /** Every field: the presence mask of a full snapshot. */
    public static final long ALL = (1L << 19) - 1;

    private SecurityFields()
    {
    }
}
