package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VarianceTest
{
    @Test
    void namesAreLowerCaseSortedAndDistinctOverEveryLine()
    {
        assertEquals(List.of("accept", "accept-language", "x-tenant"),
            Variance.names(HttpFields.of("Vary", "X-Tenant, Accept-Language", "vary", "accept,ACCEPT")));
        assertEquals(List.of(), Variance.names(HttpFields.EMPTY));
        assertNull(Variance.names(HttpFields.of("Vary", "Accept, *")));
    }

    @Test
    void matchesOnlyWhenTheNominatedValuesAgree()
    {
        final List<String> names = List.of("accept-language", "x-tenant");
        final List<String> stored = Variance.values(names, HttpFields.of("Accept-Language", "en", "X-Tenant", "a"));

        assertTrue(Variance.matches(names, stored, HttpFields.of("X-Tenant", "a", "Accept-Language", "en",
            "Cookie", "ignored")));
        assertFalse(Variance.matches(names, stored, HttpFields.of("Accept-Language", "fr", "X-Tenant", "a")));
        assertFalse(Variance.matches(names, stored, HttpFields.of("Accept-Language", "en")), "absent differs");
        assertFalse(Variance.matches(names, stored, HttpFields.of("Accept-Language", "en", "X-Tenant", "A")),
            "an arbitrary field compares case-sensitively");
    }

    @Test
    void absentAndEmptyAreDifferent()
    {
        assertEquals(Variance.ABSENT, Variance.normalize("x-tenant", null));
        assertEquals("", Variance.normalize("x-tenant", ""));
    }

    @Test
    void whitespaceAndCaseAreNormalisedWhereTheFieldAllowsIt()
    {
        assertEquals("en-gb,en;q=0.8", Variance.normalize("accept-language", " en-GB ,  en;q=0.8 "));
        assertEquals("a b,c", Variance.normalize("x-list", "a   b ,c"));
        assertEquals("A", Variance.normalize("x-list", "A"));
        assertEquals(Variance.normalize("accept-language", "en, fr"),
            Variance.values(List.of("accept-language"), HttpFields.of("Accept-Language", "en",
                "Accept-Language", "fr")).get(0), "field lines combine");
    }

    @Test
    void acceptEncodingReducesToWhetherGzipIsAcceptable()
    {
        assertEquals("gzip", Variance.normalize("accept-encoding", "br, gzip;q=0.5"));
        assertEquals("gzip", Variance.normalize("accept-encoding", "*"));
        assertEquals("identity", Variance.normalize("accept-encoding", "br"));
        assertEquals("identity", Variance.normalize("accept-encoding", null));
    }
}
