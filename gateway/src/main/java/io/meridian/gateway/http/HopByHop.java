package io.meridian.gateway.http;

import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Connection-specific header fields (RFC 9110 section 7.6.1), which a proxy must not pass on in either direction:
 * {@code Connection} and every field it names, {@code Keep-Alive}, {@code TE}, {@code Trailer},
 * {@code Transfer-Encoding}, {@code Upgrade}, and the {@code Proxy-*} fields meant for this hop (but
 * {@code Proxy-Status}, which reports to the client). The CGI-era {@code Proxy} request field goes too, so an
 * origin can never mistake it for a proxy setting.
 */
final class HopByHop
{
    private static final Set<String> ALWAYS =
        Set.of("connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "proxy");

    private HopByHop()
    {
    }

    /**
     * @param name a field name, any case.
     * @return true when the field is always connection-specific.
     */
    static boolean isHopByHop(final String name)
    {
        final String lower = name.toLowerCase(Locale.ROOT);
        return ALWAYS.contains(lower) || (lower.startsWith("proxy-") && !"proxy-status".equals(lower));
    }

    /**
     * @param fields a received header.
     * @return it without connection-specific fields, including those its {@code Connection} names.
     */
    static HttpFields strip(final HttpFields fields)
    {
        final Set<String> named = new TreeSet<>();
        for (final String value : fields.all("Connection"))
        {
            for (final String token : value.split(","))
            {
                final String trimmed = token.trim().toLowerCase(Locale.ROOT);
                if (!trimmed.isEmpty())
                {
                    named.add(trimmed);
                }
            }
        }
        boolean any = !named.isEmpty();
        for (final HttpFields.Field field : fields.fields())
        {
            if (isHopByHop(field.name()))
            {
                any = true;
                break;
            }
        }
        if (!any)
        {
            return fields;
        }
        final HttpFields.Builder kept = HttpFields.builder();
        for (final HttpFields.Field field : fields.fields())
        {
            if (!isHopByHop(field.name()) && !named.contains(field.name().toLowerCase(Locale.ROOT)))
            {
                kept.add(field.name(), field.value());
            }
        }
        return kept.build();
    }
}
