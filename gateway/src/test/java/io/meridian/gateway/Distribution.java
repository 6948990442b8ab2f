package io.meridian.gateway;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distribution archive unpacked for a test, and Meridian run from it through {@code bin/meridian} in processes
 * of their own.
 */
final class Distribution
{
    private static final Pattern LISTENING = Pattern.compile("listening on http://[^:]+:(\\d+)");

    private final Path dir;
    private final Path home;

    private Distribution(final Path dir, final Path home)
    {
        this.dir = dir;
        this.home = home;
    }

    /**
     * Unpack the archive the build made ({@code dist.archive}) with {@code tar}.
     *
     * @param dir where to unpack, and the working directory of every process.
     * @return the unpacked distribution.
     */
    static Distribution unpack(final Path dir) throws Exception
    {
        final Path archive = Path.of(System.getProperty("dist.archive", "missing"));
        assertTrue(Files.isRegularFile(archive), "no archive at " + archive + ": run through mvn verify");
        final Process tar = new ProcessBuilder("tar", "xzf", archive.toString(), "-C", dir.toString())
            .redirectErrorStream(true).start();
        final String output = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, tar.waitFor(), output);
        final Path home;
        try (Stream<Path> entries = Files.list(dir))
        {
            final List<Path> tops = entries.filter(Files::isDirectory).toList();
            assertEquals(1, tops.size(), "one top directory: " + tops);
            home = tops.get(0);
        }
        assertTrue(home.getFileName().toString().startsWith("meridian-"), home.toString());
        return new Distribution(dir, home);
    }

    /**
     * @return the top directory of the unpacked archive.
     */
    Path home()
    {
        return home;
    }

    /**
     * @param args what follows {@code bin/meridian}.
     * @return the command, run with the Java running the tests and no {@code MERIDIAN_*} variables from the build's
     *     environment.
     */
    ProcessBuilder command(final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(home.resolve("bin/meridian").toString());
        command.addAll(List.of(args));
        final ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile());
        builder.environment().put("JAVA_HOME", System.getProperty("java.home"));
        builder.environment().keySet().removeIf(name -> name.startsWith("MERIDIAN_"));
        return builder;
    }

    /**
     * Wait until a started Meridian says where it listens.
     *
     * @param log     the file its output goes to.
     * @param process the process.
     * @return its plain HTTP port.
     */
    static int awaitPort(final Path log, final Process process) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline)
        {
            final String text = Files.exists(log) ? Files.readString(log) : "";
            final Matcher matcher = LISTENING.matcher(text);
            if (matcher.find())
            {
                return Integer.parseInt(matcher.group(1));
            }
            assertTrue(process.isAlive(), "exited early: " + text);
            Thread.sleep(100);
        }
        throw new AssertionError("never listened: " + Files.readString(log));
    }
}
