package io.meridian.engine;

import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.TradeAffectsDecoder;
import io.meridian.codecs.interlink.TradeFlagsDecoder;
import io.meridian.codecs.interlink.TradeHistoryResponseDecoder;
import io.meridian.codecs.interlink.TradeUpdateDecoder;
import io.meridian.codecs.interlink.TradeUpdateEncoder;
import io.meridian.codecs.json.JsonWriter;

/**
 * The trades of one security: a bounded history, newest last, held in a ring of primitive rows. A Zenith
 * {@code Trades} subscription starts with an initialise record naming the newest trade id; clients then fetch
 * history with {@code QueryTrades}, which this item answers from the history it holds when it can.
 */
final class TradesItem extends Item
{
    static final int ID = 0;
    static final int TIME = 1;
    static final int PRICE_MANTISSA = 2;
    static final int PRICE_EXPONENT = 3;
    static final int QUANTITY_MANTISSA = 4;
    static final int QUANTITY_EXPONENT = 5;
    static final int SIDE = 6;
    static final int TREND = 7;
    static final int FLAGS = 8;
    static final int AFFECTS = 9;
    static final int BUY = 10;
    static final int SELL = 11;
    static final int RELATED = 12;
    private static final int COLUMNS = 13;

    private static final int FLAG_CANCEL = 1;
    private static final int FLAG_OFF_MARKET = 2;
    private static final int FLAG_PLACE_HOLDER = 4;
    private static final int AFFECTS_PRICE = 1;
    private static final int AFFECTS_VOLUME = 2;
    private static final int AFFECTS_VWAP = 4;
    private static final int AFFECTS_ALL = 7;

    private final int capacity;
    private final long[] rows;
    private int head;
    private int count;
    /** True while the history holds everything the upstream sent since the last snapshot. */
    private boolean complete;

    /**
     * @param key      {@code CODE.MARKET}.
     * @param capacity most trades held.
     */
    TradesItem(final String key, final int capacity)
    {
        super(key);
        this.capacity = capacity;
        rows = new long[capacity * COLUMNS];
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.TRADES.value();
    }

    @Override
    void clearState()
    {
        head = 0;
        count = 0;
        complete = true;
    }

    int count()
    {
        return count;
    }

    boolean complete()
    {
        return complete;
    }

    /**
     * @param index 0 for the oldest held trade.
     * @param column a column constant.
     * @return the value.
     */
    long get(final int index, final int column)
    {
        return rows[slot(index) * COLUMNS + column];
    }

    long newestId()
    {
        return count == 0 ? 0 : get(count - 1, ID);
    }

    private int slot(final int index)
    {
        final int slot = head + index;
        return slot >= capacity ? slot - capacity : slot;
    }

    /**
     * Apply one trade message.
     *
     * @param decoder wrapped on the message.
     * @return the history index of the trade added or updated, or -1 if an update names a trade not held (older
     * than the history, nothing to change here; clients are still told).
     */
    int apply(final TradeUpdateDecoder decoder)
    {
        final long id = decoder.tradeId();
        int index = indexOf(id);
        if (index < 0)
        {
            if (count > 0 && id <= newestId())
            {
                return -1;
            }
            if (count == capacity)
            {
                head = head + 1 == capacity ? 0 : head + 1;
                count--;
                complete = false;
            }
            index = count++;
        }
        final int base = slot(index) * COLUMNS;
        rows[base + ID] = id;
        rows[base + TIME] = decoder.timeMs();
        rows[base + PRICE_MANTISSA] = decoder.price().mantissa();
        rows[base + PRICE_EXPONENT] = decoder.price().exponent();
        rows[base + QUANTITY_MANTISSA] = decoder.quantity().mantissa();
        rows[base + QUANTITY_EXPONENT] = decoder.quantity().exponent();
        rows[base + SIDE] = decoder.sideRaw();
        rows[base + TREND] = decoder.trendRaw();
        rows[base + FLAGS] = flags(decoder.flags());
        rows[base + AFFECTS] = affects(decoder.affects());
        rows[base + BUY] = decoder.buyOrderId();
        rows[base + SELL] = decoder.sellOrderId();
        rows[base + RELATED] = decoder.relatedTradeId();
        return index;
    }

