package io.meridian.engine;

import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.json.JsonWriter;

import java.util.LinkedHashMap;
import java.util.function.BiConsumer;

/**
 * An account's list of entries (orders, holdings) with the Zenith rendering they share: the full state is a clear
 * naming the account followed by an add per entry, a change is one {@code A}, {@code U} (the whole entry, as clients
 * parse an update like an add), {@code R} or {@code C}, and the query answer is the entries themselves. Entry
 * traffic is light next to market data, so each entry is an object updated in place.
 *
 * @param <E> the entry type.
 */
abstract class AccountEntriesItem<E> extends Item
{
    /** Entries by key, in the order they were added. */
    final LinkedHashMap<String, E> entries = new LinkedHashMap<>();
    private final String member;
    /** The writer of the snapshot being written, for {@link #snapshotEntry}; null between snapshots. */
    private SnapshotWriter snapshotWriter;
    /**
     * Writes one entry of the snapshot being written; made once, so that walking the entries with
     * {@link LinkedHashMap#forEach}, which follows the map's links without an iterator, allocates nothing.
     */
    private final BiConsumer<String, E> snapshotEntry = (entryKey, entry) -> writeSnapshotEntry(snapshotWriter, entry);

    /**
     * @param account the account id, also the item key.
     * @param member  the member holding an entry in a change: {@code Order} or {@code Holding}.
     */
    AccountEntriesItem(final String account, final String member)
    {
        super(account);
        this.member = member;
    }

    @Override
    final void clearState()
    {
        entries.clear();
    }

    final int size()
    {
        return entries.size();
    }

    /**
     * The interlink snapshot: the clear, then an add per entry in the order they were added, so that an empty item
     * applying them holds the same entries in the same order.
     */
    @Override
    final void writeSnapshot(final SnapshotWriter writer)
    {
        writeSnapshotClear(writer);
        snapshotWriter = writer;
        try
        {
            entries.forEach(snapshotEntry);
        }
        finally
        {
            snapshotWriter = null;
        }
    }

    /**
     * Write and send the interlink CLEAR that opens the snapshot.
     */
    abstract void writeSnapshotClear(SnapshotWriter writer);

    /**
     * Write and send the interlink ADD of one entry, carrying everything the entry holds.
     */
    abstract void writeSnapshotEntry(SnapshotWriter writer, E entry);

    /**
     * Write an entry in full, as Zenith clients read it.
     */
    abstract void writeEntry(JsonWriter writer, E entry);

    /**
     * Write what a removal names of an entry.
     */
    abstract void writeRemoved(JsonWriter writer, E entry);

    /**
     * @param filter what a query narrows its answer to; never null.
     * @return true if the entry is in the narrowed answer.
     */
    abstract boolean matches(E entry, String[] filter);

    /**
     * The whole list: a clear naming the account, then an add per entry.
     */
    @Override
    final void writeFull(final JsonWriter writer)
    {
        writer.startArray();
        writer.startObject().name("O").string("C").name("Account").string(key).endObject();
        for (final E entry : entries.values())
        {
            writer.startObject().name("O").string("A").name(member);
            writeEntry(writer, entry);
            writer.endObject();
        }
        writer.endArray();
    }

    /**
     * The query answer: the entries themselves, not changes, narrowed by the filter when there is one.
     */
    @Override
    final void writeQueryAnswer(final JsonWriter writer, final String[] filter)
    {
        writer.startArray();
        for (final E entry : entries.values())
        {
            if (null == filter || matches(entry, filter))
            {
                writeEntry(writer, entry);
            }
        }
        writer.endArray();
    }

    /**
     * One change as an array of one.
     *
     * @param action what happened to the entry.
     * @param entry  the entry; unused for a clear.
     */
    final void writeDelta(final JsonWriter writer, final ChangeAction action, final E entry)
    {
        writer.startArray().startObject();
        if (action == ChangeAction.CLEAR)
        {
            writer.name("O").string("C").name("Account").string(key);
        }
        else if (action == ChangeAction.REMOVE)
        {
            writer.name("O").string("R").name(member).startObject();
            writeRemoved(writer, entry);
            writer.endObject();
        }
        else
        {
            writer.name("O").string(action == ChangeAction.ADD ? "A" : "U").name(member);
            writeEntry(writer, entry);
        }
        writer.endObject().endArray();
    }
}
