package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Windows of h5py-written gzip and shuffle+gzip datasets read chunk by chunk through the chunk cache
 * against jhdf's own {@code getData} (the fast path off): the same values, each chunk decoded once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ChunkedWindowsTest {
    private static final String EEG = "signals/eeg";
    private static final int ROWS = 4;
    private static final int SAMPLES = 12000;

    /** Random windows of every row count, many crossing chunk boundaries. */
    private static List<long[]> windows(long seed, int n) {
        Random random = new Random(seed);
        List<long[]> w = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int rows = 1 + random.nextInt(ROWS);
            int first = random.nextInt(ROWS - rows + 1);
            int count = 1 + random.nextInt(4000);
            long start = random.nextInt(SAMPLES - count + 1);
            w.add(new long[] {first, rows, start, count});
        }
        return w;
    }

    private static short[][] read(RecordingFiles files, String file, long[] w) {
        RawWindow raw = files.readSignal(file, EEG, (int) w[0], (int) w[1], w[2], (int) w[3]);
        return raw.shorts();
    }

    @ParameterizedTest
    @ValueSource(strings = {"layouts/gzip.h5", "layouts/shuffle_gzip.h5"})
    void readSignal_chunkedPath_sameValuesAsJhdf(String file) {
        try (RecordingFiles chunked = Hdf5Hooks.files(List.of(Fixtures.root()), 4, true);
             RecordingFiles jhdf = Hdf5Hooks.files(List.of(Fixtures.root()), 4, false)) {
            for (long[] w : windows(7, 300)) {
                short[][] expected = read(jhdf, file, w);
                short[][] got = read(chunked, file, w);
                assertEquals(expected.length, got.length);
                for (int r = 0; r < expected.length; r++) {
                    assertArrayEquals(expected[r], got[r], file + " window " + java.util.Arrays.toString(w) + " row " + r);
                }
            }
            assertEquals(300, Hdf5Hooks.chunkedReads(chunked));
            assertEquals(0, Hdf5Hooks.chunkedReads(jhdf));
        }
    }

    @Test
    void readSignal_windowsSharingAChunk_decodeItOnce() {
        try (RecordingFiles files = Hdf5Hooks.files(List.of(Fixtures.root()), 4, true)) {
            // shuffle_gzip.h5 has chunks (4, 1500): both windows lie in the chunks at 1500 and 3000.
            read(files, "layouts/shuffle_gzip.h5", new long[] {0, 4, 2000, 1500});
            read(files, "layouts/shuffle_gzip.h5", new long[] {1, 2, 1600, 2000});
            long[] stats = Hdf5Hooks.chunkStats(files);
            assertEquals(2, stats[0], "chunk decodes");
            assertEquals(2, stats[1], "chunk hits");
            assertEquals(2L * 4 * 1500 * 2, stats[2], "bytes kept");
        }
    }

    @Test
    void readSignal_concurrentBatches_sameValuesAsSequential() throws Exception {
        String file = "layouts/shuffle_gzip.h5";
        List<long[]> windows = windows(11, 64);
        List<short[][]> expected = new ArrayList<>();
        try (RecordingFiles jhdf = Hdf5Hooks.files(List.of(Fixtures.root()), 4, false)) {
            for (long[] w : windows) {
                expected.add(read(jhdf, file, w));
            }
        }
        int threads = 6;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (RecordingFiles files = Hdf5Hooks.files(List.of(Fixtures.root()), 4, true)) {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int shift = t;
                done.add(pool.submit(() -> {
                    go.await();
                    for (int round = 0; round < 5; round++) {
                        for (int k = 0; k < windows.size(); k++) {
                            int i = (k + shift * 7) % windows.size();
                            short[][] got = read(files, file, windows.get(i));
                            for (int r = 0; r < got.length; r++) {
                                assertArrayEquals(expected.get(i)[r], got[r], "window " + i + " row " + r);
                            }
                        }
                    }
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
            long[] stats = Hdf5Hooks.chunkStats(files);
            // 12000 samples in chunks of 1500: 8 chunks, all fit the default bound, each decoded once.
            assertEquals(8, stats[0], "chunk decodes");
            assertTrue(stats[1] > 0, "hits: " + stats[1]);
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
        }
    }
}
