package io.meridian.sim;

import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;

import java.nio.charset.StandardCharsets;

/**
 * One simulated security: its static data, its order book, its trades and the security fields derived from them.
 * Fields are held by {@link SecurityFields} bit number in {@link #values}, with {@link #nullMask} naming those without
 * a value. Prices are mantissas with {@link #PRICE_EXPONENT}, quantities with {@link #QUANTITY_EXPONENT}, value
 * traded with {@link #VALUE_EXPONENT}; VWAP is value traded over volume rounded half up to {@link #VWAP_EXPONENT}.
 * Tick and lot size are fixed per security from its previous close.
 */
final class SimSecurity
{
    static final byte PRICE_EXPONENT = -2;
    static final byte QUANTITY_EXPONENT = 0;
    static final byte VALUE_EXPONENT = PRICE_EXPONENT + QUANTITY_EXPONENT;
    static final byte VWAP_EXPONENT = -4;
    static final long VWAP_SCALE = 100;
    static final String CURRENCY = "USD";
    static final String CFI = "ESVUFR";
    static final byte[] CURRENCY_BYTES = CURRENCY.getBytes(StandardCharsets.US_ASCII);
    static final byte[] CFI_BYTES = CFI.getBytes(StandardCharsets.US_ASCII);

    /** Number of fields in {@link #values}: every {@link SecurityFields} bit but {@link SecurityFields#STATIC}. */
    static final int FIELD_COUNT = Long.numberOfTrailingZeros(SecurityFields.STATIC);

    /** Fields without a value until the first trade of the day. */
    static final long NULL_UNTIL_TRADED =
        SecurityFields.OPEN | SecurityFields.LAST | SecurityFields.HIGH | SecurityFields.LOW | SecurityFields.VWAP;

    /** What every trade changes: price, volume and VWAP. */
    static final int TRADE_AFFECTS = FeedEncoder.AFFECTS_PRICE | FeedEncoder.AFFECTS_VOLUME | FeedEncoder.AFFECTS_VWAP;

    private static final String CONSONANTS = "BCDFGHJKLMNPRSTVWZ";
    private static final String VOWELS = "AEIOU";
    private static final int SHORTEST_CODE = 3;

    final int index;
    final String code;
    final SimMarket market;
    final String key;
    final String name;
    final byte[] codeBytes;
    final byte[] nameBytes;
    final long tickSize;
    final long lotSize;
    final long closePrice;
    final SimOrderBook book;
    final SimTradeHistory trades;
    final long[] values = new long[FIELD_COUNT];
    long nullMask = NULL_UNTIL_TRADED;

    /**
     * @param index            0-based index in the universe.
     * @param code             security code.
     * @param market           market it is listed on.
     * @param closePrice       previous close; sets the tick and lot size.
     * @param maxOrdersPerSide most resting orders per book side.
     * @param tradeHistory     most trades held.
     * @param listener         told of every change.
     */
    SimSecurity(
        final int index,
        final String code,
        final SimMarket market,
        final long closePrice,
        final int maxOrdersPerSide,
        final int tradeHistory,
        final SimListener listener)
    {
        this.index = index;
        this.code = code;
        this.market = market;
        this.key = code + "." + market.code;
        this.name = code + " Holdings Ltd";
        this.codeBytes = code.getBytes(StandardCharsets.US_ASCII);
        this.nameBytes = name.getBytes(StandardCharsets.US_ASCII);
        this.tickSize = tickSize(closePrice);
        this.lotSize = lotSize(closePrice);
        this.closePrice = Math.max(tickSize, closePrice - closePrice % tickSize);
        this.book = new SimOrderBook(this, listener, maxOrdersPerSide);
        this.trades = new SimTradeHistory(tradeHistory);

        set(SecurityFields.TRADING_STATE, market.state.value());
        set(SecurityFields.TREND, Trend.None.value());
        set(SecurityFields.CLOSE, this.closePrice);
        set(SecurityFields.LOT_SIZE, lotSize);
        refreshBest();
    }

    /**
     * @param closePrice previous close, price mantissa.
     * @return the tick size for that price: 0.01 under 10.00, 0.05 under 50.00, 0.10 from there.
     */
    static long tickSize(final long closePrice)
    {
        return closePrice < 1_000 ? 1 : closePrice < 5_000 ? 5 : 10;
    }

    /**
     * @param closePrice previous close, price mantissa.
     * @return the lot size for that price: 100 under 5.00, 10 under 50.00, 1 from there.
     */
    static long lotSize(final long closePrice)
    {
        return closePrice < 500 ? 100 : closePrice < 5_000 ? 10 : 1;
    }

    long get(final long field)
    {
        return values[Long.numberOfTrailingZeros(field)];
    }

    boolean isNull(final long field)
    {
        return 0 != (nullMask & field);
    }

    TradingState tradingState()
    {
        return TradingState.get((short)get(SecurityFields.TRADING_STATE));
    }

    /**
     * @return the price new orders gather around: the last trade, or the previous close before the first.
     */
    long referencePrice()
    {
        return isNull(SecurityFields.LAST) ? closePrice : get(SecurityFields.LAST);
    }

    /**
     * Copy the fields, to find later what a change did.
     *
     * @param into receives {@link #values}; its element {@link #FIELD_COUNT} receives {@link #nullMask}.
     */
    void copyFields(final long[] into)
    {
        System.arraycopy(values, 0, into, 0, FIELD_COUNT);
        into[FIELD_COUNT] = nullMask;
    }

