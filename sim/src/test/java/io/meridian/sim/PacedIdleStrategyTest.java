package io.meridian.sim;

import org.agrona.concurrent.IdleStrategy;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

class PacedIdleStrategyTest
{
    private final List<String> calls = new ArrayList<>();
    private final IdleStrategy recording = new IdleStrategy()
    {
        @Override
        public void idle(final int workCount)
        {
            calls.add("idle(" + workCount + ")");
        }

        @Override
        public void idle()
        {
            calls.add("idle");
        }

        @Override
        public void reset()
        {
            calls.add("reset");
        }
    };
    private long now = 1_000_000_000L;
    private long due = Long.MAX_VALUE;
    private final PacedIdleStrategy paced = new PacedIdleStrategy(recording, () -> due, () -> now);

    @Test
    void waitsLikeItsDelegateWhileTheNextUpdateIsAtLeastALongestParkAway()
    {
        paced.idle(0);
        due = now + PacedIdleStrategy.MAX_PARK_NS;
        paced.idle(0);
        paced.idle();

        assertEquals(List.of("idle", "idle", "idle"), calls);
    }

    @Test
    void parksOnlyUntilTheNextUpdateIsDueWhenThatIsSooner()
    {
        due = now + TimeUnit.MICROSECONDS.toNanos(200);
        paced.idle(0);
        due = now + PacedIdleStrategy.MAX_PARK_NS - 1;
        paced.idle();

        assertEquals(List.of(), calls, "the delegate, which could sleep 1 ms, is not asked");
    }

    @Test
    void doesNotWaitAtAllForAnUpdateAlreadyDue()
    {
        due = now;
        paced.idle(0);
        due = now - 5;
        paced.idle();

        assertEquals(List.of(), calls);
    }

    @Test
    void workResetsTheDelegate()
    {
        due = now + PacedIdleStrategy.MAX_PARK_NS * 10;
        paced.idle(3);
        paced.reset();

        assertEquals(List.of("reset", "reset"), calls);
    }
}
