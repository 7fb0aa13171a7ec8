package dev.batcher.materializers.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WarmupTest {
    /** A clock that advances by {@code step} nanoseconds each time it is read. */
    private static java.util.function.LongSupplier ticking(long step) {
        AtomicLong now = new AtomicLong();
        return () -> now.addAndGet(step);
    }

    @Test
    void run_zeroBudget_runsNothing() {
        assertEquals(0, Warmup.run(Kernels.scalar(), Duration.ZERO));
    }

    @Test
    void run_negativeBudget_throwsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Warmup.run(Kernels.scalar(), Duration.ofMillis(-1)));
        assertTrue(e.getMessage().startsWith("budget: PT-0.001S (expected: >= 0)"), e.getMessage());
    }

    @Test
    void run_evenRounds_stopsAtTheMinimumOnceRoundsAreSteady() {
        // Every timed part takes one tick: the kernels' windows never look slower than the scalar yardstick's,
        // so it stops after the minimum of 75 rounds.
        assertEquals(75, Warmup.run(Kernels.scalar(), Duration.ofHours(1), ticking(1_000_000)));
    }

    @Test
    void run_budgetSpent_stopsEarly() {
        // The clock advances 1 ms a read: the deadline is 11 ms, and a round starts after reading 2, 6 and 10 ms.
        assertEquals(3, Warmup.run(Kernels.defaults(), Duration.ofMillis(10), ticking(1_000_000)));
    }
}
