package io.meridian.engine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.codecs.SecurityFields;
import io.meridian.codecs.interlink.BooleanType;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.DecimalEncoder;
import io.meridian.codecs.interlink.DepthLevelUpdateDecoder;
import io.meridian.codecs.interlink.DepthLevelUpdateEncoder;
import io.meridian.codecs.interlink.DepthOrderUpdateDecoder;
import io.meridian.codecs.interlink.DepthOrderUpdateEncoder;
import io.meridian.codecs.interlink.FeedStatus;
import io.meridian.codecs.interlink.MarketUpdateDecoder;
import io.meridian.codecs.interlink.MarketUpdateEncoder;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.MessageHeaderEncoder;
import io.meridian.codecs.interlink.SecurityUpdateDecoder;
import io.meridian.codecs.interlink.SecurityUpdateEncoder;
import io.meridian.codecs.interlink.Side;
import io.meridian.codecs.interlink.SnapshotBeginDecoder;
import io.meridian.codecs.interlink.SnapshotBeginEncoder;
import io.meridian.codecs.interlink.SnapshotEndDecoder;
import io.meridian.codecs.interlink.SnapshotEndEncoder;
import io.meridian.codecs.interlink.SymbolClass;
import io.meridian.codecs.interlink.SymbolUpdateDecoder;
import io.meridian.codecs.interlink.SymbolUpdateEncoder;
import io.meridian.codecs.interlink.TradeUpdateDecoder;
import io.meridian.codecs.interlink.TradeUpdateEncoder;
import io.meridian.codecs.interlink.TradingState;
import io.meridian.codecs.interlink.Trend;
import io.meridian.codecs.json.JsonWriter;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each market data item writes its state as an interlink snapshot; a fresh item of the same key that applies the
 * snapshot the way the engine applies an upstream's must hold the same state, as its Zenith JSON shows.
 */
