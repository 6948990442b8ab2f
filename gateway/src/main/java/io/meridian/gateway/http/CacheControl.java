package io.meridian.gateway.http;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The directives of a {@code Cache-Control} field (RFC 9111 section 5.2), request or response. Directive names are
 * case-insensitive; a value may be a token or a quoted string, which may hold commas. When a directive appears more
 * than once the first occurrence counts, as section 4.2.1 allows.
 */
final class CacheControl
{
    static final CacheControl NONE = new CacheControl(Map.of());

    /**
     * What RFC 9111 section 1.2.2 says to use for a delta-seconds too large to represent.
     */
    static final long MAX_DELTA_SECONDS = 2_147_483_648L;

    /**
     * {@link #seconds} of a directive that is absent.
     */
    static final long ABSENT = -1;

    private final Map<String, String> directives;

    private CacheControl(final Map<String, String> directives)
    {
        this.directives = directives;
    }

    /**
     * @param fields a request or response header.
     * @return the directives of all its {@code Cache-Control} lines.
     */
    static CacheControl of(final HttpFields fields)
    {
        final List<String> values = fields.all("Cache-Control");
        return values.isEmpty() ? NONE : parse(String.join(",", values));
    }

    /**
     * @param value a {@code Cache-Control} field value, or several joined with commas.
     * @return the directives; malformed parts are skipped.
     */
    static CacheControl parse(final String value)
    {
        final Map<String, String> directives = new LinkedHashMap<>();
        final int length = value.length();
        int i = 0;
        while (i < length)
        {
            while (i < length && (value.charAt(i) == ',' || Character.isWhitespace(value.charAt(i))))
            {
                i++;
            }
            final int nameStart = i;
            while (i < length && value.charAt(i) != '=' && value.charAt(i) != ',')
            {
                i++;
            }
            final String name = value.substring(nameStart, i).trim().toLowerCase(Locale.ROOT);
            String directiveValue = null;
            if (i < length && value.charAt(i) == '=')
            {
                i++;
                while (i < length && Character.isWhitespace(value.charAt(i)))
                {
                    i++;
                }
                if (i < length && value.charAt(i) == '"')
                {
                    final StringBuilder quoted = new StringBuilder();
                    i++;
                    while (i < length && value.charAt(i) != '"')
                    {
                        if (value.charAt(i) == '\\' && i + 1 < length)
                        {
                            i++;
                        }
                        quoted.append(value.charAt(i));
                        i++;
                    }
                    i++;
                    directiveValue = quoted.toString();
                    while (i < length && value.charAt(i) != ',')
                    {
                        i++;
                    }
                }
                else
                {
                    final int valueStart = i;
                    while (i < length && value.charAt(i) != ',')
                    {
                        i++;
                    }
                    directiveValue = value.substring(valueStart, i).trim();
                }
            }
            if (!name.isEmpty() && !directives.containsKey(name))
            {
                directives.put(name, directiveValue);
            }
        }
        return directives.isEmpty() ? NONE : new CacheControl(Collections.unmodifiableMap(directives));
    }

    /**
     * @param directive lower case name such as {@code no-cache}.
     * @return true when present, with or without a value.
     */
    boolean has(final String directive)
    {
        return directives.containsKey(directive);
    }

    /**
     * @param directive lower case name.
     * @return its value without quotes, or null when absent or given without a value.
     */
    String value(final String directive)
    {
        return directives.get(directive);
    }

    /**
     * A delta-seconds directive such as {@code max-age}.
     *
     * @param directive lower case name.
     * @return {@link #ABSENT} when absent; 0 when present without a valid value, which makes a response stale
     *         rather than fresh; else the value, at most {@link #MAX_DELTA_SECONDS}.
     */
    long seconds(final String directive)
    {
        if (!directives.containsKey(directive))
        {
            return ABSENT;
        }
        return deltaSeconds(directives.get(directive));
    }

    /**
     * @param text a delta-seconds value: digits only.
     * @return its value capped at {@link #MAX_DELTA_SECONDS}, or 0 when it is not digits.
     */
    static long deltaSeconds(final String text)
    {
        if (null == text || text.isEmpty())
        {
            return 0;
        }
        long result = 0;
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < '0' || c > '9')
            {
                return 0;
            }
            result = result * 10 + (c - '0');
            if (result > MAX_DELTA_SECONDS)
            {
                return MAX_DELTA_SECONDS;
            }
        }
        return result;
    }

    boolean isEmpty()
    {
        return directives.isEmpty();
    }

    @Override
    public String toString()
    {
        return directives.toString();
    }
}
