package io.meridian.gateway;

import io.meridian.config.ConfigException;
import io.meridian.config.MeridianConfig;
import io.meridian.config.Setting;
import io.meridian.gateway.Meridian.UsageException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The command line of {@link Meridian}. {@code configFrom} also reads the real environment and system properties, so
 * tests that read a setting below the command line skip themselves when the build sets that setting.
 */
class MeridianLauncherTest
{
    @TempDir
    Path dir;

    @Test
    void noArgumentsGiveDefaults() throws UsageException
    {
        assumeUnsetOutsideCommandLine(Setting.SERVER_PORT);

        final MeridianConfig config = Meridian.configFrom(new String[0]);

        assertEquals(8080, config.serverPort());
    }

    @Test
    void portSetsServerPort() throws UsageException
    {
        final MeridianConfig config = Meridian.configFrom(new String[]{ "--port", "9090" });

        assertEquals(9090, config.serverPort());
        assertEquals("command line", config.origin(Setting.SERVER_PORT));
    }

    @Test
    void originSetsTheHttpCacheOrigin() throws UsageException
    {
        final MeridianConfig config = Meridian.configFrom(new String[]{ "--origin", "http://127.0.0.1:3001/" });

        assertTrue(config.httpCacheEnabled());
        assertEquals("http://127.0.0.1:3001", config.httpCacheOrigin());
        assertEquals("command line", config.origin(Setting.HTTP_CACHE_ORIGIN));
    }

    @Test
    void originMustBeAnHttpUrl()
    {
        final ConfigException ex = assertThrows(
            ConfigException.class, () -> Meridian.configFrom(new String[]{ "--origin", "localhost:3001" }));

        assertTrue(ex.getMessage().contains("http-cache.origin"), ex.getMessage());
    }

    @Test
    void configLoadsPropertiesFileAndCommandLineWinsOverIt() throws IOException, UsageException
    {
        assumeUnsetOutsideCommandLine(Setting.SERVER_NAME);
        final Path file = dir.resolve("meridian.properties");
        Files.writeString(file, "server.name=Meridian Test\nserver.port=1001\n");

        final MeridianConfig fromFile = Meridian.configFrom(new String[]{ "--config", file.toString() });
        final MeridianConfig withPort = Meridian.configFrom(
            new String[]{ "--config", file.toString(), "--port", "9090" });

        assertEquals("Meridian Test", fromFile.serverName());
        assertEquals("config file " + file, fromFile.origin(Setting.SERVER_NAME));
        assertEquals("Meridian Test", withPort.serverName());
        assertEquals(9090, withPort.serverPort());
    }

    @Test
    void setReplacesAnySettingAndKeepsEqualsSignsInTheValue() throws UsageException
    {
        final MeridianConfig config = Meridian.configFrom(new String[]{
            "--set", "sim.securities=500", "--set", "server.name=a=b", "--set", "engine.idle-strategy=busy-spin" });

        assertEquals(500, config.simSecurities());
        assertEquals("a=b", config.serverName());
        assertEquals("busy-spin", config.engineIdleStrategy());
    }