class MarketSnapshotRoundTripTest
{
    private static final long UPSTREAM_ITEM_ID = 17;
    private static final long DOWNSTREAM_ITEM_ID = 4242;
    private static final long SNAPSHOT_SEQ_NO = 977;
    private static final byte PRICE = -2;
    private static final byte QUANTITY = 0;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1024]);
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final SnapshotBeginDecoder beginDecoder = new SnapshotBeginDecoder();
    private final SnapshotEndDecoder endDecoder = new SnapshotEndDecoder();
    private final MarketUpdateDecoder marketDecoder = new MarketUpdateDecoder();
    private final SecurityUpdateDecoder securityDecoder = new SecurityUpdateDecoder();
    private final DepthOrderUpdateDecoder orderDecoder = new DepthOrderUpdateDecoder();
    private final DepthLevelUpdateDecoder levelDecoder = new DepthLevelUpdateDecoder();
    private final TradeUpdateDecoder tradeDecoder = new TradeUpdateDecoder();
    private final SymbolUpdateDecoder symbolDecoder = new SymbolUpdateDecoder();
    private final SnapshotEndEncoder endEncoder = new SnapshotEndEncoder();
    private final SecurityUpdateEncoder securityEncoder = new SecurityUpdateEncoder();
    private final ObjectMapper mapper = new ObjectMapper();
    private final List<byte[]> captured = new ArrayList<>();
    private final SnapshotWriter writer = new SnapshotWriter();

    @Test
    void marketListRoundTripsEveryMarketsFeedStateAndTradingDate()
    {
        final MarketsItem source = new MarketsItem();
        begin(source);
        market(source, "XSX", FeedStatus.Active, TradingState.Open, 20261122);
        market(source, "XNX", FeedStatus.Active, TradingState.PreOpen, 20261122);
        market(source, "XAX", FeedStatus.Initialising, TradingState.Closed, 0);
        end(source);
        market(source, "XNX", FeedStatus.Active, TradingState.Closed, 20261122);
        market(source, "XSX", FeedStatus.Active, TradingState.Open, 20261123);
        market(source, "XQX", FeedStatus.Inactive, TradingState.Suspended, 20261120);
        market(source, "XZX", FeedStatus.Impaired, TradingState.NULL_VAL, 20261123);

        final MarketsItem copy = new MarketsItem();
        assertEquals(5, roundTrip(source, copy));

        final String json = full(source);
        assertEquals(json, full(copy));
        assertTrue(json.contains("\"Code\":\"XNX\",\"Feed\":\"Active\",\"TradingDate\":\"2026-11-22"), json);
        assertTrue(json.contains("\"Status\":\"Closed\""), json);
        assertTrue(json.contains("\"Code\":\"XSX\",\"Feed\":\"Active\",\"TradingDate\":\"2026-11-23"), json);
        assertTrue(json.contains("\"Code\":\"XAX\",\"Feed\":\"Initialising\"}"), json);
        assertTrue(json.contains("\"Code\":\"XQX\",\"Feed\":\"Inactive\""), json);
        assertTrue(json.contains("\"Status\":\"Suspended\""), json);
        assertTrue(json.contains("\"Code\":\"XZX\",\"Feed\":\"Impaired\""), json);
        assertTrue(json.contains("\"Status\":\"Unknown\""), json);
        assertEquals(source.size(), copy.size());
        for (int i = 0; i < source.size(); i++)
        {
            final MarketsItem.Market expected = source.market(i);
            final MarketsItem.Market actual = copy.market(i);
            assertEquals(expected.code, actual.code);
            assertEquals(expected.feed, actual.feed, expected.code);
            assertEquals(expected.status, actual.status, expected.code);
            assertEquals(expected.tradingDate, actual.tradingDate, expected.code);
        }
    }

    @Test
    void marketListRoundTripsAFeedStatusSetByTheEngine()
    {
        final MarketsItem source = new MarketsItem();
        begin(source);
        market(source, "XSX", FeedStatus.Active, TradingState.Open, 20261122);
        market(source, "XNX", FeedStatus.Active, TradingState.Closed, 20261122);
        end(source);
        source.setFeedStatus(FeedStatus.Impaired);

        final MarketsItem copy = new MarketsItem();
        roundTrip(source, copy);

        final String json = full(copy);
        assertEquals(full(source), json);
        assertEquals(2, json.split("\"Feed\":\"Impaired\"", -1).length - 1, json);
    }

    @Test
    void securityRoundTripsEveryFieldItsNullsAndItsStaticData()
    {
        final SecurityItem source = new SecurityItem("ALP.XSX");
        begin(source);
        final SecurityUpdateEncoder snapshot = security(SecurityFields.ALL, 0)
            .tradingState(TradingState.Open).trend(Trend.Up).bidCount(3).askCount(2).numberOfTrades(41);
        decimal(snapshot.open(), 1010, PRICE);
        decimal(snapshot.high(), 1050, PRICE);
        decimal(snapshot.low(), 990, PRICE);
        decimal(snapshot.closePrice(), 1000, PRICE);
        decimal(snapshot.last(), 1040, PRICE);
        decimal(snapshot.bestBid(), 1035, PRICE);
        decimal(snapshot.bidQuantity(), 700, QUANTITY);
        decimal(snapshot.bestAsk(), 1045, PRICE);
        decimal(snapshot.askQuantity(), 250, QUANTITY);
        decimal(snapshot.volume(), 12_300, QUANTITY);
        decimal(snapshot.valueTraded(), 12_716_500, PRICE);
        decimal(snapshot.vwap(), 103_386, (byte)-4);
        decimal(snapshot.lotSize(), 10, QUANTITY);
        snapshot.code("ALP").market("XSX").name("Alpha Pacific Mining").currency("AUD").cfi("ESVUFR");
        apply(source);
        end(source);
        // A trade, then the bid side empties and the security is suspended.
        final SecurityUpdateEncoder trade = security(SecurityFields.LAST | SecurityFields.HIGH |
            SecurityFields.TREND | SecurityFields.NUMBER_OF_TRADES | SecurityFields.VOLUME |
            SecurityFields.VALUE_TRADED | SecurityFields.VWAP, 0).trend(Trend.Down).numberOfTrades(42);
        decimal(trade.last(), 1060, PRICE);
        decimal(trade.high(), 1060, PRICE);
        decimal(trade.volume(), 12_400, QUANTITY);
        decimal(trade.valueTraded(), 12_822_500, PRICE);
        decimal(trade.vwap(), 103_407, (byte)-4);
        trade.code("").market("").name("").currency("").cfi("");
        apply(source);
        final SecurityUpdateEncoder gone = security(SecurityFields.TRADING_STATE,
            SecurityFields.BEST_BID | SecurityFields.BID_QUANTITY | SecurityFields.BID_COUNT | SecurityFields.OPEN)
            .tradingState(TradingState.Suspended);
        gone.code("").market("").name("").currency("").cfi("");
        apply(source);

        final SecurityItem copy = new SecurityItem("ALP.XSX");
        assertEquals(1, roundTrip(source, copy));

        final String json = full(source);
        assertEquals(json, full(copy));
        assertTrue(json.contains("\"Code\":\"ALP\",\"Market\":\"XSX\""), json);
        assertTrue(json.contains("\"Name\":\"Alpha Pacific Mining\""), json);
        assertTrue(json.contains("\"CFI\":\"ESVUFR\""), json);
        assertTrue(json.contains("\"Currency\":\"AUD\""), json);
        assertTrue(json.contains("\"TradingState\":\"Suspended\""), json);
        assertTrue(json.contains("\"Open\":null"), json);
        assertTrue(json.contains("\"Last\":10.60,"), json);
        assertTrue(json.contains("\"Trend\":\"Down\""), json);
        assertTrue(json.contains("\"BestBid\":null,\"BidCount\":0,\"BidQuantity\":0"), json);
        assertTrue(json.contains("\"BestAsk\":10.45"), json);
        assertTrue(json.contains("\"NumberOfTrades\":42"), json);
        assertTrue(json.contains("\"VWAP\":10.3407"), json);
        assertSameFields(source, copy);
    }

    @Test
    void securityRoundTripsNullCurrencyAndNeverNullFieldsThatWereNeverSent()
    {
        final SecurityItem source = new SecurityItem("BRV.XNX");
        begin(source);
        final SecurityUpdateEncoder snapshot = security(
            SecurityFields.STATIC | SecurityFields.CLOSE | SecurityFields.LOT_SIZE, 0);
        decimal(snapshot.closePrice(), 4_250, PRICE);
        decimal(snapshot.lotSize(), 100, QUANTITY);
        snapshot.code("BRV").market("XNX").name("Bravo Holdings").currency("").cfi("");
        apply(source);
        end(source);

        // The copy starts from another security's state, as a proxy's item may after a resync.
        final SecurityItem copy = new SecurityItem("BRV.XNX");
        begin(copy);
        final SecurityUpdateEncoder stale = security(SecurityFields.ALL, 0)
            .tradingState(TradingState.Open).trend(Trend.Up).bidCount(9).askCount(9).numberOfTrades(9);
        decimal(stale.bidQuantity(), 9, QUANTITY);
        decimal(stale.last(), 9, PRICE);
        stale.code("OLD").market("XNX").name("Old").currency("USD").cfi("X");
        apply(copy);
        end(copy);
        assertEquals(1, roundTrip(source, copy));

        final String json = full(source);
        assertEquals(json, full(copy));
        assertTrue(json.contains("\"Currency\":null"), json);
        assertTrue(json.contains("\"TradingState\":\"PreOpen\""), json);
        assertTrue(json.contains("\"Close\":42.50"), json);
        assertTrue(json.contains("\"Last\":null"), json);
        assertTrue(json.contains("\"NumberOfTrades\":0"), json);
        assertSameFields(source, copy);
    }

    @Test
    void depthRoundTripsEveryOrderInTheOrderTheBookHoldsThem() throws Exception
    {
        final DepthItem source = new DepthItem("ALP.XSX");
        begin(source);
        order(source, ChangeAction.ADD, Side.BID, 1, 1, 10_050, 300, false, false);
        order(source, ChangeAction.ADD, Side.ASK, 2, 2, 10_100, 200, false, false);
        order(source, ChangeAction.ADD, Side.BID, 3, 3, 10_040, 500, false, false);
        order(source, ChangeAction.ADD, Side.ASK, 4, 4, 10_110, 100, false, true);
        end(source);
        order(source, ChangeAction.ADD, Side.BID, 5, 5, 10_050, 150, false, false);
        orderUpdate(source, 1, false, false, 250, false, false);
        orderUpdate(source, 3, false, false, 0, true, true);
        order(source, ChangeAction.REMOVE, Side.ASK, 2, 0, 0, 0, false, false);
        order(source, ChangeAction.ADD, Side.ASK, 6, 6, 10_100, 70, false, false);
        order(source, ChangeAction.ADD, Side.ASK, 7, 7, 10_120, 0, true, false);
        orderUpdate(source, 4, true, true, 90, false, true);
        order(source, ChangeAction.REMOVE, Side.BID, 5, 0, 0, 0, false, false);
        order(source, ChangeAction.ADD, Side.BID, 8, 8, 10_030, 40, false, false);

        final DepthItem copy = new DepthItem("ALP.XSX");
        assertEquals(6, roundTrip(source, copy));

        final String json = full(source);
        final String copied = full(copy);
        assertEquals(entries(json), entries(copied));
        assertEquals(7, mapper.readTree(copied).size());
        assertTrue(json.contains("{\"ID\":\"1\",\"Side\":\"Bid\",\"Price\":100.50,\"Position\":1,\"Quantity\":250," +
            "\"HasUndisclosed\":false}"), json);
        assertTrue(json.contains("{\"ID\":\"3\",\"Side\":\"Bid\",\"Price\":100.40,\"Position\":3,\"Quantity\":null}"),
            json);
        assertTrue(json.contains("{\"ID\":\"4\",\"Side\":\"Ask\",\"Price\":101.05,\"Position\":9,\"Quantity\":90," +
            "\"HasUndisclosed\":true}"), json);
        assertTrue(json.contains("{\"ID\":\"7\",\"Side\":\"Ask\",\"Price\":101.20,\"Position\":7,\"Quantity\":null}"),
            json);
        assertFalse(json.contains("\"ID\":\"2\""), json);
        assertFalse(json.contains("\"ID\":\"5\""), json);

        // The copy holds the rows in the source's order, so a client of either tier gets the same frame.
        assertEquals(json, copied);
        final StringBuilder sides = new StringBuilder();
        for (int i = 1; i < captured.size() - 1; i++)
        {
            orderDecoder.wrapAndApplyHeader(new UnsafeBuffer(captured.get(i)), 0, headerDecoder);
            assertEquals(ChangeAction.ADD, orderDecoder.action());
            sides.append(orderDecoder.side() == Side.ASK ? 'A' : 'B');
        }
        assertTrue(sides.indexOf("A") < sides.lastIndexOf("B"), "the sides interleave, as the book holds them: " +
            sides);

        final RowTable expected = source.orders();
        final RowTable actual = copy.orders();
        for (int row = 0; row < expected.size(); row++)
        {
            final int other = actual.find(expected.id(row));
            assertTrue(other >= 0, "order " + expected.id(row));
            final boolean undisclosed = (expected.get(row, DepthItem.FLAGS) & DepthItem.UNDISCLOSED) != 0;
            for (int column = 0; column <= DepthItem.FLAGS; column++)
            {
                final boolean hiddenQuantity = undisclosed &&
                    (column == DepthItem.QUANTITY_MANTISSA || column == DepthItem.QUANTITY_EXPONENT);
                if (!hiddenQuantity)
                {
                    assertEquals(expected.get(row, column), actual.get(other, column),
                        "order " + expected.id(row) + " column " + column);
                }
            }
        }
    }

    @Test
    void levelsRoundTripEveryLevel()
    {
        final LevelsItem source = new LevelsItem("ALP.XSX");
        begin(source);
        level(source, ChangeAction.ADD, Side.BID, 1, 10_050, 300, 1, false);
        level(source, ChangeAction.ADD, Side.ASK, 2, 10_100, 200, 1, false);
        level(source, ChangeAction.ADD, Side.BID, 3, 10_040, 500, 2, false);
        end(source);
        level(source, ChangeAction.UPDATE, Side.BID, 1, 0, 450, 2, false);
        level(source, ChangeAction.ADD, Side.ASK, 4, 10_110, 100, 1, true);
        level(source, ChangeAction.REMOVE, Side.ASK, 2, 0, 0, 0, false);
        level(source, ChangeAction.ADD, Side.BID, 5, 10_030, 10, 1, false);
        level(source, ChangeAction.UPDATE, Side.ASK, 4, 0, 160, 3, true);

        final LevelsItem copy = new LevelsItem("ALP.XSX");
        assertEquals(4, roundTrip(source, copy));

        final String json = full(source);
        assertEquals(json, full(copy));
        assertTrue(json.contains("{\"ID\":\"1\",\"Side\":\"Bid\",\"Price\":100.50,\"Volume\":450,\"Count\":2," +
            "\"HasUndisclosed\":false}"), json);
        assertTrue(json.contains("{\"ID\":\"4\",\"Side\":\"Ask\",\"Price\":101.10,\"Volume\":160,\"Count\":3," +
            "\"HasUndisclosed\":true}"), json);
        assertTrue(json.contains("\"ID\":\"5\""), json);
        assertFalse(json.contains("\"ID\":\"2\""), json);
    }

    @Test
    void tradesRoundTripEveryTradeHeldWithItsFlagsAffectsAndIds()
    {
        final TradesItem source = new TradesItem("ALP.XSX", 8);
        begin(source);
        trade(source, ChangeAction.ADD, 1, Side.ASK, Trend.Up, 0, 7, 10_050, 100, 11, 12, 0);
        trade(source, ChangeAction.ADD, 2, Side.BID, Trend.Down, 0, 7, 10_040, 50, 13, 14, 0);
        trade(source, ChangeAction.ADD, 3, Side.ASK, Trend.Up, 0, 7, 10_060, 30, 15, 16, 0);
        end(source);
        trade(source, ChangeAction.ADD, 4, Side.NONE, Trend.None, 2, 0, 10_000, 1_000, 0, 0, 0);
        trade(source, ChangeAction.ADD, 5, Side.BID, Trend.Down, 0, 7, 10_030, 20, 17, 18, 0);
        trade(source, ChangeAction.UPDATE, 2, Side.BID, Trend.Down, 1, 3, 10_040, 50, 13, 14, 0);
        trade(source, ChangeAction.ADD, 6, Side.ASK, Trend.Up, 4, 2, 10_035, 50, 19, 20, 2);

        final TradesItem copy = new TradesItem("ALP.XSX", 8);
        assertEquals(6, roundTrip(source, copy));

        final String json = full(source);
        assertEquals(json, full(copy));
        assertEquals("[{\"O\":\"I\",\"ID\":6}]", json);
        assertEquals(source.count(), copy.count());
        assertTrue(copy.complete());
        final String trades = changes(source);
        assertEquals(trades, changes(copy));
        assertTrue(trades.contains("\"ID\":2,\"Price\":100.40,\"Quantity\":50,"), trades);
        assertTrue(trades.contains("\"Flags\":\"Cancel\",\"Trend\":\"Down\",\"Side\":\"Bid\"," +
            "\"Affects\":\"Price,Volume\",\"Buy\":\"13\",\"Sell\":\"14\"}"), trades);
        assertTrue(trades.contains("\"ID\":4,\"Price\":100.00,\"Quantity\":1000,\"Time\":"), trades);
        assertTrue(trades.contains("\"Flags\":\"OffMarket\",\"Trend\":\"None\",\"Affects\":\"None\"}"), trades);
        assertTrue(trades.contains("\"Flags\":\"PlaceHolder\",\"Trend\":\"Up\",\"Side\":\"Ask\"," +
            "\"Affects\":\"Volume\",\"Buy\":\"19\",\"Sell\":\"20\",\"RelatedID\":2}"), trades);
        for (int index = 0; index < source.count(); index++)
        {
            for (int column = 0; column < TradesItem.columns(); column++)
            {
                assertEquals(source.get(index, column), copy.get(index, column),
                    "trade " + index + " column " + column);
            }
        }
    }

    /**
     * The one thing the messages cannot carry: a history that has dropped older trades is incomplete, but its
     * snapshot reads back as complete.
     */
    @Test
    void tradesThatOutgrewTheHistoryRoundTripTheTradesHeldButNotTheirIncompleteness()
    {
        final TradesItem source = new TradesItem("ALP.XSX", 3);
        begin(source);
        end(source);
        for (int id = 1; id <= 5; id++)
        {
            trade(source, ChangeAction.ADD, id, Side.BID, Trend.Up, 0, 7, 10_000 + id, 10, id, id + 100, 0);
        }
        assertFalse(source.complete());

        final TradesItem copy = new TradesItem("ALP.XSX", 3);
        assertEquals(3, roundTrip(source, copy));

        assertEquals(full(source), full(copy));
        final String trades = changes(source);
        assertEquals(trades, changes(copy));
        assertTrue(trades.startsWith("[{\"O\":\"A\",\"Trade\":{\"ID\":3,"), trades);
        assertTrue(copy.complete(), "a snapshot always reads back as the complete history");
    }

    @Test
    void symbolDirectoryRoundTripsEverySymbol()
    {
        final SymbolsItem source = new SymbolsItem("XSX");
        begin(source);
        symbol(source, ChangeAction.ADD, SymbolClass.Market, "ALP", "Alpha Pacific Mining", "ESVUFR", "AUD", 100);
        symbol(source, ChangeAction.ADD, SymbolClass.Market, "BRV", "Bravo Holdings", "ESVUFR", "AUD", 10);
        symbol(source, ChangeAction.ADD, SymbolClass.Market, "CTX", "Centrix", "ESVUFR", "USD", 1);
        end(source);
        symbol(source, ChangeAction.UPDATE, SymbolClass.Market, "BRV", "Bravo Group", "ESNUFR", "NZD", 20);
        symbol(source, ChangeAction.REMOVE, SymbolClass.Market, "ALP", "", "", "", 0);
        symbol(source, ChangeAction.ADD, SymbolClass.ManagedFund, "FND", "Delta Income Fund", "CIOGEU", "", 1);

        final SymbolsItem copy = new SymbolsItem("XSX");
        assertEquals(3, roundTrip(source, copy));

        final String json = full(source);
        assertEquals(json, full(copy));
        assertTrue(json.startsWith("[{\"Code\":\"BRV\",\"Market\":\"XSX\",\"Name\":\"Bravo Group\""), json);
        assertTrue(json.contains("\"CFI\":\"ESNUFR\",\"IsIndex\":false,\"LotSize\":20"), json);
        assertTrue(json.contains("{\"Code\":\"FND\",\"Market\":\"XSX\",\"Name\":\"Delta Income Fund\"," +
            "\"Class\":\"ManagedFund\""), json);
        assertFalse(json.contains("\"ALP\""), json);
        assertEquals(source.size(), copy.size());
        for (int i = 0; i < source.size(); i++)
        {
            final SymbolsItem.Symbol expected = source.symbol(i);
            final SymbolsItem.Symbol actual = copy.find(expected.code);
            assertNotNull(actual, expected.code);
            assertEquals(expected.currency, actual.currency, expected.code);
            assertEquals(expected.lotSizeMantissa, actual.lotSizeMantissa, expected.code);
            assertEquals(expected.lotSizeExponent, actual.lotSizeExponent, expected.code);
        }
        assertEquals("NZD", copy.find("BRV").currency);
        assertNull(copy.find("FND").currency);
    }

    @Test
    void aRefusedMessageFailsTheSnapshotAndStopsLaterSends()
    {
        final MarketsItem source = new MarketsItem();
        begin(source);
        market(source, "XSX", FeedStatus.Active, TradingState.Open, 20261122);
        market(source, "XNX", FeedStatus.Active, TradingState.Open, 20261122);
        market(source, "XAX", FeedStatus.Active, TradingState.Open, 20261122);
        end(source);

        final int[] offers = new int[1];
        final List<byte[]> taken = new ArrayList<>();
        writer.begin((buffer, offset, length) ->
        {
            offers[0]++;
            if (offers[0] == 3)
            {
                return false;
            }
            taken.add(copyOf(buffer, offset, length));
            return true;
        }, DOWNSTREAM_ITEM_ID, SNAPSHOT_SEQ_NO);
        source.writeSnapshot(writer);

        assertFalse(writer.end());
        assertEquals(3, offers[0], "nothing is offered after the refusal, not even the SnapshotEnd");
        assertEquals(2, taken.size());
        assertEquals(2, writer.messages());
        headerDecoder.wrap(new UnsafeBuffer(taken.get(0)), 0);
        assertEquals(SnapshotBeginDecoder.TEMPLATE_ID, headerDecoder.templateId());
        headerDecoder.wrap(new UnsafeBuffer(taken.get(1)), 0);
        assertEquals(MarketUpdateDecoder.TEMPLATE_ID, headerDecoder.templateId());

        // The writer is reusable: the next snapshot goes through whole.
        final MarketsItem copy = new MarketsItem();
        assertEquals(3, roundTrip(source, copy));
        assertEquals(full(source), full(copy));
    }

    /**
     * Book and trade snapshots write only numbers: once warm, writing them allocates nothing.
     */
    @Test
    void bookAndTradeSnapshotsAllocateNothing()
    {
        final DepthItem depth = new DepthItem("ALP.XSX");
        final LevelsItem levels = new LevelsItem("ALP.XSX");
        final TradesItem trades = new TradesItem("ALP.XSX", 16);
        begin(depth);
        begin(levels);
        begin(trades);
        for (int i = 1; i <= 40; i++)
        {
            final Side side = i % 2 == 0 ? Side.ASK : Side.BID;
            order(depth, ChangeAction.ADD, side, i, i, 10_000 + i, 10 * i, i % 5 == 0, i % 3 == 0);
            level(levels, ChangeAction.ADD, side, i, 10_000 + i, 10 * i, i, i % 3 == 0);
            trade(trades, ChangeAction.ADD, i, side, Trend.Up, i & 7, 7, 10_000 + i, i, i, i + 1, 0);
        }
        end(depth);
        end(levels);
        end(trades);
        final Item[] items = {depth, levels, trades};
        final long[] bytes = new long[1];
        final SnapshotWriter.Target target = (buffer, offset, length) ->
        {
            bytes[0] += length;
            return true;
        };
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++)
        {
            writeAll(target, items);
        }
        bytes[0] = 0;
        final long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 1_000; i++)
        {
            writeAll(target, items);
        }
        final long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertEquals(0, allocated, "bytes allocated writing 3,000 snapshots");
        assertTrue(bytes[0] > 1_000 * (40 + 40 + 16) * MessageHeaderEncoder.ENCODED_LENGTH, "written: " + bytes[0]);
    }

    private void writeAll(final SnapshotWriter.Target target, final Item[] items)
    {
        for (int i = 0; i < items.length; i++)
        {
            final Item item = items[i];
            writer.begin(target, DOWNSTREAM_ITEM_ID, SNAPSHOT_SEQ_NO);
            item.writeSnapshot(writer);
            assertTrue(writer.end());
        }
    }

    // ------------------------------------------------------------------------------------------------ round trip

    /**
     * Write the source's snapshot through a {@link SnapshotWriter} into a list, check its framing, and apply it to
     * the copy as the engine applies an upstream snapshot.
     *
     * @return the number of update messages between SnapshotBegin and SnapshotEnd.
     */
    private int roundTrip(final Item source, final Item copy)
    {
        captured.clear();
        writer.begin((buffer, offset, length) -> captured.add(copyOf(buffer, offset, length)),
            DOWNSTREAM_ITEM_ID, SNAPSHOT_SEQ_NO);
        source.writeSnapshot(writer);
        assertTrue(writer.end());
        assertEquals(captured.size(), writer.messages());

        headerDecoder.wrap(new UnsafeBuffer(captured.get(0)), 0);
        assertEquals(SnapshotBeginDecoder.TEMPLATE_ID, headerDecoder.templateId());
        headerDecoder.wrap(new UnsafeBuffer(captured.get(captured.size() - 1)), 0);
        assertEquals(SnapshotEndDecoder.TEMPLATE_ID, headerDecoder.templateId());
        for (final byte[] message : captured)
        {
            final UnsafeBuffer view = new UnsafeBuffer(message);
            headerDecoder.wrap(view, 0);
            assertTrue(message.length >= MessageHeaderEncoder.ENCODED_LENGTH + headerDecoder.blockLength());
            // Every message of the snapshot names the item and the snapshot's sequence number: both lead the block.
            assertEquals(DOWNSTREAM_ITEM_ID, view.getLong(MessageHeaderEncoder.ENCODED_LENGTH,
                SnapshotBeginDecoder.BYTE_ORDER));
            assertEquals(SNAPSHOT_SEQ_NO, view.getLong(MessageHeaderEncoder.ENCODED_LENGTH + 8,
                SnapshotBeginDecoder.BYTE_ORDER));
            deliver(copy, view, 0);
        }
        assertFalse(copy.inSnapshot);
        assertEquals(SNAPSHOT_SEQ_NO, copy.upstreamSeqNo);
        return captured.size() - 2;
    }

    /**
     * Apply one interlink message to an item the way the engine does: SnapshotBegin clears the state and opens the
     * snapshot, SnapshotEnd closes it, each update goes to the item's apply method.
     */
    private void deliver(final Item item, final DirectBuffer message, final int offset)
    {
        headerDecoder.wrap(message, offset);
        final int at = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        switch (headerDecoder.templateId())
        {
            case SnapshotBeginDecoder.TEMPLATE_ID:
                beginDecoder.wrap(message, at, blockLength, version);
                item.inSnapshot = true;
                item.clearState();
                break;
            case SnapshotEndDecoder.TEMPLATE_ID:
                endDecoder.wrap(message, at, blockLength, version);
                assertTrue(item.inSnapshot, "SnapshotEnd without SnapshotBegin");
                item.inSnapshot = false;
                item.upstreamSeqNo = endDecoder.seqNo();
                break;
            case MarketUpdateDecoder.TEMPLATE_ID:
                ((MarketsItem)item).apply(marketDecoder.wrap(message, at, blockLength, version));
                break;
            case SecurityUpdateDecoder.TEMPLATE_ID:
                ((SecurityItem)item).apply(securityDecoder.wrap(message, at, blockLength, version));
                break;
            case DepthOrderUpdateDecoder.TEMPLATE_ID:
                assertTrue(((DepthItem)item).apply(orderDecoder.wrap(message, at, blockLength, version)),
                    "the change fits the book");
                break;
            case DepthLevelUpdateDecoder.TEMPLATE_ID:
                assertTrue(((LevelsItem)item).apply(levelDecoder.wrap(message, at, blockLength, version)),
                    "the change fits the levels");
                break;
            case TradeUpdateDecoder.TEMPLATE_ID:
                assertTrue(((TradesItem)item).apply(tradeDecoder.wrap(message, at, blockLength, version)) >= 0,
                    "the trade is newer than those held, or held");
                break;
            case SymbolUpdateDecoder.TEMPLATE_ID:
                ((SymbolsItem)item).apply(symbolDecoder.wrap(message, at, blockLength, version));
                break;
            default:
                throw new AssertionError("unexpected template " + headerDecoder.templateId());
        }
    }

    private static byte[] copyOf(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] copy = new byte[length];
        buffer.getBytes(offset, copy);
        return copy;
    }

    private static String full(final Item item)
    {
        final JsonWriter json = new JsonWriter();
        item.writeFull(json);
        return json.toString();
    }

    /**
     * @return the trades held, oldest first, as the Zenith changes a query answer holds.
     */
    private static String changes(final TradesItem item)
    {
        final JsonWriter json = new JsonWriter();
        json.startArray();
        for (int index = 0; index < item.count(); index++)
        {
            item.writeChange(json, index, true);
        }
        json.endArray();
        return json.toString();
    }

    /**
     * @return the changes of a full book, the clear first and the adds sorted, as a client that sorts them sees it.
     */
    private List<String> entries(final String json) throws Exception
    {
        final JsonNode array = mapper.readTree(json);
        assertEquals("{\"O\":\"C\"}", array.get(0).toString());
        final List<String> adds = new ArrayList<>();
        for (int i = 1; i < array.size(); i++)
        {
            adds.add(array.get(i).toString());
        }
        Collections.sort(adds);
        return adds;
    }

    private static void assertSameFields(final SecurityItem expected, final SecurityItem actual)
    {
        for (int bit = 0; bit < Long.numberOfTrailingZeros(SecurityFields.STATIC); bit++)
        {
            final long field = 1L << bit;
            assertEquals(expected.hasValue(field), actual.hasValue(field), "field bit " + bit);
            assertEquals(expected.mantissa(field), actual.mantissa(field), "field bit " + bit);
            assertEquals(expected.exponent(field), actual.exponent(field), "field bit " + bit);
        }
        assertEquals(expected.code(), actual.code());
        assertEquals(expected.market(), actual.market());
    }

    // ---------------------------------------------------------------------------------------- upstream messages

    private void begin(final Item item)
    {
        new SnapshotBeginEncoder().wrapAndApplyHeader(buffer, 0, header).itemId(UPSTREAM_ITEM_ID).seqNo(1);
        deliver(item, buffer, 0);
    }

    private void end(final Item item)
    {
        endEncoder.wrapAndApplyHeader(buffer, 0, header).itemId(UPSTREAM_ITEM_ID).seqNo(1);
        deliver(item, buffer, 0);
    }

    private void apply(final Item item)
    {
        deliver(item, buffer, 0);
    }

    private void market(
        final MarketsItem item, final String code, final FeedStatus feed, final TradingState state, final int date)
    {
        new MarketUpdateEncoder().wrapAndApplyHeader(buffer, 0, header).itemId(UPSTREAM_ITEM_ID).seqNo(2)
            .feedStatus(feed).tradingState(state).tradingDate(date).marketCode(code);
        deliver(item, buffer, 0);
    }

    /**
     * @return the encoder wrapped on a zeroed SecurityUpdate, its fixed fields to fill, then its strings.
     */
    private SecurityUpdateEncoder security(final long presence, final long cleared)
    {
        buffer.setMemory(0, buffer.capacity(), (byte)0);
        return securityEncoder.wrapAndApplyHeader(buffer, 0, header).itemId(UPSTREAM_ITEM_ID).seqNo(2)
            .presence(presence).cleared(cleared);
    }

    private static void decimal(final DecimalEncoder decimal, final long mantissa, final byte exponent)
    {
        decimal.mantissa(mantissa).exponent(exponent);
    }

    private void order(
        final DepthItem item,
        final ChangeAction action,
        final Side side,
        final long orderId,
        final long position,
        final long price,
        final long quantity,
        final boolean undisclosed,
        final boolean hasUndisclosed)
    {
        final DepthOrderUpdateEncoder encoder = new DepthOrderUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(UPSTREAM_ITEM_ID).seqNo(2).action(action).side(side).orderId(orderId).position(position);
        final boolean add = action == ChangeAction.ADD;
        encoder.fields().clear().price(add).position(add).quantity(add && !undisclosed).undisclosed(undisclosed)
            .hasUndisclosed(hasUndisclosed);
        encoder.price().mantissa(price).exponent(PRICE);
        encoder.quantity().mantissa(quantity).exponent(QUANTITY);
        assertTrue(item.apply(orderDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder)));
    }

    /**
     * An UPDATE: a price amend (price and a new position) when {@code price} is set, and a quantity, or undisclosed.
     */
    private void orderUpdate(
        final DepthItem item,
        final long orderId,
        final boolean price,
        final boolean position,
        final long quantity,
        final boolean undisclosed,
        final boolean hasUndisclosed)
    {
        final DepthOrderUpdateEncoder encoder = new DepthOrderUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(UPSTREAM_ITEM_ID).seqNo(2).action(ChangeAction.UPDATE).side(Side.BID).orderId(orderId)
            .position(9);
        encoder.fields().clear().price(price).position(position).quantity(!undisclosed).undisclosed(undisclosed)
            .hasUndisclosed(hasUndisclosed);
        encoder.price().mantissa(10_105).exponent(PRICE);
        encoder.quantity().mantissa(quantity).exponent(QUANTITY);
        assertTrue(item.apply(orderDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder)));
    }

    private void level(
        final LevelsItem item,
        final ChangeAction action,
        final Side side,
        final long levelId,
        final long price,
        final long volume,
        final int count,
        final boolean hasUndisclosed)
    {
        final DepthLevelUpdateEncoder encoder = new DepthLevelUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(UPSTREAM_ITEM_ID).seqNo(2).action(action).side(side)
            .hasUndisclosed(hasUndisclosed ? BooleanType.TRUE : BooleanType.FALSE).levelId(levelId).count(count);
        encoder.price().mantissa(price).exponent(PRICE);
        encoder.volume().mantissa(volume).exponent(QUANTITY);
        assertTrue(item.apply(levelDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder)));
    }

    /**
     * @param flags   bits: 1 cancel, 2 off market, 4 place holder.
     * @param affects bits: 1 price, 2 volume, 4 VWAP.
     */
    private void trade(
        final TradesItem item,
        final ChangeAction action,
        final long tradeId,
        final Side side,
        final Trend trend,
        final int flags,
        final int affects,
        final long price,
        final long quantity,
        final long buyOrderId,
        final long sellOrderId,
        final long relatedTradeId)
    {
        final TradeUpdateEncoder encoder = new TradeUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(UPSTREAM_ITEM_ID).seqNo(2).action(action).side(side).trend(trend)
            .tradeId(tradeId).timeMs(1_795_000_000_000L + tradeId * 1_357)
            .buyOrderId(buyOrderId).sellOrderId(sellOrderId).relatedTradeId(relatedTradeId);
        encoder.flags().clear().cancel((flags & 1) != 0).offMarket((flags & 2) != 0).placeHolder((flags & 4) != 0);
        encoder.affects().clear().price((affects & 1) != 0).volume((affects & 2) != 0).vwap((affects & 4) != 0);
        encoder.price().mantissa(price).exponent(PRICE);
        encoder.quantity().mantissa(quantity).exponent(QUANTITY);
        assertTrue(item.apply(tradeDecoder.wrapAndApplyHeader(buffer, 0, headerDecoder)) >= 0);
    }

    private void symbol(
        final SymbolsItem item,
        final ChangeAction action,
        final SymbolClass symbolClass,
        final String code,
        final String name,
        final String cfi,
        final String currency,
        final long lotSize)
    {
        final SymbolUpdateEncoder encoder = new SymbolUpdateEncoder().wrapAndApplyHeader(buffer, 0, header)
            .itemId(UPSTREAM_ITEM_ID).seqNo(2).action(action).symbolClass(symbolClass);
        encoder.lotSize().mantissa(lotSize).exponent(QUANTITY);
        encoder.code(code).name(name).cfi(cfi).currency(currency);
        deliver(item, buffer, 0);
    }
}
