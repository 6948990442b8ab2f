package io.meridian.engine;

import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.DecimalDecoder;
import io.meridian.codecs.interlink.DepthOrderFieldsDecoder;
import io.meridian.codecs.interlink.DepthOrderUpdateDecoder;
import io.meridian.codecs.interlink.DepthOrderUpdateEncoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.json.JsonWriter;

import java.util.Arrays;

/**
 * The cached order book of one security, by order, and its rendering as the Zenith {@code Depth} payload: an array
 * of changes with O-codes A (add), U (update), R (remove) and C (clear). Orders are kept unsorted; Zenith clients
 * sort by price and position themselves.
 */
final class DepthItem extends Item
{
    // The runs of text between the values of one add in a full book; the clear entry before them means every add
    // starts with a comma.
    private static final byte[] FULL_ADD_HEAD = JsonWriter.ascii(",{\"O\":\"A\",\"Order\":{\"ID\":\"");
    private static final byte[] FULL_BID_PRICE = JsonWriter.ascii("\",\"Side\":\"Bid\",\"Price\":");
    private static final byte[] FULL_ASK_PRICE = JsonWriter.ascii("\",\"Side\":\"Ask\",\"Price\":");
    private static final byte[] FULL_POSITION = JsonWriter.ascii(",\"Position\":");
    private static final byte[] FULL_QUANTITY = JsonWriter.ascii(",\"Quantity\":");
    private static final byte[] FULL_QUANTITY_NULL_TAIL = JsonWriter.ascii(",\"Quantity\":null}}");
    private static final byte[] FULL_HAS_UNDISCLOSED_TAIL = JsonWriter.ascii(",\"HasUndisclosed\":true}}");
    private static final byte[] FULL_DISCLOSED_TAIL = JsonWriter.ascii(",\"HasUndisclosed\":false}}");

    static final int SIDE = 0;
    static final int PRICE_MANTISSA = 1;
    static final int PRICE_EXPONENT = 2;
    static final int POSITION = 3;
    static final int QUANTITY_MANTISSA = 4;
    static final int QUANTITY_EXPONENT = 5;
    static final int FLAGS = 6;
    private static final int COLUMNS = 7;

    static final int UNDISCLOSED = 1;
    static final int HAS_UNDISCLOSED = 2;

    /**
     * Bytes kept per order for its add entry in a full book. A typical entry (eight-digit id, prices and quantities
     * of a few digits) takes 115 to 130 bytes; a longer one is printed afresh every time instead of kept.
     */
    static final int TEXT_STRIDE = 160;
    /**
     * Numbers under this magnitude, with at most {@link #ROW_MAX_SCALE} decimals, keep an add within
     * {@link #TEXT_STRIDE}: 97 bytes of constant runs, at most 13 for the id and the position and 15 for the price
     * and the quantity.
     */
    private static final long ROW_MAX_MAGNITUDE = 1_000_000_000_000L;
    private static final int ROW_MAX_SCALE = 12;
    private static final byte[] NO_TEXT = new byte[0];
    private static final int[] NO_LENGTHS = new int[0];

    private final RowTable orders = new RowTable(COLUMNS, 64);

    // Each order's add entry as the last full book wrote it, TEXT_STRIDE bytes a row, with its length; a length of 0
    // means the row has changed since (or was never written). A full book copies the entries of unchanged orders
    // instead of printing their numbers again, which is most of its cost. Allocated by the first full book, so an
    // item nobody has asked the full state of pays nothing; applying a change costs one store.
    private byte[] rowText = NO_TEXT;
    private int[] rowTextLength = NO_LENGTHS;

    DepthItem(final String key)
    {
        super(key);
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.DEPTH.value();
    }

    @Override
    boolean changesSplit()
    {
        return true;
    }

    @Override
    void clearState()
    {
        orders.clear();
        forgetText();
    }

