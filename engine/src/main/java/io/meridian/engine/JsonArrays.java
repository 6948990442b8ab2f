package io.meridian.engine;

import org.agrona.DirectBuffer;
import org.agrona.collections.IntArrayList;

/**
 * Cuts encoded JSON arrays at element boundaries, so a long array of changes can be sent as several shorter ones.
 */
final class JsonArrays
{
    private JsonArrays()
    {
    }

    /**
     * Group the elements of the array {@code text[0, length)} into runs of at most {@code maxRun} bytes each (the
     * elements with the commas between them, without the brackets).
     *
     * @param text   the array's JSON text, starting with {@code [} and ending with {@code ]}.
     * @param length its length.
     * @param maxRun most bytes a run may take.
     * @param bounds cleared, then filled with the start and end offset of each run.
     * @return the number of runs; 0 for an empty array or text that is not an array; -1 if one element alone is
     * longer than {@code maxRun}.
     */
    static int splitElements(final DirectBuffer text, final int length, final int maxRun, final IntArrayList bounds)
    {
        bounds.clear();
        if (length < 2 || text.getByte(0) != '[' || text.getByte(length - 1) != ']')
        {
            return 0;
        }
        final int end = length - 1;
        int runStart = 1;
        int elementStart = 1;
        int depth = 0;
        boolean inString = false;
        for (int i = 1; i <= end; i++)
        {
            final byte b = i == end ? (byte)',' : text.getByte(i);
            if (inString)
            {
                if (b == '\\')
                {
                    i++;
                }
                else if (b == '"')
                {
                    inString = false;
                }
                continue;
            }
            if (b == '"')
            {
                inString = true;
            }
            else if (b == '{' || b == '[')
            {
                depth++;
            }
            else if (b == '}' || b == ']')
            {
                depth--;
            }
            else if (b == ',' && depth == 0)
            {
                // An element ends at i.
                if (i - elementStart > maxRun)
                {
                    bounds.clear();
                    return -1;
                }
                if (i - runStart > maxRun)
                {
                    // Close the run before this element; the comma that separated them is dropped.
                    bounds.addInt(runStart);
                    bounds.addInt(elementStart - 1);
                    runStart = elementStart;
                }
                elementStart = i + 1;
            }
        }
        if (end > 1)
        {
            bounds.addInt(runStart);
            bounds.addInt(end);
        }
        return bounds.size() >> 1;
    }
}
