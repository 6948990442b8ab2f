package io.meridian.gateway.http;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Validation (RFC 9111 section 4.3): the conditional request a cache sends to revalidate a stored response, how a
 * 304 answer updates the stored header, and the cache's own answer to a client's conditional request.
 */
final class Validation
{
    /**
     * Fields a 304 must not change in the stored header (section 3.2): its length, and the content coding the
     * stored body depends on. Set-Cookie is never stored.
     */
    private static final Set<String> NOT_UPDATED = Set.of("content-length", "content-encoding", "content-range",
        "transfer-encoding", "set-cookie", "x-cache");

    private Validation()
    {
    }

    /**
     * @param stored a stored response header.
     * @return true when it has a validator to revalidate with.
     */
    static boolean canValidate(final HttpFields stored)
    {
        return stored.has("ETag") || stored.has("Last-Modified");
    }

    /**
     * The conditional fields of a revalidation request (section 4.3.1): the entity tag in {@code If-None-Match} and
     * {@code Last-Modified} in {@code If-Modified-Since}, both when both are known.
     *
     * @param stored a stored response header.
     * @return the fields to add to the forwarded request; empty without validators.
     */
    static HttpFields conditionalFields(final HttpFields stored)
    {
        final HttpFields.Builder fields = HttpFields.builder();
        final String etag = stored.first("ETag");
        if (null != etag)
        {
            fields.add("If-None-Match", etag);
        }
        final String lastModified = stored.first("Last-Modified");
        if (null != lastModified && HttpDate.parse(lastModified) != HttpDate.INVALID)
        {
            fields.add("If-Modified-Since", lastModified);
        }
        return fields.build();
    }

    /**
     * Does a 304 answer to a revalidation apply to the stored response it revalidated (section 4.3.4)? It does
     * unless it names a different entity tag, or a {@code Last-Modified} different from the stored one.
     *
     * @param stored      the stored response header.
     * @param notModified the 304's header.
     * @return true when the stored response may be updated and reused.
     */
    static boolean selects(final HttpFields stored, final HttpFields notModified)
    {
        final String etag = notModified.first("ETag");
        if (null != etag)
        {
            return null != stored.first("ETag") && weakMatch(etag, stored.first("ETag"));
        }
        final String lastModified = notModified.first("Last-Modified");
        if (null != lastModified && null != stored.first("Last-Modified"))
        {
            return HttpDate.parse(lastModified) == HttpDate.parse(stored.first("Last-Modified"));
        }
        return true;
    }

    /**
     * The stored header updated by a 304 (section 3.2): each field the 304 carries replaces the stored field of
     * that name, except the length and coding of the stored body.
     *
     * @param stored      the stored response header.
     * @param notModified the 304's header, connection-specific fields already removed.
     * @return the updated header.
     */
    static HttpFields freshen(final HttpFields stored, final HttpFields notModified)
    {
        final List<String> replaced = new ArrayList<>();
        for (final HttpFields.Field field : notModified.fields())
        {
            if (!NOT_UPDATED.contains(field.name().toLowerCase(Locale.ROOT)))
            {
                replaced.add(field.name());
            }
        }
        if (replaced.isEmpty())
        {
            return stored;
        }
        final HttpFields.Builder result = HttpFields.builder().addAll(stored.without(replaced));
        for (final HttpFields.Field field : notModified.fields())
        {
            if (!NOT_UPDATED.contains(field.name().toLowerCase(Locale.ROOT)))
            {
                result.add(field.name(), field.value());
            }
        }
        return result.build();
    }

    /**
     * The cache's answer to a client's conditional GET or HEAD (section 4.3.2): with {@code If-None-Match}, 304 when
     * one of its entity tags weakly matches the stored one (or it is {@code *}); else with a valid
     * {@code If-Modified-Since}, 304 when the stored response was last modified (or, lacking
     * {@code Last-Modified}, dated) no later than it.
     *
     * @param request  the client's request header.
     * @param response the header of the response that would be sent.
     * @return true to answer 304 Not Modified.
     */
    static boolean notModified(final HttpFields request, final HttpFields response)
    {
        final String ifNoneMatch = request.joined("If-None-Match");
        if (null != ifNoneMatch)
        {
            final String etag = response.first("ETag");
            for (final String tag : entityTags(ifNoneMatch))
            {
                if ("*".equals(tag) || (null != etag && weakMatch(tag, etag)))
                {
                    return true;
                }
            }
            return false;
        }
        final long since = HttpDate.parse(request.first("If-Modified-Since"));
        if (since == HttpDate.INVALID)
        {
            return false;
        }
        long modified = HttpDate.parse(response.first("Last-Modified"));
        if (modified == HttpDate.INVALID)
        {
            modified = HttpDate.parse(response.first("Date"));
        }
        return modified != HttpDate.INVALID && modified <= since;
    }

    /**
     * The weak comparison of RFC 9110 section 8.8.3.2: the opaque tags match, either or both may be weak.
     *
     * @param a an entity tag.
     * @param b another.
     * @return true when they match weakly.
     */
    static boolean weakMatch(final String a, final String b)
    {
        return opaque(a).equals(opaque(b));
    }

    private static String opaque(final String tag)
    {
        final String trimmed = tag.trim();
        return trimmed.startsWith("W/") ? trimmed.substring(2) : trimmed;
    }

    /**
     * @param value an {@code If-None-Match} value: {@code *} or a list of entity tags, which may hold commas.
     * @return the entity tags, or {@code *}.
     */
    static List<String> entityTags(final String value)
    {
        final List<String> tags = new ArrayList<>();
        int i = 0;
        final int length = value.length();
        while (i < length)
        {
            final char c = value.charAt(i);
            if (c == ',' || Character.isWhitespace(c))
            {
                i++;
                continue;
            }
            final int start = i;
            if (value.startsWith("W/", i))
            {
                i += 2;
            }
            if (i < length && value.charAt(i) == '"')
            {
                final int close = value.indexOf('"', i + 1);
                i = close < 0 ? length : close + 1;
            }
            else
            {
                while (i < length && value.charAt(i) != ',')
                {
                    i++;
                }
            }
            tags.add(value.substring(start, i).trim());
        }
        return tags;
    }
}
