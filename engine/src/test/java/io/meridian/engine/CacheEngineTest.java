package io.meridian.engine;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.MarketUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SubscribeDecoder;
import io.meridian.codecs.interlink.SubscribeResultEncoder;
import io.meridian.codecs.interlink.SubscribeStatus;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import org.agrona.DirectBuffer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CacheEngineTest
{
    private static final long LINK_ID = 77;

    private final EngineCounters counters = new EngineCounters();
    private final List<String> upstreamKeys = new ArrayList<>();
    private final List<Long> upstreamRequestIds = new ArrayList<>();
    private final RingEvent event = new RingEvent(1024);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final List<Long> upstreamUnsubscribes = new ArrayList<>();
    private final org.agrona.concurrent.CachedEpochClock clock = new org.agrona.concurrent.CachedEpochClock();
    private CacheEngine engine;
    /** The upstream's control stream takes nothing: requests wait in the engine to be tried again. */
    private boolean refuseUpstream;
    private long sequence;

    @BeforeEach
    void setUp()
    {
        engine = new CacheEngine(this::captureUpstream, counters);
    }

    @Test
    void subscribesUpstreamOnceLinkIsUpAndServesFullStateThenDeltas() throws Exception
    {
        final TestSession session = new TestSession(1);
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        assertTrue(upstreamKeys.isEmpty(), "nothing is sent before the link is up");
        assertTrue(session.frames().isEmpty(), "no data before the snapshot");

        linkUp();
        assertEquals(List.of("*", "ALP.XSX"), upstreamKeys);

        snapshot(upstreamRequestIds.get(1), 1001, 10, 1010, "ALP", "XSX");
        final List<JsonNode> frames = session.frames();
        assertEquals(2, frames.size(), frames.toString());
        final JsonNode full = frames.get(0);
        assertEquals("Market", full.get("Controller").asText());
        assertEquals("Security!ALP.XSX", full.get("Topic").asText());
        assertFalse(full.has("Action"));
        assertFalse(full.has("TransactionID"));
        assertEquals("ALP", full.get("Data").get("Code").asText());
        assertEquals("XSX", full.get("Data").get("Market").asText());
        assertEquals("10.10", full.get("Data").get("Last").decimalValue().toPlainString());
        assertEquals("Open", full.get("Data").get("TradingState").asText());
        assertTrue(full.get("Data").get("AuctionPrice") == null);
        assertEquals("Sub", frames.get(1).get("Action").asText());
        assertTrue(frames.get(1).get("Confirm").asBoolean());

        lastUpdate(1001, 11, 1011);
        final List<JsonNode> deltas = session.frames();
        assertEquals(1, deltas.size());
        final JsonNode delta = deltas.get(0).get("Data");
        assertEquals(2, delta.size(), "only the changed fields: " + delta);
        assertEquals("10.11", delta.get("Last").decimalValue().toPlainString());
        assertEquals("Up", delta.get("Trend").asText());
    }

    @Test
    void laterSubscriberIsServedFromCacheWithoutAnotherUpstreamSubscription() throws Exception
    {
        final TestSession first = new TestSession(1);
        linkUp();
        subscribe(first, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        lastUpdate(1001, 11, 1020);
        first.frames();

        final TestSession second = new TestSession(2);
        subscribe(second, "Security!ALP.XSX", "ALP.XSX");
        final List<JsonNode> frames = second.frames();
        assertEquals(2, frames.size());
        assertEquals("10.20", frames.get(0).get("Data").get("Last").decimalValue().toPlainString());
        assertEquals(1, upstreamKeys.stream().filter("ALP.XSX"::equals).count());

        lastUpdate(1001, 12, 1030);
        assertEquals(1, first.frames().size());
        assertEquals(1, second.frames().size());
    }

    @Test
    void itemStaysCachedAfterLastClientLeavesAndReferenceCountsAreKept() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        final List<JsonNode> first = session.frames();
        assertEquals(1, first.stream().filter(f -> f.has("Data")).count(), "one subscription, one full state");
        assertEquals(2, first.stream().filter(f -> f.path("Confirm").asBoolean()).count(), "each Sub confirmed");

        unsubscribe(session, "Security!ALP.XSX");
        lastUpdate(1001, 11, 1011);
        assertEquals(1, session.frames().size(), "still subscribed once");

        unsubscribe(session, "Security!ALP.XSX");
        lastUpdate(1001, 12, 1012);
        assertTrue(session.frames().isEmpty());
        assertEquals(1, engine.cachedSecurities(), "kept in the cache");
        assertEquals(1, upstreamKeys.stream().filter("ALP.XSX"::equals).count());
    }

    @Test
    void unknownSymbolGetsErrorThenUnconfirmedSubEcho() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Security!NOPE.XSX", "NOPE.XSX");
        subscribeResult(lastRequestId(), 0, SubscribeStatus.NOT_FOUND);
        final List<JsonNode> frames = session.frames();
        assertEquals(2, frames.size());
        assertEquals("Error", frames.get(0).get("Action").asText());
        assertEquals("Symbol.NotFound NOPE.XSX", frames.get(0).get("Data").asText());
        assertEquals("Sub", frames.get(1).get("Action").asText());
        assertFalse(frames.get(1).has("Confirm"));
        assertEquals(0, engine.cachedSecurities());
    }

    @Test
    void sequenceGapResubscribesAndResendsFullState() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        session.frames();

        lastUpdate(1001, 13, 1050);
        assertTrue(session.frames().isEmpty(), "an update after a gap is not applied");
        assertEquals(1, counters.sequenceGaps());
        assertEquals(2, upstreamKeys.stream().filter("ALP.XSX"::equals).count(), "resubscribed");
        assertEquals(List.of(1001L), upstreamUnsubscribes, "the old subscription is dropped upstream");

        snapshot(lastRequestId(), 1002, 20, 1060, "ALP", "XSX");
        final List<JsonNode> frames = session.frames();
        assertEquals(1, frames.size());
        assertEquals("ALP", frames.get(0).get("Data").get("Code").asText(), "full state again");
        assertEquals("10.60", frames.get(0).get("Data").get("Last").decimalValue().toPlainString());
    }

    @Test
    void sharedUpdatesWaitForTheSnapshotOnTheLinkAndThoseItHoldsAreSkipped() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp(RingEvent.SHARED_LINK);
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        final long requestId = lastRequestId();
        subscribeResult(requestId, 1001, SubscribeStatus.OK);
        // The shared stream runs ahead of the link: these come before the snapshot they follow.
        sharedLast(1001, 10, 1005);
        sharedLast(1001, 11, 1011);
        sharedLast(1001, 12, 1012);
        sharedLast(999, 4, 1);
        assertTrue(session.frames().isEmpty(), "nothing before the snapshot");
        assertEquals(1, counters.upstreamSharedSkipped(), "an item this proxy does not hold is passed over");

        snapshot(requestId, 1001, 10, 1010, "ALP", "XSX");
        final List<JsonNode> frames = session.frames();
        assertEquals(4, frames.size(), frames.toString());
        assertEquals("10.10", frames.get(0).get("Data").get("Last").decimalValue().toPlainString());
        assertEquals("10.11", frames.get(2).get("Data").get("Last").decimalValue().toPlainString());
        assertEquals("10.12", frames.get(3).get("Data").get("Last").decimalValue().toPlainString());
        assertEquals(0, counters.sequenceGaps(), "the update the snapshot holds is skipped, not a gap");

        sharedLast(1001, 13, 1013);
        assertEquals("10.13", session.frames().get(0).get("Data").get("Last").decimalValue().toPlainString());
        assertEquals(4, counters.upstreamSharedMessages());
    }

    @Test
    void aGapOnTheSharedStreamAsksAgainUnderTheSameIdAndHoldsWhatComesMeanwhile() throws Exception
    {
        final TestSession session = liveSharedItem();
        session.frames();

        sharedLast(1001, 12, 1012);
        assertEquals(1, counters.sequenceGaps());
        assertEquals(2, upstreamKeys.stream().filter("ALP.XSX"::equals).count(), "asked again");
        assertTrue(upstreamUnsubscribes.isEmpty(), "a shared item keeps its id: no Unsubscribe");
        sharedLast(1001, 13, 1013);
        assertTrue(session.frames().isEmpty(), "held until the snapshot");

        snapshot(lastRequestId(), 1001, 12, 1012, "ALP", "XSX");
        final List<JsonNode> frames = session.frames();
        assertEquals(2, frames.size(), frames.toString());
        assertEquals("10.12", frames.get(0).get("Data").get("Last").decimalValue().toPlainString());
        assertEquals("10.13", frames.get(1).get("Data").get("Last").decimalValue().toPlainString());
        assertEquals(1, counters.sequenceGaps());
    }

    @Test
    void sharedUpdatesPassedOverBeforeTheSubscribeResultThatTheSnapshotMissedAskForTheItemAgain() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp(RingEvent.SHARED_LINK);
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        // The stream is read ahead of the link: update 11 comes before the answer that names the item.
        sharedLast(1001, 11, 1011);
        assertEquals(1, counters.upstreamSharedSkipped());
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        assertEquals(1, counters.sequenceGaps(), "the snapshot at 10 misses 11, which will not come again");
        assertEquals(2, upstreamKeys.stream().filter("ALP.XSX"::equals).count(), "asked again");

        sharedLast(1001, 12, 1012);
        snapshot(lastRequestId(), 1001, 12, 1012, "ALP", "XSX");
        assertEquals(1, counters.sequenceGaps(), "a snapshot past what was passed over is whole");
        final List<JsonNode> frames = session.frames();
        assertEquals("10.12", frames.get(frames.size() - 1).get("Data").get("Last").decimalValue().toPlainString());
    }

    @Test
    void aSnapshotOlderThanTheUpdatesAlreadyAppliedIsPassedOver() throws Exception
    {
        final TestSession session = liveSharedItem();
        final long requestId = lastRequestId();
        sharedLast(1001, 11, 1011);
        session.frames();

        // A snapshot written at 10 reaches this proxy after update 11 did: the state at 11 is newer, and whole.
        snapshot(requestId, 1001, 10, 1005, "ALP", "XSX");
        assertTrue(session.frames().isEmpty(), "nothing undone, nothing sent again");
        assertEquals(0, counters.sequenceGaps());
        assertEquals(1, upstreamKeys.stream().filter("ALP.XSX"::equals).count(), "not asked for again");

        sharedLast(1001, 12, 1012);
        assertEquals("10.12", session.frames().get(0).get("Data").get("Last").decimalValue().toPlainString());
        assertEquals(0, counters.sequenceGaps());
    }

    @Test
    void aRequestOverTakenByASnapshotThatCameUnaskedLeavesNothingWaiting() throws Exception
    {
        liveSharedItem();
        final long requestId = lastRequestId();

        // A gap, and the Subscribe that would mend it cannot be sent yet; a snapshot comes meanwhile by itself.
        refuseUpstream = true;
        sharedLast(1001, 12, 1012);
        snapshot(requestId, 1001, 12, 1012, "ALP", "XSX");
        refuseUpstream = false;
        tick(1);
        assertEquals(1, upstreamKeys.stream().filter("ALP.XSX"::equals).count(), "whole again: nothing asked");

        // The next gap is asked for at once: no request is thought to be on its way.
        sharedLast(1001, 14, 1014);
        assertEquals(2, counters.sequenceGaps());
        assertEquals(2, upstreamKeys.stream().filter("ALP.XSX"::equals).count(), "asked for");
    }

    @Test
    void anItemWaitingForItsSnapshotIsNotMadeLiveByAStatus() throws Exception
    {
        final TestSession session = liveSharedItem();
        session.frames();
        sharedLast(1001, 12, 1012);
        assertEquals(1, counters.sequenceGaps());

        linkStatus(1001, 10, io.meridian.codecs.interlink.ItemState.LIVE, "");
        sharedLast(1001, 11, 1011);
        assertTrue(session.frames().isEmpty(), "held for the snapshot, not applied to the state it is mending");
        snapshot(lastRequestId(), 1001, 12, 1012, "ALP", "XSX");
        assertEquals("10.12", session.frames().get(0).get("Data").get("Last").decimalValue().toPlainString());
    }

    @Test
    void anItemStatusOnTheSharedStreamPastTheLastUpdateShowsAMissedOne() throws Exception
    {
        liveSharedItem();
        sharedStatus(1001, 10);
        assertEquals(0, counters.sequenceGaps(), "the number it has: nothing missed");
        sharedStatus(1001, 11);
        assertEquals(1, counters.sequenceGaps(), "one it never got");
        assertEquals(2, upstreamKeys.stream().filter("ALP.XSX"::equals).count(), "asked again");
    }

    @Test
    void anAnswerForAnItemDroppedWhileItsSubscribeWasInFlightIsUnsubscribed() throws Exception
    {
        liveSharedItem();
        sharedLast(1001, 12, 1012);
        final long again = lastRequestId();
        linkStatus(1001, 12, io.meridian.codecs.interlink.ItemState.CLOSED, "gone");
        assertEquals(0, engine.cachedSecurities(), "closed upstream: dropped");

        subscribeResult(again, 1001, SubscribeStatus.OK);
        assertEquals(List.of(1001L), upstreamUnsubscribes, "the answer is for nobody: the upstream stops sending it");
        assertEquals(0, engine.cachedSecurities());
    }

    @Test
    void aMarketListUpdateMissedOnTheSharedStreamAsksForTheListAgain() throws Exception
    {
        linkUp(RingEvent.SHARED_LINK);
        marketsSnapshot(upstreamRequestIds.get(0), "XSX", "XNX");
        assertTrue(engine.marketsLive());
        sharedMarket(1, "XSX", TradingState.Closed);
        assertEquals(0, counters.sequenceGaps(), "the next number is in sequence");

        sharedMarket(3, "XNX", TradingState.Closed);
        assertEquals(1, counters.sequenceGaps(), "one missed: a gap");
        assertEquals(2, upstreamKeys.stream().filter("*"::equals).count(), "the list is asked for again");
        assertFalse(engine.marketsLive(), "stale until it comes");
    }

    @Test
    void sharedUpdatesOnALinkNotWelcomedToTheSharedStreamAreRefused() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        session.frames();
        final long errorsBefore = counters.errors();

        sharedLast(1001, 11, 1011);
        assertTrue(session.frames().isEmpty());
        assertEquals(errorsBefore + 1, counters.errors());
        lastUpdate(1001, 11, 1011);
        assertEquals(1, session.frames().size(), "the link's own updates go on");
    }

    @Test
    void aMessageWhoseStringRunsPastItsEndIsCountedAndSkipped() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        session.frames();

        lastUpdate(1001, 11, 1011);
        session.frames();
        final SecurityUpdateEncoder update = new SecurityUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(1001).seqNo(12).presence(SecurityFields.LAST | SecurityFields.STATIC).cleared(0);
        update.last().mantissa(1012).exponent((byte)-2);
        final int bodyLength = update.code("").market("").name("").currency("").cfi("").encodedLength();
        // The code's length field says 2 GiB: decoding it as it stands would try to allocate that much.
        event.buffer.putInt(MessageHeaderEncoder.ENCODED_LENGTH + SecurityUpdateEncoder.BLOCK_LENGTH,
            Integer.MAX_VALUE);
        final long errors = counters.errors();
        send(bodyLength);
        assertEquals(errors + 1, counters.errors());
        assertTrue(session.frames().isEmpty(), "not applied");

        lastUpdate(1001, 12, 1013);
        assertEquals("10.13", session.frames().get(0).get("Data").get("Last").decimalValue().toPlainString(),
            "the engine goes on");
    }

    @Test
    void querySecurityAnswersWithTransactionId() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        query(session, 42, "ALP.XSX");
        assertTrue(session.frames().isEmpty());
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        final List<JsonNode> frames = session.frames();
        assertEquals(1, frames.size());
        assertEquals(42, frames.get(0).get("TransactionID").asLong());
        assertEquals("QuerySecurity", frames.get(0).get("Topic").asText());
        assertEquals("ALP", frames.get(0).get("Data").get("Code").asText());
    }

    @Test
    void sessionThatFallsBehindIsResyncedWithFullStateOnceItCatchesUp() throws Exception
    {
        engine = new CacheEngine(this::captureUpstream, counters, clock, 100, 0, 10_000, 1000);
        clock.update(1_000);
        final TestSession slow = new TestSession(1, 8192);
        final TestSession healthy = new TestSession(2);
        linkUp();
        subscribe(slow, "Security!ALP.XSX", "ALP.XSX");
        subscribe(healthy, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        healthy.frames();

        for (int i = 0; i < 200; i++)
        {
            lastUpdate(1001, 11 + i, 1011 + i);
        }
        assertFalse(slow.overflowed, "held back, not closed");
        assertEquals(1, counters.slowConsumerResyncs());
        assertTrue(slow.outbox().size() <= slow.outbox().capacity() / 2 + 200, "the outbox stopped growing");
        assertEquals(200, healthy.frames().size(), "the healthy session got every delta");

        final List<JsonNode> backlog = slow.frames();
        assertTrue(backlog.size() < 100, "deltas were held back: " + backlog.size());
        tick(1_100);
        final List<JsonNode> resync = slow.frames();
        assertEquals(1, resync.size(), "full state once caught up");
        assertEquals("ALP", resync.get(0).get("Data").get("Code").asText());
        assertEquals("12.10", resync.get(0).get("Data").get("Last").decimalValue().toPlainString(),
            "the latest state");

        lastUpdate(1001, 211, 1300);
        final List<JsonNode> resumed = slow.frames();
        assertEquals(1, resumed.size(), "deltas resume");
        assertEquals("13.00", resumed.get(0).get("Data").get("Last").decimalValue().toPlainString());
    }

    @Test
    void sessionThatStaysBehindPastTheTimeoutIsClosed()
    {
        engine = new CacheEngine(this::captureUpstream, counters, clock, 100, 0, 5_000, 1000);
        clock.update(1_000);
        final TestSession slow = new TestSession(1, 8192);
        final TestSession healthy = new TestSession(2);
        linkUp();
        subscribe(slow, "Security!ALP.XSX", "ALP.XSX");
        subscribe(healthy, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        for (int i = 0; i < 200; i++)
        {
            lastUpdate(1001, 11 + i, 1011 + i);
        }
        tick(4_000);
        assertFalse(slow.overflowed);
        tick(6_100);
        assertTrue(slow.overflowed, "closed after the slow-consumer timeout");
        assertFalse(slow.frameTooLarge);
        assertFalse(healthy.overflowed);
    }

    @Test
    void malformedUpstreamMessagesAreCountedAndTheEngineGoesOn() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");

        event.clear();
        event.type = RingEvent.UPSTREAM_MESSAGE;
        event.buffer.putLong(0, -1L);
        event.length = 5;
        engine.onEvent(event, sequence++, true);

        header.wrap(event.buffer, 0).blockLength(60000).templateId(21).schemaId(7301).version(1);
        event.type = RingEvent.UPSTREAM_MESSAGE;
        event.length = 100;
        engine.onEvent(event, sequence++, true);
        assertEquals(2, counters.errors());

        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        assertEquals(2, session.frames().size(), "still serving data");
    }

    @Test
    void marketsListShowsImpairedFeedWhenTheLinkIsLost() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Market", "Markets", ItemType.MARKETS.value(), null);
        marketsSnapshot(upstreamRequestIds.get(0), "XSX", "XNX");
        final List<JsonNode> frames = session.frames();
        assertEquals(2, frames.get(0).get("Data").size());
        assertEquals("Active", frames.get(0).get("Data").get(0).get("Feed").asText());
        assertEquals("2026-11-22", frames.get(0).get("Data").get(0).get("TradingDate").asText());

        linkDown();
        final List<JsonNode> down = session.frames();
        assertEquals(1, down.size());
        assertEquals("Impaired", down.get(0).get("Data").get(0).get("Feed").asText());
    }

    @Test
    void feedsListFollowsTheMarketsFeedStatus() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Zenith", "Feeds", CacheEngine.FEEDS_KIND, null);
        assertEquals(List.of("*"), upstreamKeys, "Feeds asks for the market list");
        assertTrue(session.frames().isEmpty());

        marketsSnapshot(upstreamRequestIds.get(0), "XSX", "XNX");
        final List<JsonNode> frames = session.frames();
        assertEquals(2, frames.size(), frames.toString());
        final JsonNode list = frames.get(0).get("Data");
        assertEquals("Zenith", frames.get(0).get("Controller").asText());
        assertEquals(2, list.size());
        assertEquals("XSX", list.get(0).get("Name").asText());
        assertEquals("Market", list.get(0).get("Class").asText());
        assertEquals("Active", list.get(0).get("Status").asText());
        assertTrue(frames.get(1).get("Confirm").asBoolean());

        linkDown();
        final List<JsonNode> down = session.frames();
        assertEquals(1, down.size());
        assertEquals("Impaired", down.get(0).get("Data").get(1).get("Status").asText());
    }

    @Test
    void idleSecuritiesAreKeptUntilTheirIdleTimeoutThenUnsubscribedUpstream() throws Exception
    {
        engine = new CacheEngine(this::captureUpstream, counters, clock, 100, 60_000, 10_000, 1000);
        clock.update(1_000);
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        subscribe(session, "Security!BET.XSX", "BET.XSX");
        snapshot(lastRequestId(), 1002, 10, 2020, "BET", "XSX");

        unsubscribe(session, "Security!ALP.XSX");
        tick(2_000);
        tick(30_000);
        assertTrue(engine.isCached("ALP.XSX"), "idle, but not for long enough");

        tick(65_000);
        assertFalse(engine.isCached("ALP.XSX"), "evicted after the idle timeout");
        assertTrue(engine.isCached("BET.XSX"), "a security with a client stays");
        assertEquals(List.of(1001L), upstreamUnsubscribes);
        assertEquals(1, counters.evictions());

        session.frames();
        lastUpdate(1001, 11, 1011);
        assertTrue(session.frames().isEmpty(), "updates for the evicted item are dropped");
        assertEquals(0, counters.errors());

        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        assertEquals(2, upstreamKeys.stream().filter("ALP.XSX"::equals).count(), "asked for again on demand");
    }

    @Test
    void theLongestIdleSecuritiesBeyondTheCountBoundAreEvicted()
    {
        engine = new CacheEngine(this::captureUpstream, counters, clock, 1, 0, 10_000, 1000);
        clock.update(1_000);
        final TestSession session = new TestSession(1);
        linkUp();
        final String[] codes = { "AAA", "BBB", "CCC" };
        for (int i = 0; i < codes.length; i++)
        {
            subscribe(session, "Security!" + codes[i] + ".XSX", codes[i] + ".XSX");
            snapshot(lastRequestId(), 2000 + i, 1, 100, codes[i], "XSX");
        }
        unsubscribe(session, "Security!AAA.XSX");
        tick(2_000);
        unsubscribe(session, "Security!BBB.XSX");
        tick(3_000);
        assertFalse(engine.isCached("AAA.XSX"), "the longest idle goes first");
        assertTrue(engine.isCached("BBB.XSX"), "one idle security is allowed");
        assertTrue(engine.isCached("CCC.XSX"));
        assertEquals(List.of(2000L), upstreamUnsubscribes);
    }

    @Test
    void pausedSessionGetsNoDataUntilItRenewsThenFullStateAndDeltas() throws Exception
    {
        final TestSession paused = new TestSession(1);
        final TestSession other = new TestSession(2);
        linkUp();
        subscribe(paused, "Security!ALP.XSX", "ALP.XSX");
        subscribe(other, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        paused.frames();
        other.frames();

        sessionCommand(RingEvent.SESSION_PAUSE, paused, 0, false);
        lastUpdate(1001, 11, 1011);
        lastUpdate(1001, 12, 1012);
        assertTrue(paused.frames().isEmpty(), "no data while the token has run out");
        assertEquals(2, other.frames().size(), "others go on");

        sessionCommand(RingEvent.SESSION_RIGHTS, paused, EngineProxy.RIGHT_MARKET | EngineProxy.RIGHT_TRADING, true);
        final List<JsonNode> resumed = paused.frames();
        assertEquals(1, resumed.size(), resumed.toString());
        assertEquals("Security!ALP.XSX", resumed.get(0).get("Topic").asText());
        assertEquals("10.12", resumed.get(0).get("Data").get("Last").decimalValue().toPlainString(), "full state");
        assertEquals("ALP", resumed.get(0).get("Data").get("Code").asText(), "full state, not a delta");

        lastUpdate(1001, 13, 1013);
        final List<JsonNode> after = paused.frames();
        assertEquals(1, after.size());
        assertEquals(2, after.get(0).get("Data").size(), "deltas again: " + after.get(0));
        assertEquals(0, counters.revokedSubscriptions());
    }

    @Test
    void renewalWithoutTheRightEndsThoseSubscriptionsWithErrorThenServerUnsub() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        session.frames();

        sessionCommand(RingEvent.SESSION_RIGHTS, session, EngineProxy.RIGHT_MARKET | EngineProxy.RIGHT_TRADING, false);
        assertTrue(session.frames().isEmpty(), "rights unchanged: nothing to say");

        sessionCommand(RingEvent.SESSION_RIGHTS, session, EngineProxy.RIGHT_TRADING, false);
        final List<JsonNode> frames = session.frames();
        assertEquals(2, frames.size(), frames.toString());
        assertEquals("Error", frames.get(0).get("Action").asText());
        assertEquals("Market", frames.get(0).get("Controller").asText());
        assertEquals("Security!ALP.XSX", frames.get(0).get("Topic").asText());
        assertEquals("Authority", frames.get(0).get("Data").asText());
        assertEquals("Unsub", frames.get(1).get("Action").asText());
        assertEquals("Security!ALP.XSX", frames.get(1).get("Topic").asText());
        assertTrue(frames.get(1).get("Confirm").asBoolean());
        assertEquals(1, counters.revokedSubscriptions());

        lastUpdate(1001, 11, 1011);
        assertTrue(session.frames().isEmpty(), "no data after the server's Unsub");
        assertTrue(engine.isCached("ALP.XSX"), "the item stays cached");
    }

    @Test
    void clearCacheDropsIdleItemsAndFetchesSubscribedOnesAfresh() throws Exception
    {
        final TestSession session = new TestSession(1);
        linkUp();
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        subscribe(session, "Security!BET.XSX", "BET.XSX");
        snapshot(lastRequestId(), 1002, 10, 2020, "BET", "XSX");
        unsubscribe(session, "Security!BET.XSX");
        session.frames();

        final int[] cleared = { -1 };
        event.clear();
        event.type = RingEvent.CLEAR_CACHE;
        event.request = (java.util.function.IntConsumer)count -> cleared[0] = count;
        engine.onEvent(event, sequence++, true);

        assertEquals(2, cleared[0]);
        assertEquals(1, counters.cacheClears());
        assertFalse(engine.isCached("BET.XSX"), "idle item dropped");
        assertEquals(List.of(1002L, 1001L), upstreamUnsubscribes,
            "the idle item is dropped upstream, and the subscribed one's old subscription before it is asked again");
        assertEquals(2, upstreamKeys.stream().filter("ALP.XSX"::equals).count(), "subscribed item asked for again");

        snapshot(lastRequestId(), 1003, 1, 1111, "ALP", "XSX");
        final List<JsonNode> frames = session.frames();
        assertEquals(1, frames.size(), frames.toString());
        assertEquals("11.11", frames.get(0).get("Data").get("Last").decimalValue().toPlainString());
        assertEquals("ALP", frames.get(0).get("Data").get("Code").asText(), "full state");
    }

    @Test
    void aQueryTheUpstreamNeverAnswersGetsOperationTimeoutThenAnEmptyAnswer() throws Exception
    {
        engine = new CacheEngine(this::captureUpstream, counters, clock, 100, 0, 10_000, 1000);
        clock.update(1_000);
        final TestSession session = new TestSession(1);
        linkUp();
        query(session, 7, "ALP.XSX");
        tick(1_000 + CacheEngine.DEFAULT_ACTION_TIMEOUT_MS - 1_000);
        assertTrue(session.frames().isEmpty(), "still waiting before the timeout");

        tick(1_000 + CacheEngine.DEFAULT_ACTION_TIMEOUT_MS + 1_000);
        final List<JsonNode> frames = session.frames();
        assertEquals(2, frames.size(), frames.toString());
        assertEquals("Error", frames.get(0).get("Action").asText());
        assertEquals("Operation.Timeout", frames.get(0).get("Data").asText());
        assertEquals(7, frames.get(0).get("TransactionID").asLong());
        assertEquals(7, frames.get(1).get("TransactionID").asLong());
        assertTrue(frames.get(1).get("Data").isNull(), "QuerySecurity answers null: " + frames.get(1));
        assertEquals(1, counters.queryTimeouts());

        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        assertTrue(session.frames().isEmpty(), "a late snapshot fills the cache but answers nothing twice");
        assertTrue(engine.isCached("ALP.XSX"));
    }

    private void sessionCommand(final int type, final TestSession session, final int rights, final boolean resume)
    {
        event.clear();
        event.type = type;
        event.session = session;
        event.count = rights;
        event.confirm = resume;
        engine.onEvent(event, sequence++, true);
    }

    private void tick(final long nowMs)
    {
        clock.update(nowMs);
        engine.onTimeout(sequence);
    }

    private void marketsSnapshot(final long requestId, final String... codes)
    {
        subscribeResult(requestId, 1, SubscribeStatus.OK);
        send(new SnapshotBeginEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(1).seqNo(0)
            .encodedLength());
        for (final String code : codes)
        {
            send(new MarketUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(1).seqNo(0)
                .feedStatus(FeedStatus.Active).tradingState(TradingState.Open).tradingDate(20261122)
                .marketCode(code).encodedLength());
        }
        send(new SnapshotEndEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(1).seqNo(0)
            .encodedLength());
    }

    private long lastRequestId()
    {
        return upstreamRequestIds.get(upstreamRequestIds.size() - 1);
    }

    private long captureUpstream(final DirectBuffer buffer, final int offset, final int length)
    {
        if (refuseUpstream)
        {
            return io.aeron.Publication.BACK_PRESSURED;
        }
        final MessageHeaderDecoder decoder = new MessageHeaderDecoder().wrap(buffer, offset);
        if (decoder.templateId() == SubscribeDecoder.TEMPLATE_ID)
        {
            final SubscribeDecoder subscribe = new SubscribeDecoder().wrapAndApplyHeader(buffer, offset, decoder);
            assertEquals(LINK_ID, subscribe.linkId());
            upstreamRequestIds.add(subscribe.requestId());
            upstreamKeys.add(subscribe.itemKey());
        }
        else if (decoder.templateId() == io.meridian.codecs.interlink.UnsubscribeDecoder.TEMPLATE_ID)
        {
            upstreamUnsubscribes.add(new io.meridian.codecs.interlink.UnsubscribeDecoder()
                .wrapAndApplyHeader(buffer, offset, decoder).itemId());
        }
        return 64;
    }

    private void linkUp()
    {
        linkUp(0);
    }

    private void linkUp(final int flags)
    {
        event.clear();
        event.type = RingEvent.LINK_UP;
        event.transactionId = LINK_ID;
        event.length = flags;
        engine.onEvent(event, sequence++, true);
    }

    /**
     * A session subscribed to ALP.XSX on a link that reads the shared stream, the item live at 10.
     */
    private TestSession liveSharedItem()
    {
        final TestSession session = new TestSession(1);
        linkUp(RingEvent.SHARED_LINK);
        subscribe(session, "Security!ALP.XSX", "ALP.XSX");
        snapshot(lastRequestId(), 1001, 10, 1010, "ALP", "XSX");
        return session;
    }

    private void linkStatus(
        final long itemId, final long seqNo, final io.meridian.codecs.interlink.ItemState state, final String reason)
    {
        send(new io.meridian.codecs.interlink.ItemStatusEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(seqNo).state(state).reason(reason).encodedLength());
    }

    private void sharedStatus(final long itemId, final long seqNo)
    {
        final int length = new io.meridian.codecs.interlink.ItemStatusEncoder()
            .wrapAndApplyHeader(event.buffer, 0, header).itemId(itemId).seqNo(seqNo)
            .state(io.meridian.codecs.interlink.ItemState.LIVE).reason("").encodedLength();
        event.type = RingEvent.SHARED_MESSAGE;
        event.length = MessageHeaderEncoder.ENCODED_LENGTH + length;
        engine.onEvent(event, sequence++, true);
        event.clear();
    }

    private void sharedMarket(final long seqNo, final String code, final TradingState state)
    {
        final int length = new MarketUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(1)
            .seqNo(seqNo).feedStatus(FeedStatus.Active).tradingState(state).tradingDate(20261122).marketCode(code)
            .encodedLength();
        event.type = RingEvent.SHARED_MESSAGE;
        event.length = MessageHeaderEncoder.ENCODED_LENGTH + length;
        engine.onEvent(event, sequence++, true);
        event.clear();
    }

    private void sharedLast(final long itemId, final long seqNo, final long last)
    {
        final SecurityUpdateEncoder update = new SecurityUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(seqNo).presence(SecurityFields.LAST).cleared(0);
        update.last().mantissa(last).exponent((byte)-2);
        update.code("").market("").name("").currency("").cfi("");
        event.type = RingEvent.SHARED_MESSAGE;
        event.length = MessageHeaderEncoder.ENCODED_LENGTH + update.encodedLength();
        engine.onEvent(event, sequence++, true);
        event.clear();
    }

    private void linkDown()
    {
        event.clear();
        event.type = RingEvent.LINK_DOWN;
        engine.onEvent(event, sequence++, true);
    }

    private void subscribe(final TestSession session, final String topic, final String key)
    {
        subscribe(session, "Market", topic, ItemType.SECURITY.value(), key);
    }

    private void subscribe(
        final TestSession session, final String controller, final String topic, final int itemKind, final String key)
    {
        event.clear();
        event.type = RingEvent.SUBSCRIBE;
        event.session = session;
        event.controller = controller;
        event.topic = topic;
        event.key = key;
        event.itemKind = itemKind;
        event.confirm = true;
        engine.onEvent(event, sequence++, true);
    }

    private void unsubscribe(final TestSession session, final String topic)
    {
        event.clear();
        event.type = RingEvent.UNSUBSCRIBE;
        event.session = session;
        event.controller = "Market";
        event.topic = topic;
        engine.onEvent(event, sequence++, true);
    }

    private void query(final TestSession session, final long transactionId, final String key)
    {
        event.clear();
        event.type = RingEvent.QUERY_ITEM;
        event.session = session;
        event.controller = "Market";
        event.topic = "QuerySecurity";
        event.key = key;
        event.itemKind = ItemType.SECURITY.value();
        event.transactionId = transactionId;
        engine.onEvent(event, sequence++, true);
    }

    private void subscribeResult(final long requestId, final long itemId, final SubscribeStatus status)
    {
        send(new SubscribeResultEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .linkId(LINK_ID).requestId(requestId).itemId(itemId).status(status).reason("").encodedLength());
    }

    private void snapshot(
        final long requestId, final long itemId, final long seqNo, final long last, final String code,
        final String market)
    {
        subscribeResult(requestId, itemId, SubscribeStatus.OK);
        send(new SnapshotBeginEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(itemId).seqNo(seqNo)
            .encodedLength());
        final SecurityUpdateEncoder update = new SecurityUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(seqNo)
            .presence(SecurityFields.TRADING_STATE | SecurityFields.LAST | SecurityFields.TREND |
                SecurityFields.VOLUME | SecurityFields.STATIC)
            .cleared(SecurityFields.BEST_BID)
            .tradingState(TradingState.Open)
            .trend(Trend.None);
        update.last().mantissa(last).exponent((byte)-2);
        update.volume().mantissa(0).exponent((byte)0);
        update.code(code).market(market).name(code + " Holdings").currency("USD").cfi("ESVUFR");
        send(update.encodedLength());
        send(new SnapshotEndEncoder().wrapAndApplyHeader(event.buffer, 0, header).itemId(itemId).seqNo(seqNo)
            .encodedLength());
    }

    private void lastUpdate(final long itemId, final long seqNo, final long last)
    {
        final SecurityUpdateEncoder update = new SecurityUpdateEncoder().wrapAndApplyHeader(event.buffer, 0, header)
            .itemId(itemId).seqNo(seqNo).presence(SecurityFields.LAST | SecurityFields.TREND).cleared(0)
            .trend(Trend.Up);
        update.last().mantissa(last).exponent((byte)-2);
        update.code("").market("").name("").currency("").cfi("");
        send(update.encodedLength());
    }

    private void send(final int encodedLength)
    {
        event.type = RingEvent.UPSTREAM_MESSAGE;
        event.length = MessageHeaderEncoder.ENCODED_LENGTH + encodedLength;
        engine.onEvent(event, sequence++, true);
        event.clear();
    }
}
