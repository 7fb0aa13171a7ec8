package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.Fixtures;
import io.jhdf.HdfFile;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Leases: a handle is never closed while leased, whether evicted, discarded or at close. */
class HandleCacheTest {
    private static final String A = Fixtures.path("layouts/gzip.h5").toString();
    private static final String B = Fixtures.path("layouts/contiguous.h5").toString();
    private static final String C = Fixtures.path("layouts/lzf.h5").toString();

    private static short[][] read(Handle handle) {
        return (short[][]) handle.file.getDatasetByPath("/signals/eeg").getData(new long[] {0, 100}, new int[] {4, 10});
    }

    @Test
    void acquire_evictsLeasedHandle_closesItOnlyAtItsLastRelease() {
        try (HandleCache cache = new HandleCache(1, p -> new Handle(p, new HdfFile(Path.of(p)), null, false))) {
            Handle a = cache.acquire(A);
            Handle a2 = cache.acquire(A);
            assertSame(a, a2);
            Handle b = cache.acquire(B); // evicts A, which is leased twice
            assertEquals(1, cache.cachedFiles());
            assertEquals(2, cache.openFiles());
            assertTrue(a.channelOpen());
            cache.release(a);
            assertEquals(4, read(a2).length, "still readable while the second lease lasts");
            cache.release(a2);
            assertFalse(a.channelOpen());
            assertEquals(1, cache.openFiles());
            cache.release(b);
            assertTrue(b.channelOpen(), "an idle cached handle stays open");
        }
    }

    @Test
    void acquire_evictsIdleHandle_closesItAtOnce() {
        try (HandleCache cache = new HandleCache(2, p -> new Handle(p, new HdfFile(Path.of(p)), null, false))) {
            Handle a = cache.acquire(A);
            cache.release(a);
            cache.release(cache.acquire(B));
            cache.release(cache.acquire(B)); // B is now the most recently used
            cache.release(cache.acquire(C)); // evicts A, the least recently used
            assertFalse(a.channelOpen());
            assertEquals(2, cache.openFiles());
        }
    }

    @Test
    void discard_brokenHandle_nextAcquireOpensAFreshOne() {
        try (HandleCache cache = new HandleCache(2, p -> new Handle(p, new HdfFile(Path.of(p)), null, false))) {
            Handle a = cache.acquire(A);
            cache.discard(a);
            Handle fresh = cache.acquire(A);
            assertTrue(fresh != a);
            assertTrue(a.channelOpen(), "the discarded handle waits for its lease");
            cache.release(a);
            assertFalse(a.channelOpen());
            cache.release(fresh);
            assertEquals(1, cache.openFiles());
        }
    }

    @Test
    void close_withLeasedHandle_closesItAtRelease_andRefusesNewLeases() {
        HandleCache cache = new HandleCache(2, p -> new Handle(p, new HdfFile(Path.of(p)), null, false));
        Handle a = cache.acquire(A);
        cache.release(cache.acquire(B));
        cache.close();
        assertEquals(1, cache.openFiles());
        assertTrue(a.channelOpen());
        assertEquals(4, read(a).length);
        cache.release(a);
        assertEquals(0, cache.openFiles());
        assertThrows(IllegalStateException.class, () -> cache.acquire(A));
    }
}