    /**
     * @param id a trade id.
     * @return its history index, or -1 if not held.
     */
    int indexOf(final long id)
    {
        final int index = lastAtOrBelow(id);
        return index >= 0 && get(index, ID) == id ? index : -1;
    }

    /**
     * @param id a trade id.
     * @return the index of the newest held trade with an id at or below it, or -1.
     */
    int lastAtOrBelow(final long id)
    {
        int lo = 0;
        int hi = count - 1;
        int found = -1;
        while (lo <= hi)
        {
            final int mid = (lo + hi) >>> 1;
            if (get(mid, ID) <= id)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }
        return found;
    }

    /**
     * @param id a trade id.
     * @return the index of the oldest held trade with an id at or above it, or {@link #count()}.
     */
    int firstAtOrAbove(final long id)
    {
        return lastAtOrBelow(id - 1) + 1;
    }

    /**
     * An ADD per trade held, oldest first, with every column; side and trend go raw, as received. Whether the history
     * is {@link #complete()} is not carried: the receiver holds these trades as complete.
     */
    @Override
    void writeSnapshot(final SnapshotWriter writer)
    {
        final long[] rows = this.rows;
        for (int index = 0; index < count; index++)
        {
            final int base = slot(index) * COLUMNS;
            final long flags = rows[base + FLAGS];
            final long affects = rows[base + AFFECTS];
            final TradeUpdateEncoder encoder = writer.tradeUpdate()
                .action(ChangeAction.ADD)
                .tradeId(rows[base + ID])
                .timeMs(rows[base + TIME])
                .buyOrderId(rows[base + BUY])
                .sellOrderId(rows[base + SELL])
                .relatedTradeId(rows[base + RELATED]);
            final int offset = encoder.offset();
            encoder.buffer().putByte(offset + TradeUpdateEncoder.sideEncodingOffset(), (byte)rows[base + SIDE]);
            encoder.buffer().putByte(offset + TradeUpdateEncoder.trendEncodingOffset(), (byte)rows[base + TREND]);
            encoder.flags().clear()
                .cancel((flags & FLAG_CANCEL) != 0)
                .offMarket((flags & FLAG_OFF_MARKET) != 0)
                .placeHolder((flags & FLAG_PLACE_HOLDER) != 0);
            encoder.affects().clear()
                .price((affects & AFFECTS_PRICE) != 0)
                .volume((affects & AFFECTS_VOLUME) != 0)
                .vwap((affects & AFFECTS_VWAP) != 0);
            encoder.price().mantissa(rows[base + PRICE_MANTISSA]).exponent((byte)rows[base + PRICE_EXPONENT]);
            encoder.quantity().mantissa(rows[base + QUANTITY_MANTISSA]).exponent((byte)rows[base + QUANTITY_EXPONENT]);
            writer.send(encoder.encodedLength());
        }
    }

    private static long flags(final TradeFlagsDecoder flags)
    {
        return (flags.cancel() ? FLAG_CANCEL : 0) | (flags.offMarket() ? FLAG_OFF_MARKET : 0) |
            (flags.placeHolder() ? FLAG_PLACE_HOLDER : 0);
    }

    private static long affects(final TradeAffectsDecoder affects)
    {
        return (affects.price() ? AFFECTS_PRICE : 0) | (affects.volume() ? AFFECTS_VOLUME : 0) |
            (affects.vwap() ? AFFECTS_VWAP : 0);
    }

    /**
     * The start of a subscription, and of every resync: the newest trade id, from which a client asks for history.
     */
    @Override
    void writeFull(final JsonWriter writer)
    {
        writer.startArray().startObject().name("O").string("I").name("ID").number(newestId()).endObject().endArray();
    }

    /**
     * Write one held trade as a change.
     *
     * @param writer where to write.
     * @param index  history index.
     * @param add    A or U.
     */
    void writeChange(final JsonWriter writer, final int index, final boolean add)
    {
        final int base = slot(index) * COLUMNS;
        writeTrade(writer, add, rows, base);
    }

