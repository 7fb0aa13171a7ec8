package dev.batcher.service.s3;

import dev.batcher.materializers.iteration.BatchSources;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherSpec;
import dev.batcher.client.BatcherStatus;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.Taken;
import dev.batcher.materializers.storage.S3ProxyServer;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.service.BatcherDaemon;
import dev.batcher.service.manager.ManagedBatcher;
import dev.batcher.service.manager.TakeOutcome;
import dev.batcher.service.metrics.PrometheusFormat;
import dev.batcher.service.pool.WorkerPool;
import dev.batcher.testdata.GeneratorOptions;
import dev.batcher.testdata.Layout;
import dev.batcher.testdata.SyntheticDataset;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon with two local worker processes serving a dataset in object storage (S3Proxy on
 * loopback): batches byte-identical to the local copy, locality-aware dispatch raising the workers'
 * cache hit ratio without changing the sequence, and the secret absent from logs, status and metrics.
 */
@Timeout(300)
class S3DaemonTest {
    /** One item per batch, so each job reads one recording and locality has something to follow. */
    static final SourceConfig SOURCE = new SourceConfig.Random(1, 30, 2, null, null, null);
    /**
     * Enough batches that the two runs' hit ratios stand apart whatever the dispatch timing: with 64 the
     * margin was 0.03-0.14 and a CI run on a busy machine saw 0.797 against 0.797; with 128, 0.10-0.15.
     */
    static final int BATCHES = 128;

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static Path local;
    static long largest;

    @BeforeAll
    static void start() throws Exception {
        Files.createDirectories(tmp.resolve("backend"));
        s3 = new S3ProxyServer(tmp.resolve("backend"));
        s3.createBucket("data");
        local = tmp.resolve("ds");
        // Chunked, compressed recordings: read through the workers' file caches.
        SyntheticDataset.generate(local, GeneratorOptions.builder().seed(5).recordings(6).hours(5 / 60.0, 8 / 60.0)
                .sampleRate(128).layout(Layout.CHUNKED_DEFLATE).threads(2).build());
        DatasetIndexer.index(local);
        try (S3Store store = new S3Store(s3.options())) {
            try (Stream<Path> files = Files.list(local)) {
                for (Path p : files.filter(f -> f.toString().endsWith(".h5")).toList()) {
                    store.write("data", "ds/" + p.getFileName(), Files.readAllBytes(p));
                    largest = Math.max(largest, Files.size(p));
                }
            }
        }
        // This JVM (the daemon) reads the table through Storage.shared(), configured as a user would.
        System.setProperty(S3Store.ENDPOINT_PROPERTY, s3.endpoint().toString());
        System.setProperty(S3Store.PATH_STYLE_PROPERTY, "true");
        System.setProperty("aws.region", "us-east-1");
        System.setProperty("aws.accessKeyId", S3ProxyServer.ACCESS_KEY);
        System.setProperty("aws.secretAccessKey", S3ProxyServer.SECRET);
        System.setProperty(Storage.CACHE_DIR_PROPERTY, tmp.resolve("daemon-cache").toString());
        DatasetIndexer.index("s3://data/ds", Storage.shared());
        System.clearProperty(Storage.CACHE_DIR_PROPERTY);
    }

    @AfterAll
    static void stop() throws Exception {
        s3.close();
    }

    private BatcherDaemon daemon(String run) throws InterruptedException {
        // Local workers get their own caches under the daemon's --cache-dir, sized by its --cache-bytes.
        System.setProperty(Storage.CACHE_DIR_PROPERTY, tmp.resolve(run + "-cache").toString());
        System.setProperty(Storage.CACHE_BYTES_PROPERTY, Long.toString(largest * 3 + largest / 2));
        return BatcherDaemon.start(BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withLocalWorkers(2, 1)
                .withWorkerRestart(null)
                .withWorkerLog(tmp.resolve(run + "-workers.log"))
                // Each worker's cache holds about half the recordings.
                .withWorkerJvmArgs(List.of("-Xmx256m", "-XX:TieredStopAtLevel=1",
                        "-D" + S3Store.ENDPOINT_PROPERTY + "=" + s3.endpoint(), "-D" + S3Store.PATH_STYLE_PROPERTY + "=true",
                        "-Daws.region=us-east-1", "-Daws.accessKeyId=" + S3ProxyServer.ACCESS_KEY,
                        "-Daws.secretAccessKey=" + S3ProxyServer.SECRET)));
    }

