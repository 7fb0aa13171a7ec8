package dev.batcher.materializers.hdf5;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The bounded, single-flight cache of decoded chunks. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ChunkCacheTest {
    private static ChunkCache.Key key(int column) {
        return new ChunkCache.Key(null, "/signals/eeg", 0, column);
    }

    @Test
    void get_sameKeyTwice_loadsOnce() throws Exception {
        ChunkCache cache = new ChunkCache(1 << 20);
        AtomicInteger loads = new AtomicInteger();
        byte[] first = cache.get(key(0), () -> new byte[] {(byte) loads.incrementAndGet()});
        byte[] second = cache.get(key(0), () -> new byte[] {(byte) loads.incrementAndGet()});
        assertSame(first, second);
        assertEquals(1, loads.get());
        assertArrayEquals(new long[] {1, 1, 1, 1}, cache.stats());
    }

    @Test
    void get_moreThanTheBound_keepsAtMostTheBoundEvictingTheLeastRecentlyUsed() throws Exception {
        ChunkCache cache = new ChunkCache(3 * 100);
        AtomicInteger loads = new AtomicInteger();
        for (int c = 0; c < 10; c++) {
            cache.get(key(c), () -> { loads.incrementAndGet(); return new byte[100]; });
            cache.get(key(0), () -> { loads.incrementAndGet(); return new byte[100]; }); // keep 0 recent
            long[] stats = cache.stats();
            assertTrue(stats[2] <= 300, "bytes kept: " + stats[2] + " (expected: <= 300)");
        }
        assertEquals(10, loads.get(), "chunk 0 stayed cached while it was the most recently used");
        assertEquals(3, cache.stats()[3]);
        cache.get(key(1), () -> { loads.incrementAndGet(); return new byte[100]; });
        assertEquals(11, loads.get(), "chunk 1 was evicted long ago and loads again");
    }

    @Test
    void get_failedLoad_isNotKeptAndThrowsTheCause() throws Exception {
        ChunkCache cache = new ChunkCache(1 << 20);
        IllegalStateException thrown = assertThrows(IllegalStateException.class,
                () -> cache.get(key(0), () -> { throw new IllegalStateException("bad chunk"); }));
        assertEquals("bad chunk", thrown.getMessage());
        assertEquals(0, cache.stats()[3]);
        assertEquals(1, cache.get(key(0), () -> new byte[] {1})[0]);
    }

    @Test
    void get_manyThreadsAtOnce_decodeEachChunkOnceAndSeeTheSameBytes() throws Exception {
        ChunkCache cache = new ChunkCache(1 << 20);
        int threads = 8;
        int chunks = 16;
        AtomicInteger[] loads = new AtomicInteger[chunks];
        for (int c = 0; c < chunks; c++) {
            loads[c] = new AtomicInteger();
        }
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<byte[][]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                results.add(pool.submit(() -> {
                    go.await();
                    byte[][] seen = new byte[chunks][];
                    for (int c = 0; c < chunks; c++) {
                        int chunk = c;
                        seen[c] = cache.get(key(c), () -> {
                            loads[chunk].incrementAndGet();
                            return new byte[] {(byte) chunk, 1, 2, 3};
                        });
                    }
                    return seen;
                }));
            }
            go.countDown();
            byte[][] reference = results.get(0).get(30, TimeUnit.SECONDS);
            for (Future<byte[][]> f : results) {
                byte[][] seen = f.get(30, TimeUnit.SECONDS);
                for (int c = 0; c < chunks; c++) {
                    assertSame(reference[c], seen[c], "chunk " + c);
                }
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
        for (int c = 0; c < chunks; c++) {
            assertEquals(1, loads[c].get(), "decodes of chunk " + c);
        }
    }

    @Test
    void new_negativeBound_throwsNamingTheValue() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new ChunkCache(-1));
        assertEquals("maxBytes: -1 (expected: >= 0)", e.getMessage());
    }
}