    /**
     * Write one trade of an upstream history answer as an add.
     *
     * @param writer  where to write.
     * @param trade   the group entry.
     * @param scratch at least {@code COLUMNS} longs.
     */
    static void writeHistoryTrade(
        final JsonWriter writer, final TradeHistoryResponseDecoder.TradesDecoder trade, final long[] scratch)
    {
        scratch[ID] = trade.tradeId();
        scratch[TIME] = trade.timeMs();
        scratch[PRICE_MANTISSA] = trade.price().mantissa();
        scratch[PRICE_EXPONENT] = trade.price().exponent();
        scratch[QUANTITY_MANTISSA] = trade.quantity().mantissa();
        scratch[QUANTITY_EXPONENT] = trade.quantity().exponent();
        scratch[SIDE] = trade.sideRaw();
        scratch[TREND] = trade.trendRaw();
        scratch[FLAGS] = flags(trade.flags());
        scratch[AFFECTS] = affects(trade.affects());
        scratch[BUY] = trade.buyOrderId();
        scratch[SELL] = trade.sellOrderId();
        scratch[RELATED] = trade.relatedTradeId();
        writeTrade(writer, true, scratch, 0);
    }

    static int columns()
    {
        return COLUMNS;
    }

    /**
     * Write the trade as the upstream sent it in an update, even if it is older than the history held.
     *
     * @param writer  where to write.
     * @param decoder wrapped on the update.
     * @param scratch at least {@code COLUMNS} longs.
     */
    static void writeUpdate(final JsonWriter writer, final TradeUpdateDecoder decoder, final long[] scratch)
    {
        scratch[ID] = decoder.tradeId();
        scratch[TIME] = decoder.timeMs();
        scratch[PRICE_MANTISSA] = decoder.price().mantissa();
        scratch[PRICE_EXPONENT] = decoder.price().exponent();
        scratch[QUANTITY_MANTISSA] = decoder.quantity().mantissa();
        scratch[QUANTITY_EXPONENT] = decoder.quantity().exponent();
        scratch[SIDE] = decoder.sideRaw();
        scratch[TREND] = decoder.trendRaw();
        scratch[FLAGS] = flags(decoder.flags());
        scratch[AFFECTS] = affects(decoder.affects());
        scratch[BUY] = decoder.buyOrderId();
        scratch[SELL] = decoder.sellOrderId();
        scratch[RELATED] = decoder.relatedTradeId();
        writeTrade(writer, false, scratch, 0);
    }

    private static void writeTrade(final JsonWriter writer, final boolean add, final long[] row, final int base)
    {
        writer.startObject().name("O").string(add ? "A" : "U").name("Trade").startObject()
            .name("ID").number(row[base + ID])
            .name("Price").decimal(row[base + PRICE_MANTISSA], (int)row[base + PRICE_EXPONENT])
            .name("Quantity").decimal(row[base + QUANTITY_MANTISSA], (int)row[base + QUANTITY_EXPONENT])
            .name("Time").timestamp(row[base + TIME]);
        final long flags = row[base + FLAGS];
        if (flags != 0)
        {
            writer.name("Flags").string(flagsText(flags));
        }
        writer.name("Trend").string(ZenithNames.trend((short)row[base + TREND]));
        final long side = row[base + SIDE];
        if (side == Side.BID.value())
        {
            writer.name("Side").string("Bid");
        }
        else if (side == Side.ASK.value())
        {
            writer.name("Side").string("Ask");
        }
        final long affects = row[base + AFFECTS];
        if (affects != AFFECTS_ALL)
        {
            writer.name("Affects").string(affectsText(affects));
        }
        if (row[base + BUY] != 0)
        {
            writer.name("Buy").numberString(row[base + BUY]);
        }
        if (row[base + SELL] != 0)
        {
            writer.name("Sell").numberString(row[base + SELL]);
        }
        if (row[base + RELATED] != 0)
        {
            writer.name("RelatedID").number(row[base + RELATED]);
        }
        writer.endObject().endObject();
    }

    private static final String[] FLAGS_TEXT = {
        "", "Cancel", "OffMarket", "Cancel,OffMarket", "PlaceHolder", "Cancel,PlaceHolder", "OffMarket,PlaceHolder",
        "Cancel,OffMarket,PlaceHolder",
    };
    private static final String[] AFFECTS_TEXT = {
        "None", "Price", "Volume", "Price,Volume", "VWAP", "Price,VWAP", "Volume,VWAP", "Price,Volume,VWAP",
    };

    private static String flagsText(final long flags)
    {
        return FLAGS_TEXT[(int)(flags & 7)];
    }

    private static String affectsText(final long affects)
    {
        return AFFECTS_TEXT[(int)(affects & 7)];
    }
}
