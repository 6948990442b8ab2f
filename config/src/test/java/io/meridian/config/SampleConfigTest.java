package io.meridian.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SampleConfigTest
{
    @Test
    void commentedOutFileSetsNothing() throws IOException
    {
        final Properties props = new Properties();
        props.load(new StringReader(SampleConfig.text()));
        assertTrue(props.isEmpty(), "every line is a comment: " + props);
    }

    @Test
    void everySettingIsThereOnceAtItsDefaultAndLoadsWhenUncommented(@TempDir final Path dir) throws IOException
    {
        final String text = SampleConfig.text();
        final StringBuilder uncommented = new StringBuilder();
        for (final String line : text.split("\n"))
        {
            final int eq = line.indexOf('=');
            final boolean settingLine = line.startsWith("#") && eq > 1 && null != Setting.byKey(line.substring(1, eq));
            uncommented.append(settingLine ? line.substring(1) : line).append('\n');
        }
        final Properties props = new Properties();
        props.load(new StringReader(uncommented.toString()));
        assertEquals(Setting.values().length, props.size());
        for (final Setting setting : Setting.values())
        {
            assertEquals(setting.defaultValue(), props.getProperty(setting.key()), setting.key());
            assertEquals(1, text.split("\n#" + java.util.regex.Pattern.quote(setting.key()) + "=", -1).length - 1,
                setting.key());
            assertTrue(text.contains("# Environment: " + setting.envName()), setting.key());
        }

        final Path file = dir.resolve("meridian.conf");
        SampleConfig.main(new String[] {file.toString()});
        assertEquals(text, Files.readString(file));
        Files.writeString(file, uncommented);
        final MeridianConfig config = MeridianConfig.load(file, Map.of(), new Properties(), Map.of());
        for (final Setting setting : Setting.values())
        {
            assertEquals(setting.defaultValue(), config.string(setting), setting.key());
            assertEquals("config file " + file, config.origin(setting), setting.key());
        }
    }

    @Test
    void commentLinesStayWithinTheWidth()
    {
        for (final String line : SampleConfig.text().split("\n"))
        {
            if (line.startsWith("# ") && !line.startsWith("# Environment"))
            {
                assertTrue(line.length() <= 100 || !line.substring(2).contains(" "), line);
            }
        }
    }
}
