package io.meridian.gateway;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TopicsTest
{
    @Test
    void securityKeyIsTheSymbolAfterThePrefix()
    {
        assertEquals("BHP.ASX", Topics.securityKey("Security!BHP.ASX"));
        assertEquals("BHP.X.ASX", Topics.securityKey("Security!BHP.X.ASX"));
    }

    @ParameterizedTest
    @MethodSource("malformedSecurityTopics")
    void securityKeyIsNullForMalformedTopic(final String topic)
    {
        assertNull(Topics.securityKey(topic));
    }

    static Stream<String> malformedSecurityTopics()
    {
        return Stream.of(
            "Security!",
            "Security!BHP",
            "Security!.ASX",
            "Security!BHP.",
            "Security!BH P.ASX",
            "Security!" + "A".repeat(96) + ".ASX",
            "Depth!BHP.ASX",
            "security!BHP.ASX",
            "Security!!BHP.ASX",
            "");
    }

    @ParameterizedTest(name = "''{0}'' -> {1}")
    @CsvSource(delimiter = '|', value = {
        "BHP.ASX        | true",
        "A.B            | true",
        "BHP.X.ASX      | true",
        "BRK/B.XNYS     | true",
        "6758.XTKS      | true",
        "BHP.ASX[Ex]    | true",
        "BHP            | false",
        ".ASX           | false",
        "BHP.           | false",
        "A.             | false",
        "..             | false",
        "BH P.ASX       | false",
        "BHP.AS\tX      | false",
        "BHP!.ASX       | false",
        "BHP\".ASX      | false",
        "SOCIÉTÉ.XPAR   | false",
        "BHP.ASX\u007f  | false",
    })
    void validSymbol(final String symbol, final boolean valid)
    {
        assertEquals(valid, Topics.validSymbol(symbol));
    }

    @Test
    void validSymbolBoundsLength()
    {
        final String longest = "A".repeat(Topics.MAX_SYMBOL_LENGTH - 4) + ".ASX";
        assertTrue(Topics.validSymbol(longest));
        assertFalse(Topics.validSymbol("A" + longest));
        assertFalse(Topics.validSymbol(""));
    }
}
