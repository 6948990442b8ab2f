package io.meridian.gateway;

import io.meridian.codecs.interlink.ItemType;

/**
 * Parses Zenith topic strings such as {@code Security!BHP.XSX} and {@code Depth!BHP.XSX}.
 */
final class Topics
{
    static final String SECURITY_PREFIX = "Security!";
    static final String DEPTH_PREFIX = "Depth!";
    static final String LEVELS_PREFIX = "Levels!";
    static final String TRADES_PREFIX = "Trades!";
    static final int MAX_SYMBOL_LENGTH = 64;

    /**
     * @param topic a Market topic.
     * @return the item type a {@code Prefix!CODE.MARKET} topic names (security, depth, levels or trades), or null
     * if the topic has none of those prefixes.
     */
    static ItemType symbolTopicType(final String topic)
    {
        if (topic.startsWith(SECURITY_PREFIX))
        {
            return ItemType.SECURITY;
        }
        if (topic.startsWith(DEPTH_PREFIX))
        {
            return ItemType.DEPTH;
        }
        if (topic.startsWith(LEVELS_PREFIX))
        {
            return ItemType.LEVELS;
        }
        if (topic.startsWith(TRADES_PREFIX))
        {
            return ItemType.TRADES;
        }
        return null;
    }

    /**
     * @param topic a topic for which {@link #symbolTopicType(String)} is not null.
     * @return the text after the {@code !}.
     */
    static String symbolOf(final String topic)
    {
        return topic.substring(topic.indexOf('!') + 1);
    }

    /**
     * A market code: printable ASCII without spaces, {@code .}, {@code !} or {@code "}, bounded in length.
     *
     * @param market candidate.
     * @return true if well formed.
     */
    static boolean validMarket(final String market)
    {
        final int length = market.length();
        if (length == 0 || length > MAX_SYMBOL_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final char c = market.charAt(i);
            if (c <= ' ' || c > '~' || c == '!' || c == '"' || c == '.')
            {
                return false;
            }
        }
        return true;
    }

    private Topics()
    {
    }

    /**
     * @param topic a {@code Security!CODE.MARKET} topic.
     * @return {@code CODE.MARKET}, or null if the topic is not a well-formed security topic.
     */
    static String securityKey(final String topic)
    {
        if (!topic.startsWith(SECURITY_PREFIX))
        {
            return null;
        }
        final String key = topic.substring(SECURITY_PREFIX.length());
        return validSymbol(key) ? key : null;
    }

    /**
     * A symbol is {@code CODE.MARKET}: both parts non-empty, printable ASCII without spaces, {@code !} or
     * {@code "}, bounded in length.
     *
     * @param key candidate.
     * @return true if well formed.
     */
    static boolean validSymbol(final String key)
    {
        final int length = key.length();
        if (length < 3 || length > MAX_SYMBOL_LENGTH)
        {
            return false;
        }
        final int dot = key.lastIndexOf('.');
        if (dot <= 0 || dot == length - 1)
        {
            return false;
        }
        for (int i = 0; i < length; i++)
        {
            final char c = key.charAt(i);
            if (c <= ' ' || c > '~' || c == '!' || c == '"')
            {
                return false;
            }
        }
        return true;
    }
}
