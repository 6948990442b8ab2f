package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import io.meridian.engine.SymbolQuery;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code Data} of Market controller queries into what the engine needs, and rejects what is malformed
 * with the Zenith error code for it.
 */
final class MarketQueries
{
    private static final String DESERIALISE = "Data.Deserialise";

    /** The Market controller's query topics. */
    static final java.util.Set<String> QUERIES = java.util.Set.of(
        "QueryMarkets", "QuerySecurity", "QueryDepthFull", "QueryDepthLevels", "QueryTrades", "QueryTradingStates",
        "SearchSymbols", "QuerySymbols");

    /** A query's Data could not be used; the message is the Zenith error code. */
    static final class Invalid extends Exception
    {
        private static final long serialVersionUID = 1L;

        Invalid(final String code)
        {
            super(code, null, false, false);
        }
    }

    /** QueryTrades parameters. */
    record TradesRequest(String key, int count, long firstTradeId, long lastTradeId, int tradingDate)
    {
    }

    private MarketQueries()
    {
    }

    /**
     * @param data the query Data, {@code {Market, Code}}.
     * @return {@code CODE.MARKET}.
     * @throws Invalid when Data, Code or Market is missing or the symbol is malformed.
     */
    static String symbolKey(final JsonNode data) throws Invalid
    {
        if (null == data || !data.isObject())
        {
            throw new Invalid("Data");
        }
        final String code = text(data, "Code");
        if (null == code || code.isEmpty())
        {
            throw new Invalid("Code");
        }
        final String market = text(data, "Market");
        if (null == market || market.isEmpty())
        {
            throw new Invalid("Market");
        }
        final String key = code + '.' + market;
        if (!Topics.validSymbol(key))
        {
            throw new Invalid("Symbol " + key);
        }
        return key;
    }

    /**
     * @param data {@code {Market}}.
     * @return the market code.
     * @throws Invalid when it is missing or malformed.
     */
    static String market(final JsonNode data) throws Invalid
    {
        if (null == data || !data.isObject())
        {
            throw new Invalid("Data");
        }
        final String market = text(data, "Market");
        if (null == market || market.isEmpty())
        {
            throw new Invalid("Market");
        }
        if (!Topics.validMarket(market))
        {
            throw new Invalid("Market " + market);
        }
        return market;
    }

    /**
     * @param data QueryTrades Data.
     * @return its parameters.
     * @throws Invalid when malformed.
     */
    static TradesRequest trades(final JsonNode data) throws Invalid
    {
        final String key = symbolKey(data);
        final long count = nonNegative(data, "Count", Integer.MAX_VALUE);
        final long first = nonNegative(data, "FirstTradeID", Long.MAX_VALUE);
        final long last = nonNegative(data, "LastTradeID", Long.MAX_VALUE);
        if (first > 0 && last > 0 && first > last)
        {
            throw new Invalid(DESERIALISE);
        }
        final String date = text(data, "TradingDate");
        return new TradesRequest(key, (int)count, first, last, null == date ? 0 : tradingDate(date));
    }

    /**
     * @param date {@code YYYY-MM-DD}, or an ISO-8601 date-time whose date part is taken.
     * @return yyyymmdd.
     * @throws Invalid when it is not a date.
     */
    static int tradingDate(final String date) throws Invalid
    {
        try
        {
            final String day = date.length() > 10 && date.charAt(10) == 'T' ? date.substring(0, 10) : date;
            final java.time.LocalDate parsed = java.time.LocalDate.parse(day);
            return parsed.getYear() * 10000 + parsed.getMonthValue() * 100 + parsed.getDayOfMonth();
        }
        catch (final java.time.DateTimeException ex)
        {
            throw new Invalid(DESERIALISE);
        }
    }

    /**
     * Read a SearchSymbols request. Supported: Markets, Market, Exchange (each a market code), Conditions (Field
     * Code and/or Name; Alternate and Attribute fields match nothing, as no symbol has alternates), Class, Count,
     * StartIndex, FullSymbol, PreferExact.
     *
     * @param data the request Data; may be absent.
     * @return the search.
     * @throws Invalid when malformed.
     */
    static SymbolQuery searchSymbols(final JsonNode data) throws Invalid
    {
        if (null != data && !data.isNull() && !data.isObject())
        {
            throw new Invalid(DESERIALISE);
        }
        final JsonNode d = null == data || data.isNull() ? com.fasterxml.jackson.databind.node.NullNode.instance : data;
        final List<SymbolQuery.Condition> conditions = new ArrayList<>();
        final JsonNode list = d.get("Conditions");
        if (null != list && !list.isNull())
        {
            if (!list.isArray())
            {
                throw new Invalid(DESERIALISE);
            }
            for (final JsonNode condition : list)
            {
                conditions.add(condition(condition));
            }
        }
        return new SymbolQuery("SearchSymbols", markets(d), conditions,
            (int)positive(d, "Count", SymbolQuery.MAX_RESULTS), (int)nonNegative(d, "StartIndex", Integer.MAX_VALUE),
            bool(d, "FullSymbol", true), bool(d, "PreferExact", false), symbolClass(d));
    }

