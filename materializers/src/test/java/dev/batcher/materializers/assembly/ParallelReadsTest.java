package dev.batcher.materializers.assembly;

import dev.batcher.api.Batch;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.kernels.Kernels;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Batches of gzip and shuffle+gzip files (h5py-written) read with helper threads: the same bytes as the
 * calling thread alone, whether helpers run, are refused, or serve several batches at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ParallelReadsTest {
    /** 32 items of 30 s (3000 samples at 100 Hz) at random whole seconds, several overlapping. */
    private static BatchSpec batch(String file, long seed) {
        Random random = new Random(seed);
        List<ItemSpec> items = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            int second = random.nextInt(120 - 30 + 1);
            items.add(new ItemSpec("layout", file, "/signals/eeg", second * 100L, 3000, ChannelSelection.all(),
                    "/labels/stage", second, 30, 0));
        }
        return new BatchSpec(items);
    }

    private static byte[] bytes(Materializer m, BatchSpec spec) {
        try (Batch b = m.materialize(spec)) {
            ByteBuffer out = ByteBuffer.allocate(b.x().remaining() * 4 + b.y().remaining() * 4).order(ByteOrder.LITTLE_ENDIAN);
            out.asFloatBuffer().put(b.x());
            out.position(out.capacity() - b.y().remaining() * 4);
            out.asIntBuffer().put(b.y());
            return out.array();
        }
    }

    private static RecordingFiles files() {
        return new RecordingFiles(List.of(Fixtures.path("layouts")), 4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip.h5", "shuffle_gzip.h5"})
    void materialize_withHelpers_sameBytesAsOneThread(String file) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (RecordingFiles sequentialFiles = files(); RecordingFiles parallelFiles = files()) {
            Materializer sequential = new Materializer(sequentialFiles, MaterializeOptions.defaults(), Kernels.defaults());
            Materializer parallel = new Materializer(parallelFiles, MaterializeOptions.defaults(), Kernels.defaults(), pool, 2);
            for (long seed = 0; seed < 5; seed++) {
                BatchSpec spec = batch(file, seed);
                assertArrayEquals(bytes(sequential, spec), bytes(parallel, spec), file + " batch " + seed);
            }
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void materialize_executorRefusesHelpers_callerReadsEveryItem() {
        AtomicInteger refused = new AtomicInteger();
        Executor refusing = r -> {
            refused.incrementAndGet();
            throw new RejectedExecutionException("full");
        };
        try (RecordingFiles a = files(); RecordingFiles b = files()) {
            BatchSpec spec = batch("shuffle_gzip.h5", 3);
            byte[] expected = bytes(new Materializer(a, MaterializeOptions.defaults(), Kernels.defaults()), spec);
            byte[] got = bytes(new Materializer(b, MaterializeOptions.defaults(), Kernels.defaults(), refusing, 3), spec);
            assertArrayEquals(expected, got);
            assertEquals(1, refused.get(), "the first refusal stops asking");
        }
    }

    @Test
    void materialize_concurrentBatchesSharingHelpers_sameBytesAsOneThread() throws Exception {
        List<BatchSpec> specs = new ArrayList<>();
        List<byte[]> expected = new ArrayList<>();
        try (RecordingFiles a = files()) {
            Materializer sequential = new Materializer(a, MaterializeOptions.defaults(), Kernels.defaults());
            for (int s = 0; s < 8; s++) {
                specs.add(batch(s % 2 == 0 ? "gzip.h5" : "shuffle_gzip.h5", 100 + s));
                expected.add(bytes(sequential, specs.get(s)));
            }
        }
        ExecutorService helpers = Executors.newFixedThreadPool(2);
        ExecutorService batches = Executors.newFixedThreadPool(4);
        try (RecordingFiles b = files()) {
            Materializer parallel = new Materializer(b, MaterializeOptions.defaults(), Kernels.defaults(), helpers, 2);
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int shift = t;
                done.add(batches.submit(() -> {
                    go.await();
                    for (int k = 0; k < specs.size(); k++) {
                        int i = (k + shift) % specs.size();
                        assertArrayEquals(expected.get(i), bytes(parallel, specs.get(i)), "batch " + i);
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(90, TimeUnit.SECONDS);
            }
        } finally {
            batches.shutdownNow();
            helpers.shutdownNow();
            assertTrue(batches.awaitTermination(30, TimeUnit.SECONDS));
            assertTrue(helpers.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void new_negativeHelpers_throwsNamingTheValue() {
        try (RecordingFiles a = files()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new Materializer(a, MaterializeOptions.defaults(), Kernels.defaults(), Runnable::run, -1));
            assertEquals("readHelpers: -1 (expected: >= 0)", e.getMessage());
        }
    }
}
