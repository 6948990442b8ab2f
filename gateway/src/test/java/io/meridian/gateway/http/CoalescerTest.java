package io.meridian.gateway.http;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CoalescerTest
{
    private final Coalescer<String, String> coalescer = new Coalescer<>();

    @Test
    void firstLeadsOthersWaitForItsResult() throws Exception
    {
        final Coalescer.Flight<String> leader = coalescer.join("k");
        final Coalescer.Flight<String> waiter = coalescer.join("k");
        final Coalescer.Flight<String> other = coalescer.join("other");

        assertTrue(leader.leader());
        assertFalse(waiter.leader());
        assertTrue(other.leader(), "another key has its own flight");
        assertSame(leader.result(), waiter.result());
        assertEquals(1, coalescer.waiting());
        assertFalse(waiter.result().isDone());

        coalescer.complete("k", leader, "result");

        assertEquals("result", waiter.result().get(1, TimeUnit.SECONDS));
        assertEquals(0, coalescer.waiting());
        assertTrue(coalescer.join("k").leader(), "a completed flight is gone");
    }

    @Test
    void leadRefusesWhileAFlightIsUnderWay()
    {
        final Coalescer.Flight<String> leader = coalescer.lead("k");

        assertTrue(leader.leader());
        assertNull(coalescer.lead("k"));
        assertFalse(coalescer.join("k").leader());
        coalescer.complete("k", leader, "done");
        assertEquals(0, coalescer.inFlight());
    }

    @Test
    void exactlyOneOfManyConcurrentCallersLeads() throws Exception
    {
        final int callers = 16;
        final ExecutorService pool = Executors.newFixedThreadPool(callers);
        try
        {
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<Coalescer.Flight<String>>> flights = new ArrayList<>();
            for (int i = 0; i < callers; i++)
            {
                flights.add(pool.submit(() ->
                {
                    start.await();
                    return coalescer.join("k");
                }));
            }
            start.countDown();
            int leaders = 0;
            for (final Future<Coalescer.Flight<String>> flight : flights)
            {
                leaders += flight.get(5, TimeUnit.SECONDS).leader() ? 1 : 0;
            }
            assertEquals(1, leaders);
            assertEquals(callers - 1, coalescer.waiting());
        }
        finally
        {
            pool.shutdownNow();
        }
    }
}