    /**
     * Forget every kept add entry, so the next full book prints every order afresh.
     */
    void forgetText()
    {
        Arrays.fill(rowTextLength, 0);
    }

    RowTable orders()
    {
        return orders;
    }

    /**
     * Apply one change.
     *
     * @param decoder wrapped on the message.
     * @return false if the change does not fit the book (an add of a known order, an update or removal of an
     * unknown one): the item must be resynchronised.
     */
    boolean apply(final DepthOrderUpdateDecoder decoder)
    {
        final ChangeAction action = decoder.action();
        if (action == ChangeAction.CLEAR)
        {
            orders.clear();
            return true;
        }
        final long orderId = decoder.orderId();
        int row = orders.find(orderId);
        switch (action)
        {
            case ADD:
                if (row >= 0)
                {
                    return false;
                }
                row = orders.add(orderId);
                orders.set(row, SIDE, decoder.sideRaw());
                applyFields(decoder, row);
                forgetText(row);
                return true;
            case UPDATE:
                if (row < 0)
                {
                    return false;
                }
                applyFields(decoder, row);
                forgetText(row);
                return true;
            case REMOVE:
                if (row < 0)
                {
                    return false;
                }
                // The last row moves into the removed one's place.
                orders.removeAt(row);
                forgetText(row);
                return true;
            default:
                return false;
        }
    }

    /**
     * An ADD per order, in the order the book holds them, so the copy holds them in the same order and renders the
     * same full state: price, position, and the quantity or the undisclosed flag, with hasUndisclosed, as
     * {@link #apply} reads them. The side goes raw, as received.
     */
    @Override
    void writeSnapshot(final SnapshotWriter writer)
    {
        final RowTable orders = this.orders;
        for (int row = 0, size = orders.size(); row < size; row++)
        {
            final long side = orders.get(row, SIDE);
            final long flags = orders.get(row, FLAGS);
            final boolean undisclosed = (flags & UNDISCLOSED) != 0;
            final DepthOrderUpdateEncoder encoder = writer.depthOrderUpdate()
                .action(ChangeAction.ADD)
                .orderId(orders.id(row))
                .position(orders.get(row, POSITION));
            encoder.buffer().putByte(encoder.offset() + DepthOrderUpdateEncoder.sideEncodingOffset(), (byte)side);
            encoder.fields().clear()
                .price(true)
                .position(true)
                .quantity(!undisclosed)
                .undisclosed(undisclosed)
                .hasUndisclosed((flags & HAS_UNDISCLOSED) != 0);
            encoder.price().mantissa(orders.get(row, PRICE_MANTISSA)).exponent((byte)orders.get(row, PRICE_EXPONENT));
            encoder.quantity()
                .mantissa(orders.get(row, QUANTITY_MANTISSA))
                .exponent((byte)orders.get(row, QUANTITY_EXPONENT));
            writer.send(encoder.encodedLength());
        }
    }

    private void forgetText(final int row)
    {
        if (row < rowTextLength.length)
        {
            rowTextLength[row] = 0;
        }
    }

    private void applyFields(final DepthOrderUpdateDecoder decoder, final int row)
    {
        final DepthOrderFieldsDecoder fields = decoder.fields();
        if (fields.price())
        {
            final DecimalDecoder price = decoder.price();
            orders.set(row, PRICE_MANTISSA, price.mantissa());
            orders.set(row, PRICE_EXPONENT, price.exponent());
        }
        if (fields.position())
        {
            orders.set(row, POSITION, decoder.position());
        }
        long flags = orders.get(row, FLAGS);
        if (fields.undisclosed())
        {
            flags = UNDISCLOSED;
        }
        else if (fields.quantity())
        {
            final DecimalDecoder quantity = decoder.quantity();
            orders.set(row, QUANTITY_MANTISSA, quantity.mantissa());
            orders.set(row, QUANTITY_EXPONENT, quantity.exponent());
            flags &= ~UNDISCLOSED;
        }
        if (fields.hasUndisclosed())
        {
            flags |= HAS_UNDISCLOSED;
        }
        else if (fields.quantity() || fields.undisclosed())
        {
            flags &= ~HAS_UNDISCLOSED;
        }
        orders.set(row, FLAGS, flags);
    }

