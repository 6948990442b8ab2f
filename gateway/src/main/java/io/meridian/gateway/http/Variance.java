package io.meridian.gateway.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Secondary cache keys from {@code Vary} (RFC 9111 section 4.1). A stored response nominates request fields; a
 * later request may reuse it only when its values of those fields match the values of the request that got it.
 * Values are compared after the normalisations section 4.1 allows: whitespace around commas and runs of whitespace
 * are collapsed, and fields whose values are case-insensitive are lower-cased. {@code Accept-Encoding} is reduced to
 * whether gzip is acceptable, because that is the only content coding Meridian negotiates with the origin.
 */
final class Variance
{
    /**
     * Field value used for a nominated field the request does not have, distinct from any real value.
     */
    static final String ABSENT = "\u0000";

    private static final Set<String> CASE_INSENSITIVE =
        Set.of("accept-language", "accept-charset", "accept", "accept-encoding");

    private Variance()
    {
    }

    /**
     * @param response a response header.
     * @return the nominated field names, lower case, sorted and distinct; empty when there is no {@code Vary}; null
     *         for {@code Vary: *}, which no request can match.
     */
    static List<String> names(final HttpFields response)
    {
        final List<String> values = response.all("Vary");
        if (values.isEmpty())
        {
            return List.of();
        }
        final TreeSet<String> names = new TreeSet<>();
        for (final String value : values)
        {
            for (final String name : value.split(","))
            {
                final String trimmed = name.trim().toLowerCase(Locale.ROOT);
                if ("*".equals(trimmed))
                {
                    return null;
                }
                if (!trimmed.isEmpty())
                {
                    names.add(trimmed);
                }
            }
        }
        return Collections.unmodifiableList(new ArrayList<>(names));
    }

    /**
     * @param names   nominated field names from {@link #names}.
     * @param request a request header.
     * @return the request's normalised values of those fields, one per name.
     */
    static List<String> values(final List<String> names, final HttpFields request)
    {
        if (names.isEmpty())
        {
            return List.of();
        }
        final List<String> values = new ArrayList<>(names.size());
        for (final String name : names)
        {
            values.add(normalize(name, request.joined(name)));
        }
        return Collections.unmodifiableList(values);
    }

    /**
     * @param names   nominated field names of a stored response.
     * @param stored  the normalised values of the request that got it.
     * @param request a new request.
     * @return true when the stored response may be selected for the new request.
     */
    static boolean matches(final List<String> names, final List<String> stored, final HttpFields request)
    {
        for (int i = 0; i < names.size(); i++)
        {
            if (!stored.get(i).equals(normalize(names.get(i), request.joined(names.get(i)))))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param name  lower case field name.
     * @param value combined field value, or null when absent.
     * @return the value in the form compared.
     */
    static String normalize(final String name, final String value)
    {
        if ("accept-encoding".equals(name))
        {
            return Compression.acceptsGzip(value) ? "gzip" : "identity";
        }
        if (null == value)
        {
            return ABSENT;
        }
        final StringBuilder result = new StringBuilder(value.length());
        boolean space = false;
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            if (Character.isWhitespace(c))
            {
                space = true;
                continue;
            }
            if (c == ',')
            {
                result.append(',');
                space = false;
                continue;
            }
            if (space && result.length() > 0 && result.charAt(result.length() - 1) != ',')
            {
                result.append(' ');
            }
            space = false;
            result.append(c);
        }
        final String normalized = result.toString();
        return CASE_INSENSITIVE.contains(name) ? normalized.toLowerCase(Locale.ROOT) : normalized;
    }
}