    /**
     * @param before fields from {@link #copyFields}.
     * @return {@link SecurityFields} bits of the fields whose value or nullness differs from then.
     */
    long changedSince(final long[] before)
    {
        final long nullBefore = before[FIELD_COUNT];
        long changed = nullBefore ^ nullMask;
        for (int bit = 0; bit < FIELD_COUNT; bit++)
        {
            final long field = 1L << bit;
            if (0 == (nullMask & field) && before[bit] != values[bit])
            {
                changed |= field;
            }
        }
        return changed;
    }

    void tradingState(final TradingState state)
    {
        set(SecurityFields.TRADING_STATE, state.value());
    }

    /**
     * Set best bid and ask, their quantity and their order count from the book's best levels; a side without orders
     * has a null best price and a quantity and count of 0.
     */
    void refreshBest()
    {
        refreshBest(SimOrderBook.BID, SecurityFields.BEST_BID, SecurityFields.BID_QUANTITY, SecurityFields.BID_COUNT);
        refreshBest(SimOrderBook.ASK, SecurityFields.BEST_ASK, SecurityFields.ASK_QUANTITY, SecurityFields.ASK_COUNT);
    }

    /**
     * Update the day's fields for a trade and add it to the history.
     *
     * @return the trade id.
     */
    long recordTrade(
        final long timeMs,
        final long price,
        final long quantity,
        final long buyOrderId,
        final long sellOrderId,
        final int aggressor)
    {
        final long previous = referencePrice();
        final Trend trend = price > previous ? Trend.Up : price < previous ? Trend.Down : Trend.None;
        set(SecurityFields.TREND, trend.value());
        if (isNull(SecurityFields.OPEN))
        {
            set(SecurityFields.OPEN, price);
        }
        if (isNull(SecurityFields.HIGH) || price > get(SecurityFields.HIGH))
        {
            set(SecurityFields.HIGH, price);
        }
        if (isNull(SecurityFields.LOW) || price < get(SecurityFields.LOW))
        {
            set(SecurityFields.LOW, price);
        }
        set(SecurityFields.LAST, price);
        set(SecurityFields.NUMBER_OF_TRADES, get(SecurityFields.NUMBER_OF_TRADES) + 1);
        final long volume = get(SecurityFields.VOLUME) + quantity;
        final long valueTraded = get(SecurityFields.VALUE_TRADED) + price * quantity;
        set(SecurityFields.VOLUME, volume);
        set(SecurityFields.VALUE_TRADED, valueTraded);
        set(SecurityFields.VWAP, vwap(valueTraded, volume));

        return trades.add(timeMs, price, quantity, buyOrderId, sellOrderId, aggressor, trend.value(), TRADE_AFFECTS);
    }

    /**
     * @param valueTraded value traded, mantissa with {@link #VALUE_EXPONENT}.
     * @param volume      volume, more than 0.
     * @return value traded over volume, rounded half up to {@link #VWAP_EXPONENT}.
     */
    static long vwap(final long valueTraded, final long volume)
    {
        return (valueTraded * VWAP_SCALE + volume / 2) / volume;
    }

    private void refreshBest(final int side, final long price, final long quantity, final long count)
    {
        final SimOrderBook book = this.book;
        if (0 == book.levelCount(side))
        {
            clear(price);
            set(quantity, 0);
            set(count, 0);
        }
        else
        {
            set(price, book.levelPrice(side, 0));
            set(quantity, book.levelVolume(side, 0));
            set(count, book.levelOrders(side, 0));
        }
    }

    /**
     * Put a time stamp where value traded goes, for latency benchmarks: the mantissa is the time in nanoseconds,
     * so with {@link #VALUE_EXPONENT} the field reads as the time divided by 100.
     *
     * @param nanos a {@code System.nanoTime()}.
     */
    void stamp(final long nanos)
    {
        set(SecurityFields.VALUE_TRADED, nanos);
    }

    private void set(final long field, final long value)
    {
        values[Long.numberOfTrailingZeros(field)] = value;
        nullMask &= ~field;
    }

    private void clear(final long field)
    {
        values[Long.numberOfTrailingZeros(field)] = 0;
        nullMask |= field;
    }

    /**
     * The code of security {@code index} for a seed: upper-case consonant-vowel alternations, 3 letters for the first
     * 1620 securities, then 4, 5 and so on. Within one length the index is mapped through a seeded bijection, so codes
     * never collide and the same seed always gives the same codes.
     *
     * @param index 0-based security index.
     * @param seed  simulation seed.
     * @return the code.
     */
    static String code(final int index, final long seed)
    {
        int length = SHORTEST_CODE;
        long offset = 0;
        long size = codeSpace(length);
        while (index - offset >= size)
        {
            offset += size;
            size = codeSpace(++length);
        }

        final long mixed = mix(seed + 0x9E37_79B9_7F4A_7C15L * length);
        long multiplier = 1 + Math.floorMod(mixed, size - 1);
        while (gcd(multiplier, size) != 1)
        {
            multiplier++;
        }
        long value = Math.floorMod(multiplier * (index - offset) + mix(mixed), size);

        final char[] letters = new char[length];
        for (int i = 0; i < length; i++)
        {
            final String alphabet = (i & 1) == 0 ? CONSONANTS : VOWELS;
            letters[i] = alphabet.charAt((int)(value % alphabet.length()));
            value /= alphabet.length();
        }

        return new String(letters);
    }

    private static long codeSpace(final int length)
    {
        long size = 1;
        for (int i = 0; i < length; i++)
        {
            size *= (i & 1) == 0 ? CONSONANTS.length() : VOWELS.length();
        }
        return size;
    }

    private static long gcd(final long a, final long b)
    {
        return 0 == b ? a : gcd(b, a % b);
    }

    private static long mix(final long value)
    {
        long z = value;
        z = (z ^ (z >>> 30)) * 0xBF58_476D_1CE4_E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D0_49BB_1331_11EBL;
        return z ^ (z >>> 31);
    }
}
