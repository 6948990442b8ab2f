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

    /**
     * Largest interlink message a sender may emit without knowing the receiver's settings. A Meridian receiver
     * copies each message into a ring slot ({@code engine.slot-bytes}, 1024 by default), so senders keep messages
     * at or under this size and split long answers (trade history, for one) over several messages.
     */
    public static final int MAX_MESSAGE_LENGTH = 1024;

    /** Trades per {@code TradeHistoryResponse} message: keeps each message under {@link #MAX_MESSAGE_LENGTH}. */
    public static final int TRADES_PER_HISTORY_MESSAGE = 8;

    private InterlinkProtocol()
    {
    }
}
