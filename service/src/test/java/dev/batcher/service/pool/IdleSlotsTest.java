package dev.batcher.service.pool;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.api.Batch;
import dev.batcher.api.BatchShapes;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.BatchState;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.Taken;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.iteration.Step;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Idle materialising slots lent to a batch's reads: the daemon's path (a {@link LocalWorker} over a
 * {@link MaterializerCache}) gives LocalBatcher's bytes on gzip and shuffle+gzip files, and starts
 * helpers only while a slot is idle.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class IdleSlotsTest {
    private static final Path LAYOUTS = layouts();

    private static Path layouts() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path p = dir.resolve("test-data/fixtures/layouts");
            if (Files.isDirectory(p)) {
                return p;
            }
        }
        throw new IllegalStateException("test-data/fixtures/layouts not found above " + Path.of("").toAbsolutePath());
    }

    /** 32 items of 30 s at random whole seconds, several overlapping (they share chunks). */
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

    /** Asserts that the daemon's payload holds LocalBatcher's batch (x and y) for {@code spec}, bit for bit. */
    private static void assertLocalBatchersBytes(BatchSpec spec, Materialized got, String what) {
        try (RecordingFiles files = new RecordingFiles(List.of(LAYOUTS), 4);
             LocalBatcher local = new LocalBatcher(s -> new Step.Next(spec, s),
                     new Materializer(files, MaterializeOptions.defaults(), Kernels.defaults()));
             Batch expected = ((Taken.Next) local.take(BatchState.initial(1))).batch()) {
            BatchShapes layout = got.tensors();
            ByteBuffer payload = got.payload().nioBuffer().order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(layout.bytes(), payload.remaining(), what + ": payload bytes");
            float[] x = new float[expected.x().remaining()];
            expected.x().duplicate().get(x);
            float[] gotX = new float[x.length];
            payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(gotX);
            int[] xBits = new int[x.length];
            int[] gotXBits = new int[x.length];
            for (int i = 0; i < x.length; i++) {
                xBits[i] = Float.floatToRawIntBits(x[i]);
                gotXBits[i] = Float.floatToRawIntBits(gotX[i]);
            }
            assertArrayEquals(xBits, gotXBits, what + ": x");
            int[] y = new int[expected.y().remaining()];
            expected.y().duplicate().get(y);
            int[] gotY = new int[y.length];
            payload.duplicate().order(ByteOrder.LITTLE_ENDIAN).position(Math.toIntExact(layout.yOffset())).slice()
                    .order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().get(gotY);
            assertArrayEquals(y, gotY, what + ": y");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip.h5", "shuffle_gzip.h5"})
    void submit_idleSlot_helpsAndGivesLocalBatchersBytes(String file) throws Exception {
        ExecutorService slots = Executors.newFixedThreadPool(2);
        try (MaterializerCache cache = new MaterializerCache(List.of(LAYOUTS.toString()), 4, Kernels.defaults())) {
            LocalWorker worker = new LocalWorker("local", 2, slots, cache, UnpooledByteBufAllocator.DEFAULT);
            for (long seed = 0; seed < 3; seed++) {
                BatchSpec spec = batch(file, seed);
                long before = cache.readHelpersStarted();
                // One job at a time: the other slot is idle, so exactly one helper (slots - 1) joins each batch.
                Materialized m = worker.submit(new Job(seed, "b", LAYOUTS.toString(), MaterializeOptions.defaults(), spec))
                        .get(60, TimeUnit.SECONDS);
                try {
                    assertLocalBatchersBytes(spec, m, file + " batch " + seed);
                } finally {
                    m.release();
                }
                assertEquals(before + 1, cache.readHelpersStarted(), "helpers started for batch " + seed);
            }
        } finally {
            slots.shutdownNow();
            assertTrue(slots.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void execute_everySlotBusy_refusesHelper() {
        try (IdleSlots idle = new IdleSlots(2)) {
            try (MaterializerCache.Busy a = idle.busy(); MaterializerCache.Busy b = idle.busy()) {
                assertThrows(RejectedExecutionException.class, () -> idle.execute(() -> { }));
                assertEquals(0, idle.helpersStarted());
            }
            try (MaterializerCache.Busy a = idle.busy()) {
                idle.execute(() -> { });
                assertEquals(1, idle.helpersStarted(), "one slot idle: the helper runs");
            }
        }
    }

    @Test
    void submit_oneSlot_noHelpers() throws Exception {
        ExecutorService slots = Executors.newFixedThreadPool(1);
        try (MaterializerCache cache = new MaterializerCache(List.of(LAYOUTS.toString()), 4, Kernels.defaults())) {
            LocalWorker worker = new LocalWorker("local", 1, slots, cache, UnpooledByteBufAllocator.DEFAULT);
            BatchSpec spec = batch("shuffle_gzip.h5", 9);
            Materialized m = worker.submit(new Job(1, "b", LAYOUTS.toString(), MaterializeOptions.defaults(), spec))
                    .get(60, TimeUnit.SECONDS);
            try {
                assertLocalBatchersBytes(spec, m, "shuffle_gzip.h5");
            } finally {
                m.release();
            }
            assertEquals(0, cache.readHelpersStarted());
        } finally {
            slots.shutdownNow();
            assertTrue(slots.awaitTermination(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void lendIdleSlots_twice_refused() {
        try (MaterializerCache cache = new MaterializerCache(List.of(), 4, Kernels.defaults())) {
            cache.lendIdleSlots(2);
            assertThrows(IllegalStateException.class, () -> cache.lendIdleSlots(2));
        }
    }
}
