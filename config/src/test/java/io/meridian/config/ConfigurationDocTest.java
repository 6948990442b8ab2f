package io.meridian.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps docs/configuration.md in step with the settings: every setting is listed with its environment name, its
 * environment alias if it has one, and default.
 */
class ConfigurationDocTest
{
    @Test
    void everySettingIsDocumented() throws Exception
    {
        final String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
        for (final Setting setting : Setting.values())
        {
            final String defaultValue = setting.defaultValue();
            final String defaultCell = defaultValue.isEmpty() ? "(empty)" : "`" + defaultValue + "`";
            final String row = "| `" + setting.key() + "` | `" + setting.envName() + "` | " + defaultCell + " |";
            assertTrue(doc.contains(row), "docs/configuration.md is missing or out of date for " + setting.key() +
                "; expected a row starting " + row);
            if (!setting.envAlias().isEmpty())
            {
                final int start = doc.indexOf(row);
                final String line = doc.substring(start, doc.indexOf('\n', start));
                assertTrue(line.contains("`" + setting.envAlias() + "`"),
                    "the row of " + setting.key() + " must name its environment alias " + setting.envAlias());
            }
        }
    }
}
