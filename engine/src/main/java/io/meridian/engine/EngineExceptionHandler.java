package io.meridian.engine;

import com.lmax.disruptor.ExceptionHandler;

/**
 * Keeps the engine thread alive through any exception the cache engine lets escape, counting it.
 */
final class EngineExceptionHandler implements ExceptionHandler<RingEvent>
{
    private final EngineCounters counters;

    EngineExceptionHandler(final EngineCounters counters)
    {
        this.counters = counters;
    }

    @Override
    public void handleEventException(final Throwable ex, final long sequence, final RingEvent event)
    {
        counters.recordError(ex);
    }

    @Override
    public void handleOnStartException(final Throwable ex)
    {
        counters.recordError(ex);
    }

    @Override
    public void handleOnShutdownException(final Throwable ex)
    {
        counters.recordError(ex);
    }
}
