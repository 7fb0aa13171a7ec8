package dev.batcher.materializers.storage;

import dev.batcher.materializers.iteration.BatchSources;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetException;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.Taken;
import dev.batcher.materializers.metadata.StorageLayout;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * S3 datasets against a real S3 API server (S3Proxy on loopback), with faults injected by a proxy in
 * between: index, batches byte-identical to the local copy, ranged reads of contiguous data, the
 * file cache for chunked data, retries of throttling, resets and short bodies, missing and forbidden
 * objects named, and credentials kept out of messages and logs.
 */
@Timeout(120)
class S3DatasetTest {
    private static final String BUCKET = "data";
    private static final String DS = "s3://" + BUCKET + "/tiny";

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static FaultProxy faults;
    static Storage storage;
    static Path local;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(tmp.resolve("backend"));
        s3 = new S3ProxyServer(tmp.resolve("backend"));
        s3.createBucket(BUCKET);
        local = tmp.resolve("local");
        Fixtures.copyTree(Fixtures.path("tiny"), local);
        try (S3Store direct = new S3Store(s3.options())) {
            try (Stream<Path> files = Files.walk(local)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".h5") || f.toString().endsWith(".hdf5")).toList()) {
                    direct.write(BUCKET, "tiny/" + local.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
                }
            }
        }
        faults = new FaultProxy(s3.endpoint());
        storage = new Storage(new S3Store(s3.options(faults.endpoint()).withAttempts(4)), tmp.resolve("cache"), 64L << 20);
        DatasetIndexer.index(local);
        DatasetIndexer.index(DS, storage);
    }

    @AfterAll
    static void stop() throws Exception {
        storage.close();
        faults.close();
        s3.close();
    }

    @BeforeEach
    void noFaults() {
        faults.policy(s -> FaultProxy.Fault.NONE);
        faults.clearSeen();
    }

    @Test
    void index_overS3_writesTheTableALocalIndexWrites_andRecordsLayouts() {
        byte[] table = storage.store().readAll(BUCKET, "tiny/labeled_signals.csv");
        assertEquals(read(local.resolve("labeled_signals.csv")), new String(table, StandardCharsets.UTF_8));
        Dataset remote = Dataset.load(DatasetLocation.parse(DS), storage);
        assertEquals(Dataset.load(local).signals(), remote.signals());
        StorageLayout contiguous = remote.layout("night3.h5", "/eeg");
        assertNotNull(contiguous, "night3.h5 /eeg is contiguous: its layout is recorded");
        assertEquals("<i2", contiguous.dtype());
        assertEquals(2, contiguous.rows());
        assertEquals(18000, contiguous.columns());
        assertNull(remote.layout("night1.h5", "/signals/eeg"), "a chunked, compressed dataset has no byte layout");
    }

    @Test
    void localBatcher_fromS3_isByteIdenticalToTheLocalCopy() {
        Dataset l = Dataset.load(local);
        Dataset r = Dataset.load(DatasetLocation.parse(DS), storage);
        for (int i = 0; i < l.signals().size(); i++) {
            SourceConfig source = new SourceConfig.Random(3, 30, 1, null, null, null);
            try (RecordingFiles lf = l.openFiles(null, 8); RecordingFiles rf = r.openFiles(storage, 8);
                 LocalBatcher a = new LocalBatcher(BatchSources.build(source, l.signals().subList(i, i + 1)),
                         new Materializer(lf, MaterializeOptions.defaults(), Kernels.defaults()));
                 LocalBatcher b = new LocalBatcher(BatchSources.build(source, r.signals().subList(i, i + 1)),
                         new Materializer(rf, MaterializeOptions.defaults(), Kernels.defaults()))) {
                BatchState s = BatchState.initial(11 + i);
                for (int k = 0; k < 4; k++) {
                    Taken.Next x = (Taken.Next) a.take(s);
                    Taken.Next y = (Taken.Next) b.take(s);
                    try (Batch bx = x.batch(); Batch by = y.batch()) {
                        assertArrayEquals(bx.xShape(), by.xShape());
                        assertEquals(bx.x(), by.x(), "signal " + i + " batch " + k + ": x");
                        assertEquals(bx.y(), by.y(), "signal " + i + " batch " + k + ": y");
                    }
                    assertEquals(x.state(), y.state());
                    s = x.state();
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void materialize_contiguousFromS3_fetchesTheItemsOfABatchConcurrently_andIsByteIdenticalToLocal() {
        Dataset l = Dataset.load(local);
        Dataset r = Dataset.load(DatasetLocation.parse(DS), storage);
        List<LabeledSignal> ls = l.signals().stream().filter(s -> s.file().equals("night3.h5")).toList();
        List<LabeledSignal> rs = r.signals().stream().filter(s -> s.file().equals("night3.h5")).toList();
        assertEquals(1, rs.size(), "night3.h5 is the contiguous recording");
        // Each ranged GET waits (bounded) until a second one has arrived: one after another, the first
        // would wait out the 5 s and the proxy would never see two at once.
        CountDownLatch two = new CountDownLatch(2);
        faults.policy(s -> {
            if (s.range() != null) {
                two.countDown();
                try {
                    two.await(5, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return FaultProxy.Fault.NONE;
        });
        SourceConfig source = new SourceConfig.Random(8, 30, null, null, null, null);
        try (RecordingFiles lf = l.openFiles(null, 8); RecordingFiles rf = r.openFiles(storage, 8);
             LocalBatcher a = new LocalBatcher(BatchSources.build(source, ls),
                     new Materializer(lf, MaterializeOptions.defaults(), Kernels.defaults()));
             LocalBatcher b = new LocalBatcher(BatchSources.build(source, rs),
                     new Materializer(rf, MaterializeOptions.defaults(), Kernels.defaults()))) {
            BatchState s = BatchState.initial(5);
            for (int k = 0; k < 3; k++) {
                Taken.Next x = (Taken.Next) a.take(s);
                Taken.Next y = (Taken.Next) b.take(s);
                try (Batch bx = x.batch(); Batch by = y.batch()) {
                    assertEquals(8, bx.xShape()[0]);
                    assertArrayEquals(bx.xShape(), by.xShape());
                    assertEquals(bx.x(), by.x(), "batch " + k + ": x");
                    assertEquals(bx.y(), by.y(), "batch " + k + ": y");
                }
                assertEquals(x.state(), y.state());
                s = x.state();
            }
        }
        assertTrue(faults.maxInFlight() > 1, "ranged GETs in flight at once: " + faults.maxInFlight());
    }

    @Test
    void readSignal_contiguous_fetchesJustTheWindowRowsWithRangedGets() {
        Dataset r = Dataset.load(DatasetLocation.parse(DS), storage);
        StorageLayout layout = r.layout("night3.h5", "/eeg");
        try (RecordingFiles files = r.openFiles(storage, 8)) {
            faults.clearSeen();
            long before = storage.stats().bytesFetched();
            RawWindow w = files.readSignal("night3.h5", "/eeg", 0, 2, 1000, 500);
            List<FaultProxy.Seen> seen = faults.seen();
            assertEquals(2, seen.size(), "one ranged GET per row (the rows are far apart), nothing else: " + seen);
            for (int row = 0; row < 2; row++) {
                FaultProxy.Seen s = seen.get(row);
                assertEquals("GET", s.method());
                assertTrue(s.path().contains("/tiny/night3.h5"), s.path());
                long first = layout.position(row, 1000);
                assertEquals("bytes=" + first + "-" + (first + 999), s.range());
            }
            assertEquals(2 * 500 * 2, storage.stats().bytesFetched() - before, "bytes fetched = bytes of the window");
            try (RecordingFiles lf = new RecordingFiles(List.of(local), 2)) {
                RawWindow expected = lf.readSignal("night3.h5", "/eeg", 0, 2, 1000, 500);
                assertArrayEquals(expected.shorts(), w.shorts());
            }
        }
    }

    @Test
    void readSignal_chunked_goesThroughTheFileCache_secondReadIsAHit() {
        Dataset r = Dataset.load(DatasetLocation.parse(DS), storage);
        try (RecordingFiles files = r.openFiles(storage, 8)) {
            Storage.Stats before = storage.stats();
            files.readSignal("night1.h5", "/signals/eeg", 0, 6, 0, 100);
            files.readSignal("night1.h5", "/signals/eeg", 0, 6, 5000, 100);
            Storage.Stats after = storage.stats();
            assertEquals(2, after.cachedReads() - before.cachedReads());
            assertTrue(after.cacheHitReads() - before.cacheHitReads() >= 1, "the second read finds the file");
            assertTrue(storage.cache().objects().contains(DS + "/night1.h5"), storage.cache().objects().toString());
        }
    }

    @Test
    void read_throttledTwice_retriesWithBackoff_andSucceeds() throws IOException {
        AtomicInteger gets = new AtomicInteger();
        faults.policy(s -> s.method().equals("GET") && gets.incrementAndGet() <= 2
                ? FaultProxy.Fault.THROTTLE : FaultProxy.Fault.NONE);
        long throttled = storage.store().counters().throttled();
        ByteBuffer dst = ByteBuffer.allocate(100);
        storage.store().read(BUCKET, "tiny/night3.h5", null, dst, 0);
        assertFalse(dst.hasRemaining());
        assertEquals(2, storage.store().counters().throttled() - throttled);
        assertEquals(3, faults.seen().size(), "two 503s, then the read");
    }

    @Test
    void read_resetMidBody_thenTruncatedBody_retriesAndChecksTheByteCount() throws IOException {
        AtomicInteger gets = new AtomicInteger();
        faults.policy(s -> switch (gets.incrementAndGet()) {
            case 1 -> FaultProxy.Fault.RESET;
            case 2 -> FaultProxy.Fault.TRUNCATE;
            default -> FaultProxy.Fault.NONE;
        });
        long retries = storage.store().counters().retries();
        ByteBuffer dst = ByteBuffer.allocate(4000);
        storage.store().read(BUCKET, "tiny/night3.h5", null, dst, 1000);
        byte[] expected = new byte[4000];
        System.arraycopy(Files.readAllBytes(local.resolve("night3.h5")), 1000, expected, 0, 4000);
        assertArrayEquals(expected, dst.array());
        assertEquals(2, storage.store().counters().retries() - retries);
    }

    @Test
    void read_alwaysTruncated_failsNamingBucketAndKey_afterItsAttempts() {
        faults.policy(s -> FaultProxy.Fault.TRUNCATE);
        StorageException e = assertThrows(StorageException.class,
                () -> storage.store().read(BUCKET, "tiny/night3.h5", null, ByteBuffer.allocate(4000), 0));
        assertEquals(StorageException.Reason.UNAVAILABLE, e.getReason());
        assertTrue(e.getMessage().startsWith("s3://data/tiny/night3.h5: "), e.getMessage());
        assertTrue(e.getMessage().contains("after 4 attempts"), e.getMessage());
    }

    @Test
    void read_missingObject_failsNamingBucketAndKey_withoutRetrying() {
        StorageException e = assertThrows(StorageException.class,
                () -> storage.store().read(BUCKET, "tiny/nope.h5", null, ByteBuffer.allocate(10), 0));
        assertEquals(StorageException.Reason.NOT_FOUND, e.getReason());
        assertTrue(e.getMessage().startsWith("s3://data/tiny/nope.h5: not found, HTTP 404"), e.getMessage());
        assertEquals(1, faults.seen().size(), "not retried: " + faults.seen());
    }

    @Test
    void readSignal_missingFile_isAMissingFileNamingTheObject() {
        try (RecordingFiles files = RecordingFiles.open(DatasetLocation.parse(DS), storage, 2)) {
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> files.readSignal("gone.h5", "/eeg", 0, 1, 0, 10));
            assertEquals(RecordingReadException.Reason.MISSING_FILE, e.getReason());
            assertTrue(e.getMessage().contains("s3://data/tiny/gone.h5"), e.getMessage());
        }
    }

    @Test
    void load_missingTable_saysWhichObjectAndHowToWriteIt() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> Dataset.load(DatasetLocation.parse("s3://data/elsewhere"), storage));
        assertTrue(e.getMessage().contains("s3://data/elsewhere/labeled_signals.csv: not found"), e.getMessage());
        assertTrue(e.getMessage().contains("bin/batcher index s3://data/elsewhere"), e.getMessage());
    }

    @Test
    void read_forbidden_failsNamingBucketAndKey_withoutRetrying_andWithoutTheSecret() {
        S3Store.Options wrong = s3.options(faults.endpoint()).withCredentials(
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create(S3ProxyServer.ACCESS_KEY,
                                "wrong-" + S3ProxyServer.SECRET)));
        try (S3Store store = new S3Store(wrong)) {
            StorageException e = assertThrows(StorageException.class,
                    () -> store.read(BUCKET, "tiny/night3.h5", null, ByteBuffer.allocate(10), 0));
            assertEquals(StorageException.Reason.FORBIDDEN, e.getReason());
            assertTrue(e.getMessage().startsWith("s3://data/tiny/night3.h5: access denied, HTTP 403"), e.getMessage());
            assertEquals(1, faults.seen().size(), "not retried: " + faults.seen());
            assertFalse(e.getMessage().contains(S3ProxyServer.SECRET), e.getMessage());
            assertFalse(String.valueOf(e.getCause()).contains(S3ProxyServer.SECRET));
            assertFalse(wrong.toString().contains(S3ProxyServer.SECRET), wrong.toString());
        }
    }

    @Test
    void logs_duringFailuresAndWarnings_neverHoldTheSecret() {
        String logFile = System.getProperty("org.slf4j.simpleLogger.logFile");
        assertNotNull(logFile, "surefire sends the log to a file (see materializers/pom.xml)");
        try (Storage small = new Storage(new S3Store(s3.options(faults.endpoint())), tmp.resolve("small-cache"),
                Math.max(Files.size(local.resolve("night1.h5")), Files.size(local.resolve("site2/night2.hdf5"))) + 10)) {
            Dataset r = Dataset.load(DatasetLocation.parse(DS), small);
            try (RecordingFiles files = r.openFiles(small, 1)) {
                // One cache slot, one open file: reading two chunked files in turn refetches (and warns).
                files.readSignal("night1.h5", "/signals/eeg", 0, 1, 0, 10);
                files.readSignal("site2/night2.hdf5", "/eeg", 0, 1, 0, 10);
                files.readSignal("night1.h5", "/signals/eeg", 0, 1, 0, 10);
            }
            StorageException e = assertThrows(StorageException.class, () -> small.store().readAll(BUCKET, "tiny/nope"));
            assertFalse(e.getMessage().contains(S3ProxyServer.SECRET));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        String log = read(Path.of(logFile));
        assertTrue(log.contains("downloading s3://data/tiny/night1.h5 again after evicting it"), log);
        assertFalse(log.contains(S3ProxyServer.SECRET), log);
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