    /**
     * Write the change just applied as a Zenith delta: a one-element array.
     *
     * @param writer  where to write.
     * @param decoder still wrapped on the applied message.
     */
    void writeDelta(final JsonWriter writer, final DepthOrderUpdateDecoder decoder)
    {
        writer.startArray().startObject();
        final ChangeAction action = decoder.action();
        if (action == ChangeAction.CLEAR)
        {
            writer.name("O").string("C");
        }
        else if (action == ChangeAction.REMOVE)
        {
            writer.name("O").string("R").name("Order").startObject().name("ID").numberString(decoder.orderId())
                .endObject();
        }
        else
        {
            final int row = orders.find(decoder.orderId());
            if (action == ChangeAction.ADD)
            {
                writer.name("O").string("A");
                writeOrder(writer, row);
            }
            else
            {
                writer.name("O").string("U").name("Order").startObject().name("ID").numberString(orders.id(row));
                final DepthOrderFieldsDecoder fields = decoder.fields();
                if (fields.price())
                {
                    writer.name("Price").decimal(orders.get(row, PRICE_MANTISSA), (int)orders.get(row, PRICE_EXPONENT));
                }
                if (fields.position())
                {
                    writer.name("Position").number(orders.get(row, POSITION));
                }
                if (fields.quantity() || fields.undisclosed() || fields.hasUndisclosed())
                {
                    writeQuantity(writer, row);
                }
                writer.endObject();
            }
        }
        writer.endObject().endArray();
    }

    /**
     * The full book: a clear followed by an add for every order. A book can hold thousands of orders, so each add
     * is written from constant runs and numbers rather than member by member, and kept to be copied by the next full
     * book if the order has not changed by then; the text is the same as {@link #writeDelta} writes for an add.
     */
    @Override
    void writeFull(final JsonWriter writer)
    {
        writer.startArray();
        writer.startObject().name("O").string("C").endObject();
        final RowTable orders = this.orders;
        final int size = orders.size();
        if (rowTextLength.length < size)
        {
            growText(size);
        }
        final byte[] text = rowText;
        final int[] lengths = rowTextLength;
        for (int row = 0; row < size; row++)
        {
            int kept = lengths[row];
            if (0 == kept)
            {
                kept = printFullAdd(text, row * TEXT_STRIDE, orders, row);
                if (kept < 0)
                {
                    writeFullAdd(writer, orders, row);
                    continue;
                }
                lengths[row] = kept;
            }
            writer.appendRaw(text, row * TEXT_STRIDE, kept);
        }
        writer.endArray();
    }