    private static <T> T onLoop(BatcherDaemon d, Callable<T> c) throws Exception {
        return d.manager().pool().loop().submit(c).get(10, TimeUnit.SECONDS);
    }

    /** Runs BATCHES batches from s3:// through two worker processes; returns their digests and the status. */
    private record Run(List<String> digests, BatcherStatus status, String metrics) {
    }

    private Run run(String name, boolean locality) throws Exception {
        try (BatcherDaemon d = daemon(name)) {
            WorkerPool pool = d.manager().pool();
            await().atMost(Duration.ofSeconds(90)).until(() -> onLoop(d, pool::workers) == 2);
            onLoop(d, () -> {
                pool.locality(locality);
                return null;
            });
            ManagedBatcher b = d.manager().create("train", BatcherSpec.of("s3://data/ds", SOURCE));
            List<String> digests = new ArrayList<>();
            BatchState s = BatchState.initial(3);
            b.start(s).get(10, TimeUnit.SECONDS);
            for (int i = 0; i < BATCHES; i++) {
                TakeOutcome.Next next = (TakeOutcome.Next) b.take(s).get(60, TimeUnit.SECONDS);
                try {
                    digests.add(digest(next.batch().payload().nioBuffer()));
                } finally {
                    next.batch().release();
                }
                s = next.state();
            }
            BatcherStatus status = b.status().get(10, TimeUnit.SECONDS);
            b.stop().get(10, TimeUnit.SECONDS);
            return new Run(digests, status, PrometheusFormat.render(List.of(status)));
        }
    }

    private static String digest(ByteBuffer bytes) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        md.update(bytes.duplicate());
        return HexFormat.of().formatHex(md.digest());
    }

    private static String digest(Batch batch) throws Exception {
        ByteBuffer b = ByteBuffer.allocate((batch.x().remaining() + batch.y().remaining()) * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(batch.x().duplicate());
        b.position(batch.x().remaining() * 4);
        b.asIntBuffer().put(batch.y().duplicate());
        b.position(0);
        return digest(b);
    }

    @Test
    void take_fromS3ThroughWorkerProcesses_equalsTheLocalCopy_andLocalityRaisesTheHitRatio() throws Exception {
        List<String> expected = new ArrayList<>();
        Dataset ds = Dataset.load(local);
        try (RecordingFiles files = new RecordingFiles(List.of(ds.root()), 8);
             LocalBatcher lb = new LocalBatcher(BatchSources.build(SOURCE, ds.signals()),
                     new Materializer(files, MaterializeOptions.defaults(), Kernels.scalar()))) {
            BatchState s = BatchState.initial(3);
            for (int i = 0; i < BATCHES; i++) {
                Taken.Next n = (Taken.Next) lb.take(s);
                try (Batch batch = n.batch()) {
                    expected.add(digest(batch));
                }
                s = n.state();
            }
        }
        Run with = run("locality", true);
        Run without = run("no-locality", false);
        assertEquals(expected, with.digests(), "s3:// through worker processes, locality on: the local copy's batches");
        assertEquals(expected, without.digests(), "locality off: the same batches");
        double on = with.status().cacheHitRatio();
        double off = without.status().cacheHitRatio();
        System.out.printf("cache hit ratio with locality %.3f, without %.3f; bytes fetched %d vs %d%n", on, off,
                with.status().objectBytesFetched(), without.status().objectBytesFetched());
        assertTrue(on > off, "locality raises the hit ratio: " + on + " vs " + off);
        assertTrue(with.status().objectRequests() > 0 && with.status().objectBytesFetched() > 0, with.status().toString());
        assertTrue(with.metrics().contains("batcher_cache_hit_ratio{batcher=\"train\"} "), with.metrics());
        for (Run r : List.of(with, without)) {
            assertFalse(r.status().toString().contains(S3ProxyServer.SECRET));
            assertFalse(r.metrics().contains(S3ProxyServer.SECRET));
        }
        for (String log : List.of("locality-workers.log", "no-locality-workers.log")) {
            String text = Files.readString(tmp.resolve(log));
            assertFalse(text.contains(S3ProxyServer.SECRET), log + ":\n" + text);
        }
    }
}
