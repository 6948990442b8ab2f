package io.meridian.engine;

import org.agrona.IoUtil;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersManager;
import org.agrona.concurrent.status.CountersReader;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;

/**
 * Every counter of a running Meridian, as Agrona counters: the engine and the gateway increment them without
 * allocating, and anything else reads them without asking the writers, either in the process ({@code /metrics},
 * {@code /admin/counters}) or from another process through a memory-mapped file ({@code meridian stat --file}),
 * the way Aeron's AeronStat reads a media driver's counters.
 * <p>
 * A counter's label is its name, optionally followed by one tag: {@code engine.security-updates} or
 * {@code auth.failures reason=expired}. Its type is {@link #TYPE_TOTAL} (only rises) or {@link #TYPE_GAUGE} (a
 * current value).
 * <p>
 * The file is a {@value #HEADER_LENGTH}-byte header (magic, layout version, the two buffer lengths, the writer's
 * process id and start time) followed by the counters' metadata buffer and their values buffer. The magic is
 * written last, so a reader never sees a half-made file as valid. The file is deleted when the writer closes.
 */
public final class CountersFile implements AutoCloseable
{
    /** A counter that only rises. */
    public static final int TYPE_TOTAL = 1;
    /** A counter holding a current value (sessions open, bytes queued). */
    public static final int TYPE_GAUGE = 2;
    /** The header ahead of the two buffers. */
    public static final int HEADER_LENGTH = 128;
    /** Counters a file holds unless told otherwise. */
    public static final int DEFAULT_CAPACITY = 1024;

    static final int MAGIC = 0x4D43_4E54;
    static final int LAYOUT_VERSION = 1;
    private static final int MAGIC_OFFSET = 0;
    private static final int VERSION_OFFSET = 4;
    private static final int METADATA_LENGTH_OFFSET = 8;
    private static final int VALUES_LENGTH_OFFSET = 12;
    private static final int PID_OFFSET = 16;
    private static final int START_MS_OFFSET = 24;

    private final File file;
    private final MappedByteBuffer mapped;
    private final CountersManager manager;
    private final CachedEpochClock reuseClock = new CachedEpochClock();

    private CountersFile(final File file, final MappedByteBuffer mapped, final AtomicBuffer metadata,
        final AtomicBuffer values)
    {
        this.file = file;
        this.mapped = mapped;
        // Counters are never freed while the process runs, so the reuse clock can stand still.
        this.manager = new CountersManager(metadata, values, StandardCharsets.UTF_8, reuseClock, 0);
    }

