package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HttpFieldsTest
{
    private final HttpFields fields = HttpFields.of("Accept", "text/html", "X-List", " a ", "x-list", "b",
        "Content-Type", "text/plain");

    @Test
    void namesCompareCaseInsensitivelyAndOrderIsKept()
    {
        assertTrue(fields.has("ACCEPT"));
        assertEquals("a", fields.first("x-LIST"), "values are trimmed");
        assertEquals(List.of("a", "b"), fields.all("X-List"));
        assertEquals("a, b", fields.joined("x-list"));
        assertNull(fields.joined("Missing"));
        assertEquals(List.of(), fields.all("Missing"));
    }

    @Test
    void withoutWithAndPlusMakeNewFields()
    {
        final HttpFields changed = fields.without(List.of("X-LIST")).with("accept", "*/*").plus("Accept", "x/y");

        assertFalse(changed.has("x-list"));
        assertEquals(List.of("*/*", "x/y"), changed.all("Accept"));
        assertEquals("Content-Type", changed.fields().get(0).name());
        assertEquals(4, fields.size(), "the original is unchanged");
    }

    @Test
    void weighsItsCharacters()
    {
        assertEquals("Accept".length() + "text/html".length() + 32, HttpFields.of("Accept", "text/html").byteSize());
        assertThrows(IllegalArgumentException.class, () -> HttpFields.of("odd"));
    }
}
