package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingReadException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.hdf5.Hdf5Reader.ReadPath;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ContiguousDataset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The contiguous fast path of {@link RecordingFiles#readSignal}: which datasets take it, and that it
 * returns exactly what h5py wrote (and what jhdf returns) for every contiguous fixture, at the edges,
 * for huge datasets, under concurrency with evictions, and when interrupted.
 */
class RecordingFilesContiguousTest {
    private static final String EEG = "/signals/eeg";

    private RecordingFiles files;
    private RecordingFiles viaJhdf;

    @BeforeEach
    void open() {
        files = Hdf5Hooks.files(List.of(Fixtures.root()), 4, true);
        viaJhdf = Hdf5Hooks.files(List.of(Fixtures.root()), 4, false);
    }

    @AfterEach
    void close() {
        files.close();
        viaJhdf.close();
    }

    /** The layout fixtures stored contiguously (no chunk shape in the manifest). */
    static Stream<Arguments> contiguousLayouts() {
        return Fixtures.layouts().filter(n -> n.get("signal").get("chunks").isNull())
                .map(n -> Arguments.of(n.get("file").asText(), n));
    }

    /** The layout fixtures stored in chunks. */
    static Stream<Arguments> chunkedLayouts() {
        return Fixtures.layouts().filter(n -> !n.get("signal").get("chunks").isNull())
                .map(n -> Arguments.of(n.get("file").asText(), n));
    }

    @Test
    void fixtures_includeContiguousInt16AndFloat32InBothByteOrdersAndAUserBlock() {
        List<String> names = contiguousLayouts().map(a -> (String) a.get()[0]).toList();
        assertEquals(List.of("layouts/contiguous.h5", "layouts/big_endian.h5", "layouts/contiguous_userblock.h5",
                "layouts/float32_contiguous.h5", "layouts/float32_big_endian.h5"), names);
    }

    // ---- which path -----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("contiguousLayouts")
    void readPath_contiguousFixture_isTheFastPath(String file, JsonNode entry) {
        String dataset = entry.get("signal").get("dataset").asText();
        assertEquals(ReadPath.CONTIGUOUS, Hdf5Hooks.readPath(files, file, dataset));
        assertEquals(ReadPath.JHDF, Hdf5Hooks.readPath(viaJhdf, file, dataset));
    }

    /** Every layout fixture whose label dataset is stored contiguously. */
    static Stream<Arguments> contiguousLabels() {
        return Fixtures.layouts().filter(n -> n.get("labels").get("chunks").isNull())
                .map(n -> Arguments.of(n.get("file").asText(), n));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contiguousLabels")
    void readLabels_contiguousFixture_fastPathEqualsJhdfEveryWindow(String file, JsonNode entry) {
        String dataset = entry.get("labels").get("dataset").asText();
        int cols = entry.get("labels").get("shape").get(1).asInt();
        for (int start = 0; start < cols; start += Math.max(1, cols / 7)) {
            for (int count : new int[] {1, 2, cols - start}) {
                if (start + count > cols) {
                    continue;
                }
                long before = Hdf5Hooks.contiguousReads(files);
                int[][] fast = files.readLabels(file, dataset, start, count);
                assertEquals(before + 1, Hdf5Hooks.contiguousReads(files), file + " read by the fast path");
                int[][] jhdf = viaJhdf.readLabels(file, dataset, start, count);
                assertEquals(jhdf.length, fast.length, file);
                for (int r = 0; r < jhdf.length; r++) {
                    assertArrayEquals(jhdf[r], fast[r], file + " [" + start + ", +" + count + ") row " + r);
                }
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("chunkedLayouts")
    void readPath_chunkedOrFilteredFixture_isChunkByChunk(String file, JsonNode entry) {
        String dataset = entry.get("signal").get("dataset").asText();
        assertEquals(ReadPath.CHUNKED, Hdf5Hooks.readPath(files, file, dataset));
        assertEquals(ReadPath.JHDF, Hdf5Hooks.readPath(viaJhdf, file, dataset));
        long before = Hdf5Hooks.chunkedReads(files);
        long jhdfBefore = Hdf5Hooks.jhdfReads(files);
        files.readSignal(file, dataset, 0, 1, 0, 10);
        assertEquals(before + 1, Hdf5Hooks.chunkedReads(files));
        assertEquals(jhdfBefore, Hdf5Hooks.jhdfReads(files));
        assertEquals(0, Hdf5Hooks.contiguousReads(files));
    }

    @Test
    void readPath_hugeSparseFixture_isChunked() {
        JsonNode huge = Fixtures.manifest().get("huge");
        assertEquals(ReadPath.CHUNKED, Hdf5Hooks.readPath(files, huge.get("file").asText(), huge.get("dataset").asText()));
    }

    @Test
    void readPath_tinyDatasetContiguousSignal_isTheFastPath() {
        assertEquals(ReadPath.CONTIGUOUS, Hdf5Hooks.readPath(files, "tiny/night3.h5", "/eeg"));
        assertEquals(ReadPath.CHUNKED, Hdf5Hooks.readPath(files, "tiny/night1.h5", EEG));
    }

    @Test
    void readPath_systemPropertyFalse_turnsTheFastPathOff() {
        String old = System.getProperty(Hdf5Format.FAST_PATH_PROPERTY);
        System.setProperty(Hdf5Format.FAST_PATH_PROPERTY, "false");
        try (RecordingFiles off = new RecordingFiles(List.of(Fixtures.root()), 1)) {
            assertEquals(ReadPath.JHDF, Hdf5Hooks.readPath(off, "layouts/contiguous.h5", EEG));
            off.readSignal("layouts/contiguous.h5", EEG, 0, 4, 0, 100);
            assertEquals(0, Hdf5Hooks.contiguousReads(off));
            assertEquals(1, Hdf5Hooks.jhdfReads(off));
        } finally {
            if (old == null) {
                System.clearProperty(Hdf5Format.FAST_PATH_PROPERTY);
            } else {
                System.setProperty(Hdf5Format.FAST_PATH_PROPERTY, old);
            }
        }
        try (RecordingFiles on = new RecordingFiles(List.of(Fixtures.root()), 1)) {
            assertEquals(ReadPath.CONTIGUOUS, Hdf5Hooks.readPath(on, "layouts/contiguous.h5", EEG));
        }
    }

    @Test
    void unallocatedContiguousDataset_fallsBackToJhdfAndBehavesAsJhdfDoes() {
        JsonNode entry = Fixtures.manifest().get("unallocated");
        String file = entry.get("file").asText();
        String dataset = entry.get("dataset").asText();
        try (HdfFile hdf = new HdfFile(Fixtures.path(file))) {
            Dataset ds = hdf.getDatasetByPath(dataset);
            assertTrue(ds instanceof ContiguousDataset, "a contiguous dataset");
            assertEquals(-1L, ((ContiguousDataset) ds).getDataAddress(), "an undefined data address");
            assertNull(ContiguousStorage.of(ds, hdf, "test"));
        }
        assertEquals(ReadPath.JHDF, Hdf5Hooks.readPath(files, file, dataset));
        Object fast = outcome(() -> files.readSignal(file, dataset, 0, 4, 100, 50));
        Object jhdf = outcome(() -> viaJhdf.readSignal(file, dataset, 0, 4, 100, 50));
        assertEquals(jhdf, fast);
        assertEquals(0, Hdf5Hooks.contiguousReads(files));
        assertEquals(1, Hdf5Hooks.jhdfReads(files));
    }

    /** The samples as a string, or the failure's reason and message: what a caller would see. */
    private static Object outcome(java.util.function.Supplier<RawWindow> read) {
        try {
            return Arrays.deepToString(read.get().shorts());
        } catch (RecordingReadException e) {
            return e.getReason() + ": " + e.getMessage();
        }
    }

    // ---- exact samples --------------------------------------------------------------------------

    /**
     * Windows of a {@code rows x cols} dataset: whole, first and last sample, single samples and single
     * rows at both ends, full-width windows (one covering read), windows whose rows are a few bytes
     * apart (one covering read) or far apart (a read per row), and random windows.
     */
    static List<RecordingFilesLayoutTest.Win> windows(int rows, int cols, long seed) {
        List<RecordingFilesLayoutTest.Win> w = new ArrayList<>(RecordingFilesLayoutTest.windows(rows, cols, null, seed));
        w.add(new RecordingFilesLayoutTest.Win(0, 1, 0, 1));
        w.add(new RecordingFilesLayoutTest.Win(rows - 1, 1, 0, 1));
        w.add(new RecordingFilesLayoutTest.Win(0, 1, cols - 1, 1));
        w.add(new RecordingFilesLayoutTest.Win(rows - 1, 1, cols - 1, 1));
        w.add(new RecordingFilesLayoutTest.Win(0, rows, 0, cols - 1));
        w.add(new RecordingFilesLayoutTest.Win(0, rows, 1, cols - 1));
        int smallGap = ContiguousStorage.MAX_GAP_BYTES / 4; // elements: a gap of half the limit, or less
        w.add(new RecordingFilesLayoutTest.Win(0, rows, smallGap / 2, cols - smallGap));
        w.add(new RecordingFilesLayoutTest.Win(1, rows - 1, 0, Math.max(1, cols - ContiguousStorage.MAX_GAP_BYTES)));
        w.add(new RecordingFilesLayoutTest.Win(0, rows, cols / 3, 7));
        w.add(new RecordingFilesLayoutTest.Win(0, 2, cols - 5, 5));
        return w;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("contiguousLayouts")
    void readSignal_contiguousFixtureManyWindows_matchesEveryBitH5pyWroteOnTheFastPath(String file, JsonNode entry) {
        JsonNode s = entry.get("signal");
        String dataset = s.get("dataset").asText();
        int rows = s.get("shape").get(0).asInt();
        int cols = s.get("shape").get(1).asInt();
        boolean int16 = s.get("type").asText().equals("INT16");
        short[][] shorts = int16 ? Fixtures.shorts(s.get("expected").asText(), rows, cols) : null;
        float[][] floats = int16 ? null : Fixtures.floats(s.get("expected").asText(), rows, cols);
        List<RecordingFilesLayoutTest.Win> windows = windows(rows, cols, file.hashCode());
        for (RecordingFilesLayoutTest.Win w : windows) {
            RawWindow raw = files.readSignal(file, dataset, w.firstRow(), w.rows(), w.start(), w.count());
            RawWindow ref = viaJhdf.readSignal(file, dataset, w.firstRow(), w.rows(), w.start(), w.count());
            assertEquals(w.rows(), raw.channels(), () -> file + " " + w);
            assertEquals(w.count(), raw.samples(), () -> file + " " + w);
            int from = (int) w.start();
            for (int r = 0; r < w.rows(); r++) {
                int row = w.firstRow() + r;
                String where = file + " " + w + " row " + row;
                if (int16) {
                    assertEquals(SampleType.INT16, raw.type());
                    assertArrayEquals(Arrays.copyOfRange(shorts[row], from, from + w.count()), raw.shorts()[r], where);
                    assertArrayEquals(ref.shorts()[r], raw.shorts()[r], where + " (as jhdf)");
                } else {
                    assertEquals(SampleType.FLOAT32, raw.type());
                    assertArrayEquals(rawBits(Arrays.copyOfRange(floats[row], from, from + w.count())),
                            rawBits(raw.floats()[r]), where);
                    assertArrayEquals(rawBits(ref.floats()[r]), rawBits(raw.floats()[r]), where + " (as jhdf)");
                }
            }
        }
        assertEquals(windows.size(), Hdf5Hooks.contiguousReads(files), "every window on the fast path");
        assertEquals(0, Hdf5Hooks.jhdfReads(files));
        assertEquals(windows.size(), Hdf5Hooks.jhdfReads(viaJhdf));
    }

    @Test
    void readSignal_float32Fixtures_keepNanInfinitiesNegativeZeroAndDenormals() {
        for (String file : List.of("layouts/float32_contiguous.h5", "layouts/float32_big_endian.h5")) {
            float[] got = files.readSignal(file, "/ecg", 0, 1, 0, 6).floats()[0];
            assertTrue(Float.isNaN(got[0]), file);
            assertEquals(Float.POSITIVE_INFINITY, got[1], file);
            assertEquals(Float.NEGATIVE_INFINITY, got[2], file);
            assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(got[3]), file);
            assertEquals(1e-42f, got[4], file);
            assertEquals(Float.MAX_VALUE, got[5], file);
        }
    }

    @Test
    void readSignal_bigEndianFixtures_areReadInTheirByteOrder() {
        short[][] expected = Fixtures.shorts("expected/layouts_signal.int16", 4, 12000);
        // The extremes make a swapped byte order show: -32768 is 0x8000, 32767 is 0x7fff.
        short[][] got = files.readSignal("layouts/big_endian.h5", EEG, 0, 4, 0, 12000).shorts();
        assertEquals(-32768, got[0][0]);
        assertEquals(32767, got[1][1]);
        assertTrue(Arrays.deepEquals(expected, got));
        assertEquals(ReadPath.CONTIGUOUS, Hdf5Hooks.readPath(files, "layouts/float32_big_endian.h5", "/ecg"));
    }

    @Test
    void readSignal_userBlock_addressesAreRelativeToTheEndOfIt() {
        short[][] expected = Fixtures.shorts("expected/layouts_signal.int16", 4, 12000);
        try (HdfFile hdf = new HdfFile(Fixtures.path("layouts/contiguous_userblock.h5"))) {
            assertEquals(512, hdf.getUserBlockSize());
            ContiguousStorage storage = ContiguousStorage.of(hdf.getDatasetByPath(EEG), hdf, "test");
            assertNotNull(storage);
            assertEquals(512 + ((ContiguousDataset) hdf.getDatasetByPath(EEG)).getDataAddress(), storage.start());
        }
        short[][] got = files.readSignal("layouts/contiguous_userblock.h5", EEG, 0, 4, 0, 12000).shorts();
        assertTrue(Arrays.deepEquals(expected, got));
    }

    @Test
    void storage_outsideTheExtent_isRefused() throws IOException {
        try (HdfFile hdf = new HdfFile(Fixtures.path("layouts/contiguous.h5"))) {
            ContiguousStorage storage = ContiguousStorage.of(hdf.getDatasetByPath(EEG), hdf, "test");
            assertNotNull(storage);
            assertThrows(IllegalArgumentException.class, () -> storage.read(0, 5, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> storage.read(0, 1, 11999, 2));
            assertThrows(IllegalArgumentException.class, () -> storage.read(-1, 1, 0, 1));
            assertThrows(IllegalArgumentException.class, () -> storage.read(0, 1, 0, 0));
            assertEquals(1, storage.read(3, 1, 11999, 1).samples());
        }
    }

    // ---- failures -------------------------------------------------------------------------------

    @Test
    void readSignal_fileEndingInsideARow_failsUnreadableNamingTheBytesAndTheHandleSurvives(@TempDir Path dir)
            throws IOException {
        // bad/truncated.h5 ends where row 2 starts; cut 1000 more bytes so that row 1 ends early.
        byte[] bytes = Files.readAllBytes(Fixtures.path("bad/truncated.h5"));
        Files.createDirectories(dir.resolve("bad"));
        Files.write(dir.resolve("bad/short.h5"), Arrays.copyOf(bytes, bytes.length - 1000));
        try (RecordingFiles cut = Hdf5Hooks.files(List.of(dir), 2, true)) {
            assertEquals(ReadPath.CONTIGUOUS, Hdf5Hooks.readPath(cut, "bad/short.h5", EEG));
            assertEquals(1000, cut.readSignal("bad/short.h5", EEG, 0, 1, 0, 1000).samples());
            assertEquals(400, cut.readSignal("bad/short.h5", EEG, 1, 1, 0, 400).samples());
            for (int rows : new int[] {1, 2}) {
                RecordingReadException e = assertThrows(RecordingReadException.class,
                        () -> cut.readSignal("bad/short.h5", EEG, 2 - rows, rows, 0, 1000));
                assertEquals(Reason.UNREADABLE, e.getReason());
                assertEquals("bad/short.h5", e.getFile());
                assertEquals(EEG, e.getDataset());
                assertTrue(e.getMessage().contains("file bad/short.h5, dataset /signals/eeg, channels [" + (2 - rows)
                        + ", 2), samples [0, 1000): read: Trying to read more bytes than available: the file ends at byte "
                        + (bytes.length - 1000)), e.getMessage());
                assertTrue(e.getMessage().contains("(expected: a readable, complete HDF5 file)"), e.getMessage());
            }
            // The failure was the file's, not the channel's: the same handle goes on reading.
            assertEquals(1000, cut.readSignal("bad/short.h5", EEG, 0, 1, 0, 1000).samples());
            assertEquals(1, Hdf5Hooks.openFiles(cut));
        }
    }

    @Test
    void readSignal_interruptedThread_failsInterruptedKeepsTheFlagAndTheNextReadWorks() {
        short[][] before = files.readSignal("layouts/contiguous.h5", EEG, 0, 4, 0, 100).shorts();
        Thread.currentThread().interrupt();
        try {
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> files.readSignal("layouts/contiguous.h5", EEG, 0, 4, 0, 100));
            assertEquals(Reason.INTERRUPTED, e.getReason());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            assertTrue(Thread.interrupted());
        }
        assertTrue(Arrays.deepEquals(before, files.readSignal("layouts/contiguous.h5", EEG, 0, 4, 0, 100).shorts()));
    }

    @Test
    void storageRead_interruptedMidRead_closesTheSharedChannelAsHandleChannelOpenSees() throws IOException {
        // What RecordingFiles relies on: the fast path's read, interrupted, closes jhdf's channel, and
        // Handle.channelOpen() (which decides to retry on a fresh handle) sees it.
        try (HandleCache cache = new HandleCache(1, p -> new Handle(p, new HdfFile(Path.of(p)), null, false))) {
            Handle handle = cache.acquire(Fixtures.path("layouts/contiguous.h5").toString());
            try {
                ContiguousStorage storage = handle.contiguous(EEG, handle.file.getDatasetByPath(EEG));
                assertNotNull(storage);
                assertEquals(100, storage.read(0, 4, 0, 100).samples());
                Thread.currentThread().interrupt();
                try {
                    assertThrows(ClosedByInterruptException.class, () -> storage.read(0, 4, 0, 100));
                } finally {
                    assertTrue(Thread.interrupted(), "the interrupt flag is kept");
                }
                assertFalse(handle.channelOpen());
            } finally {
                cache.release(handle);
            }
        }
    }

    @Test
    void readSignal_channelClosedByAnotherThreadsInterrupt_retriesOnAFreshHandleStillOnTheFastPath()
            throws IOException {
        for (String file : List.of("layouts/contiguous.h5", "layouts/big_endian.h5")) {
            short[][] before = files.readSignal(file, EEG, 0, 4, 5000, 3000).shorts();
            Hdf5Hooks.breakChannel(files, file);
            short[][] after = files.readSignal(file, EEG, 0, 4, 5000, 3000).shorts();
            assertTrue(Arrays.deepEquals(before, after), file);
        }
        assertEquals(2, Hdf5Hooks.openFiles(files));
        assertEquals(6, Hdf5Hooks.contiguousReads(files), "4 reads, 2 of them tried again on a fresh handle");
        assertEquals(0, Hdf5Hooks.jhdfReads(files));
    }

    // ---- concurrency ----------------------------------------------------------------------------

    private static List<JsonNode> contiguousEntries() {
        return contiguousLayouts().map(a -> (JsonNode) a.get()[1]).toList();
    }

    private static Object expected(JsonNode entry) {
        JsonNode s = entry.get("signal");
        int rows = s.get("shape").get(0).asInt();
        int cols = s.get("shape").get(1).asInt();
        return s.get("type").asText().equals("INT16") ? Fixtures.shorts(s.get("expected").asText(), rows, cols)
                : Fixtures.floats(s.get("expected").asText(), rows, cols);
    }

    /** Reads a random window of {@code entry} and checks every sample; returns the number of windows (1). */
    private static int readAndCompare(RecordingFiles files, JsonNode entry, Object expected, Random random) {
        String file = entry.get("file").asText();
        JsonNode s = entry.get("signal");
        int rows = s.get("shape").get(0).asInt();
        int cols = s.get("shape").get(1).asInt();
        int firstRow = random.nextInt(rows);
        int rowCount = 1 + random.nextInt(rows - firstRow);
        int start = random.nextInt(cols);
        int count = random.nextInt(4) == 0 ? cols - start : 1 + random.nextInt(Math.min(cols - start, 2500));
        RawWindow raw = files.readSignal(file, s.get("dataset").asText(), firstRow, rowCount, start, count);
        for (int r = 0; r < rowCount; r++) {
            String where = file + " row " + (firstRow + r) + " samples [" + start + ", " + (start + count) + ")";
            if (expected instanceof short[][] shorts) {
                assertArrayEquals(Arrays.copyOfRange(shorts[firstRow + r], start, start + count), raw.shorts()[r], where);
            } else {
                float[] want = Arrays.copyOfRange(((float[][]) expected)[firstRow + r], start, start + count);
                assertArrayEquals(rawBits(want), rawBits(raw.floats()[r]), where);
            }
        }
        return 1;
    }

    @Test
    void readSignal_manyThreadsCacheOfTwoForFiveContiguousFiles_allExactAllOnTheFastPath() throws Exception {
        List<JsonNode> entries = contiguousEntries();
        List<Object> expected = entries.stream().map(RecordingFilesContiguousTest::expected).toList();
        int threads = 6;
        int reads = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        RecordingFiles shared = Hdf5Hooks.files(List.of(Fixtures.root()), 2, true);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Integer>> futures = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                long seed = 500 + t;
                futures.add(pool.submit(() -> {
                    assertTrue(start.await(30, TimeUnit.SECONDS));
                    Random random = new Random(seed);
                    int checked = 0;
                    for (int i = 0; i < reads; i++) {
                        // Half the reads on one file, so that threads share a handle, a channel and a storage.
                        int f = random.nextBoolean() ? 0 : random.nextInt(entries.size());
                        checked += readAndCompare(shared, entries.get(f), expected.get(f), random);
                    }
                    return checked;
                }));
            }
            start.countDown();
            int total = 0;
            for (Future<Integer> f : futures) {
                total += f.get(120, TimeUnit.SECONDS);
            }
            assertEquals(threads * reads, total);
            assertEquals(threads * reads, Hdf5Hooks.contiguousReads(shared));
            assertEquals(0, Hdf5Hooks.jhdfReads(shared));
            assertTrue(Hdf5Hooks.openFiles(shared) <= 2, "open files after all leases ended: " + Hdf5Hooks.openFiles(shared));
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
            shared.close();
        }
        assertEquals(0, Hdf5Hooks.openFiles(shared));
    }

    @Test
    void readSignal_fastPathReadersInterruptedMidRead_othersStayExactAndInterruptedOnesKeepTheirFlag()
            throws Exception {
        List<JsonNode> entries = contiguousEntries();
        List<Object> expected = entries.stream().map(RecordingFilesContiguousTest::expected).toList();
        int readers = 4;
        int iterations = 400;
        AtomicInteger successes = new AtomicInteger();
        AtomicInteger interrupted = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
        List<Thread> threads = new ArrayList<>();
        try (RecordingFiles shared = Hdf5Hooks.files(List.of(Fixtures.root()), 3, true)) {
            for (int t = 0; t < readers; t++) {
                long seed = 900 + t;
                Thread thread = new Thread(() -> {
                    Random random = new Random(seed);
                    try {
                        for (int i = 0; i < iterations; i++) {
                            // Mostly one shared file, so that an interrupt closes a channel others are reading.
                            int f = random.nextInt(4) != 0 ? 0 : random.nextInt(entries.size());
                            try {
                                readAndCompare(shared, entries.get(f), expected.get(f), random);
                                successes.incrementAndGet();
                            } catch (RecordingReadException e) {
                                if (e.getReason() != Reason.INTERRUPTED) {
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
                }, "contiguous-reader-" + t);
                threads.add(thread);
                thread.start();
            }
            for (int i = 0; i < 80 && finished.get() < readers; i++) {
                int before = successes.get();
                threads.get(i % readers).interrupt();
                await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                        .until(() -> successes.get() >= before + 3 || finished.get() == readers);
            }
            for (Thread thread : threads) {
                thread.join(TimeUnit.SECONDS.toMillis(120));
                assertFalse(thread.isAlive(), thread.getName() + " finished");
            }
            if (!failures.isEmpty()) {
                throw new AssertionError("reader failed: " + failures.get(0), failures.get(0));
            }
            assertEquals(readers * iterations, successes.get() + interrupted.get());
            assertTrue(interrupted.get() > 0, "some reads were interrupted");
            assertEquals(0, Hdf5Hooks.jhdfReads(shared), "no read left the fast path");
            assertTrue(Hdf5Hooks.contiguousReads(shared) >= successes.get());
            assertTrue(Hdf5Hooks.openFiles(shared) <= 3, "open files: " + Hdf5Hooks.openFiles(shared));
        }
    }

    // ---- huge -----------------------------------------------------------------------------------

    /** Samples per row of the huge contiguous copy: 4 rows make 2.4e9 elements, 4.8 GB of storage. */
    private static final long HUGE_SAMPLES = 600_000_000L;
    private static final int HUGE_BLOCK = 5000;
    private static final long[] HUGE_OFFSETS = {0, 200_012_345L, 455_111_111L, HUGE_SAMPLES - HUGE_BLOCK};

    /**
     * The huge fixture (huge/huge_sparse.h5) is chunked, so jhdf reads it; h5py cannot write a huge
     * contiguous fixture small enough to commit (its storage is allocated in full). So this test makes
     * one: a copy of layouts/contiguous.h5 (superblock v0, no checksums) whose dataspace says [4, 600e6]
     * instead of [4, 12000] and whose layout message says 4.8 GB, extended as a sparse file. Rows 1-3
     * lie beyond the copied bytes: the test writes blocks of known samples there (at element indices
     * beyond 2^31 and byte positions beyond 2^32) and expects zeros elsewhere; row 0 starts with what
     * h5py wrote.
     */
    @Test
    void readSignal_hugeContiguousDataset_readsWindowsBeyondTheIntRangeExactly(@TempDir Path dir) throws IOException {
        Path original = Fixtures.path("layouts/contiguous.h5");
        Path huge = dir.resolve("huge_contiguous.h5");
        Files.copy(original, huge, StandardCopyOption.COPY_ATTRIBUTES);
        long address;
        try (HdfFile hdf = new HdfFile(original)) {
            address = ((ContiguousDataset) hdf.getDatasetByPath(EEG)).getDataAddress();
        }
        byte[] bytes = Files.readAllBytes(huge);
        patch(bytes, longs(4, 12000, 4, 12000), longs(4, HUGE_SAMPLES, 4, HUGE_SAMPLES));
        patch(bytes, longs(address, 4 * 12000 * 2), longs(address, 4 * HUGE_SAMPLES * 2));
        Files.write(huge, bytes);
        long originalLength = bytes.length;
        Random random = new Random(31);
        short[][][] blocks = new short[HUGE_OFFSETS.length][4][HUGE_BLOCK];
        try (FileChannel ch = FileChannel.open(huge, StandardOpenOption.WRITE)) {
            ByteBuffer buffer = ByteBuffer.allocate(2 * HUGE_BLOCK).order(ByteOrder.LITTLE_ENDIAN);
            for (int b = 0; b < HUGE_OFFSETS.length; b++) {
                for (int row = 1; row < 4; row++) { // row 0 holds h5py's samples and the file's other objects
                    buffer.clear();
                    for (int i = 0; i < HUGE_BLOCK; i++) {
                        blocks[b][row][i] = (short) random.nextInt();
                        buffer.putShort(blocks[b][row][i]);
                    }
                    buffer.flip();
                    long position = address + (row * HUGE_SAMPLES + HUGE_OFFSETS[b]) * 2;
                    while (buffer.hasRemaining()) {
                        position += ch.write(buffer, position);
                    }
                }
            }
            assertEquals(address + 4 * HUGE_SAMPLES * 2, ch.size(), "the last block ends the storage");
        }
        short[][] h5py = Fixtures.shorts("expected/layouts_signal.int16", 4, 12000);
        LongFunctionRowSample expected = (row, sample) -> {
            if (row == 0) {
                long position = address + sample * 2;
                if (sample < 12000) {
                    return h5py[0][(int) sample];
                }
                if (position + 2 <= originalLength) {
                    return ByteBuffer.wrap(bytes, (int) position, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
                }
                return 0;
            }
            for (int b = 0; b < HUGE_OFFSETS.length; b++) {
                if (sample >= HUGE_OFFSETS[b] && sample < HUGE_OFFSETS[b] + HUGE_BLOCK) {
                    return blocks[b][(int) row][(int) (sample - HUGE_OFFSETS[b])];
                }
            }
            return 0;
        };
        try (RecordingFiles hugeFiles = Hdf5Hooks.files(List.of(dir), 1, true);
             RecordingFiles hugeViaJhdf = Hdf5Hooks.files(List.of(dir), 1, false)) {
            String file = "huge_contiguous.h5";
            assertEquals(HUGE_SAMPLES, hugeFiles.signalInfo(file, EEG).samples());
            assertEquals(ReadPath.CONTIGUOUS, Hdf5Hooks.readPath(hugeFiles, file, EEG));
            List<long[]> windows = new ArrayList<>(); // firstRow, rows, start, count
            for (long offset : HUGE_OFFSETS) {
                windows.add(new long[] {0, 4, offset, HUGE_BLOCK});
                windows.add(new long[] {1, 3, Math.max(0, offset - 100), 200});
                windows.add(new long[] {3, 1, offset + HUGE_BLOCK - 1, 1});
                windows.add(new long[] {2, 2, Math.min(offset + HUGE_BLOCK - 100, HUGE_SAMPLES - 200), 200});
            }
            windows.add(new long[] {3, 1, HUGE_SAMPLES - 1, 1});
            windows.add(new long[] {0, 4, HUGE_SAMPLES - 1, 1});
            windows.add(new long[] {0, 1, 0, 1});
            windows.add(new long[] {0, 1, 11_990, 200}); // h5py's last samples, then the file's other bytes
            // Rows of 1.4 MB: more than one buffer, so each row is read in pieces.
            windows.add(new long[] {2, 2, HUGE_OFFSETS[2] - 350_000, 700_000});
            windows.add(new long[] {0, 4, HUGE_SAMPLES - 700_000, 700_000});
            for (long[] w : windows) {
                int rows = (int) w[1];
                int count = (int) w[3];
                short[][] got = hugeFiles.readSignal(file, EEG, (int) w[0], rows, w[2], count).shorts();
                String where = "rows from " + w[0] + ", samples [" + w[2] + ", " + (w[2] + count) + ")";
                for (int r = 0; r < rows; r++) {
                    short[] want = new short[count];
                    for (int i = 0; i < count; i++) {
                        want[i] = expected.at(w[0] + r, w[2] + i);
                    }
                    assertArrayEquals(want, got[r], where + " row " + (w[0] + r));
                }
                if (count <= HUGE_BLOCK) {
                    short[][] ref = hugeViaJhdf.readSignal(file, EEG, (int) w[0], rows, w[2], count).shorts();
                    assertTrue(Arrays.deepEquals(ref, got), where + " (as jhdf)");
                }
            }
            assertEquals(windows.size(), Hdf5Hooks.contiguousReads(hugeFiles));
            assertEquals(0, Hdf5Hooks.jhdfReads(hugeFiles));
        }
    }

    @FunctionalInterface
    private interface LongFunctionRowSample {
        short at(long row, long sample);
    }

    private static byte[] longs(long... values) {
        ByteBuffer b = ByteBuffer.allocate(8 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (long v : values) {
            b.putLong(v);
        }
        return b.array();
    }

    /** Replaces the one occurrence of {@code from} in {@code bytes} with {@code to} (same length). */
    private static void patch(byte[] bytes, byte[] from, byte[] to) {
        int found = -1;
        for (int i = 0; i + from.length <= bytes.length; i++) {
            if (Arrays.equals(bytes, i, i + from.length, from, 0, from.length)) {
                assertEquals(-1, found, "the pattern occurs once in the fixture");
                found = i;
            }
        }
        assertTrue(found >= 0, "the pattern occurs in the fixture");
        System.arraycopy(to, 0, bytes, found, to.length);
    }

    private static int[] rawBits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}
