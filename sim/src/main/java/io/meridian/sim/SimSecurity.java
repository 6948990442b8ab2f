package io.meridian.sim;

import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.Trend;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * State of one simulated security and its random walk. Prices are fixed-point mantissas with exponent
 * {@link #PRICE_EXPONENT}; quantities are whole units. Each {@link #update} changes the state in place and returns the
 * {@link SecurityFields} bits of the fields whose value changed, so the caller can send a delta of exactly those.
 */
final class SimSecurity
{
    static final byte PRICE_EXPONENT = -2;
    static final byte QUANTITY_EXPONENT = 0;
    static final String CURRENCY = "USD";
    static final String CFI = "ESVUFR";
    static final byte[] CURRENCY_BYTES = CURRENCY.getBytes(StandardCharsets.US_ASCII);
    static final byte[] CFI_BYTES = CFI.getBytes(StandardCharsets.US_ASCII);

    /** Fields without a value until the first trade of the day. */
    static final long NULL_UNTIL_TRADED =
        SecurityFields.LAST | SecurityFields.HIGH | SecurityFields.LOW | SecurityFields.VWAP;

    private static final String CONSONANTS = "BCDFGHJKLMNPRSTVWZ";
    private static final String VOWELS = "AEIOU";
    private static final int SHORTEST_CODE = 3;

    final long itemId;
    final String code;
    final String market;
    final String key;
    final String name;
    final byte[] codeBytes;
    final byte[] marketBytes;
    final byte[] nameBytes;
    final long lotSize = 1;

    long seqNo = 1;
    long nullMask = NULL_UNTIL_TRADED;
    Trend trend = Trend.None;
    long open;
    long high;
    long low;
    long close;
    long last;
    long bestBid;
    long bidQuantity;
    int bidCount;
    long bestAsk;
    long askQuantity;
    int askCount;
    int numberOfTrades;
    long volume;
    long valueTraded;
    long vwap;

    SimSecurity(final long itemId, final String code, final String market, final SplittableRandom random)
    {
        this.itemId = itemId;
        this.code = code;
        this.market = market;
        this.key = code + "." + market;
        this.name = code + " Holdings Ltd";
        this.codeBytes = code.getBytes(StandardCharsets.US_ASCII);
        this.marketBytes = market.getBytes(StandardCharsets.US_ASCII);
        this.nameBytes = name.getBytes(StandardCharsets.US_ASCII);

        final long startPrice = 100 + random.nextInt(19_901);
        open = startPrice;
        close = startPrice;
        bestBid = Math.max(1, startPrice - 1);
        bestAsk = startPrice + 1;
        bidQuantity = quantity(random);
        askQuantity = quantity(random);
        bidCount = 1 + random.nextInt(20);
        askCount = 1 + random.nextInt(20);
    }

    /**
     * Apply one random event: a trade or a change of the best quotes.
     *
     * @param random source of randomness.
     * @return the {@link SecurityFields} bits of the fields that changed, 0 if none did.
     */
    long update(final SplittableRandom random)
    {
        return 0 == random.nextInt(3) ? trade(random) : quote(random);
    }

    boolean isNull(final long field)
    {
        return 0 != (nullMask & field);
    }

    private long trade(final SplittableRandom random)
    {
        final long previous = isNull(SecurityFields.LAST) ? close : last;
        final long price = Math.max(1, previous + random.nextInt(5) - 2);
        final long quantity = (1 + random.nextInt(1000)) * lotSize;
        long changed = SecurityFields.NUMBER_OF_TRADES | SecurityFields.VOLUME | SecurityFields.VALUE_TRADED;

        if (isNull(SecurityFields.LAST) || price != last)
        {
            changed |= SecurityFields.LAST;
        }
        if (isNull(SecurityFields.HIGH) || price > high)
        {
            high = price;
            changed |= SecurityFields.HIGH;
        }
        if (isNull(SecurityFields.LOW) || price < low)
        {
            low = price;
            changed |= SecurityFields.LOW;
        }

        final Trend newTrend = price > previous ? Trend.Up : price < previous ? Trend.Down : Trend.None;
        if (newTrend != trend)
        {
            trend = newTrend;
            changed |= SecurityFields.TREND;
        }

        last = price;
        numberOfTrades++;
        volume += quantity;
        valueTraded += price * quantity;

        final long newVwap = (valueTraded + volume / 2) / volume;
        if (isNull(SecurityFields.VWAP) || newVwap != vwap)
        {
            vwap = newVwap;
            changed |= SecurityFields.VWAP;
        }
        nullMask &= ~NULL_UNTIL_TRADED;

        return changed;
    }

    private long quote(final SplittableRandom random)
    {
        final long reference = isNull(SecurityFields.LAST) ? close : last;
        final long newBid = Math.max(1, reference - random.nextInt(3));
        final long newAsk = Math.max(newBid + 1, reference + 1 + random.nextInt(2));
        long changed = 0;

        if (newBid != bestBid)
        {
            bestBid = newBid;
            changed |= SecurityFields.BEST_BID;
        }
        if (newAsk != bestAsk)
        {
            bestAsk = newAsk;
            changed |= SecurityFields.BEST_ASK;
        }

        // Change one side's depth at a time, as a real book mostly does.
        if (random.nextBoolean())
        {
            final long newQuantity = quantity(random);
            final int newCount = 1 + random.nextInt(20);
            if (newQuantity != bidQuantity)
            {
                bidQuantity = newQuantity;
                changed |= SecurityFields.BID_QUANTITY;
            }
            if (newCount != bidCount)
            {
                bidCount = newCount;
                changed |= SecurityFields.BID_COUNT;
            }
        }
        else
        {
            final long newQuantity = quantity(random);
            final int newCount = 1 + random.nextInt(20);
            if (newQuantity != askQuantity)
            {
                askQuantity = newQuantity;
                changed |= SecurityFields.ASK_QUANTITY;
            }
            if (newCount != askCount)
            {
                askCount = newCount;
                changed |= SecurityFields.ASK_COUNT;
            }
        }

        return changed;
    }

    private long quantity(final SplittableRandom random)
    {
        return 100L * (1 + random.nextInt(50)) * lotSize;
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
