package io.meridian.engine;

import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.DecimalDecoder;
import io.meridian.codecs.interlink.DepthLevelUpdateDecoder;
import io.meridian.codecs.interlink.DepthLevelUpdateEncoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.json.JsonWriter;

/**
 * The cached order book of one security by price level, and its rendering as the Zenith {@code Levels} payload.
 * Every update carries the level's volume and count, as Zenith clients replace both on each update.
 */
final class LevelsItem extends Item
{
    static final int SIDE = 0;
    static final int PRICE_MANTISSA = 1;
    static final int PRICE_EXPONENT = 2;
    static final int VOLUME_MANTISSA = 3;
    static final int VOLUME_EXPONENT = 4;
    static final int COUNT = 5;
    static final int HAS_UNDISCLOSED = 6;
    private static final int COLUMNS = 7;

    private final RowTable levels = new RowTable(COLUMNS, 32);

    LevelsItem(final String key)
    {
        super(key);
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.LEVELS.value();
    }

    @Override
    boolean changesSplit()
    {
        return true;
    }

    @Override
    void clearState()
    {
        levels.clear();
    }

    RowTable levels()
    {
        return levels;
    }

    /**
     * Apply one change.
     *
     * @param decoder wrapped on the message.
     * @return false if the change does not fit the levels held: the item must be resynchronised.
     */
    boolean apply(final DepthLevelUpdateDecoder decoder)
    {
        final ChangeAction action = decoder.action();
        if (action == ChangeAction.CLEAR)
        {
            levels.clear();
            return true;
        }
        int row = levels.find(decoder.levelId());
        switch (action)
        {
            case ADD:
                if (row >= 0)
                {
                    return false;
                }
                row = levels.add(decoder.levelId());
                levels.set(row, SIDE, decoder.sideRaw());
                final DecimalDecoder price = decoder.price();
                levels.set(row, PRICE_MANTISSA, price.mantissa());
                levels.set(row, PRICE_EXPONENT, price.exponent());
                applyVolume(decoder, row);
                return true;
            case UPDATE:
                if (row < 0)
                {
                    return false;
                }
                applyVolume(decoder, row);
                return true;
            case REMOVE:
                if (row < 0)
                {
                    return false;
                }
                levels.removeAt(row);
                return true;
            default:
                return false;
        }
    }

    /**
     * An ADD per level, in the order held, with its side (raw, as received), price, volume, count and
     * hasUndisclosed.
     */
    @Override
    void writeSnapshot(final SnapshotWriter writer)
    {
        final RowTable levels = this.levels;
        for (int row = 0, size = levels.size(); row < size; row++)
        {
            final DepthLevelUpdateEncoder encoder = writer.depthLevelUpdate()
                .action(ChangeAction.ADD)
                .hasUndisclosed(levels.get(row, HAS_UNDISCLOSED) != 0 ? BooleanType.TRUE : BooleanType.FALSE)
                .levelId(levels.id(row))
                .count((int)levels.get(row, COUNT));
            encoder.buffer().putByte(
                encoder.offset() + DepthLevelUpdateEncoder.sideEncodingOffset(), (byte)levels.get(row, SIDE));
            encoder.price().mantissa(levels.get(row, PRICE_MANTISSA)).exponent((byte)levels.get(row, PRICE_EXPONENT));
            encoder.volume()
                .mantissa(levels.get(row, VOLUME_MANTISSA))
                .exponent((byte)levels.get(row, VOLUME_EXPONENT));
            writer.send(encoder.encodedLength());
        }
    }

    private void applyVolume(final DepthLevelUpdateDecoder decoder, final int row)
    {
        final DecimalDecoder volume = decoder.volume();
        levels.set(row, VOLUME_MANTISSA, volume.mantissa());
        levels.set(row, VOLUME_EXPONENT, volume.exponent());
        levels.set(row, COUNT, decoder.count());
        levels.set(row, HAS_UNDISCLOSED, decoder.hasUndisclosed() == BooleanType.TRUE ? 1 : 0);
    }

    /**
     * Write the change just applied as a Zenith delta: a one-element array.
     *
     * @param writer  where to write.
     * @param decoder still wrapped on the applied message.
     */
    void writeDelta(final JsonWriter writer, final DepthLevelUpdateDecoder decoder)
    {
        writer.startArray().startObject();
        final ChangeAction action = decoder.action();
        if (action == ChangeAction.CLEAR)
        {
            writer.name("O").string("C");
        }
        else if (action == ChangeAction.REMOVE)
        {
            writer.name("O").string("R").name("Level").startObject().name("ID").numberString(decoder.levelId())
                .endObject();
        }
        else
        {
            final int row = levels.find(decoder.levelId());
            if (action == ChangeAction.ADD)
            {
                writer.name("O").string("A");
                writeLevel(writer, row, true);
            }
            else
            {
                writer.name("O").string("U");
                writeLevel(writer, row, false);
            }
        }
        writer.endObject().endArray();
    }

    /**
     * Every level: a clear followed by an add for each.
     */
    @Override
    void writeFull(final JsonWriter writer)
    {
        writer.startArray();
        writer.startObject().name("O").string("C").endObject();
        for (int row = 0, size = levels.size(); row < size; row++)
        {
            writer.startObject().name("O").string("A");
            writeLevel(writer, row, true);
            writer.endObject();
        }
        writer.endArray();
    }

    private void writeLevel(final JsonWriter writer, final int row, final boolean add)
    {
        writer.name("Level").startObject().name("ID").numberString(levels.id(row));
        if (add)
        {
            writer.name("Side").string(levels.get(row, SIDE) == Side.ASK.value() ? "Ask" : "Bid")
                .name("Price").decimal(levels.get(row, PRICE_MANTISSA), (int)levels.get(row, PRICE_EXPONENT));
        }
        writer.name("Volume").decimal(levels.get(row, VOLUME_MANTISSA), (int)levels.get(row, VOLUME_EXPONENT))
            .name("Count").number(levels.get(row, COUNT))
            .name("HasUndisclosed").bool(levels.get(row, HAS_UNDISCLOSED) != 0);
        writer.endObject();
    }
}
