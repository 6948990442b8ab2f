package io.meridian.bench;

import java.util.List;
import java.util.Map;

/**
 * The harnesses' command line: {@code name=value} options with defaults, and {@code set.KEY=VALUE} settings passed on
 * to Meridian.
 */
final class HarnessOptions
{
    private HarnessOptions()
    {
    }

    /**
     * Put each {@code name=value} into the options (which hold the defaults) and each {@code set.KEY=VALUE} into the
     * settings as {@code KEY=VALUE}.
     *
     * @throws IllegalArgumentException for an option with no default.
     */
    static void parse(final String[] args, final Map<String, String> options, final List<String> settings)
    {
        for (final String arg : args)
        {
            final int equals = arg.indexOf('=');
            final String name = equals < 1 ? arg : arg.substring(0, equals);
            if (name.startsWith("set."))
            {
                settings.add(name.substring(4) + "=" + arg.substring(equals + 1));
            }
            else if (equals < 1 || !options.containsKey(name))
            {
                throw new IllegalArgumentException("unknown option " + arg + "; options: " + options.keySet() +
                    " and set.KEY=VALUE");
            }
            else
            {
                options.put(name, arg.substring(equals + 1));
            }
        }
    }
}
