package io.meridian.engine;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * A client session for engine tests: records what the engine queued for it and whether it was closed.
 */
final class TestSession extends ClientSession
{
    static final ObjectMapper JSON = new ObjectMapper()
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .setNodeFactory(JsonNodeFactory.withExactBigDecimals(true));

    boolean overflowed;
    boolean frameTooLarge;
    int signals;

    TestSession(final long id)
    {
        this(id, 1 << 16);
    }

    TestSession(final long id, final int capacity)
    {
        super(id, capacity);
    }

    @Override
    protected void signal()
    {
        signals++;
    }

    @Override
    protected void onOverflow(final boolean frameTooLarge)
    {
        this.frameTooLarge = frameTooLarge;
        overflowed = true;
    }

    List<JsonNode> frames() throws Exception
    {
        final List<String> texts = new ArrayList<>();
        outbox().drain((type, buffer, index, length) -> texts.add(buffer.getStringWithoutLengthUtf8(index, length)),
            Integer.MAX_VALUE);
        final List<JsonNode> nodes = new ArrayList<>();
        for (final String text : texts)
        {
            nodes.add(JSON.readTree(text));
        }
        return nodes;
    }
}
