package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HopByHopTest
{
    @Test
    void removesConnectionSpecificFieldsAndThoseConnectionNames()
    {
        final HttpFields stripped = HopByHop.strip(HttpFields.of(
            "Connection", "keep-alive, X-Hop", "connection", "Other-Hop",
            "Keep-Alive", "timeout=5", "TE", "trailers", "Trailer", "X-Sum", "Transfer-Encoding", "chunked",
            "Upgrade", "websocket", "Proxy-Authorization", "Basic x", "Proxy-Connection", "close", "Proxy", "evil",
            "X-Hop", "1", "Other-Hop", "2", "Proxy-Status", "Meridian; error=none", "Content-Type", "text/plain"));

        assertEquals(List.of("Proxy-Status", "Content-Type"),
            stripped.fields().stream().map(HttpFields.Field::name).toList());
    }

    @Test
    void leavesEndToEndFieldsAloneAndReturnsTheSameObjectWhenNothingGoes()
    {
        final HttpFields fields = HttpFields.of("Cache-Control", "max-age=1", "Proxy-Status", "x");

        assertSame(fields, HopByHop.strip(fields));
        assertTrue(HopByHop.isHopByHop("PROXY-AUTHENTICATE"));
        assertFalse(HopByHop.isHopByHop("proxy-status"));
        assertFalse(HopByHop.isHopByHop("Via"));
    }
}
