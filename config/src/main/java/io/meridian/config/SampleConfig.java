package io.meridian.config;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The configuration file shipped in the distribution ({@code config/meridian.conf}): every setting, grouped by its
 * prefix, with its meaning, its environment variable and its default, commented out. It is made from
 * {@link Setting} at build time, so it cannot fall out of step with the code.
 */
public final class SampleConfig
{
    private static final int WIDTH = 100;

    private SampleConfig()
    {
    }

    /**
     * Write the file: {@code SampleConfig FILE}.
     *
     * @param args the path to write.
     * @throws IOException if the file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 1)
        {
            throw new IllegalArgumentException("usage: SampleConfig FILE");
        }
        final Path file = Path.of(args[0]);
        if (null != file.getParent())
        {
            Files.createDirectories(file.getParent());
        }
        Files.writeString(file, text(), StandardCharsets.UTF_8);
    }

    /**
     * @return the text of the file.
     */
    public static String text()
    {
        final StringBuilder out = new StringBuilder(16 * 1024)
            .append("# Meridian settings.\n")
            .append("#\n")
            .append("# Every setting is listed below at its default, commented out: remove the '#' in front of a\n")
            .append("# name and change the value to set it. Precedence, lowest first: the default, this file, the\n")
            .append("# environment (the MERIDIAN_ name given with each setting), a system property\n")
            .append("# (-Dmeridian.NAME=VALUE), the command line (--set NAME=VALUE).\n")
            .append("# An unknown name stops the start.\n")
            .append("# Check a file without starting: meridian check-config FILE\n");
        String group = "";
        for (final Setting setting : Setting.values())
        {
            final String key = setting.key();
            final String prefix = key.substring(0, key.indexOf('.'));
            if (!prefix.equals(group))
            {
                group = prefix;
                out.append("\n# ---- ").append(prefix).append(" ").append("-".repeat(WIDTH - 8 - prefix.length()))
                    .append('\n');
            }
            out.append('\n');
            wrap(out, setting.description());
            out.append("# Environment: ").append(setting.envName());
            if (!setting.envAlias().isEmpty())
            {
                out.append(" (or ").append(setting.envAlias()).append(')');
            }
            out.append('\n').append('#').append(key).append('=').append(escape(setting.defaultValue())).append('\n');
        }
        return out.toString();
    }

    private static void wrap(final StringBuilder out, final String text)
    {
        final String[] words = text.split(" ");
        int lineLength = 0;
        for (final String word : words)
        {
            if (lineLength > 0 && lineLength + 1 + word.length() > WIDTH)
            {
                out.append('\n');
                lineLength = 0;
            }
            if (0 == lineLength)
            {
                out.append('#');
                lineLength = 1;
            }
            out.append(' ').append(word);
            lineLength += 1 + word.length();
        }
        out.append('\n');
    }

    /**
     * Escape a value for a properties file, where a backslash starts an escape and leading blanks are dropped.
     */
    private static String escape(final String value)
    {
        final StringBuilder escaped = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (c == '\\' || (c == ' ' && escaped.length() == 0))
            {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }
}
