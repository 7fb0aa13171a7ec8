package dev.batcher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The harness hands out indexes as documented and reports failures; it never asserts on speed. */
class HarnessTest {
    @Test
    void compare_twoThreads_sameIndexesForBothAndPositiveTimes() {
        Set<Long> candidate = ConcurrentHashMap.newKeySet();
        Set<Long> baseline = ConcurrentHashMap.newKeySet();
        Set<Integer> threads = ConcurrentHashMap.newKeySet();
        try (Harness h = new Harness(1_000_000, 4_000_000, 3, 2)) {
            Harness.Timing t = h.compare(2, (thread, i) -> {
                assertEquals(thread, (int) (i % 2));
                threads.add(thread);
                assertTrue(candidate.add(i), "index handed out twice: " + i);
            }, (thread, i) -> assertTrue(baseline.add(i), "index handed out twice: " + i));
            assertTrue(t.candidateNanos() > 0 && t.baselineNanos() > 0, t.toString());
            assertTrue(t.ratio() > 0, t.toString());
            assertTrue(t.candidateRate(1, 1) > 0, t.toString());
        }
        assertEquals(Set.of(0, 1), threads);
        assertTrue(candidate.contains(0L) && candidate.contains(1L) && baseline.contains(0L) && baseline.contains(1L));
    }

    @Test
    void compare_failingOperation_throwsItsException() {
        IllegalStateException boom = new IllegalStateException("boom");
        try (Harness h = new Harness(0, 1_000_000, 1, 1)) {
            assertSame(boom, assertThrows(IllegalStateException.class, () -> h.compare(1, (t, i) -> {
                throw boom;
            }, (t, i) -> { })));
            IllegalStateException wrapped = assertThrows(IllegalStateException.class, () -> h.compare(1, (t, i) -> {
                throw new java.io.IOException("disk");
            }, (t, i) -> { }));
            assertTrue(wrapped.getMessage().contains("disk"), wrapped.getMessage());
            assertThrows(IllegalArgumentException.class, () -> h.compare(2, (t, i) -> { }, (t, i) -> { }));
        }
    }
}
