package io.meridian.engine;

import io.meridian.codecs.interlink.BalanceUpdateDecoder;
import io.meridian.codecs.interlink.BalanceUpdateEncoder;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.json.JsonWriter;

import java.util.LinkedHashMap;
import java.util.function.BiConsumer;

/**
 * The balances of one account (item key: the account id): an amount per balance type and currency, rendered as
 * the Zenith {@code Balances} data. Balances have no O-codes: a record with an empty {@code Type} and
 * {@code Currency} clears the account's balances, and any other record sets one amount.
 */
final class BalancesItem extends Item
{
    /** One amount. */
    static final class Balance
    {
        final String type;
        final String currency;
        long amountMantissa;
        int amountExponent;

        Balance(final String type, final String currency)
        {
            this.type = type;
            this.currency = currency;
        }
    }

    private final LinkedHashMap<String, Balance> balances = new LinkedHashMap<>();
    /** The writer of the snapshot being written, for {@link #snapshotBalance}; null between snapshots. */
    private SnapshotWriter snapshotWriter;
    /**
     * Writes one amount of the snapshot being written; made once, so that walking the balances with
     * {@link LinkedHashMap#forEach}, which follows the map's links without an iterator, allocates nothing.
     */
    private final BiConsumer<String, Balance> snapshotBalance =
        (balanceKey, balance) -> writeSnapshotBalance(snapshotWriter, balance);

    /**
     * @param account the account id, also the item key.
     */
    BalancesItem(final String account)
    {
        super(account);
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.BALANCES.value();
    }

    @Override
    void clearState()
    {
        balances.clear();
    }

    int size()
    {
        return balances.size();
    }

    Balance balance(final String type, final String currency)
    {
        return balances.get(type + '|' + currency);
    }

    /**
     * Apply one change.
     *
     * @return the balance set, or null for a clear.
     */
    Balance apply(final BalanceUpdateDecoder decoder)
    {
        final ChangeAction action = decoder.action();
        final long mantissa = decoder.amount().mantissa();
        final int exponent = decoder.amount().exponent();
        decoder.accountId();
        final String type = decoder.balanceType();
        final String currency = decoder.currency();
        if (action == ChangeAction.CLEAR)
        {
            balances.clear();
            return null;
        }
        if (action == ChangeAction.REMOVE)
        {
            final Balance removed = balances.remove(type + '|' + currency);
            if (null != removed)
            {
                // Zenith clients drop a balance whose amount is zero.
                removed.amountMantissa = 0;
                removed.amountExponent = 0;
            }
            return removed;
        }
        final Balance balance = balances.computeIfAbsent(type + '|' + currency, k -> new Balance(type, currency));
        balance.amountMantissa = mantissa;
        balance.amountExponent = exponent;
        return balance;
    }

    /**
     * The interlink snapshot: a BalanceUpdate CLEAR, then an UPDATE per amount in the order they were first set.
     */
    @Override
    void writeSnapshot(final SnapshotWriter writer)
    {
        final BalanceUpdateEncoder clear = writer.balanceUpdate().action(ChangeAction.CLEAR);
        clear.amount().mantissa(0).exponent((byte)0);
        writer.send(clear.accountId(key).balanceType("").currency("").encodedLength());
        snapshotWriter = writer;
        try
        {
            balances.forEach(snapshotBalance);
        }
        finally
        {
            snapshotWriter = null;
        }
    }

    private void writeSnapshotBalance(final SnapshotWriter writer, final Balance balance)
    {
        final BalanceUpdateEncoder encoder = writer.balanceUpdate().action(ChangeAction.UPDATE);
        encoder.amount().mantissa(balance.amountMantissa).exponent((byte)balance.amountExponent);
        writer.send(encoder.accountId(key).balanceType(balance.type).currency(balance.currency).encodedLength());
    }

    /**
     * The clear record, then every amount.
     */
    @Override
    void writeFull(final JsonWriter writer)
    {
        writer.startArray();
        writeClear(writer);
        for (final Balance balance : balances.values())
        {
            writeBalance(writer, balance);
        }
        writer.endArray();
    }

    /**
     * The answer of {@code QueryBalances}: every amount, without the clear record.
     */
    @Override
    void writeQueryAnswer(final JsonWriter writer, final String[] filter)
    {
        writer.startArray();
        for (final Balance balance : balances.values())
        {
            writeBalance(writer, balance);
        }
        writer.endArray();
    }

    /**
     * One change: the clear record for a clear, else the amount set.
     */
    void writeDelta(final JsonWriter writer, final Balance balance)
    {
        writer.startArray();
        if (null == balance)
        {
            writeClear(writer);
        }
        else
        {
            writeBalance(writer, balance);
        }
        writer.endArray();
    }

    private void writeClear(final JsonWriter writer)
    {
        writer.startObject()
            .name("Account").string(key)
            .name("Type").string("")
            .name("Currency").string("")
            .name("Amount").number(0)
            .endObject();
    }

    private void writeBalance(final JsonWriter writer, final Balance balance)
    {
        writer.startObject()
            .name("Account").string(key)
            .name("Type").string(balance.type)
            .name("Currency").string(balance.currency)
            .name("Amount").decimal(balance.amountMantissa, balance.amountExponent)
            .endObject();
    }
}