    /**
     * Print an order's add straight into its kept row: one tight pass over a local offset, where going through the
     * writer would check room and move its position for each of the nine runs and numbers.
     *
     * @return the length printed, or -1 when a number is too long for the row to be sure to hold it (the caller
     *         writes such an order through the writer and keeps nothing).
     */
    private static int printFullAdd(final byte[] text, final int offset, final RowTable orders, final int row)
    {
        final long id = orders.id(row);
        final long priceMantissa = orders.get(row, PRICE_MANTISSA);
        final long priceExponent = orders.get(row, PRICE_EXPONENT);
        final long position = orders.get(row, POSITION);
        final long quantityMantissa = orders.get(row, QUANTITY_MANTISSA);
        final long quantityExponent = orders.get(row, QUANTITY_EXPONENT);
        if (!(fitsRow(id) && fitsRow(priceMantissa) && fitsRow(position) && fitsRow(quantityMantissa) &&
            priceExponent <= 0 && priceExponent >= -ROW_MAX_SCALE &&
            quantityExponent <= 0 && quantityExponent >= -ROW_MAX_SCALE))
        {
            return -1;
        }
        int p = JsonWriter.printRaw(text, offset, FULL_ADD_HEAD);
        p = JsonWriter.printLong(text, p, id);
        p = JsonWriter.printRaw(text, p,
            orders.get(row, SIDE) == Side.ASK.value() ? FULL_ASK_PRICE : FULL_BID_PRICE);
        p = JsonWriter.printDecimal(text, p, priceMantissa, (int)priceExponent);
        p = JsonWriter.printRaw(text, p, FULL_POSITION);
        p = JsonWriter.printLong(text, p, position);
        final long flags = orders.get(row, FLAGS);
        if ((flags & UNDISCLOSED) != 0)
        {
            p = JsonWriter.printRaw(text, p, FULL_QUANTITY_NULL_TAIL);
        }
        else
        {
            p = JsonWriter.printRaw(text, p, FULL_QUANTITY);
            p = JsonWriter.printDecimal(text, p, quantityMantissa, (int)quantityExponent);
            p = JsonWriter.printRaw(text, p,
                (flags & HAS_UNDISCLOSED) != 0 ? FULL_HAS_UNDISCLOSED_TAIL : FULL_DISCLOSED_TAIL);
        }
        return p - offset;
    }

    private static boolean fitsRow(final long value)
    {
        return value > -ROW_MAX_MAGNITUDE && value < ROW_MAX_MAGNITUDE;
    }

    private static void writeFullAdd(final JsonWriter writer, final RowTable orders, final int row)
    {
        writer.appendRaw(FULL_ADD_HEAD).appendLong(orders.id(row))
            .appendRaw(orders.get(row, SIDE) == Side.ASK.value() ? FULL_ASK_PRICE : FULL_BID_PRICE)
            .appendDecimal(orders.get(row, PRICE_MANTISSA), (int)orders.get(row, PRICE_EXPONENT))
            .appendRaw(FULL_POSITION).appendLong(orders.get(row, POSITION));
        final long flags = orders.get(row, FLAGS);
        if ((flags & UNDISCLOSED) != 0)
        {
            writer.appendRaw(FULL_QUANTITY_NULL_TAIL);
        }
        else
        {
            writer.appendRaw(FULL_QUANTITY)
                .appendDecimal(orders.get(row, QUANTITY_MANTISSA), (int)orders.get(row, QUANTITY_EXPONENT))
                .appendRaw((flags & HAS_UNDISCLOSED) != 0 ? FULL_HAS_UNDISCLOSED_TAIL : FULL_DISCLOSED_TAIL);
        }
    }

    private void growText(final int rows)
    {
        // Kept text moves with its row; rows past the old end start unwritten (length 0).
        final int capacity = Math.max(rows, rowTextLength.length * 2);
        rowText = Arrays.copyOf(rowText, capacity * TEXT_STRIDE);
        rowTextLength = Arrays.copyOf(rowTextLength, capacity);
    }

    private void writeOrder(final JsonWriter writer, final int row)
    {
        writer.name("Order").startObject()
            .name("ID").numberString(orders.id(row))
            .name("Side").string(orders.get(row, SIDE) == Side.ASK.value() ? "Ask" : "Bid")
            .name("Price").decimal(orders.get(row, PRICE_MANTISSA), (int)orders.get(row, PRICE_EXPONENT))
            .name("Position").number(orders.get(row, POSITION));
        writeQuantity(writer, row);
        writer.endObject();
    }

    private void writeQuantity(final JsonWriter writer, final int row)
    {
        final long flags = orders.get(row, FLAGS);
        writer.name("Quantity");
        if ((flags & UNDISCLOSED) != 0)
        {
            writer.nullValue();
            return;
        }
        writer.decimal(orders.get(row, QUANTITY_MANTISSA), (int)orders.get(row, QUANTITY_EXPONENT));
        writer.name("HasUndisclosed").bool((flags & HAS_UNDISCLOSED) != 0);
    }
}
