package io.meridian.engine;

import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.HoldingUpdateDecoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.json.JsonWriter;

import java.util.LinkedHashMap;

/**
 * The holdings of one account (item key: the account id), one per exchange and code, and their rendering as the
 * Zenith {@code Holdings} data: changes with O-codes A, U (the whole holding), R and C (with the account).
 */
final class HoldingsItem extends Item
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

    private final LinkedHashMap<String, Holding> holdings = new LinkedHashMap<>();

    /**
     * @param account the account id, also the item key.
     */
    HoldingsItem(final String account)
    {
        super(account);
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.HOLDINGS.value();
    }

    @Override
    void clearState()
    {
        holdings.clear();
    }

    int size()
    {
        return holdings.size();
    }

    Holding holding(final String exchange, final String code)
    {
        return holdings.get(code + '.' + exchange);
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
            holdings.clear();
            return null;
        }
        final String holdingKey = code + '.' + exchange;
        if (action == ChangeAction.REMOVE)
        {
            return holdings.remove(holdingKey);
        }
        final Holding holding = holdings.computeIfAbsent(holdingKey, k -> new Holding(exchange, code));
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
     * The whole list: a clear naming the account, then an add per holding.
     */
    @Override
    void writeFull(final JsonWriter writer)
    {
        writer.startArray();
        writer.startObject().name("O").string("C").name("Account").string(key).endObject();
        for (final Holding holding : holdings.values())
        {
            writer.startObject().name("O").string("A").name("Holding");
            writeHolding(writer, holding);
            writer.endObject();
        }
        writer.endArray();
    }

    /**
     * The answer of {@code QueryHoldings}: the holdings themselves, as Motif reads them.
     */
    @Override
    void writeQueryAnswer(final JsonWriter writer)
    {
        writeQueryAnswer(writer, null);
    }

    /**
     * @param filter {@code [exchange, code]}, either null to match any, or null for every holding.
     */
    @Override
    void writeQueryAnswer(final JsonWriter writer, final String[] filter)
    {
        final String exchange = null == filter || filter.length < 1 ? null : filter[0];
        final String code = null == filter || filter.length < 2 ? null : filter[1];
        writer.startArray();
        for (final Holding holding : holdings.values())
        {
            if ((null == exchange || exchange.equals(holding.exchange)) && (null == code || code.equals(holding.code)))
            {
                writeHolding(writer, holding);
            }
        }
        writer.endArray();
    }

    void writeDelta(final JsonWriter writer, final ChangeAction action, final Holding holding)
    {
        writer.startArray().startObject();
        if (action == ChangeAction.CLEAR)
        {
            writer.name("O").string("C").name("Account").string(key);
        }
        else if (action == ChangeAction.REMOVE)
        {
            writer.name("O").string("R").name("Holding").startObject()
                .name("Exchange").string(holding.exchange)
                .name("Code").string(holding.code)
                .name("Account").string(key)
                .endObject();
        }
        else
        {
            writer.name("O").string(action == ChangeAction.ADD ? "A" : "U").name("Holding");
            writeHolding(writer, holding);
        }
        writer.endObject().endArray();
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
