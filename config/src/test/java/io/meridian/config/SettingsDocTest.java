package io.meridian.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Keeps docs/settings.md in step with the settings: every setting is listed with its environment name, its
 * environment alias if it has one, and default.
 */
class SettingsDocTest
{
    @Test
    void everySettingIsDocumented() throws Exception
    {
        final String doc = Files.readString(Path.of("..", "docs", "settings.md"));
        for (final Setting setting : Setting.values())
        {
            final String defaultValue = setting.defaultValue();
            final String defaultCell = defaultValue.isEmpty() ? "(empty)" : "`" + defaultValue + "`";
            final String row = "| `" + setting.key() + "` | `" + setting.envName() + "` | " + defaultCell + " |";
            assertTrue(doc.contains(row), "docs/settings.md is missing or out of date for " + setting.key() +
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

    @Test
    void everyDocumentedSettingExists() throws Exception
    {
        final java.util.regex.Matcher rows = java.util.regex.Pattern
            .compile("(?m)^\\| `([a-z0-9.-]+)` \\| `MERIDIAN_")
            .matcher(Files.readString(Path.of("..", "docs", "settings.md")));
        int count = 0;
        while (rows.find())
        {
            count++;
            assertTrue(null != Setting.byKey(rows.group(1)), "docs/settings.md lists " + rows.group(1) +
                ", which is not a setting");
        }
        assertTrue(count == Setting.values().length, count + " rows for " + Setting.values().length + " settings");
    }
}
