package io.meridian.engine;

import org.agrona.DirectBuffer;

/**
 * Where the cache engine sends control messages (Subscribe) to the upstream: an Aeron publication in production.
 */
@FunctionalInterface
interface UpstreamSender
{
    /**
     * @param buffer holding the message.
     * @param offset where it starts.
     * @param length its length.
     * @return a positive position on success, a negative Aeron publication result on failure.
     */
    long offer(DirectBuffer buffer, int offset, int length);
}
