package io.meridian.engine;

/**
 * The engine's view of one client connection: an id, a bounded outbox of frames, and the two calls the engine makes
 * back into the gateway. The gateway subclasses it; the engine thread calls {@link #signal()} once per batch for
 * each session it wrote to, and {@link #onOverflow(boolean)} when a frame cannot be queued.
 */
public abstract class ClientSession
{
    private final long sessionId;
    private final SessionOutbox outbox;
    boolean dirty;
    /** Deltas are held back until the outbox drains, then full state is sent again (conflation by resync). */
    boolean resyncPending;
    long resyncSinceMs;
    /** The client's token ran out: no data until it renews, then full state of every subscription kept meanwhile. */
    boolean paused;
    private volatile boolean closed;

    protected ClientSession(final long sessionId, final int outboxCapacity)
    {
        this.sessionId = sessionId;
        this.outbox = new SessionOutbox(Math.min(SessionOutbox.INITIAL_CAPACITY, outboxCapacity), outboxCapacity);
    }

    public final long sessionId()
    {
        return sessionId;
    }

    public final SessionOutbox outbox()
    {
        return outbox;
    }

    /**
     * Mark the session gone; the engine drops it from every fan-out list the next time it meets it, even if the
     * {@link EngineProxy#sessionClosed} command could not be queued.
     */
    public final void markClosed()
    {
        closed = true;
    }

    public final boolean isClosed()
    {
        return closed;
    }

    /**
     * Frames were queued: arrange for them to be sent. Called on the writing thread; must not block.
     */
    protected abstract void signal();

    /**
     * A frame could not be queued: the outbox was full, or the frame is larger than the outbox can ever hold. The
     * session can no longer be given a consistent stream and must be closed (or resynchronised). Called on the
     * engine thread; must not block.
     *
     * @param frameTooLarge true if the frame can never fit ({@code session.send-buffer-bytes} is too small for
     *                      it), false if the client fell behind.
     */
    protected abstract void onOverflow(boolean frameTooLarge);

    /**
     * The engine is about to answer a query from what its cache held, with no request upstream. Called on the
     * engine thread before the answer is queued; must not block. Sessions that report where an answer came from
     * (the HTTP API's {@code X-Cache}) override it.
     *
     * @param transactionId the query's transaction id.
     */
    protected void answeredFromCache(final long transactionId)
    {
    }
}
