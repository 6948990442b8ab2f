package io.meridian.engine;

import io.meridian.codecs.interlink.AccountUpdateEncoder;
import io.meridian.codecs.interlink.BalanceUpdateEncoder;
import io.meridian.codecs.interlink.DepthLevelUpdateEncoder;
import io.meridian.codecs.interlink.DepthOrderUpdateEncoder;
import io.meridian.codecs.interlink.HoldingUpdateEncoder;
import io.meridian.codecs.interlink.MarketUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.OrderUpdateEncoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SymbolUpdateEncoder;
import io.meridian.codecs.interlink.TradeUpdateEncoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;

/**
 * Writes an item's cached state as an interlink snapshot, for a downstream proxy: SnapshotBegin, the item's own
 * update messages (each written by the item through one of the encoder getters, then {@link #send}), SnapshotEnd.
 * Every message carries the item id and sequence number given to {@link #begin}. Holds one reused encoder per
 * message type and one buffer, so writing a snapshot does not allocate.
 * <p>
 * A message the target refuses (back pressure) fails the snapshot: later sends do nothing, {@link #end} returns
 * false, and the caller sends the whole snapshot again later.
 */
final class SnapshotWriter
{
    /** Largest message an item may write: a security's or an order's text fields stay far below this. */
    static final int MAX_MESSAGE_BYTES = 4096;

    /**
     * Where the messages go: a downstream link's publication, or a test's list.
     */
    interface Target
    {
        /**
         * @return true if the message was taken, false under back pressure.
         */
        boolean offer(DirectBuffer buffer, int offset, int length);
    }

    private final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(MAX_MESSAGE_BYTES));
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final SnapshotBeginEncoder snapshotBegin = new SnapshotBeginEncoder();
    private final SnapshotEndEncoder snapshotEnd = new SnapshotEndEncoder();
    private final MarketUpdateEncoder marketUpdate = new MarketUpdateEncoder();
    private final SecurityUpdateEncoder securityUpdate = new SecurityUpdateEncoder();
    private final DepthOrderUpdateEncoder depthOrderUpdate = new DepthOrderUpdateEncoder();
    private final DepthLevelUpdateEncoder depthLevelUpdate = new DepthLevelUpdateEncoder();
    private final TradeUpdateEncoder tradeUpdate = new TradeUpdateEncoder();
    private final SymbolUpdateEncoder symbolUpdate = new SymbolUpdateEncoder();
    private final AccountUpdateEncoder accountUpdate = new AccountUpdateEncoder();
    private final OrderUpdateEncoder orderUpdate = new OrderUpdateEncoder();
    private final HoldingUpdateEncoder holdingUpdate = new HoldingUpdateEncoder();
    private final BalanceUpdateEncoder balanceUpdate = new BalanceUpdateEncoder();

    private Target target;
    private long itemId;
    private long seqNo;
    private boolean failed;
    private int messages;

    /**
     * Start a snapshot: send its SnapshotBegin.
     *
     * @param target where the messages go.
     * @param itemId the item id the receiver knows the item by.
     * @param seqNo  the sequence number of the snapshot; updates after it continue from {@code seqNo + 1}.
     */
    void begin(final Target target, final long itemId, final long seqNo)
    {
        this.target = target;
        this.itemId = itemId;
        this.seqNo = seqNo;
        this.failed = false;
        this.messages = 0;
        snapshotBegin.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
        send(snapshotBegin.encodedLength());
    }

    /**
     * Send the SnapshotEnd.
     *
     * @return true if every message of the snapshot was taken.
     */
    boolean end()
    {
        snapshotEnd.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
        send(snapshotEnd.encodedLength());
        target = null;
        return !failed;
    }

    /**
     * @return messages taken since {@link #begin}, SnapshotBegin included.
     */
    int messages()
    {
        return messages;
    }

    /**
     * Send the message last written through one of the encoder getters.
     *
     * @param encodedLength the encoder's {@code encodedLength()}, the message without its header.
     */
    void send(final int encodedLength)
    {
        if (failed)
        {
            return;
        }
        if (target.offer(buffer, 0, MessageHeaderEncoder.ENCODED_LENGTH + encodedLength))
        {
            messages++;
        }
        else
        {
            failed = true;
        }
    }

    /**
     * @return the MarketUpdate encoder, wrapped with its header, item id and sequence number set.
     */
    MarketUpdateEncoder marketUpdate()
    {
        return marketUpdate.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
    }

    /**
     * @return the SecurityUpdate encoder, wrapped with its header, item id and sequence number set.
     */
    SecurityUpdateEncoder securityUpdate()
    {
        return securityUpdate.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
    }

    /**
     * @return the DepthOrderUpdate encoder, wrapped with its header, item id and sequence number set.
     */
    DepthOrderUpdateEncoder depthOrderUpdate()
    {
        return depthOrderUpdate.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
    }

    /**
     * @return the DepthLevelUpdate encoder, wrapped with its header, item id and sequence number set.
     */
    DepthLevelUpdateEncoder depthLevelUpdate()
    {
        return depthLevelUpdate.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
    }

    /**
     * @return the TradeUpdate encoder, wrapped with its header, item id and sequence number set.
     */
    TradeUpdateEncoder tradeUpdate()
    {
        return tradeUpdate.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
    }

    /**
     * @return the SymbolUpdate encoder, wrapped with its header, item id and sequence number set.
     */
    SymbolUpdateEncoder symbolUpdate()
    {
        return symbolUpdate.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
    }

    /**
     * @return the AccountUpdate encoder, wrapped with its header, item id and sequence number set.
     */
    AccountUpdateEncoder accountUpdate()
    {
        return accountUpdate.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
    }

    /**
     * @return the OrderUpdate encoder, wrapped with its header, item id and sequence number set.
     */
    OrderUpdateEncoder orderUpdate()
    {
        return orderUpdate.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
    }

    /**
     * @return the HoldingUpdate encoder, wrapped with its header, item id and sequence number set.
     */
    HoldingUpdateEncoder holdingUpdate()
    {
        return holdingUpdate.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
    }

    /**
     * @return the BalanceUpdate encoder, wrapped with its header, item id and sequence number set.
     */
    BalanceUpdateEncoder balanceUpdate()
    {
        return balanceUpdate.wrapAndApplyHeader(buffer, 0, header).itemId(itemId).seqNo(seqNo);
    }
}
