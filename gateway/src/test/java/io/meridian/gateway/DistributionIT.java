package io.meridian.gateway;

import io.meridian.config.Setting;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distribution archive as a user gets it: unpacked with {@code tar}, then run through {@code bin/meridian}, in a
 * process of its own.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DistributionIT
{
    @TempDir
    static Path dir;
    private static Path home;
    private static Distribution distribution;

    @BeforeAll
    static void unpack() throws Exception
    {
        distribution = Distribution.unpack(dir);
        home = distribution.home();
    }

    @Test
    void holdsScriptsLibrariesAndEverySettingCommented() throws IOException
    {
        assertTrue(Files.isExecutable(home.resolve("bin/meridian")));
        assertTrue(Files.isRegularFile(home.resolve("bin/meridian.cmd")));
        try (Stream<Path> jars = Files.list(home.resolve("lib")))
        {
            final List<String> names = jars.map(jar -> jar.getFileName().toString()).toList();
            assertTrue(names.stream().anyMatch(name -> name.startsWith("meridian-gateway-")), names.toString());
            assertTrue(names.stream().anyMatch(name -> name.startsWith("undertow-core-")), names.toString());
            assertTrue(names.stream().noneMatch(name -> name.contains("junit") || name.contains("jazzer")),
                "no test libraries: " + names);
        }
        final String conf = Files.readString(home.resolve("config/meridian.conf"));
        for (final Setting setting : Setting.values())
        {
            assertTrue(conf.contains("\n#" + setting.key() + "="), setting.key());
        }
    }

    @Test
    void versionAndHelp() throws Exception
    {
        final Result version = run("--version");
        assertEquals(0, version.code, version.output);
        assertTrue(version.output.startsWith("Meridian "), version.output);
        final Result help = run("--help");
        assertEquals(0, help.code, help.output);
        assertTrue(help.output.contains("check-config FILE"), help.output);
    }

    @Test
    void checkConfigPassesTheShippedFileAndFailsABadOne() throws Exception
    {
        final Result shipped = run("check-config", home.resolve("config/meridian.conf").toString());
        assertEquals(0, shipped.code, shipped.output);
        assertTrue(shipped.output.contains(": OK"), shipped.output);

        final Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "server.port=eighty\n");
        final Result failed = run("check-config", bad.toString());
        assertEquals(2, failed.code, failed.output);
        assertTrue(failed.output.contains("server.port") && failed.output.contains("eighty"), failed.output);
    }

    @Test
    void startsServesHealthAndDrainsOnSigterm() throws Exception
    {
        final Path log = dir.resolve("run.log");
        final Process meridian = command("--port", "0", "--set", "server.host=127.0.0.1",
            "--set", "sim.securities=50", "--set", "server.drain-grace-seconds=1")
            .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try
        {
            final int port = Distribution.awaitPort(log, meridian);
            final HttpClient http = HttpClient.newHttpClient();
            final HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            final String token = ZenithTestClient.JSON.readTree(http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/demo/token?user=it"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                .body()).get("access_token").asText();
            try (ZenithTestClient client = new ZenithTestClient(port, token))
            {
                client.send("{\"Controller\":\"Market\",\"Topic\":\"Markets\",\"Action\":\"Sub\"," +
                    "\"Confirm\":true}");
                client.await(ZenithTestClient.data("Markets"), 30_000);
                meridian.destroy();
                assertTrue(meridian.waitFor(30, TimeUnit.SECONDS), "exits after the drain: " + Files.readString(log));
                assertEquals(ZenithSession.CLOSE_GOING_AWAY, client.closeCode, Files.readString(log));
            }
            final String output = Files.readString(log);
            assertTrue(output.contains("closing 1 session(s) with 1001"), output);
        }
        finally
        {
            meridian.destroy();
        }
        assertTrue(meridian.waitFor(30, TimeUnit.SECONDS), "exits on SIGTERM");
    }

    private record Result(int code, String output)
    {
    }

    private static Result run(final String... args) throws Exception
    {
        final Process process = command(args).redirectErrorStream(true).start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS));
        return new Result(process.exitValue(), output);
    }

    private static ProcessBuilder command(final String... args)
    {
        return distribution.command(args);
    }
}