    /**
     * Read a QuerySymbols request: SearchText (required), Field ({@code Code}, {@code Name} joined by {@code +}),
     * IsPartial, IsCaseSensitive, PreferExact, StartIndex, Count, ShowFull, Market/Markets/Exchange.
     *
     * @param data the request Data.
     * @return the search.
     * @throws Invalid when malformed.
     */
    static SymbolQuery querySymbols(final JsonNode data) throws Invalid
    {
        if (null == data || !data.isObject())
        {
            throw new Invalid("Data");
        }
        final String text = text(data, "SearchText");
        if (null == text)
        {
            throw new Invalid(DESERIALISE);
        }
        final String field = text(data, "Field");
        final int fields = null == field ? SymbolQuery.FIELD_CODE : fields(field, "\\+");
        final boolean partial = bool(data, "IsPartial", true);
        final SymbolQuery.Condition condition = new SymbolQuery.Condition(
            fields, null, bool(data, "IsCaseSensitive", false), !partial, !partial, text);
        return new SymbolQuery("QuerySymbols", markets(data), List.of(condition),
            (int)positive(data, "Count", SymbolQuery.MAX_RESULTS),
            (int)nonNegative(data, "StartIndex", Integer.MAX_VALUE), bool(data, "ShowFull", false),
            bool(data, "PreferExact", false), symbolClass(data));
    }

    private static SymbolQuery.Condition condition(final JsonNode condition) throws Invalid
    {
        if (!condition.isObject())
        {
            throw new Invalid(DESERIALISE);
        }
        final String text = text(condition, "Text");
        if (null == text)
        {
            throw new Invalid(DESERIALISE);
        }
        final String field = text(condition, "Field");
        final int fields = null == field ? SymbolQuery.FIELD_CODE | SymbolQuery.FIELD_NAME : fields(field, ",");
        boolean fromStart = false;
        boolean fromEnd = false;
        final String match = text(condition, "Match");
        if (null != match && !match.isBlank())
        {
            for (final String part : match.split(","))
            {
                switch (part.trim())
                {
                    case "FromStart":
                        fromStart = true;
                        break;
                    case "FromEnd":
                        fromEnd = true;
                        break;
                    case "Exact":
                        fromStart = true;
                        fromEnd = true;
                        break;
                    default:
                        throw new Invalid(DESERIALISE);
                }
            }
        }
        return new SymbolQuery.Condition(fields, text(condition, "Group"), bool(condition, "IsCaseSensitive", false),
            fromStart, fromEnd, text);
    }

    private static int fields(final String field, final String separator) throws Invalid
    {
        int fields = 0;
        for (final String part : field.split(separator))
        {
            switch (part.trim())
            {
                case "Code":
                    fields |= SymbolQuery.FIELD_CODE;
                    break;
                case "Name":
                    fields |= SymbolQuery.FIELD_NAME;
                    break;
                case "Alternate":
                case "Attribute":
                case "Ticker":
                case "ISIN":
                case "RIC":
                case "Base":
                    break;
                default:
                    throw new Invalid(DESERIALISE);
            }
        }
        return fields;
    }

    private static List<String> markets(final JsonNode data) throws Invalid
    {
        final JsonNode list = data.get("Markets");
        if (null != list && !list.isNull())
        {
            if (!list.isArray())
            {
                throw new Invalid(DESERIALISE);
            }
            final List<String> markets = new ArrayList<>();
            for (final JsonNode market : list)
            {
                if (!market.isTextual() || !Topics.validMarket(market.asText()))
                {
                    throw new Invalid(market.isTextual() ? "Market.NotFound " + market.asText() : DESERIALISE);
                }
                markets.add(market.asText());
            }
            return markets;
        }
        final String market = text(data, "Market");
        final String exchange = text(data, "Exchange");
        final String one = null != market ? market : exchange;
        if (null == one)
        {
            return null;
        }
        if (!Topics.validMarket(one))
        {
            throw new Invalid("Market.NotFound " + one);
        }
        return List.of(one);
    }

    private static Boolean symbolClass(final JsonNode data) throws Invalid
    {
        final String value = text(data, "Class");
        if (null == value)
        {
            return null;
        }
        switch (value)
        {
            case "Market":
                return Boolean.FALSE;
            case "ManagedFund":
                return Boolean.TRUE;
            default:
                throw new Invalid(DESERIALISE);
        }
    }

    private static String text(final JsonNode data, final String name) throws Invalid
    {
        final JsonNode node = data.get(name);
        if (null == node || node.isNull())
        {
            return null;
        }
        if (!node.isTextual())
        {
            throw new Invalid(DESERIALISE);
        }
        return node.asText();
    }

    private static boolean bool(final JsonNode data, final String name, final boolean absent) throws Invalid
    {
        final JsonNode node = data.get(name);
        if (null == node || node.isNull())
        {
            return absent;
        }
        if (!node.isBoolean())
        {
            throw new Invalid(DESERIALISE);
        }
        return node.asBoolean();
    }

    private static long nonNegative(final JsonNode data, final String name, final long max) throws Invalid
    {
        final JsonNode node = data.get(name);
        if (null == node || node.isNull())
        {
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong() || node.asLong() < 0 || node.asLong() > max)
        {
            throw new Invalid(DESERIALISE);
        }
        return node.asLong();
    }

    private static long positive(final JsonNode data, final String name, final long absent) throws Invalid
    {
        final JsonNode node = data.get(name);
        if (null == node || node.isNull())
        {
            return absent;
        }
        final long value = nonNegative(data, name, Integer.MAX_VALUE);
        if (value == 0)
        {
            throw new Invalid(DESERIALISE);
        }
        return value;
    }

    /**
     * @param controller the request's controller.
     * @param topic      its topic.
     * @return true if the result is an array, so that an empty result is {@code []}: every Market query but
     * QuerySecurity. Zenith clients read these results as arrays and fail on null.
     */
    static boolean arrayResult(final String controller, final String topic)
    {
        return "Market".equals(controller) && QUERIES.contains(topic) && !"QuerySecurity".equals(topic) ||
            "Trading".equals(controller) && TradingRequests.QUERIES.contains(topic);
    }
}
