package io.meridian.engine;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EmbeddedDriverDirTest
{
    @Test
    void removesOnlyOurOldDirectoriesWithNoLiveDriver(@TempDir final Path parent) throws Exception
    {
        final long longAgo = System.currentTimeMillis() - 2 * MeridianEngine.DEAD_DRIVER_AGE_MS;
        final File dead = directory(parent, "meridian-aeron-dead", longAgo);
        assertTrue(new File(dead, "cnc.dat").createNewFile());
        assertTrue(dead.setLastModified(longAgo));
        final File starting = directory(parent, "meridian-aeron-starting", System.currentTimeMillis());
        final File notOurs = directory(parent, "aeron-someone-else", longAgo);

        MeridianEngine.removeDeadDriverDirs(parent.toFile());

        assertFalse(dead.exists(), "left by a killed process");
        assertTrue(starting.exists(), "may belong to a driver starting now");
        assertTrue(notOurs.exists(), "not named as ours");
    }

    @Test
    void aParentThatCannotBeListedIsLeftAlone(@TempDir final Path parent)
    {
        MeridianEngine.removeDeadDriverDirs(parent.resolve("missing").toFile());
        assertTrue(parent.toFile().exists());
    }

    private static File directory(final Path parent, final String name, final long modified)
    {
        final File dir = parent.resolve(name).toFile();
        assertTrue(dir.mkdirs());
        assertTrue(dir.setLastModified(modified));
        return dir;
    }
}