    @Test
    void unknownArgumentIsUsageErrorNamingIt()
    {
        final UsageException ex = assertThrows(
            UsageException.class, () -> Meridian.configFrom(new String[]{ "--port", "9090", "--verbose" }));

        assertEquals(2, ex.exitCode);
        assertTrue(ex.getMessage().contains("'--verbose'"), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "--port", "--config", "--set", "--origin" })
    void optionWithoutValueIsUsageError(final String option)
    {
        final UsageException ex = assertThrows(
            UsageException.class, () -> Meridian.configFrom(new String[]{ option }));

        assertEquals(2, ex.exitCode);
        assertTrue(ex.getMessage().contains(option), ex.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = { "--help", "-h" })
    void helpIsUsageWithExitCodeZeroListingEverySetting(final String option)
    {
        final UsageException ex = assertThrows(
            UsageException.class, () -> Meridian.configFrom(new String[]{ "--port", "9090", option }));

        assertEquals(0, ex.exitCode);
        assertEquals(Meridian.usage(), ex.getMessage());
        for (final Setting setting : Setting.values())
        {
            assertTrue(ex.getMessage().contains(setting.key()), setting.key() + " missing from usage");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = { "badpair", "=9090" })
    void setWithoutKeyValuePairIsUsageError(final String pair)
    {
        final UsageException ex = assertThrows(
            UsageException.class, () -> Meridian.configFrom(new String[]{ "--set", pair }));

        assertEquals(2, ex.exitCode);
        assertTrue(ex.getMessage().contains(pair), ex.getMessage());
    }

    @Test
    void unreadableConfigFileIsUsageError()
    {
        final Path missing = dir.resolve("missing.properties");

        final UsageException ex = assertThrows(
            UsageException.class, () -> Meridian.configFrom(new String[]{ "--config", missing.toString() }));

        assertEquals(2, ex.exitCode);
        assertTrue(ex.getMessage().contains(missing.toString()), ex.getMessage());
    }

    @Test
    void setOfUnknownKeyIsConfigErrorNamingIt()
    {
        final ConfigException ex = assertThrows(
            ConfigException.class, () -> Meridian.configFrom(new String[]{ "--set", "unknown.key=1" }));

        assertTrue(ex.getMessage().contains("unknown.key"), ex.getMessage());
    }

    @Test
    void badPortIsConfigErrorNamingServerPort()
    {
        final ConfigException ex = assertThrows(
            ConfigException.class, () -> Meridian.configFrom(new String[]{ "--port", "abc" }));

        assertTrue(ex.getMessage().contains("server.port"), ex.getMessage());
        assertTrue(ex.getMessage().contains("command line"), ex.getMessage());
    }

    private static void assumeUnsetOutsideCommandLine(final Setting setting)
    {
        assumeTrue(null == System.getenv(setting.envName()), setting.envName() + " is set");
        assumeTrue(null == System.getProperty(setting.propertyName()), setting.propertyName() + " is set");
    }

    @Test
    void checkConfigReportsWhatTheFileSetsAndHidesSecrets() throws IOException
    {
        final Path file = dir.resolve("good.conf");
        Files.writeString(file, "server.port=9191\ntls.keystore-password=hunter2\n");
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();

        final int code = Meridian.checkConfig(new String[]{ file.toString(), "--set", "sim.securities=50" },
            java.util.Map.of(), new java.io.PrintStream(out, true), new java.io.PrintStream(err, true));

        final String report = out.toString();
        assertEquals(0, code, err.toString());
        assertTrue(report.startsWith(file + ": OK"), report);
        assertTrue(report.contains("server.port") && report.contains("9191") &&
            report.contains("(config file " + file + ")"), report);
        assertTrue(report.contains("sim.securities") && report.contains("(command line)"), report);
        assertTrue(report.contains("****") && !report.contains("hunter2"), report);
        assertTrue(!report.contains("server.host"), "settings at their default are not listed: " + report);
    }

    @Test
    void checkConfigFailsWithTheSettingNamed() throws IOException
    {
        final Path bad = dir.resolve("bad.conf");
        Files.writeString(bad, "server.port=eighty\n");
        final Path unknown = dir.resolve("unknown.conf");
        Files.writeString(unknown, "server.prot=80\n");
        final java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        final java.io.PrintStream errStream = new java.io.PrintStream(err, true);
        final java.io.PrintStream quiet = new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true);

        assertEquals(2, Meridian.checkConfig(new String[]{ bad.toString() }, java.util.Map.of(), quiet, errStream));
        assertTrue(err.toString().contains("server.port") && err.toString().contains("eighty"), err.toString());
        err.reset();
        assertEquals(2, Meridian.checkConfig(new String[]{ unknown.toString() }, java.util.Map.of(), quiet,
            errStream));
        assertTrue(err.toString().contains("server.prot: unknown setting"), err.toString());
        err.reset();
        assertEquals(2, Meridian.checkConfig(new String[0], java.util.Map.of(), quiet, errStream));
        assertTrue(err.toString().contains("usage: meridian check-config FILE"), err.toString());
        err.reset();
        assertEquals(2, Meridian.checkConfig(new String[]{ dir.resolve("missing.conf").toString() },
            java.util.Map.of(), quiet, errStream));
        assertTrue(err.toString().contains("cannot read"), err.toString());
    }

    @Test
    void versionNamesTheReleaseAndTheJava()
    {
        final String version = Meridian.version();
        assertTrue(version.startsWith("Meridian " + MeridianServer.VERSION + " (Java "), version);
    }
}
