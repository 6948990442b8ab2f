package io.meridian.engine;

import org.agrona.concurrent.status.AtomicCounter;
import org.agrona.concurrent.status.CountersReader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CountersFileTest
{
    @TempDir
    File dir;

    @Test
    void anotherReaderOfTheFileSeesEveryCounterWithItsTypeAndValue()
    {
        final File file = new File(dir, "sub/counters.dat");
        try (CountersFile counters = CountersFile.create(file, 16))
        {
            final AtomicCounter updates = counters.newTotal("engine.security-updates");
            final AtomicCounter sessions = counters.newGauge("sessions");
            final AtomicCounter expired = counters.newTotal("auth.failures reason=expired");
            updates.incrementRelease();
            updates.incrementRelease();
            sessions.setRelease(7);
            expired.increment();

            try (CountersFile.Mapped mapped = CountersFile.open(file))
            {
                assertEquals(ProcessHandle.current().pid(), mapped.pid());
                assertTrue(mapped.writerAlive());
                assertTrue(mapped.startMs() > 0);
                final CountersReader reader = mapped.reader();
                final List<String> seen = new ArrayList<>();
                reader.forEach((CountersReader.MetaData)(id, typeId, key, label) ->
                    seen.add(label + "|" + typeId + "|" + reader.getCounterValue(id)));
                assertEquals(List.of(
                    "engine.security-updates|" + CountersFile.TYPE_TOTAL + "|2",
                    "sessions|" + CountersFile.TYPE_GAUGE + "|7",
                    "auth.failures reason=expired|" + CountersFile.TYPE_TOTAL + "|1"), seen);

                updates.incrementRelease();
                assertEquals(3, reader.getCounterValue(updates.id()), "the mapping is live, not a copy");
            }
        }
        assertFalse(file.exists(), "the writer removes its file when it closes");
    }

    @Test
    void aFileThatIsNotACountersFileIsRefusedWithItsReason() throws Exception
    {
        final File missing = new File(dir, "missing.dat");
        assertTrue(assertThrows(IllegalStateException.class, () -> CountersFile.open(missing)).getMessage()
            .contains("no counters file at"));

        final File zeros = new File(dir, "zeros.dat");
        Files.write(zeros.toPath(), new byte[4096]);
        assertTrue(assertThrows(IllegalStateException.class, () -> CountersFile.open(zeros)).getMessage()
            .contains("is not a Meridian counters file"));

        final File shortFile = new File(dir, "short.dat");
        Files.write(shortFile.toPath(), new byte[10]);
        assertTrue(assertThrows(IllegalStateException.class, () -> CountersFile.open(shortFile)).getMessage()
            .contains("too short"));

        final File truncated = new File(dir, "truncated.dat");
        try (CountersFile counters = CountersFile.create(new File(dir, "whole.dat"), 8))
        {
            counters.newTotal("a");
            final byte[] whole = Files.readAllBytes(new File(dir, "whole.dat").toPath());
            Files.write(truncated.toPath(), java.util.Arrays.copyOf(whole, CountersFile.HEADER_LENGTH + 100));
        }
        assertTrue(assertThrows(IllegalStateException.class, () -> CountersFile.open(truncated)).getMessage()
            .contains("damaged"));
    }

    @Test
    void aCreatedFileReplacesALeftOverOne() throws Exception
    {
        final File file = new File(dir, "counters.dat");
        Files.write(file.toPath(), new byte[100]);
        try (CountersFile counters = CountersFile.create(file, 4))
        {
            counters.newGauge("g").setRelease(5);
            try (CountersFile.Mapped mapped = CountersFile.open(file))
            {
                assertEquals(5, mapped.reader().getCounterValue(0));
            }
        }
    }

    @Test
    void inMemoryCountersAreReadThroughTheirReader()
    {
        try (CountersFile counters = CountersFile.inMemory(4))
        {
            final AtomicCounter counter = counters.newTotal("x");
            counter.incrementRelease();
            assertEquals(1, counters.reader().getCounterValue(counter.id()));
            assertEquals("x", counters.reader().getCounterLabel(counter.id()));
            assertEquals(null, counters.file());
        }
    }

    @Test
    void labelsSplitIntoNameAndOneTag()
    {
        assertArrayEquals(new String[]{ "engine.items" }, CountersFile.parseLabel("engine.items"));
        assertArrayEquals(new String[]{ "engine.items", "state", "live" },
            CountersFile.parseLabel("engine.items state=live"));
        assertArrayEquals(new String[]{ "auth.failures", "reason", "missing claim sub" },
            CountersFile.parseLabel("auth.failures reason=missing claim sub"));
        assertArrayEquals(new String[]{ "odd" }, CountersFile.parseLabel("odd label"));
    }

    @Test
    void engineCountersAreAllocatedInTheGivenFile()
    {
        try (CountersFile file = CountersFile.inMemory(CountersFile.DEFAULT_CAPACITY))
        {
            final EngineCounters counters = new EngineCounters(file);
            counters.orderResults[io.meridian.codecs.interlink.OrderResult.Rejected.ordinal()].incrementRelease();
            final List<String> labels = new ArrayList<>();
            file.reader().forEach((value, id, label) -> labels.add(label));
            assertTrue(labels.contains("engine.security-updates"), labels.toString());
            assertTrue(labels.contains("engine.items state=stale"), labels.toString());
            assertEquals(1, counters.orderResults(io.meridian.codecs.interlink.OrderResult.Rejected));
            final List<String> visited = new ArrayList<>();
            counters.forEach((label, value) -> visited.add(label));
            assertEquals(labels, visited, "forEach visits the engine's counters in allocation order");
        }
    }
}
