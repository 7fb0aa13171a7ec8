package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingReadException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.materializers.Fixtures;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.time.Duration;
import java.util.Collections;

import static org.awaitility.Awaitility.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Many threads, one RecordingFiles with a cache too small for the files: every read is still exact. */
class RecordingFilesConcurrencyTest {
    private static final int THREADS = 6;
    private static final int READS_PER_THREAD = 250;

    @Test
    void readSignal_manyThreadsSmallCacheForcingEvictions_allWindowsExact() throws Exception {
        List<JsonNode> layouts = Fixtures.layouts().toList();
        Map<String, Object> expected = new HashMap<>();
        for (JsonNode entry : layouts) {
            JsonNode s = entry.get("signal");
            int rows = s.get("shape").get(0).asInt();
            int cols = s.get("shape").get(1).asInt();
            expected.put(entry.get("file").asText(), s.get("type").asText().equals("INT16")
                    ? Fixtures.shorts(s.get("expected").asText(), rows, cols)
                    : Fixtures.floats(s.get("expected").asText(), rows, cols));
        }
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        RecordingFiles files = new RecordingFiles(List.of(Fixtures.root()), 2);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                long seed = 1000 + t;
                futures.add(pool.submit(() -> {
                    assertTrue(start.await(30, TimeUnit.SECONDS));
                    Random random = new Random(seed);
                    int checked = 0;
                    for (int i = 0; i < READS_PER_THREAD; i++) {
                        // Half the reads hit one file, so that threads share a handle and a dataset too.
                        JsonNode entry = random.nextBoolean() ? layouts.get(3) : layouts.get(random.nextInt(layouts.size()));
                        checked += readAndCompare(files, entry, expected.get(entry.get("file").asText()), random);
                    }
                    return checked;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(THREADS * READS_PER_THREAD, total);
            assertTrue(Hdf5Hooks.openFiles(files) <= 2, "open files after all leases ended: " + Hdf5Hooks.openFiles(files));
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            files.close();
        }
        assertEquals(0, Hdf5Hooks.openFiles(files));
    }

    @Test
    void readSignal_readersInterruptedMidRead_othersStayExactAndInterruptedOnesKeepTheirFlag() throws Exception {
        List<JsonNode> layouts = Fixtures.layouts().toList();
        Map<String, Object> expected = new HashMap<>();
        for (JsonNode entry : layouts) {
            JsonNode s = entry.get("signal");
            int rows = s.get("shape").get(0).asInt();
            int cols = s.get("shape").get(1).asInt();
            expected.put(entry.get("file").asText(), s.get("type").asText().equals("INT16")
                    ? Fixtures.shorts(s.get("expected").asText(), rows, cols)
                    : Fixtures.floats(s.get("expected").asText(), rows, cols));
        }
        int readers = 4;
        int iterations = 300;
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        try (RecordingFiles files = new RecordingFiles(List.of(Fixtures.root()), 3)) {
            for (int t = 0; t < readers; t++) {
                long seed = 77 + t;
                Thread thread = new Thread(() -> {
                    Random random = new Random(seed);
                    try {
                        for (int i = 0; i < iterations; i++) {
                            // Mostly one shared file, so that an interrupt closes a channel others are reading.
                            JsonNode entry = random.nextInt(4) != 0 ? layouts.get(0) : layouts.get(random.nextInt(layouts.size()));
                            try {
                                readAndCompare(files, entry, expected.get(entry.get("file").asText()), random);
                                successes.incrementAndGet();
                            } catch (RecordingReadException e) {
                                if (e.getReason() != RecordingReadException.Reason.INTERRUPTED) {
                                    throw e;
                                }
                                assertTrue(Thread.interrupted(), "the interrupt flag is kept");
                                interrupted.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    } finally {
                        finished.incrementAndGet();
                    }
                }, "reader-" + t);
                threads.add(thread);
                thread.start();
            }
            for (int i = 0; i < 60 && finished.get() < readers; i++) {
                int before = successes.get();
                threads.get(i % readers).interrupt();
                await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> successes.get() >= before + 3 || finished.get() == readers);
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(120));
                assertTrue(!thread.isAlive(), thread.getName() + " finished");
            }
            if (!failures.isEmpty()) {
                throw new AssertionError("reader failed: " + failures.get(0), failures.get(0));
            }
            assertEquals(readers * iterations, successes.get() + interrupted.get());
            assertTrue(interrupted.get() > 0, "some reads were interrupted");
            assertTrue(Hdf5Hooks.openFiles(files) <= 3, "open files: " + Hdf5Hooks.openFiles(files));
        }
    }

    private static int readAndCompare(RecordingFiles files, JsonNode entry, Object expected, Random random) {
        String file = entry.get("file").asText();
        JsonNode s = entry.get("signal");
        int rows = s.get("shape").get(0).asInt();
        int cols = s.get("shape").get(1).asInt();
        int firstRow = random.nextInt(rows);
        int rowCount = 1 + random.nextInt(rows - firstRow);
        int startSample = random.nextInt(cols);
        int count = 1 + random.nextInt(Math.min(cols - startSample, 2500));
        if (random.nextInt(10) == 0) {
            files.signalInfo(file, s.get("dataset").asText());
        }
        RawWindow raw = files.readSignal(file, s.get("dataset").asText(), firstRow, rowCount, startSample, count);
        for (int r = 0; r < rowCount; r++) {
            String where = file + " row " + (firstRow + r) + " samples [" + startSample + ", " + (startSample + count) + ")";
            if (expected instanceof short[][] shorts) {
                short[] want = Arrays.copyOfRange(shorts[firstRow + r], startSample, startSample + count);
                assertTrue(Arrays.equals(want, raw.shorts()[r]), where);
            } else {
                float[] want = Arrays.copyOfRange(((float[][]) expected)[firstRow + r], startSample, startSample + count);
                float[] got = raw.floats()[r];
                for (int i = 0; i < count; i++) {
                    assertEquals(Float.floatToIntBits(want[i]), Float.floatToIntBits(got[i]), where);
                }
            }
        }
        return 1;
    }
}
