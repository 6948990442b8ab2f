package io.meridian.gateway;

/**
 * Parses Zenith topic strings such as {@code Security!BHP.XSX}.
 */
final class Topics
{
    static final String SECURITY_PREFIX = "Security!";
    static final int MAX_SYMBOL_LENGTH = 64;

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
