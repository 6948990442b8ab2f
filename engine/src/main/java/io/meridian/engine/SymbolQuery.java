package io.meridian.engine;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Zenith symbol search ({@code SearchSymbols} or {@code QuerySymbols}) parsed by the gateway and answered by the
 * engine from the markets' symbol directories. Immutable once built.
 */
public final class SymbolQuery
{
    /** Most symbols one answer holds, as the Zenith reference states. */
    public static final int MAX_RESULTS = 1000;

    /** Condition field: the symbol code. */
    public static final int FIELD_CODE = 1;
    /** Condition field: the symbol name. */
    public static final int FIELD_NAME = 2;

    static final Comparator<SymbolsItem.Symbol> ALPHABETICAL =
        Comparator.<SymbolsItem.Symbol, String>comparing(s -> s.code).thenComparing(s -> s.market);

    /**
     * One text condition.
     *
     * @param fields        {@link #FIELD_CODE} and/or {@link #FIELD_NAME}.
     * @param group         conditions of one group are alternatives; null means the condition must hold.
     * @param caseSensitive whether case matters.
     * @param fromStart     the text must start the field.
     * @param fromEnd       the text must end the field.
     * @param text          what to look for.
     */
    public record Condition(int fields, String group, boolean caseSensitive, boolean fromStart, boolean fromEnd,
        String text)
    {
        boolean matches(final SymbolsItem.Symbol symbol)
        {
            return ((fields & FIELD_CODE) != 0 && matches(symbol.code)) ||
                ((fields & FIELD_NAME) != 0 && null != symbol.name && matches(symbol.name));
        }

        private boolean matches(final String value)
        {
            final String haystack = caseSensitive ? value : value.toUpperCase(Locale.ROOT);
            final String needle = caseSensitive ? text : text.toUpperCase(Locale.ROOT);
            if (fromStart && fromEnd)
            {
                return haystack.equals(needle);
            }
            if (fromStart)
            {
                return haystack.startsWith(needle);
            }
            if (fromEnd)
            {
                return haystack.endsWith(needle);
            }
            return haystack.contains(needle);
        }

        boolean exact(final SymbolsItem.Symbol symbol)
        {
            return ((fields & FIELD_CODE) != 0 && symbol.code.equalsIgnoreCase(text)) ||
                ((fields & FIELD_NAME) != 0 && null != symbol.name && symbol.name.equalsIgnoreCase(text));
        }
    }

    final String topic;
    final List<String> markets;
    final List<Condition> conditions;
    final int count;
    final int startIndex;
    final boolean fullSymbol;
    final boolean preferExact;
    final Boolean managedFund;

    /**
     * @param topic       the topic the answer carries ({@code SearchSymbols} or {@code QuerySymbols}).
     * @param markets     market codes to search, or null for every market.
     * @param conditions  text conditions; none matches every symbol.
     * @param count       most results, 1 to {@link #MAX_RESULTS}.
     * @param startIndex  results to skip, in alphabetical order.
     * @param fullSymbol  whether results carry the full-symbol fields.
     * @param preferExact return only exact matches when there are any.
     * @param managedFund null for any class, else whether to match managed funds or market securities.
     */
    public SymbolQuery(
        final String topic,
        final List<String> markets,
        final List<Condition> conditions,
        final int count,
        final int startIndex,
        final boolean fullSymbol,
        final boolean preferExact,
        final Boolean managedFund)
    {
        this.topic = topic;
        this.markets = null == markets ? null : List.copyOf(markets);
        this.conditions = List.copyOf(conditions);
        this.count = Math.max(1, Math.min(count, MAX_RESULTS));
        this.startIndex = Math.max(0, startIndex);
        this.fullSymbol = fullSymbol;
        this.preferExact = preferExact;
        this.managedFund = managedFund;
    }

    boolean matches(final SymbolsItem.Symbol symbol)
    {
        if (null != managedFund && managedFund != symbol.managedFund)
        {
            return false;
        }
        Map<String, Boolean> groups = null;
        for (int i = 0; i < conditions.size(); i++)
        {
            final Condition condition = conditions.get(i);
            final boolean matched = condition.matches(symbol);
            if (null == condition.group())
            {
                if (!matched)
                {
                    return false;
                }
            }
            else
            {
                if (null == groups)
                {
                    groups = new HashMap<>();
                }
                groups.merge(condition.group(), matched, Boolean::logicalOr);
            }
        }
        return null == groups || !groups.containsValue(Boolean.FALSE);
    }

    boolean exact(final SymbolsItem.Symbol symbol)
    {
        for (int i = 0; i < conditions.size(); i++)
        {
            if (conditions.get(i).exact(symbol))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Pick the answer from the matching symbols: alphabetical, exact matches only if asked and found, then the
     * window of start index and count.
     *
     * @param matched symbols that match; reordered.
     * @return the symbols to send.
     */
    List<SymbolsItem.Symbol> select(final ArrayList<SymbolsItem.Symbol> matched)
    {
        matched.sort(ALPHABETICAL);
        List<SymbolsItem.Symbol> result = matched;
        if (preferExact)
        {
            final ArrayList<SymbolsItem.Symbol> exact = new ArrayList<>();
            for (final SymbolsItem.Symbol symbol : matched)
            {
                if (exact(symbol))
                {
                    exact.add(symbol);
                }
            }
            if (!exact.isEmpty())
            {
                result = exact;
            }
        }
        final int from = Math.min(startIndex, result.size());
        final int to = Math.min(result.size(), from + count);
        return result.subList(from, to);
    }
}
