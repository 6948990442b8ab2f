package io.meridian.engine;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ActivityBackoffIdleStrategyTest
{
    private static final long HOUR_NS = 3_600_000_000_000L;

    @Test
    void parksDoubleUpToTheBusyCapWhileWorkIsRecent()
    {
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(1, 8, 64, HOUR_NS);
        idle.idle(1);
        assertEquals(1, idle.nextParkNs());

        idleTimes(idle, 110);
        assertEquals(1, idle.nextParkNs(), "100 spins and 10 yields come before the first park");
        idleTimes(idle, 1);
        assertEquals(2, idle.nextParkNs());
        idleTimes(idle, 2);
        assertEquals(8, idle.nextParkNs());
        idleTimes(idle, 20);
        assertEquals(8, idle.nextParkNs(), "held at the busy cap");
    }

    @Test
    void parksGrowToTheIdleCapOnceWorkIsOutsideTheWindow()
    {
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(1, 8, 64, 0);
        idle.idle(1);
        idleTimes(idle, 110 + 20);
        assertEquals(64, idle.nextParkNs());
    }

    @Test
    void workStartsTheBackoffAgainAndTheCapFollowsTheLastWork()
    {
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(1, 8, 64, HOUR_NS);
        assertEquals(64, idle.nextCap(System.nanoTime()), "no work yet: idle");
        idle.idle(1);
        final long now = System.nanoTime();
        assertEquals(8, idle.nextCap(now));
        assertEquals(64, idle.nextCap(now + HOUR_NS + 1));

        idleTimes(idle, 115);
        idle.idle(3);
        assertEquals(1, idle.nextParkNs());
    }

    @Test
    void capsAreKeptInOrder()
    {
        final ActivityBackoffIdleStrategy idle = new ActivityBackoffIdleStrategy(50, 20, 10, HOUR_NS);
        idle.idle(1);
        assertEquals(10, idle.nextParkNs(), "the first park is no longer than the busy cap, nor that the idle one");
        assertEquals(10, idle.nextCap(System.nanoTime()));
    }

    private static void idleTimes(final ActivityBackoffIdleStrategy idle, final int times)
    {
        for (int i = 0; i < times; i++)
        {
            idle.idle(0);
        }
    }
}
