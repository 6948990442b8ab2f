package io.meridian.codecs;

/**
 * Constants shared by both ends of an interlink link.
 */
public final class InterlinkProtocol
{
    /** Version carried in Hello and Welcome. */
    public static final int PROTOCOL_VERSION = 1;

    /** Item key of the market list item: the list of every market the upstream serves. */
    public static final String MARKETS_KEY = "*";

    private InterlinkProtocol()
    {
    }
}
