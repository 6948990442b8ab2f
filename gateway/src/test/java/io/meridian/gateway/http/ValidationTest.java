package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ValidationTest
{
    private static final String MODIFIED = "Sun, 06 Nov 1994 08:49:37 GMT";
    private static final String LATER = "Mon, 07 Nov 1994 08:49:37 GMT";

    @Test
    void revalidationSendsBothValidatorsWhenKnown()
    {
        final HttpFields conditional = Validation.conditionalFields(HttpFields.of("ETag", "W/\"x\"",
            "Last-Modified", MODIFIED, "Content-Type", "text/plain"));

        assertEquals("W/\"x\"", conditional.first("If-None-Match"));
        assertEquals(MODIFIED, conditional.first("If-Modified-Since"));
        assertEquals(2, conditional.size());
        assertEquals(0, Validation.conditionalFields(HttpFields.of("Last-Modified", "bad")).size());
        assertTrue(Validation.canValidate(HttpFields.of("Last-Modified", MODIFIED)));
        assertFalse(Validation.canValidate(HttpFields.of("Date", MODIFIED)));
    }

    @Test
    void notModifiedUpdatesStoredFieldsButNotLengthOrCoding()
    {
        final HttpFields stored = HttpFields.of("Cache-Control", "max-age=10", "Content-Encoding", "br",
            "X-Version", "1", "X-Kept", "yes", "Content-Length", "10");
        final HttpFields fresh = Validation.freshen(stored, HttpFields.of("Cache-Control", "max-age=60",
            "X-Version", "2", "Content-Encoding", "gzip", "Content-Length", "0", "Set-Cookie", "a=b"));

        assertEquals("max-age=60", fresh.first("Cache-Control"));
        assertEquals(List.of("2"), fresh.all("X-Version"));
        assertEquals("yes", fresh.first("X-Kept"));
        assertEquals("br", fresh.first("Content-Encoding"));
        assertEquals("10", fresh.first("Content-Length"));
        assertFalse(fresh.has("Set-Cookie"));
    }

    @Test
    void aNotModifiedForAnotherRepresentationDoesNotSelectTheStoredOne()
    {
        final HttpFields stored = HttpFields.of("ETag", "\"a\"", "Last-Modified", MODIFIED);

        assertTrue(Validation.selects(stored, HttpFields.of("ETag", "W/\"a\"")));
        assertFalse(Validation.selects(stored, HttpFields.of("ETag", "\"b\"")));
        assertFalse(Validation.selects(stored, HttpFields.of("Last-Modified", LATER)));
        assertTrue(Validation.selects(stored, HttpFields.of("Last-Modified", MODIFIED)));
        assertTrue(Validation.selects(stored, HttpFields.EMPTY));
        assertFalse(Validation.selects(HttpFields.EMPTY, HttpFields.of("ETag", "\"a\"")));
    }

    @Test
    void ifNoneMatchComparesWeaklyAndWinsOverIfModifiedSince()
    {
        final HttpFields response = HttpFields.of("ETag", "\"v2\"", "Last-Modified", MODIFIED);

        assertTrue(Validation.notModified(HttpFields.of("If-None-Match", "\"v1\", W/\"v2\""), response));
        assertTrue(Validation.notModified(HttpFields.of("If-None-Match", "*"), response));
        assertFalse(Validation.notModified(HttpFields.of("If-None-Match", "\"v1\"", "If-Modified-Since", LATER),
            response));
        assertFalse(Validation.notModified(HttpFields.of("If-None-Match", "\"v1\""), HttpFields.EMPTY));
    }

    @Test
    void ifModifiedSinceUsesLastModifiedElseDate()
    {
        final HttpFields modified = HttpFields.of("Last-Modified", MODIFIED);

        assertTrue(Validation.notModified(HttpFields.of("If-Modified-Since", MODIFIED), modified));
        assertTrue(Validation.notModified(HttpFields.of("If-Modified-Since", LATER), modified));
        assertFalse(Validation.notModified(HttpFields.of("If-Modified-Since", "Sat, 05 Nov 1994 08:49:37 GMT"),
            modified));
        assertTrue(Validation.notModified(HttpFields.of("If-Modified-Since", LATER), HttpFields.of("Date", MODIFIED)));
        assertFalse(Validation.notModified(HttpFields.of("If-Modified-Since", "yesterday"), modified));
        assertFalse(Validation.notModified(HttpFields.EMPTY, modified));
    }

    @Test
    void entityTagListsMayHoldCommasInsideTags()
    {
        assertEquals(List.of("\"a,b\"", "W/\"c\"", "*"), Validation.entityTags(" \"a,b\" ,W/\"c\", *"));
        assertTrue(Validation.weakMatch("W/\"x\"", "\"x\""));
        assertFalse(Validation.weakMatch("\"x\"", "\"y\""));
    }
}
