package io.meridian.sim;

import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.interlink.ChangeAction;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.OrderResponseDecoder;
import io.meridian.codecs.interlink.OrderResult;
import io.meridian.codecs.interlink.OrderType;
import io.meridian.codecs.interlink.Validity;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TradingEncoderTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[InterlinkProtocol.MAX_MESSAGE_LENGTH * 4]);
    private final TradingEncoder encoder = new TradingEncoder(buffer);

    @Test
    void shouldKeepTheLargestMessagesWithinTheInterlinkMaximum()
    {
        final SimExchange exchange = new SimExchange(List.of("XSX"), 2_000, 7, 40, 10, 0, SimListener.NONE);
        final SimSecurity security = exchange.securities()[1_999];
        final SimAccount account = new SimAccount("A".repeat(SimBroker.MAX_ACCOUNT_ID_LENGTH), "user",
            "\u20ac".repeat(SimBroker.MAX_ACCOUNT_NAME_LENGTH), Long.MAX_VALUE);
        final SimClientOrder order = new SimClientOrder("O" + Long.MAX_VALUE, account, security, SimOrderBook.BID,
            OrderType.MarketToLimit, Validity.UntilCancel, SimBroker.MAX_QUANTITY, Long.MAX_VALUE);
        final SimHolding holding = new SimHolding(account, security);
        final String errors = (SimBroker.TOTAL_QUANTITY_MAXIMUM + " " + SimBroker.MAX_QUANTITY + "\n").repeat(40);

        final int max = InterlinkProtocol.MAX_MESSAGE_LENGTH;
        assertTrue(encoder.account(1, 1, ChangeAction.ADD, account) <= max);
        assertTrue(encoder.order(1, 1, ChangeAction.UPDATE, order, account.idBytes) <= max);
        assertTrue(encoder.orderClear(1, 1, account) <= max);
        assertTrue(encoder.holding(1, 1, ChangeAction.ADD, holding) <= max);
        assertTrue(encoder.holdingClear(1, 1, account) <= max);
        assertTrue(encoder.balance(1, 1, account, SimAccount.UNFILLED_BUYS) <= max);
        assertTrue(encoder.balanceClear(1, 1, account) <= max);
        final int response = encoder.orderResponse(Long.MAX_VALUE, Long.MAX_VALUE, OrderResult.Rejected,
            "\u20ac".repeat(1_000), "O".repeat(1_000), "\u00e9".repeat(1_000), errors);
        assertTrue(response <= max, "response of " + response + " bytes");
    }

    @Test
    void shouldCutEchoedStringsAtCharacterAndErrorsAtLineBoundaries()
    {
        encoder.orderResponse(1, 2, OrderResult.Invalid, "\u20ac".repeat(100), "O1", "ab", "Side\n" +
            "x".repeat(TradingEncoder.MAX_ERRORS_BYTES));

        final OrderResponseDecoder decoder =
            new OrderResponseDecoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder());
        assertEquals("\u20ac".repeat(TradingEncoder.MAX_ECHO_BYTES / 3), decoder.clientRequestId());
        assertEquals("O1", decoder.orderId());
        assertEquals("ab", decoder.accountId());
        assertEquals("Side", decoder.errors());
        assertEquals("\u20ac\u20ac", new String(TradingEncoder.utf8("\u20ac\u20ac\u20ac", 8), StandardCharsets.UTF_8));
    }
}
