package io.meridian.engine;

import io.meridian.codecs.interlink.AccountUpdateDecoder;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.json.JsonWriter;

import java.util.LinkedHashMap;
import java.util.function.BiConsumer;

/**
 * The accounts one user may see and trade, as the Trading Agent associates them (item key: the user name). It is
 * both the Zenith {@code Accounts} data and the engine's entitlement check: a user's orders, holdings, balances
 * and order requests are allowed only for the accounts listed here. Account lists change rarely, so strings and
 * objects are fine.
 */
final class AccountsItem extends Item
{
    /** The name of the trading feed accounts belong to, as listed in {@code Zenith/Feeds}. */
    static final String PROVIDER = "OMS";

    /** One account. */
    static final class Account
    {
        final String id;
        String name;
        String currency;
        FeedStatus feedStatus;

        Account(final String id)
        {
            this.id = id;
        }
    }

    private final LinkedHashMap<String, Account> accounts = new LinkedHashMap<>();
    /** The writer of the snapshot being written, for {@link #snapshotAccount}; null between snapshots. */
    private SnapshotWriter snapshotWriter;
    /**
     * Writes one account of the snapshot being written; made once, so that walking the accounts with
     * {@link LinkedHashMap#forEach}, which follows the map's links without an iterator, allocates nothing.
     */
    private final BiConsumer<String, Account> snapshotAccount =
        (accountId, account) -> writeSnapshotAccount(snapshotWriter, account);
    /** Requests that need this list to decide whether they are allowed, waiting for its first snapshot. */
    final java.util.ArrayList<CacheEngine.EntitlementWait> awaitingEntitlement = new java.util.ArrayList<>();

    /**
     * @param user the user name, also the item key.
     */
    AccountsItem(final String user)
    {
        super(user);
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.ACCOUNTS.value();
    }

    @Override
    void clearState()
    {
        accounts.clear();
    }

    /**
     * @param accountId an account id.
     * @return true if the user may see and trade it.
     */
    boolean allows(final String accountId)
    {
        return accounts.containsKey(accountId);
    }

    int size()
    {
        return accounts.size();
    }

    /**
     * @return the account ids, in the order they were added.
     */
    java.util.Set<String> ids()
    {
        return accounts.keySet();
    }

    /**
     * Apply one change.
     *
     * @return the account changed, or null for a clear.
     */
    Account apply(final AccountUpdateDecoder decoder)
    {
        final ChangeAction action = decoder.action();
        final FeedStatus feedStatus = decoder.feedStatus();
        final String id = decoder.accountId();
        final String name = decoder.name();
        final String currency = decoder.currency();
        if (action == ChangeAction.CLEAR)
        {
            accounts.clear();
            return null;
        }
        if (action == ChangeAction.REMOVE)
        {
            final Account removed = accounts.remove(id);
            if (null != removed)
            {
                removed.feedStatus = FeedStatus.Closed;
            }
            return removed;
        }
        final Account account = accounts.computeIfAbsent(id, Account::new);
        account.name = name;
        account.currency = currency.isEmpty() ? null : currency;
        account.feedStatus = feedStatus == FeedStatus.NULL_VAL ? FeedStatus.Active : feedStatus;
        return account;
    }

    /**
     * The interlink snapshot: an AccountUpdate ADD per account, in the order they were added, with its name,
     * currency (empty when it has none) and feed status.
     */
    @Override
    void writeSnapshot(final SnapshotWriter writer)
    {
        snapshotWriter = writer;
        try
        {
            accounts.forEach(snapshotAccount);
        }
        finally
        {
            snapshotWriter = null;
        }
    }

    private static void writeSnapshotAccount(final SnapshotWriter writer, final Account account)
    {
        writer.send(writer.accountUpdate()
            .action(ChangeAction.ADD)
            .feedStatus(account.feedStatus)
            .accountId(account.id)
            .name(account.name)
            .currency(account.currency)
            .encodedLength());
    }

    /**
     * Every account, as the data of {@code Accounts} and the answer of {@code QueryAccounts}: an array of account
     * objects.
     */
    @Override
    void writeFull(final JsonWriter writer)
    {
        writer.startArray();
        for (final Account account : accounts.values())
        {
            writeAccount(writer, account);
        }
        writer.endArray();
    }

    /**
     * One account that changed; a removed account is sent with feed status Closed (Zenith's account list has no
     * removal).
     */
    static void writeDelta(final JsonWriter writer, final Account account)
    {
        writer.startArray();
        writeAccount(writer, account);
        writer.endArray();
    }

    /**
     * Every account as the {@code TradingAccounts} data: a Clear, then an Add per account.
     */
    void writeFullOperations(final JsonWriter writer)
    {
        writer.startArray();
        writer.startObject().name("Operation").string("Clear").endObject();
        for (final Account account : accounts.values())
        {
            writer.startObject().name("Operation").string("Add").name("Account");
            writeAccount(writer, account);
            writer.endObject();
        }
        writer.endArray();
    }

    /**
     * One change as {@code TradingAccounts} data: Add, Update or Remove (with the account's ID only).
     */
    static void writeDeltaOperation(final JsonWriter writer, final ChangeAction action, final Account account)
    {
        writer.startArray().startObject();
        if (action == ChangeAction.REMOVE)
        {
            writer.name("Operation").string("Remove").name("Account").startObject().name("ID").string(account.id)
                .endObject();
        }
        else
        {
            writer.name("Operation").string(action == ChangeAction.ADD ? "Add" : "Update").name("Account");
            writeAccount(writer, account);
        }
        writer.endObject().endArray();
    }

    private static void writeAccount(final JsonWriter writer, final Account account)
    {
        writer.startObject()
            .name("ID").string(account.id)
            .name("Name").string(null == account.name || account.name.isEmpty() ? account.id : account.name)
            .name("Feed").string(account.feedStatus.name())
            .name("Provider").string(PROVIDER);
        if (null != account.currency)
        {
            writer.name("Currency").string(account.currency);
        }
        writer.endObject();
    }
}
