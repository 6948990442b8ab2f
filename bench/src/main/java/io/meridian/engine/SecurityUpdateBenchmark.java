package io.meridian.engine;

import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SecurityUpdateDecoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeResultEncoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import org.agrona.BitUtil;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.MessageHandler;
import org.agrona.concurrent.UnsafeBuffer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cost of taking one upstream {@code SecurityUpdate} delta on the engine thread.
 * <ul>
 *     <li>{@code decodeAndApply}: one {@link RingEvent#UPSTREAM_MESSAGE} through {@link CacheEngine#onEvent}: header
 *     decode, item lookup, sequence check, {@link SecurityItem#apply}, and when the item has subscribers the JSON
 *     delta and its copy into every subscriber's outbox. {@code endOfBatch} is true on every 64th op, as when the
 *     Disruptor hands the engine a batch of 64; the outboxes are drained right after that op, on the same thread,
 *     so the measured time includes draining (amortised: each op pays for draining one frame per subscriber).</li>
 *     <li>{@code securityItemApply}: {@link SecurityItem#apply} alone, the decoder wrapped on a prebuilt message.</li>
 * </ul>
 * Every item has {@link #MESSAGES_PER_ITEM} prebuilt deltas (trades and quotes), fed round robin over the items.
 * The sequence number is rewritten in place before each op so the engine always sees the next one in order; the
 * counters are checked after every iteration and the benchmark fails if there was a gap, an error or an overflow.
 * <p>
 * The ring slot's buffer is wrapped on the prebuilt message, so the poller's copy into the slot is not measured.
 * With 1000 items the deltas take 1000 x 1024 x 192 bytes (about 197 MB), read in order, so each op fetches its
 * message from memory; with one item they take 192 KiB and stay in cache. The fan-out cost grows with the number
 * of subscriptions the engine has to touch (10,000 for 1000 items and 10 subscribers, allocated session by
 * session as sessions subscribe), so that case is sensitive to cache misses and to other load on the machine.
 * <p>
 * The forked JVM gets the {@code --add-opens} Agrona needs (the jar manifest's Add-Opens only covers the JMH
 * launcher JVM, not the fork).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED" })
public class SecurityUpdateBenchmark
{
    /** Prebuilt deltas per item; they are reused in a cycle, only the sequence number changes. */
    static final int MESSAGES_PER_ITEM = 1024;
    /** Ops per Disruptor batch: {@code endOfBatch} is true, and outboxes are drained, on every such op. */
    static final int BATCH_SIZE = 64;
    /**
     * Outbox bytes of each benchmark session: the gateway default of {@code session.send-buffer-bytes} when the
     * results were measured (it is 1 MiB now).
     */
    static final int OUTBOX_CAPACITY = 256 * 1024;
    static final long LINK_ID = 77;
    static final long FIRST_ITEM_ID = 1001;
    static final int SEQ_NO_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + SecurityUpdateEncoder.seqNoEncodingOffset();

    /**
     * The engine, primed with items, subscribers and snapshots, and the stream of deltas to feed it.
     */
    @State(Scope.Thread)
    public static class EngineState
    {
        @Param({ "1", "1000" })
        public int items;

        @Param({ "0", "1", "10" })
        public int subscribers;

        private final EngineCounters counters = new EngineCounters();
        private final RecordingUpstream upstream = new RecordingUpstream();
        private final FrameCounter frames = new FrameCounter();
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        private final RingEvent setupEvent = new RingEvent(1024);
        private final RingEvent updateEvent = new RingEvent(0);
        private CacheEngine engine;
        private BenchSession[] sessions;
        private DeltaFeed feed;
        private long[] seqNos;
        private int slot;
        private int itemIndex;
        private long sequence;
        private long fed;
        private long updatesBeforeRun;

        /**
         * Bring the link up, create the items with a query, give each a snapshot, subscribe the sessions, and
         * prebuild the deltas.
         */
        @Setup(Level.Trial)
        public void setup()
        {
            engine = new CacheEngine(upstream, counters);
            feed = new DeltaFeed(items);

            setupEvent.clear();
            setupEvent.type = RingEvent.LINK_UP;
            setupEvent.transactionId = LINK_ID;
            engine.onEvent(setupEvent, sequence++, true);

            final BenchSession querySession = new BenchSession(0);
            for (int i = 0; i < items; i++)
            {
                final long before = upstream.subscribes;
                setupEvent.clear();
                setupEvent.type = RingEvent.QUERY_ITEM;
                setupEvent.session = querySession;
                setupEvent.controller = "Market";
                setupEvent.topic = "QuerySecurity";
                setupEvent.key = DeltaFeed.key(i);
                setupEvent.itemKind = ItemType.SECURITY.value();
                setupEvent.transactionId = i;
                engine.onEvent(setupEvent, sequence++, true);
                if (upstream.subscribes != before + 1)
                {
                    throw new IllegalStateException("no upstream Subscribe for " + DeltaFeed.key(i));
                }
                snapshot(upstream.lastRequestId, i);
                drain(querySession);
            }
            expectFrames(items, "query answers");
            frames.count = 0;

            sessions = new BenchSession[subscribers];
            for (int s = 0; s < subscribers; s++)
            {
                sessions[s] = new BenchSession(s + 1);
                for (int i = 0; i < items; i++)
                {
                    setupEvent.clear();
                    setupEvent.type = RingEvent.SUBSCRIBE;
                    setupEvent.session = sessions[s];
                    setupEvent.controller = "Market";
                    setupEvent.topic = "Security!" + DeltaFeed.key(i);
                    setupEvent.key = DeltaFeed.key(i);
                    setupEvent.itemKind = ItemType.SECURITY.value();
                    setupEvent.confirm = true;
                    engine.onEvent(setupEvent, sequence++, true);
                    drain(sessions[s]);
                }
            }
            // Each subscription is served from the cache: full state then the confirmation.
            expectFrames(2L * subscribers * items, "full states and confirmations");
            frames.count = 0;

            feed.encodeDeltas();
            seqNos = new long[items];
            if (engine.cachedSecurities() != items || counters.upstreamSubscribes() != items + 1L)
            {
                throw new IllegalStateException("setup: cached=" + engine.cachedSecurities() +
                    " upstreamSubscribes=" + counters.upstreamSubscribes() + " items=" + items);
            }
            checkCounters("setup");
            updatesBeforeRun = counters.securityUpdates();
            // Whether a collection happens between setup and measurement decides where the survivors (items,
            // subscriptions, their prefixes) end up; force one so every fork starts from a compacted heap.
            System.gc();
        }

        /**
         * Fail loudly if the run was not what it claims to be: every delta applied in order, with one frame per
         * subscriber, and no gap, resync, error or overflow.
         */
        @TearDown(Level.Iteration)
        public void verify()
        {
            drainOutboxes();
            checkCounters("after iteration");
            final long applied = counters.securityUpdates() - updatesBeforeRun;
            if (applied != fed)
            {
                throw new IllegalStateException("engine applied " + applied + " updates, benchmark fed " + fed);
            }
            if (counters.upstreamSubscribes() != items + 1L)
            {
                throw new IllegalStateException("engine resubscribed upstream: " + counters.upstreamSubscribes());
            }
            expectFrames(fed * subscribers, "deltas");
        }

        /**
         * Feed the next delta: rewrite its sequence number, point the ring slot at it, and hand it to the engine.
         */
        void feedNextUpdate()
        {
            final int offset = slot * DeltaFeed.MESSAGE_STRIDE;
            final int length = feed.messageLength;
            final UnsafeBuffer messages = feed.messages;
            messages.putLong(offset + SEQ_NO_OFFSET, ++seqNos[itemIndex], SecurityUpdateEncoder.BYTE_ORDER);

            final RingEvent event = updateEvent;
            event.type = RingEvent.UPSTREAM_MESSAGE;
            event.length = length;
            event.buffer.wrap(messages, offset, length);
            final boolean endOfBatch = (++fed & (BATCH_SIZE - 1)) == 0;
            engine.onEvent(event, sequence++, endOfBatch);
            if (endOfBatch)
            {
                drainOutboxes();
            }

            if (++slot == feed.slots)
            {
                slot = 0;
            }
            if (++itemIndex == items)
            {
                itemIndex = 0;
            }
        }

        private void drainOutboxes()
        {
            final BenchSession[] all = sessions;
            for (final BenchSession session : all)
            {
                drain(session);
            }
        }

        private void drain(final BenchSession session)
        {
            // One read stops at the end of the ring's buffer; frames that wrapped around need another read.
            int drained;
            do
            {
                drained = session.outbox().drain(frames, Integer.MAX_VALUE);
            }
            while (drained > 0);
        }

        private void snapshot(final long requestId, final int item)
        {
            final UnsafeBuffer buffer = setupEvent.buffer;
            final long itemId = FIRST_ITEM_ID + item;
            sendSetup(new SubscribeResultEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .linkId(LINK_ID).requestId(requestId).itemId(itemId).status(SubscribeStatus.OK).reason("")
                .encodedLength());
            sendSetup(new SnapshotBeginEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .itemId(itemId).seqNo(0).encodedLength());
            sendSetup(feed.encodeSnapshot(buffer, item));
            sendSetup(new SnapshotEndEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .itemId(itemId).seqNo(0).encodedLength());
        }

        private void sendSetup(final int encodedLength)
        {
            setupEvent.type = RingEvent.UPSTREAM_MESSAGE;
            setupEvent.length = MessageHeaderEncoder.ENCODED_LENGTH + encodedLength;
            engine.onEvent(setupEvent, sequence++, true);
        }

        private void expectFrames(final long expected, final String what)
        {
            if (frames.count != expected)
            {
                throw new IllegalStateException("expected " + expected + " " + what + ", drained " + frames.count);
            }
        }

        private void checkCounters(final String when)
        {
            if (counters.sequenceGaps() != 0 || counters.errors() != 0 || counters.overflowedSessions() != 0 ||
                counters.unknownItemUpdates.get() != 0)
            {
                throw new IllegalStateException(when + ": sequenceGaps=" + counters.sequenceGaps() +
                    " errors=" + counters.errors() + " overflowedSessions=" + counters.overflowedSessions() +
                    " unknownItemUpdates=" + counters.unknownItemUpdates.get() + "\n" + counters.errorReport());
            }
        }
    }

    /**
     * One security with a snapshot applied, and a cycle of prebuilt deltas for it.
     */
    @State(Scope.Thread)
    public static class ApplyState
    {
        private final SecurityUpdateDecoder decoder = new SecurityUpdateDecoder();
        private final SecurityItem item = new SecurityItem(DeltaFeed.key(0));
        private DeltaFeed feed;
        private int slot;

        /**
         * Apply the snapshot and then every delta once, checking the item ends where the generator did.
         */
        @Setup(Level.Trial)
        public void setup()
        {
            feed = new DeltaFeed(1);
            final UnsafeBuffer snapshot = new UnsafeBuffer(new byte[1024]);
            feed.encodeSnapshot(snapshot, 0);
            decoder.wrapAndApplyHeader(snapshot, 0, new MessageHeaderDecoder());
            item.apply(decoder);

            feed.encodeDeltas();
            for (int i = 0; i < MESSAGES_PER_ITEM; i++)
            {
                applyNextUpdate();
            }
            final DeltaFeed.Book book = feed.books[0];
            if (item.mantissa(SecurityFields.LAST) != book.last ||
                item.mantissa(SecurityFields.VOLUME) != book.volume ||
                item.mantissa(SecurityFields.BEST_BID) != book.bid ||
                item.mantissa(SecurityFields.ASK_COUNT) != book.askCount)
            {
                throw new IllegalStateException("SecurityItem state does not match the deltas applied");
            }
        }

        long applyNextUpdate()
        {
            decoder.wrap(
                feed.messages,
                slot * DeltaFeed.MESSAGE_STRIDE + MessageHeaderDecoder.ENCODED_LENGTH,
                SecurityUpdateDecoder.BLOCK_LENGTH,
                SecurityUpdateDecoder.SCHEMA_VERSION);
            if (++slot == MESSAGES_PER_ITEM)
            {
                slot = 0;
            }
            return item.apply(decoder);
        }
    }

    /**
     * One upstream delta through the cache engine, with fan-out to the subscribers.
     *
     * @param state the primed engine.
     */
    @Benchmark
    public void decodeAndApply(final EngineState state)
    {
        state.feedNextUpdate();
    }

    /**
     * {@link SecurityItem#apply} alone.
     *
     * @param state the item and its deltas.
     * @return the changed-field mask, so the work is not eliminated.
     */
    @Benchmark
    public long securityItemApply(final ApplyState state)
    {
        return state.applyNextUpdate();
    }

    /**
     * A client session that never blocks: nothing to wake up, overflow is left to the engine's counter.
     */
    static final class BenchSession extends ClientSession
    {
        BenchSession(final long sessionId)
        {
            super(sessionId, OUTBOX_CAPACITY);
        }

        @Override
        protected void signal()
        {
        }

        @Override
        protected void onOverflow(final boolean frameTooLarge)
        {
        }
    }

    /**
     * Counts drained frames; allocation free, so draining can run inside the measurement.
     */
    static final class FrameCounter implements MessageHandler
    {
        long count;

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            count++;
        }
    }

    /**
     * Accepts every upstream Subscribe and remembers the last request id, so setup can answer it. Only called
     * during setup: a call while measuring would mean a resync, which {@link EngineState#verify()} rejects.
     */
    static final class RecordingUpstream implements UpstreamSender
    {
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final SubscribeDecoder subscribe = new SubscribeDecoder();
        long lastRequestId;
        long subscribes;

        @Override
        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            header.wrap(buffer, offset);
            if (header.templateId() == SubscribeDecoder.TEMPLATE_ID)
            {
                lastRequestId = subscribe.wrapAndApplyHeader(buffer, offset, header).requestId();
                subscribes++;
            }
            return 64;
        }
    }

    /**
     * Builds per-item snapshots and a cycle of realistic deltas: about a third trades (Last, Trend, Volume,
     * NumberOfTrades, ValueTraded, VWAP), the rest quote changes on the bid or the ask (price, quantity, count).
     * Deltas are laid out in feed order, item after item within each round, one per {@link #MESSAGE_STRIDE} bytes.
     */
    static final class DeltaFeed
    {
        /** Three cache lines; a delta with empty var data is 191 bytes. */
        static final int MESSAGE_STRIDE = 192;
        static final long TRADE = SecurityFields.LAST | SecurityFields.TREND | SecurityFields.VOLUME |
            SecurityFields.NUMBER_OF_TRADES | SecurityFields.VALUE_TRADED | SecurityFields.VWAP;
        static final long BID = SecurityFields.BEST_BID | SecurityFields.BID_QUANTITY | SecurityFields.BID_COUNT;
        static final long ASK = SecurityFields.BEST_ASK | SecurityFields.ASK_QUANTITY | SecurityFields.ASK_COUNT;

        /**
         * Market state of one security as the generator moves it; prices in cents (exponent -2).
         */
        static final class Book
        {
            long last;
            long bid;
            long bidQuantity;
            int bidCount;
            long ask;
            long askQuantity;
            int askCount;
            long volume;
            int trades;
            long valueTraded;
        }

        final int items;
        final int slots;
        final Book[] books;
        final UnsafeBuffer messages;
        final SecurityUpdateEncoder encoder = new SecurityUpdateEncoder();
        final MessageHeaderEncoder header = new MessageHeaderEncoder();
        final SplittableRandom random = new SplittableRandom(42);
        int messageLength;

        DeltaFeed(final int items)
        {
            this.items = items;
            this.slots = items * MESSAGES_PER_ITEM;
            books = new Book[items];
            for (int i = 0; i < items; i++)
            {
                final Book book = new Book();
                book.last = 1000 + (i * 37L) % 9000;
                book.bid = book.last - 1;
                book.bidQuantity = 500;
                book.bidCount = 3;
                book.ask = book.last + 1;
                book.askQuantity = 700;
                book.askCount = 4;
                books[i] = book;
            }
            messages = new UnsafeBuffer(BufferUtil.allocateDirectAligned(
                slots * MESSAGE_STRIDE, BitUtil.CACHE_LINE_LENGTH));
        }

        static String key(final int item)
        {
            return "SYM" + item + ".XSX";
        }

        int encodeSnapshot(final MutableDirectBuffer buffer, final int item)
        {
            final Book book = books[item];
            encoder.wrapAndApplyHeader(buffer, 0, header)
                .itemId(FIRST_ITEM_ID + item)
                .seqNo(0)
                .presence(SecurityFields.ALL)
                .cleared(0)
                .tradingState(TradingState.Open)
                .trend(Trend.None);
            encoder.open().mantissa(book.last).exponent((byte)-2);
            encoder.high().mantissa(book.last).exponent((byte)-2);
            encoder.low().mantissa(book.last).exponent((byte)-2);
            encoder.closePrice().mantissa(book.last).exponent((byte)-2);
            encoder.last().mantissa(book.last).exponent((byte)-2);
            encoder.bestBid().mantissa(book.bid).exponent((byte)-2);
            encoder.bidQuantity().mantissa(book.bidQuantity).exponent((byte)0);
            encoder.bidCount(book.bidCount);
            encoder.bestAsk().mantissa(book.ask).exponent((byte)-2);
            encoder.askQuantity().mantissa(book.askQuantity).exponent((byte)0);
            encoder.askCount(book.askCount);
            encoder.numberOfTrades(0);
            encoder.volume().mantissa(0).exponent((byte)0);
            encoder.valueTraded().mantissa(0).exponent((byte)-2);
            encoder.vwap().mantissa(0).exponent((byte)-4);
            encoder.lotSize().mantissa(1).exponent((byte)0);
            encoder.code("SYM" + item).market("XSX").name("Symbol " + item + " Holdings").currency("USD")
                .cfi("ESVUFR");
            return encoder.encodedLength();
        }

        void encodeDeltas()
        {
            for (int k = 0; k < MESSAGES_PER_ITEM; k++)
            {
                for (int i = 0; i < items; i++)
                {
                    final int length = encodeDelta((k * items + i) * MESSAGE_STRIDE, i, k + 1);
                    if (length > MESSAGE_STRIDE || (messageLength != 0 && length != messageLength))
                    {
                        throw new IllegalStateException("unexpected delta length " + length);
                    }
                    messageLength = length;
                }
            }
        }

        private int encodeDelta(final int offset, final int item, final long seqNo)
        {
            final Book book = books[item];
            encoder.wrapAndApplyHeader(messages, offset, header)
                .itemId(FIRST_ITEM_ID + item)
                .seqNo(seqNo)
                .cleared(0);
            final int kind = random.nextInt(100);
            if (kind < 30)
            {
                final int move = random.nextInt(3) - 1;
                book.last = Math.max(1, book.last + move);
                final long quantity = 100L * (1 + random.nextInt(10));
                book.volume += quantity;
                book.trades++;
                book.valueTraded += book.last * quantity;
                encoder.presence(TRADE).trend(move > 0 ? Trend.Up : move < 0 ? Trend.Down : Trend.None);
                encoder.last().mantissa(book.last).exponent((byte)-2);
                encoder.volume().mantissa(book.volume).exponent((byte)0);
                encoder.numberOfTrades(book.trades);
                encoder.valueTraded().mantissa(book.valueTraded).exponent((byte)-2);
                encoder.vwap().mantissa(book.valueTraded * 100 / book.volume).exponent((byte)-4);
            }
            else if (kind < 65)
            {
                book.bid = Math.max(1, book.last - 1 - random.nextInt(3));
                book.bidQuantity = 100L * (1 + random.nextInt(50));
                book.bidCount = 1 + random.nextInt(20);
                encoder.presence(BID);
                encoder.bestBid().mantissa(book.bid).exponent((byte)-2);
                encoder.bidQuantity().mantissa(book.bidQuantity).exponent((byte)0);
                encoder.bidCount(book.bidCount);
            }
            else
            {
                book.ask = book.last + 1 + random.nextInt(3);
                book.askQuantity = 100L * (1 + random.nextInt(50));
                book.askCount = 1 + random.nextInt(20);
                encoder.presence(ASK);
                encoder.bestAsk().mantissa(book.ask).exponent((byte)-2);
                encoder.askQuantity().mantissa(book.askQuantity).exponent((byte)0);
                encoder.askCount(book.askCount);
            }
            encoder.code("").market("").name("").currency("").cfi("");
            return MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        }
    }
}