    /**
     * Counters in this process's memory only: {@code meridian stat} then reads them through the admin API.
     *
     * @param capacity most counters.
     * @return the counters.
     */
    public static CountersFile inMemory(final int capacity)
    {
        return new CountersFile(null, null,
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.METADATA_LENGTH)),
            new UnsafeBuffer(ByteBuffer.allocateDirect(capacity * CountersReader.COUNTER_LENGTH)));
    }

    /**
     * Counters in a new memory-mapped file that other processes can read; an old file there is replaced.
     *
     * @param file     where; its directory is made if missing.
     * @param capacity most counters.
     * @return the counters.
     * @throws UncheckedIOException when the file cannot be made.
     */
    public static CountersFile create(final File file, final int capacity)
    {
        final int metadataLength = capacity * CountersReader.METADATA_LENGTH;
        final int valuesLength = capacity * CountersReader.COUNTER_LENGTH;
        final File parent = file.getAbsoluteFile().getParentFile();
        try
        {
            if (null != parent)
            {
                Files.createDirectories(parent.toPath());
            }
            Files.deleteIfExists(file.toPath());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot make the counters file " + file + ": " + ex.getMessage(), ex);
        }
        final MappedByteBuffer mapped = IoUtil.mapNewFile(file, HEADER_LENGTH + (long)metadataLength + valuesLength);
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        header.putInt(VERSION_OFFSET, LAYOUT_VERSION);
        header.putInt(METADATA_LENGTH_OFFSET, metadataLength);
        header.putInt(VALUES_LENGTH_OFFSET, valuesLength);
        header.putLong(PID_OFFSET, ProcessHandle.current().pid());
        header.putLong(START_MS_OFFSET, System.currentTimeMillis());
        header.putIntVolatile(MAGIC_OFFSET, MAGIC);
        return new CountersFile(file, mapped,
            new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength));
    }

    /**
     * @param label the counter's name and optional tag.
     * @return a new counter that only rises.
     */
    public AtomicCounter newTotal(final String label)
    {
        synchronized (manager)
        {
            return manager.newCounter(label, TYPE_TOTAL);
        }
    }

    /**
     * @param label the counter's name and optional tag.
     * @return a new counter holding a current value.
     */
    public AtomicCounter newGauge(final String label)
    {
        synchronized (manager)
        {
            return manager.newCounter(label, TYPE_GAUGE);
        }
    }

    /**
     * @return a reader of every counter, for any thread.
     */
    public CountersReader reader()
    {
        return manager;
    }

    /**
     * @return the mapped file, or null when the counters are in memory only.
     */
    public File file()
    {
        return file;
    }

    @Override
    public void close()
    {
        if (null != mapped)
        {
            IoUtil.unmap(mapped);
            IoUtil.delete(file, true);
        }
    }

    /**
     * Another process's counters, read from its file.
     */
    public static final class Mapped implements AutoCloseable
    {
        private final MappedByteBuffer mapped;
        private final CountersReader reader;
        private final long pid;
        private final long startMs;

        private Mapped(final MappedByteBuffer mapped, final CountersReader reader, final long pid, final long startMs)
        {
            this.mapped = mapped;
            this.reader = reader;
            this.pid = pid;
            this.startMs = startMs;
        }

        /**
         * @return the counters.
         */
        public CountersReader reader()
        {
            return reader;
        }

        /**
         * @return the process id of the writer.
         */
        public long pid()
        {
            return pid;
        }

        /**
         * @return when the writer started, epoch milliseconds.
         */
        public long startMs()
        {
            return startMs;
        }

        /**
         * @return true while the writer's process runs (a file left by a killed process is not deleted).
         */
        public boolean writerAlive()
        {
            return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        @Override
        public void close()
        {
            IoUtil.unmap(mapped);
        }
    }

    /**
     * Map a counters file written by another (or this) process.
     *
     * @param file the file.
     * @return its counters.
     * @throws IllegalStateException when the file is missing, not a counters file, or of another layout.
     */
    public static Mapped open(final File file)
    {
        if (!file.isFile())
        {
            throw new IllegalStateException("no counters file at " + file + " (is Meridian running with " +
                "counters.file set to it?)");
        }
        if (file.length() < HEADER_LENGTH)
        {
            throw new IllegalStateException(file + " is not a Meridian counters file: too short");
        }
        final MappedByteBuffer mapped = IoUtil.mapExistingFile(file, "counters");
        final UnsafeBuffer header = new UnsafeBuffer(mapped, 0, HEADER_LENGTH);
        final int magic = header.getIntVolatile(MAGIC_OFFSET);
        final int version = header.getInt(VERSION_OFFSET);
        final int metadataLength = header.getInt(METADATA_LENGTH_OFFSET);
        final int valuesLength = header.getInt(VALUES_LENGTH_OFFSET);
        final String problem;
        if (magic != MAGIC)
        {
            problem = " is not a Meridian counters file (or is still being made)";
        }
        else if (version != LAYOUT_VERSION)
        {
            problem = " has counters layout " + version + "; this version reads layout " + LAYOUT_VERSION;
        }
        else if (metadataLength <= 0 || valuesLength <= 0 ||
            HEADER_LENGTH + (long)metadataLength + valuesLength > mapped.capacity())
        {
            problem = " is damaged: its lengths do not fit the file";
        }
        else
        {
            problem = null;
        }
        if (null != problem)
        {
            IoUtil.unmap(mapped);
            throw new IllegalStateException(file + problem);
        }
        final CountersReader reader = new CountersReader(
            new UnsafeBuffer(mapped, HEADER_LENGTH, metadataLength),
            new UnsafeBuffer(mapped, HEADER_LENGTH + metadataLength, valuesLength), StandardCharsets.UTF_8);
        return new Mapped(mapped, reader, header.getLong(PID_OFFSET), header.getLong(START_MS_OFFSET));
    }

    /**
     * Split a label into its name and its one optional tag.
     *
     * @param label {@code name} or {@code name key=value}.
     * @return {@code {name}} or {@code {name, key, value}}.
     */
    public static String[] parseLabel(final String label)
    {
        final int space = label.indexOf(' ');
        if (space < 0)
        {
            return new String[]{ label };
        }
        final int equals = label.indexOf('=', space);
        if (equals < 0)
        {
            return new String[]{ label.substring(0, space) };
        }
        return new String[]{ label.substring(0, space), label.substring(space + 1, equals),
            label.substring(equals + 1) };
    }
}
