package io.meridian.engine;

import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.DepthOrderUpdateDecoder;
import io.meridian.codecs.interlink.DepthOrderUpdateEncoder;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeResultEncoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.json.JsonWriter;
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

import java.util.ArrayList;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Cost of the depth-by-order book ({@link DepthItem}) on the engine thread.
 * <ul>
 *     <li>{@code depthOrderApply} (throughput, ops/s; one op = one message): one upstream {@code DepthOrderUpdate}
 *     through {@link CacheEngine#onEvent}: header decode, item lookup, sequence check, {@link DepthItem#apply}
 *     and, with a subscriber, the JSON delta and its copy into the subscriber's outbox. {@code endOfBatch} is true
 *     on every 64th op, as when the Disruptor hands the engine a batch of 64; the outbox is drained right after that
 *     op, on the same thread, so the drain is part of the measured time.</li>
 *     <li>{@code snapshotIntoSessionQueue} (average time, µs): a new session subscribes to a populated book through
 *     {@link RingEvent#SUBSCRIBE} (full state written to its outbox, then the confirmation), unsubscribes through
 *     {@link RingEvent#UNSUBSCRIBE}, and its outbox is drained. This path creates a {@link Subscription} and the
 *     engine's per-session map, so it allocates.</li>
 *     <li>{@code fullStateIntoOutbox}: the allocation-free part of the same work: the full state encoded with
 *     {@link DepthItem#writeFull} and written to the outbox behind the subscription's prefix with
 *     {@link SessionOutbox#write(DirectBuffer, int, DirectBuffer, int, int, byte)}, as the engine's private
 *     {@code encodeFull} and {@code sendData} do, then drained.</li>
 *     <li>{@code fullStateEncode}: {@link DepthItem#writeFull} alone.</li>
 *     <li>{@code ...EveryOrderChanged}: the same, with every order counted as changed since the last full state, so
 *     none of its kept add text is copied and every order is printed afresh (as for the first full state of a book).
 *     The other three measure a book that has not changed between full states (as when many clients subscribe at
 *     once, after a failover for example).</li>
 * </ul>
 * The updates are a prebuilt cycle of {@link #CYCLE} messages (adds, quantity updates and removals) that keeps the
 * book near {@code bookSize} orders and brings it back to its starting set of orders at the end of the cycle, so the
 * cycle can be replayed for ever without an add of a known order or a change to an unknown one: the second half of
 * the cycle undoes the first half in reverse order (an add becomes a removal, a removal re-adds the order with its
 * fields, a quantity update restores the previous quantity). The sequence number is rewritten in place before each
 * op. The counters are checked after every iteration and the benchmark fails on a gap, an inconsistent change, an
 * error, an overflow or a slow-consumer resync.
 * <p>
 * The ring slot's buffer is wrapped on the prebuilt message, so the poller's copy into the slot is not measured.
 * The messages take {@code CYCLE} x 64 bytes (4 MiB), read in order.
 * <p>
 * Outboxes have 1 MiB: a session outbox's largest frame is an eighth of its capacity, and the full state of a
 * 1,000-order book is about 117 KB.
 * <p>
 * The forked JVM gets the {@code --add-opens} Agrona needs (the jar manifest's Add-Opens only covers the JMH
 * launcher JVM, not the fork).
 */
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 2, jvmArgsAppend = {
    "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
    "--add-opens", "java.base/java.nio=ALL-UNNAMED",
    "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED" })
public class DepthUpdateBenchmark
{
    /** Messages in the replayed cycle; a power of two. */
    static final int CYCLE = 1 << 16;
    /** One cache line per message; a DepthOrderUpdate is 61 bytes. */
    static final int MESSAGE_STRIDE = 64;
    static final int MESSAGE_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH + DepthOrderUpdateEncoder.BLOCK_LENGTH;
    /** Ops per Disruptor batch: {@code endOfBatch} is true, and the outbox is drained, on every such op. */
    static final int BATCH_SIZE = 64;
    /** Session outbox capacity: the largest frame is an eighth of it. */
    static final int OUTBOX_CAPACITY = 1 << 20;
    static final long LINK_ID = 77;
    static final long UPSTREAM_ITEM_ID = 501;
    static final String CONTROLLER = "Market";
    static final String KEY = "ALP.XSX";
    static final String TOPIC = "Depth!" + KEY;
    static final int SEQ_NO_OFFSET =
        MessageHeaderEncoder.ENCODED_LENGTH + DepthOrderUpdateEncoder.seqNoEncodingOffset();

    /**
     * The engine with one live depth item, optionally one subscriber, and the cycle of updates to feed it.
     */
    @State(Scope.Thread)
    public static class ApplyState
    {
        @Param({ "100", "1000" })
        public int bookSize;

        @Param({ "0", "1" })
        public int subscribers;

        private final RingEvent updateEvent = new RingEvent(0);
        private BookEngine bench;
        private CacheEngine engine;
        private BenchSession session;
        private UnsafeBuffer messages;
        private int slot;
        private long seqNo;
        private long sequence;
        private long fed;
        private long depthUpdatesBeforeRun;
        private long upstreamSubscribesBeforeRun;

        /**
         * Build the cycle and check it on a standalone book, bring the item live with a snapshot, and subscribe the
         * session if there is one.
         */
        @Setup(Level.Trial)
        public void setup()
        {
            final OrderFlow flow = new OrderFlow(bookSize, 42);
            flow.generate();
            flow.verifyCycle(3);

            bench = new BookEngine();
            engine = bench.engine;
            session = subscribers > 0 ? new BenchSession(1) : null;
            final BenchSession setupSession = new BenchSession(100);
            bench.subscribe(null == session ? setupSession : session, true);
            bench.snapshot(flow);
            if (null == session)
            {
                bench.unsubscribe(setupSession);
                bench.drain(setupSession);
                bench.expectFrames(2, "full state and confirmation");
            }
            else
            {
                bench.drain(session);
                bench.expectFrames(2, "full state and confirmation");
                if (bench.frames.maxLength < flow.fullStateLength)
                {
                    throw new IllegalStateException("the full state frame is shorter than the book");
                }
            }
            bench.frames.count = 0;
            bench.checkCounters("setup");

            messages = flow.messages;
            sequence = bench.sequence;
            depthUpdatesBeforeRun = bench.counters.depthUpdates();
            upstreamSubscribesBeforeRun = bench.counters.upstreamSubscribes();
            System.gc();
        }

        /**
         * Fail loudly unless every update fed was applied in order, with one frame each per subscriber, and nothing
         * was resynchronised, dropped or overflowed.
         */
        @TearDown(Level.Iteration)
        public void verify()
        {
            if (null != session)
            {
                bench.drain(session);
            }
            bench.checkCounters("after iteration");
            final long applied = bench.counters.depthUpdates() - depthUpdatesBeforeRun;
            if (applied != fed)
            {
                throw new IllegalStateException("engine applied " + applied + " depth updates, benchmark fed " + fed);
            }
            if (bench.counters.upstreamSubscribes() != upstreamSubscribesBeforeRun)
            {
                throw new IllegalStateException("engine resubscribed upstream");
            }
            bench.expectFrames(fed * subscribers, "deltas");
        }

        /**
         * Feed the next update: rewrite its sequence number, point the ring slot at it, hand it to the engine.
         */
        void feedNextUpdate()
        {
            final int offset = slot * MESSAGE_STRIDE;
            final UnsafeBuffer buffer = messages;
            buffer.putLong(offset + SEQ_NO_OFFSET, ++seqNo, DepthOrderUpdateEncoder.BYTE_ORDER);

            final RingEvent event = updateEvent;
            event.type = RingEvent.UPSTREAM_MESSAGE;
            event.length = MESSAGE_LENGTH;
            event.buffer.wrap(buffer, offset, MESSAGE_LENGTH);
            final boolean endOfBatch = (++fed & (BATCH_SIZE - 1)) == 0;
            engine.onEvent(event, sequence++, endOfBatch);
            if (endOfBatch && null != session)
            {
                bench.drain(session);
            }
            slot = (slot + 1) & (CYCLE - 1);
        }
    }

    /**
     * An engine with one populated depth item, a session that subscribes and unsubscribes, and a standalone copy of
     * the book with the subscription's prefix for the allocation-free path.
     */
    @State(Scope.Thread)
    public static class SnapshotState
    {
        @Param({ "100", "1000" })
        public int bookSize;

        private final RingEvent event = new RingEvent(0);
        private final JsonWriter body = new JsonWriter();
        private BookEngine bench;
        private CacheEngine engine;
        private BenchSession session;
        private DepthItem item;
        private DepthItem cachedItem;
        private Subscription subscription;
        private long sequence;
        private long ops;
        private long framesBeforeRun;
        private long upstreamSubscribesBeforeRun;
        private int fullStateLength;

        /**
         * Bring the item live with a snapshot of {@code bookSize} orders, with no subscriber left, and build the
         * same book standalone.
         */
        @Setup(Level.Trial)
        public void setup()
        {
            final OrderFlow flow = new OrderFlow(bookSize, 42);
            flow.generate();
            fullStateLength = flow.fullStateLength;

            bench = new BookEngine();
            engine = bench.engine;
            final BenchSession setupSession = new BenchSession(100);
            bench.subscribe(setupSession, false);
            bench.snapshot(flow);
            bench.unsubscribe(setupSession);
            bench.drain(setupSession);
            bench.expectFrames(1, "full state");
            bench.frames.count = 0;
            bench.frames.maxLength = 0;
            session = new BenchSession(1);
            cachedItem = (DepthItem)engine.cachedItem(ItemType.DEPTH.value(), KEY);

            item = flow.standaloneBook();
            subscription = new Subscription(session, item, CONTROLLER, TOPIC, new JsonWriter());
            body.reset();
            item.writeFull(body);
            if (body.length() != fullStateLength)
            {
                throw new IllegalStateException("standalone book differs: " + body.length() + " / " + fullStateLength);
            }
            bench.checkCounters("setup");
            sequence = bench.sequence;
            upstreamSubscribesBeforeRun = bench.counters.upstreamSubscribes();
            framesBeforeRun = 0;
            System.out.println("bookSize=" + bookSize + ": full state " + fullStateLength + " bytes, outbox takes " +
                session.outbox().maxFrameLength() + " bytes a frame");
            System.gc();
        }

        /**
         * Every op must have put its frames in the outbox and nothing may have overflowed.
         */
        @TearDown(Level.Iteration)
        public void verify()
        {
            bench.drain(session);
            bench.checkCounters("after iteration");
            if (bench.counters.upstreamSubscribes() != upstreamSubscribesBeforeRun)
            {
                throw new IllegalStateException("engine resubscribed upstream");
            }
            if (bench.frames.count - framesBeforeRun != ops)
            {
                throw new IllegalStateException("expected " + ops + " frames, drained " +
                    (bench.frames.count - framesBeforeRun));
            }
            if (ops > 0 && bench.frames.maxLength < fullStateLength)
            {
                throw new IllegalStateException("no full state frame of " + fullStateLength + " bytes was drained");
            }
            framesBeforeRun = bench.frames.count;
            bench.frames.maxLength = 0;
            ops = 0;
        }

        /**
         * Subscribe through the engine (full state and confirmation into the outbox), unsubscribe, drain.
         */
        int subscribeAndUnsubscribe()
        {
            final RingEvent subscribe = event;
            subscribe.type = RingEvent.SUBSCRIBE;
            subscribe.session = session;
            subscribe.controller = CONTROLLER;
            subscribe.topic = TOPIC;
            subscribe.key = KEY;
            subscribe.itemKind = ItemType.DEPTH.value();
            subscribe.confirm = true;
            engine.onEvent(subscribe, sequence++, false);

            final RingEvent unsubscribe = event;
            unsubscribe.type = RingEvent.UNSUBSCRIBE;
            unsubscribe.session = session;
            unsubscribe.controller = CONTROLLER;
            unsubscribe.topic = TOPIC;
            unsubscribe.key = KEY;
            unsubscribe.itemKind = ItemType.DEPTH.value();
            unsubscribe.confirm = false;
            engine.onEvent(unsubscribe, sequence++, true);
            ops += 2;
            return bench.drain(session);
        }

        /**
         * The full state encoded and written behind the subscription's prefix, as the engine does, then drained.
         */
        int encodeAndWrite()
        {
            final JsonWriter writer = body;
            writer.reset();
            item.writeFull(writer);
            final Subscription sub = subscription;
            if (!session.outbox().write(sub.dataPrefix, sub.dataPrefixLength, writer.buffer(), 0, writer.length(),
                (byte)'}'))
            {
                throw new IllegalStateException("outbox refused a frame of " + writer.length() + " bytes");
            }
            ops++;
            return bench.drain(session);
        }

        int encode()
        {
            final JsonWriter writer = body;
            writer.reset();
            item.writeFull(writer);
            return writer.length();
        }

        int encodeEveryOrderChanged()
        {
            item.forgetText();
            return encode();
        }

        int subscribeAndUnsubscribeEveryOrderChanged()
        {
            cachedItem.forgetText();
            return subscribeAndUnsubscribe();
        }
    }

    /**
     * One depth-by-order update through the cache engine; with a subscriber, its delta into the outbox.
     *
     * @param state the primed engine and the update cycle.
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    public void depthOrderApply(final ApplyState state)
    {
        state.feedNextUpdate();
    }

    /**
     * A new session subscribes to the populated book through the engine and gets its full state, then unsubscribes;
     * its outbox is drained.
     *
     * @param state the populated engine.
     * @return frames drained.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int snapshotIntoSessionQueue(final SnapshotState state)
    {
        return state.subscribeAndUnsubscribe();
    }

    /**
     * As {@link #snapshotIntoSessionQueue}, but every order of the book counts as changed since the last full state,
     * so each add is printed afresh rather than copied: the first full state of a book, or one after a storm of
     * changes.
     *
     * @param state the populated engine.
     * @return frames drained.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int snapshotIntoSessionQueueEveryOrderChanged(final SnapshotState state)
    {
        return state.subscribeAndUnsubscribeEveryOrderChanged();
    }

    /**
     * The full state of the book encoded and written into one outbox, then drained: no engine event, no allocation.
     *
     * @param state the populated book.
     * @return frames drained.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int fullStateIntoOutbox(final SnapshotState state)
    {
        return state.encodeAndWrite();
    }

    /**
     * {@link DepthItem#writeFull} alone.
     *
     * @param state the populated book.
     * @return bytes written.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int fullStateEncode(final SnapshotState state)
    {
        return state.encode();
    }

    /**
     * {@link DepthItem#writeFull} with every order printed afresh, none copied from the previous full state.
     *
     * @param state the populated book.
     * @return bytes written.
     */
    @Benchmark
    @BenchmarkMode(Mode.AverageTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    public int fullStateEncodeEveryOrderChanged(final SnapshotState state)
    {
        return state.encodeEveryOrderChanged();
    }

    /**
     * A cache engine with the link up and one depth item, and the setup-time plumbing around it.
     */
    static final class BookEngine
    {
        final EngineCounters counters = new EngineCounters();
        final RecordingUpstream upstream = new RecordingUpstream();
        final FrameCounter frames = new FrameCounter();
        final CacheEngine engine = new CacheEngine(upstream, counters);
        private final RingEvent setupEvent = new RingEvent(1024);
        private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        long sequence;

        BookEngine()
        {
            setupEvent.clear();
            setupEvent.type = RingEvent.LINK_UP;
            setupEvent.transactionId = LINK_ID;
            engine.onEvent(setupEvent, sequence++, true);
        }

        void subscribe(final BenchSession session, final boolean confirm)
        {
            setupEvent.clear();
            setupEvent.type = RingEvent.SUBSCRIBE;
            setupEvent.session = session;
            setupEvent.controller = CONTROLLER;
            setupEvent.topic = TOPIC;
            setupEvent.key = KEY;
            setupEvent.itemKind = ItemType.DEPTH.value();
            setupEvent.confirm = confirm;
            engine.onEvent(setupEvent, sequence++, true);
        }

        void unsubscribe(final BenchSession session)
        {
            setupEvent.clear();
            setupEvent.type = RingEvent.UNSUBSCRIBE;
            setupEvent.session = session;
            setupEvent.controller = CONTROLLER;
            setupEvent.topic = TOPIC;
            setupEvent.key = KEY;
            setupEvent.itemKind = ItemType.DEPTH.value();
            engine.onEvent(setupEvent, sequence++, true);
        }

        /**
         * Answer the item's upstream Subscribe and send the starting book as a snapshot, ending at sequence number 0.
         */
        void snapshot(final OrderFlow flow)
        {
            if (!KEY.equals(upstream.lastKey))
            {
                throw new IllegalStateException("no upstream Subscribe for " + KEY + ": " + upstream.lastKey);
            }
            final UnsafeBuffer buffer = setupEvent.buffer;
            send(new SubscribeResultEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .linkId(LINK_ID).requestId(upstream.lastRequestId).itemId(UPSTREAM_ITEM_ID)
                .status(SubscribeStatus.OK).reason("").encodedLength());
            send(new SnapshotBeginEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .itemId(UPSTREAM_ITEM_ID).seqNo(0).encodedLength());
            for (final Order order : flow.initial)
            {
                flow.encode(buffer, 0, ChangeAction.ADD, order, order.initialQuantity, 0);
                send(DepthOrderUpdateEncoder.BLOCK_LENGTH);
            }
            send(new SnapshotEndEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .itemId(UPSTREAM_ITEM_ID).seqNo(0).encodedLength());
        }

        private void send(final int encodedLength)
        {
            setupEvent.type = RingEvent.UPSTREAM_MESSAGE;
            setupEvent.length = MessageHeaderEncoder.ENCODED_LENGTH + encodedLength;
            engine.onEvent(setupEvent, sequence++, true);
        }

        int drain(final BenchSession session)
        {
            // One read stops at the end of the ring's buffer; frames that wrapped around need another read.
            int total = 0;
            int drained;
            do
            {
                drained = session.outbox().drain(frames, Integer.MAX_VALUE);
                total += drained;
            }
            while (drained > 0);
            return total;
        }

        void expectFrames(final long expected, final String what)
        {
            if (frames.count != expected)
            {
                throw new IllegalStateException("expected " + expected + " " + what + ", drained " + frames.count);
            }
        }

        void checkCounters(final String when)
        {
            if (counters.sequenceGaps() != 0 || counters.errors() != 0 || counters.overflowedSessions() != 0 ||
                counters.unknownItemUpdates.get() != 0 || counters.inconsistentUpdates() != 0 ||
                counters.slowConsumerResyncs() != 0)
            {
                throw new IllegalStateException(when + ": sequenceGaps=" + counters.sequenceGaps() +
                    " errors=" + counters.errors() + " overflowedSessions=" + counters.overflowedSessions() +
                    " unknownItemUpdates=" + counters.unknownItemUpdates.get() +
                    " inconsistentUpdates=" + counters.inconsistentUpdates() +
                    " slowConsumerResyncs=" + counters.slowConsumerResyncs() + "\n" + counters.errorReport());
            }
        }
    }

    /**
     * One resting order as the generator tracks it; prices in cents (exponent -2).
     */
    static final class Order
    {
        final long id;
        final Side side;
        final long price;
        final long position;
        /** The quantity when the order was created; the cycle restores it. */
        final long initialQuantity;
        /** The quantity as the generator moves it. */
        long quantity;
        int index;

        Order(final long id, final Side side, final long price, final long position, final long quantity)
        {
            this.id = id;
            this.side = side;
            this.price = price;
            this.position = position;
            this.initialQuantity = quantity;
            this.quantity = quantity;
        }
    }

    /**
     * Builds the starting book and the replayable cycle of updates. The first half is a random walk: about 35% adds
     * of new orders, 30% quantity updates and 35% removals of random resting orders, with the odds of an add or a
     * removal tilted by 5 points towards {@code bookSize}. The second half undoes the first in reverse order, so the
     * cycle ends with exactly the orders (and fields) it started with.
     */
    static final class OrderFlow
    {
        static final long MID_PRICE = 10_000;
        static final long FIRST_ORDER_ID = 10_000_001;

        final int bookSize;
        final SplittableRandom random;
        final ArrayList<Order> initial = new ArrayList<>();
        final UnsafeBuffer messages = new UnsafeBuffer(
            BufferUtil.allocateDirectAligned(CYCLE * MESSAGE_STRIDE, BitUtil.CACHE_LINE_LENGTH));
        private final DepthOrderUpdateEncoder encoder = new DepthOrderUpdateEncoder();
        private final MessageHeaderEncoder header = new MessageHeaderEncoder();
        private final ArrayList<Order> live = new ArrayList<>();
        private long nextOrderId = FIRST_ORDER_ID;
        private long nextPosition = 1;
        int adds;
        int updates;
        int removes;
        int minSize = Integer.MAX_VALUE;
        int maxSize;
        int fullStateLength;

        OrderFlow(final int bookSize, final long seed)
        {
            this.bookSize = bookSize;
            this.random = new SplittableRandom(seed);
        }

        void generate()
        {
            for (int i = 0; i < bookSize; i++)
            {
                final Order order = newOrder();
                initial.add(order);
                addLive(order);
            }
            final int half = CYCLE / 2;
            final ChangeAction[] actions = new ChangeAction[half];
            final Order[] orders = new Order[half];
            final long[] oldQuantities = new long[half];
            final long[] newQuantities = new long[half];
            for (int k = 0; k < half; k++)
            {
                final int size = live.size();
                final int tilt = size < bookSize ? 5 : size > bookSize ? -5 : 0;
                final int addCut = 35 + tilt;
                final int roll = random.nextInt(100);
                if (roll < addCut)
                {
                    final Order order = newOrder();
                    addLive(order);
                    actions[k] = ChangeAction.ADD;
                    orders[k] = order;
                    newQuantities[k] = order.quantity;
                }
                else if (roll < addCut + 30)
                {
                    final Order order = live.get(random.nextInt(size));
                    oldQuantities[k] = order.quantity;
                    order.quantity = quantity();
                    actions[k] = ChangeAction.UPDATE;
                    orders[k] = order;
                    newQuantities[k] = order.quantity;
                }
                else
                {
                    final Order order = live.get(random.nextInt(size));
                    removeLive(order);
                    actions[k] = ChangeAction.REMOVE;
                    orders[k] = order;
                    newQuantities[k] = order.quantity;
                }
                count(actions[k]);
                encode(messages, k * MESSAGE_STRIDE, actions[k], orders[k], newQuantities[k], 0);
            }
            for (int k = half - 1, slot = half; k >= 0; k--, slot++)
            {
                final ChangeAction undo;
                final long quantity;
                switch (actions[k])
                {
                    case ADD:
                        undo = ChangeAction.REMOVE;
                        quantity = newQuantities[k];
                        break;
                    case REMOVE:
                        undo = ChangeAction.ADD;
                        quantity = newQuantities[k];
                        break;
                    default:
                        undo = ChangeAction.UPDATE;
                        quantity = oldQuantities[k];
                        break;
                }
                count(undo);
                encode(messages, slot * MESSAGE_STRIDE, undo, orders[k], quantity, 0);
            }

            final JsonWriter writer = new JsonWriter();
            standaloneBook().writeFull(writer);
            fullStateLength = writer.length();
        }

        private void count(final ChangeAction action)
        {
            switch (action)
            {
                case ADD:
                    adds++;
                    break;
                case UPDATE:
                    updates++;
                    break;
                default:
                    removes++;
                    break;
            }
            minSize = Math.min(minSize, live.size());
            maxSize = Math.max(maxSize, live.size());
        }

        private Order newOrder()
        {
            final Side side = random.nextBoolean() ? Side.BID : Side.ASK;
            final long offset = 1 + random.nextInt(50);
            final long price = side == Side.BID ? MID_PRICE - offset : MID_PRICE + offset;
            return new Order(nextOrderId++, side, price, nextPosition++, quantity());
        }

        private long quantity()
        {
            return 100L * (1 + random.nextInt(50));
        }

        private void addLive(final Order order)
        {
            order.index = live.size();
            live.add(order);
        }

        private void removeLive(final Order order)
        {
            final int last = live.size() - 1;
            final Order moved = live.get(last);
            live.set(order.index, moved);
            moved.index = order.index;
            live.remove(last);
        }

        /**
         * Encode one change. An add carries price, position and quantity; an update only the quantity; a removal
         * no fields.
         */
        void encode(
            final MutableDirectBuffer buffer, final int offset, final ChangeAction action, final Order order,
            final long quantity, final long seqNo)
        {
            encoder.wrapAndApplyHeader(buffer, offset, header)
                .itemId(UPSTREAM_ITEM_ID).seqNo(seqNo).action(action).side(order.side).orderId(order.id)
                .position(action == ChangeAction.REMOVE ? 0 : order.position);
            if (action == ChangeAction.ADD)
            {
                encoder.fields().clear().price(true).position(true).quantity(true);
            }
            else if (action == ChangeAction.UPDATE)
            {
                encoder.fields().clear().quantity(true);
            }
            else
            {
                encoder.fields().clear();
            }
            encoder.price().mantissa(action == ChangeAction.REMOVE ? 0 : order.price).exponent((byte)-2);
            encoder.quantity().mantissa(action == ChangeAction.REMOVE ? 0 : quantity).exponent((byte)0);
            if (MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength() != MESSAGE_LENGTH)
            {
                throw new IllegalStateException("unexpected message length " + encoder.encodedLength());
            }
        }

        /**
         * @return a standalone book holding the starting orders, added in the same order as the snapshot.
         */
        DepthItem standaloneBook()
        {
            final DepthItem item = new DepthItem(KEY);
            final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MESSAGE_STRIDE]);
            final DepthOrderUpdateDecoder decoder = new DepthOrderUpdateDecoder();
            final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
            for (final Order order : initial)
            {
                encode(buffer, 0, ChangeAction.ADD, order, order.initialQuantity, 0);
                decoder.wrapAndApplyHeader(buffer, 0, headerDecoder);
                if (!item.apply(decoder))
                {
                    throw new IllegalStateException("starting book rejected order " + order.id);
                }
            }
            return item;
        }

        /**
         * Replay the cycle on a standalone book several times: every change must fit, and each pass must end with
         * the starting orders.
         */
        void verifyCycle(final int passes)
        {
            final DepthItem item = standaloneBook();
            final DepthOrderUpdateDecoder decoder = new DepthOrderUpdateDecoder();
            final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
            for (int pass = 0; pass < passes; pass++)
            {
                for (int slot = 0; slot < CYCLE; slot++)
                {
                    decoder.wrapAndApplyHeader(messages, slot * MESSAGE_STRIDE, headerDecoder);
                    if (!item.apply(decoder))
                    {
                        throw new IllegalStateException("change " + slot + " does not fit the book");
                    }
                }
                if (item.orders().size() != bookSize)
                {
                    throw new IllegalStateException("cycle ends with " + item.orders().size() + " orders");
                }
                for (final Order order : initial)
                {
                    final int row = item.orders().find(order.id);
                    if (row < 0 || item.orders().get(row, DepthItem.QUANTITY_MANTISSA) != order.initialQuantity)
                    {
                        throw new IllegalStateException("cycle does not restore order " + order.id);
                    }
                }
            }
            System.out.println("bookSize=" + bookSize + ": cycle of " + CYCLE + " messages: " + adds + " adds, " +
                updates + " quantity updates, " + removes + " removals; book between " + minSize + " and " +
                maxSize + " orders; full state " + fullStateLength + " bytes");
        }
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
     * Counts drained frames and remembers the longest; allocation free, so draining can run inside the measurement.
     */
    static final class FrameCounter implements MessageHandler
    {
        long count;
        int maxLength;

        @Override
        public void onMessage(final int msgTypeId, final MutableDirectBuffer buffer, final int index, final int length)
        {
            count++;
            if (length > maxLength)
            {
                maxLength = length;
            }
        }
    }

    /**
     * Accepts every upstream Subscribe and remembers the last request id and key, so setup can answer it. Only
     * called during setup: a call while measuring would mean a resync, which the checks reject.
     */
    static final class RecordingUpstream implements UpstreamSender
    {
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final SubscribeDecoder subscribe = new SubscribeDecoder();
        long lastRequestId;
        String lastKey = "";

        @Override
        public long offer(final DirectBuffer buffer, final int offset, final int length)
        {
            header.wrap(buffer, offset);
            if (header.templateId() == SubscribeDecoder.TEMPLATE_ID)
            {
                subscribe.wrapAndApplyHeader(buffer, offset, header);
                lastRequestId = subscribe.requestId();
                lastKey = subscribe.itemKey();
            }
            return 64;
        }
    }
}
