package io.meridian.engine;

import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.ItemType;
import io.meridian.codecs.interlink.SymbolClass;
import io.meridian.codecs.interlink.SymbolUpdateDecoder;
import io.meridian.codecs.interlink.SymbolUpdateEncoder;
import io.meridian.codecs.json.JsonWriter;

import java.util.ArrayList;
import java.util.HashMap;

/**
 * The symbol directory of one market: every security the upstream lists for it, with its reference data. Symbol
 * searches are answered from here without asking the upstream. Directory changes are rare, so strings are fine.
 */
final class SymbolsItem extends Item
{
    /** One listed security. */
    static final class Symbol
    {
        final String code;
        final String market;
        String name;
        String cfi;
        String currency;
        boolean managedFund;
        long lotSizeMantissa;
        int lotSizeExponent;

        Symbol(final String code, final String market)
        {
            this.code = code;
            this.market = market;
        }
    }

    private final ArrayList<Symbol> symbols = new ArrayList<>();
    private final HashMap<String, Symbol> byCode = new HashMap<>();

    /**
     * @param market the market code, also the item key.
     */
    SymbolsItem(final String market)
    {
        super(market);
    }

    @Override
    short itemTypeCode()
    {
        return ItemType.SYMBOLS.value();
    }

    @Override
    void clearState()
    {
        symbols.clear();
        byCode.clear();
    }

    int size()
    {
        return symbols.size();
    }

    Symbol symbol(final int index)
    {
        return symbols.get(index);
    }

    Symbol find(final String code)
    {
        return byCode.get(code);
    }

    /**
     * Apply one directory change.
     *
     * @param decoder wrapped on the message.
     */
    void apply(final SymbolUpdateDecoder decoder)
    {
        final ChangeAction action = decoder.action();
        final SymbolClass symbolClass = decoder.symbolClass();
        final long lotMantissa = decoder.lotSize().mantissa();
        final int lotExponent = decoder.lotSize().exponent();
        final String code = decoder.code();
        final String name = decoder.name();
        final String cfi = decoder.cfi();
        final String currency = decoder.currency();
        if (action == ChangeAction.CLEAR)
        {
            clearState();
            return;
        }
        if (action == ChangeAction.REMOVE)
        {
            final Symbol removed = byCode.remove(code);
            if (null != removed)
            {
                symbols.remove(removed);
            }
            return;
        }
        Symbol symbol = byCode.get(code);
        if (null == symbol)
        {
            symbol = new Symbol(code, key);
            byCode.put(code, symbol);
            symbols.add(symbol);
        }
        symbol.name = name;
        symbol.cfi = cfi;
        symbol.currency = currency.isEmpty() ? null : currency;
        symbol.managedFund = symbolClass == SymbolClass.ManagedFund;
        symbol.lotSizeMantissa = lotMantissa;
        symbol.lotSizeExponent = lotExponent;
    }

    /**
     * An ADD per symbol, in the order held, with its class, lot size, code, name, CFI and currency.
     */
    @Override
    void writeSnapshot(final SnapshotWriter writer)
    {
        for (int i = 0; i < symbols.size(); i++)
        {
            final Symbol symbol = symbols.get(i);
            final SymbolUpdateEncoder encoder = writer.symbolUpdate()
                .action(ChangeAction.ADD)
                .symbolClass(symbol.managedFund ? SymbolClass.ManagedFund : SymbolClass.Market);
            encoder.lotSize().mantissa(symbol.lotSizeMantissa).exponent((byte)symbol.lotSizeExponent);
            encoder.code(symbol.code).name(symbol.name).cfi(symbol.cfi).currency(symbol.currency);
            writer.send(encoder.encodedLength());
        }
    }

    @Override
    void writeFull(final JsonWriter writer)
    {
        writer.startArray();
        for (int i = 0; i < symbols.size(); i++)
        {
            writeSymbol(writer, symbols.get(i), true);
        }
        writer.endArray();
    }

    /**
     * Write one symbol as a Zenith symbol detail object.
     *
     * @param writer where to write.
     * @param symbol the symbol.
     * @param full   whether to add the full-symbol fields.
     */
    static void writeSymbol(final JsonWriter writer, final Symbol symbol, final boolean full)
    {
        writer.startObject()
            .name("Code").string(symbol.code)
            .name("Market").string(symbol.market)
            .name("Name").string(symbol.name)
            .name("Class").string(symbol.managedFund ? "ManagedFund" : "Market")
            .name("SubscriptionData").string("Asset,Trades,Depth,DepthFull,DepthShort")
            .name("TradingMarkets").startArray().string(symbol.market).endArray();
        if (full)
        {
            writer.name("CFI").string(symbol.cfi)
                .name("IsIndex").bool(false)
                .name("LotSize").decimal(symbol.lotSizeMantissa, symbol.lotSizeExponent)
                .name("Alternate").startObject().endObject()
                .name("Attributes").startObject().endObject();
        }
        writer.endObject();
    }
}
