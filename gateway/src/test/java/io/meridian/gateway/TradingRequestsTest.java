package io.meridian.gateway;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.meridian.codecs.InterlinkProtocol;
import io.meridian.codecs.interlink.MessageHeaderDecoder;
import io.meridian.codecs.interlink.OrderRequestDecoder;
import io.meridian.codecs.interlink.OrderRequestEncoder;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Order requests as the gateway encodes them for the Trading Agent, and the limit prices it refuses.
 */
class TradingRequestsTest
{
    private final ObjectMapper json = new ObjectMapper();
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[InterlinkProtocol.MAX_MESSAGE_LENGTH]);

    @Test
    void aLimitPriceIsEncodedAsMantissaAndExponent() throws Exception
    {
        TradingRequests.encode("PlaceOrder", placeOrder("10.25"), "alice", buffer, new OrderRequestEncoder(),
            new String[2]);
        final OrderRequestDecoder request = new OrderRequestDecoder()
            .wrapAndApplyHeader(buffer, 0, new MessageHeaderDecoder());
        assertEquals(1025, request.limitPrice().mantissa());
        assertEquals(-2, request.limitPrice().exponent());
        assertEquals(100, request.quantity());
    }

    @Test
    void aLimitPriceBeyondEighteenDigitsIsRefusedEvenWithoutAFraction() throws Exception
    {
        // Once 3.3...E106 as a double: its digits are all before the point, which once went unchecked and threw.
        for (final String price : new String[]{ "3333333333333333333333333333333333333333311.5", "1e19", "1e400",
            "-1e400", "0.0000000000000000001", "1234567890123456789" })
        {
            final JsonNode data = placeOrder(price);
            final TradingRequests.Refused refused = assertThrows(TradingRequests.Refused.class, () ->
                TradingRequests.encode("PlaceOrder", data, "alice", buffer, new OrderRequestEncoder(), new String[2]),
                price);
            assertEquals("Invalid", refused.result, price);
            assertEquals("LimitPrice", refused.code, price);
        }
    }

    private JsonNode placeOrder(final String limitPrice) throws Exception
    {
        return json.readTree("{\"Account\":\"ALICE-1\",\"Details\":{\"Exchange\":\"XSX\",\"Code\":\"ALP\"," +
            "\"Side\":\"Bid\",\"Type\":\"Limit\",\"LimitPrice\":" + limitPrice + ",\"Quantity\":100," +
            "\"Validity\":\"UntilCancel\"},\"Route\":{\"Algorithm\":\"Market\",\"Market\":\"XSX\"}}");
    }
}
