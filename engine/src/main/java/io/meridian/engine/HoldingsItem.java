package io.meridian.engine;

import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.HoldingUpdateDecoder;
import io.meridian.codecs.interlink.HoldingUpdateEncoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.json.JsonWriter;


/**
 * The holdings of one account (item key: the account id), one per exchange and code, rendered as the Zenith
 * {@code Holdings} data.
 */
final class HoldingsItem extends AccountEntriesItem<HoldingsItem.Holding>
{
    /** One holding. */
    static final class Holding
    {
        final String exchange;
        final String code;
        String currency;
        long totalQuantity;
        long totalAvailable;
        long averagePriceMantissa;
        int averagePriceExponent;
        long costMantissa;
        int costExponent;

        Holding(final String exchange, final String code)
        {
            this.exchange = exchange;
            this.code = code;
        }
    }

    /**
     * @param account the account id, also the item key.
     */
    HoldingsItem(final String account)
    {
        super(account, "Holding");
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.HOLDINGS.value();
    }

    Holding holding(final String exchange, final String code)
    {
        return entries.get(code + '.' + exchange);
    }

    /**
     * Apply one change.
     *
     * @return the holding added, updated or removed; null for a clear or a removal of an unknown holding.
     */
    Holding apply(final HoldingUpdateDecoder decoder)
    {
        final ChangeAction action = decoder.action();
        final long totalQuantity = decoder.totalQuantity();
        final long totalAvailable = decoder.totalAvailable();
        final long averageMantissa = decoder.averagePrice().mantissa();
        final int averageExponent = decoder.averagePrice().exponent();
        final long costMantissa = decoder.cost().mantissa();
        final int costExponent = decoder.cost().exponent();
        decoder.accountId();
        final String exchange = decoder.exchange();
        final String code = decoder.code();
        final String currency = decoder.currency();
        if (action == ChangeAction.CLEAR)
        {
            entries.clear();
            return null;
        }
        final String holdingKey = code + '.' + exchange;
        if (action == ChangeAction.REMOVE)
        {
            return entries.remove(holdingKey);
        }
        final Holding holding = entries.computeIfAbsent(holdingKey, k -> new Holding(exchange, code));
        holding.currency = currency;
        holding.totalQuantity = totalQuantity;
        holding.totalAvailable = totalAvailable;
        holding.averagePriceMantissa = averageMantissa;
        holding.averagePriceExponent = averageExponent;
        holding.costMantissa = costMantissa;
        holding.costExponent = costExponent;
        return holding;
    }

    /**
     * A HoldingUpdate CLEAR: the account and no holding.
     */
    @Override
    void writeSnapshotClear(final SnapshotWriter writer)
    {
        final HoldingUpdateEncoder encoder = writer.holdingUpdate()
            .action(ChangeAction.CLEAR)
            .totalQuantity(0)
            .totalAvailable(0);
        encoder.averagePrice().mantissa(0).exponent((byte)0);
        encoder.cost().mantissa(0).exponent((byte)0);
        encoder.accountId(key).exchange("").code("").currency("");
        writer.send(encoder.encodedLength());
    }

    /**
     * A HoldingUpdate ADD of the whole holding.
     */
    @Override
    void writeSnapshotEntry(final SnapshotWriter writer, final Holding holding)
    {
        final HoldingUpdateEncoder encoder = writer.holdingUpdate()
            .action(ChangeAction.ADD)
            .totalQuantity(holding.totalQuantity)
            .totalAvailable(holding.totalAvailable);
        encoder.averagePrice().mantissa(holding.averagePriceMantissa).exponent((byte)holding.averagePriceExponent);
        encoder.cost().mantissa(holding.costMantissa).exponent((byte)holding.costExponent);
        encoder.accountId(key).exchange(holding.exchange).code(holding.code).currency(holding.currency);
        writer.send(encoder.encodedLength());
    }

    @Override
    void writeEntry(final JsonWriter writer, final Holding holding)
    {
        writeHolding(writer, holding);
    }

    @Override
    void writeRemoved(final JsonWriter writer, final Holding holding)
    {
        writer.name("Exchange").string(holding.exchange).name("Code").string(holding.code).name("Account").string(key);
    }

    /**
     * @param filter {@code [exchange, code]}, either null to match any.
     */
    @Override
    boolean matches(final Holding holding, final String[] filter)
    {
        final String exchange = filter.length < 1 ? null : filter[0];
        final String code = filter.length < 2 ? null : filter[1];
        return (null == exchange || exchange.equals(holding.exchange)) && (null == code || code.equals(holding.code));
    }

    private void writeHolding(final JsonWriter writer, final Holding holding)
    {
        writer.startObject()
            .name("Exchange").string(holding.exchange)
            .name("Code").string(holding.code)
            .name("Account").string(key)
            .name("Style").string("Market")
            .name("Cost").decimal(holding.costMantissa, holding.costExponent);
        if (!holding.currency.isEmpty())
        {
            writer.name("Currency").string(holding.currency);
        }
        writer.name("TotalQuantity").number(holding.totalQuantity)
            .name("TotalAvailable").number(holding.totalAvailable)
            .name("AveragePrice").decimal(holding.averagePriceMantissa, holding.averagePriceExponent)
            .endObject();
    }
}
