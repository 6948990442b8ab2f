package io.meridian.engine;

import org.agrona.collections.Long2LongHashMap;

import java.util.Arrays;

/**
 * Rows of {@code long} columns keyed by a {@code long} id, stored densely so a snapshot walks contiguous memory.
 * Removing a row moves the last row into its place. Adding, updating and removing allocate nothing once the table
 * has grown to the size it needs.
 */
final class RowTable
{
    private static final long MISSING = -1;

    private final int columns;
    private final Long2LongHashMap indexById = new Long2LongHashMap(MISSING);
    private long[] ids;
    private long[] data;
    private int size;

    /**
     * @param columns         values per row.
     * @param initialCapacity rows before the first growth.
     */
    RowTable(final int columns, final int initialCapacity)
    {
        this.columns = columns;
        ids = new long[initialCapacity];
        data = new long[initialCapacity * columns];
    }

    int size()
    {
        return size;
    }

    /**
     * @param id a row id.
     * @return the row index, or -1 if there is no such row.
     */
    int find(final long id)
    {
        return (int)indexById.get(id);
    }

    /**
     * Add a row with all columns zero.
     *
     * @param id the new row's id; must not be present.
     * @return the row index.
     */
    int add(final long id)
    {
        if (size == ids.length)
        {
            final int capacity = Math.max(8, size * 2);
            ids = Arrays.copyOf(ids, capacity);
            data = Arrays.copyOf(data, capacity * columns);
        }
        final int row = size++;
        ids[row] = id;
        Arrays.fill(data, row * columns, row * columns + columns, 0);
        indexById.put(id, row);
        return row;
    }

    /**
     * Remove a row by its index.
     *
     * @param row the row index.
     */
    void removeAt(final int row)
    {
        indexById.remove(ids[row]);
        final int last = --size;
        if (row != last)
        {
            ids[row] = ids[last];
            System.arraycopy(data, last * columns, data, row * columns, columns);
            indexById.put(ids[row], row);
        }
    }

    void clear()
    {
        indexById.clear();
        size = 0;
    }

    long id(final int row)
    {
        return ids[row];
    }

    long get(final int row, final int column)
    {
        return data[row * columns + column];
    }

    void set(final int row, final int column, final long value)
    {
        data[row * columns + column] = value;
    }
}
