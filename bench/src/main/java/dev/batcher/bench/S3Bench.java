package dev.batcher.bench;

import dev.batcher.materializers.iteration.BatchSources;
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
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.service.BatcherDaemon;
import dev.batcher.service.manager.ManagedBatcher;
import dev.batcher.service.manager.TakeOutcome;
import dev.batcher.service.pool.WorkerPool;
import dev.batcher.testdata.GeneratorOptions;
import dev.batcher.testdata.Layout;
import dev.batcher.testdata.SyntheticDataset;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Object storage against the local copy, in one run: the same batches taken by one client thread
 * ({@link LocalBatcher}) from a local directory, from {@code s3://} with a cold file cache and again
 * with a warm one, for a contiguous dataset (ranged GETs) and a chunked, compressed one (whole files
 * through the cache); the bytes fetched per byte delivered; and a daemon with two local worker
 * processes whose caches hold about half the recordings, with and without locality-aware dispatch.
 *
 * <p>The store is whatever the environment names (see {@code docs/operations.md}: credentials,
 * {@code AWS_ENDPOINT_URL}); for loopback figures run S3Proxy as {@code docs/benchmarks.md} shows. The
 * bucket must exist; the benchmark writes under {@code bench-s3/} in it.
 */
public final class S3Bench {
    private static final SourceConfig SOURCE = new SourceConfig.Random(8, 30, 4, null, null, null);
    /** One item per batch, so each job reads one recording and locality has something to follow. */
    private static final SourceConfig ONE_ITEM = new SourceConfig.Random(1, 30, 2, null, null, null);

    private S3Bench() {}

    /**
     * Runs the benchmark.
     *
     * @param bucket an existing bucket to write the data under {@code bench-s3/}
     * @param scratch where to generate the data and keep the caches
     * @param batches batches per figure
     * @param quick minutes of data instead of an hour per recording (for tests of the harness)
     * @param out receives each line as it is measured
     * @return the lines
     * @throws Exception if the store, the daemon or a worker fails
     */
    public static List<String> run(String bucket, Path scratch, int batches, boolean quick, Consumer<String> out)
            throws Exception {
        List<String> lines = new ArrayList<>();
        Consumer<String> emit = l -> {
            lines.add(l);
            out.accept(l);
        };
        S3Store.Options options = S3Store.Options.fromEnvironment();
        emit.accept(Figure.comment("S3Bench: " + batches + " batches of 8 x 4 x 3840 float32 taken by one client thread;"
                + " store " + (options.endpoint() == null ? "AWS" : options.endpoint()) + ", bucket " + bucket
                + "; ratios against the local copy measured in this run"));
        for (Layout layout : List.of(Layout.CONTIGUOUS, Layout.CHUNKED_DEFLATE)) {
            String name = layout.name().toLowerCase(Locale.ROOT);
            Path local = scratch.resolve(name);
            SyntheticDataset.generate(local, GeneratorOptions.builder().seed(9).recordings(6)
                    .hours(quick ? 4 / 60.0 : 0.5, quick ? 6 / 60.0 : 1.0).sampleRate(128).layout(layout).threads(2).build());
            DatasetIndexer.index(local);
            String prefix = "bench-s3/" + name;
            try (S3Store store = new S3Store(options)) {
                upload(store, bucket, prefix, local);
            }
            String uri = "s3://" + bucket + "/" + prefix;
            try (Storage indexing = new Storage(new S3Store(options), scratch.resolve(name + "-index-cache"), 8L << 30)) {
                DatasetIndexer.index(uri, indexing);
            }
            Dataset localDs = Dataset.load(local);
            drive(localDs, null, batches); // warm-up: the JIT and the page cache, so the baseline is not cold
            Run base = drive(localDs, null, batches);
            emit.accept(Figure.comment(String.format(Locale.ROOT, "%s local copy: %.1f batches/s", name, base.rate())));
            try (Storage storage = new Storage(new S3Store(options), scratch.resolve(name + "-cache"), 8L << 30)) {
                Dataset remote = Dataset.load(DatasetLocation.parse(uri), storage);
                long before = storage.stats().bytesFetched();
                Run cold = drive(remote, storage, batches);
                long coldBytes = storage.stats().bytesFetched() - before;
                before = storage.stats().bytesFetched();
                Run warm = drive(remote, storage, batches);
                long warmBytes = storage.stats().bytesFetched() - before;
                emit.accept(new Figure("s3 " + name + ", cold cache", cold.rate(), "batches/s", base.seconds / cold.seconds,
                        String.format(Locale.ROOT, "the local copy (%.1f batches/s)", base.rate())).toString());
                emit.accept(new Figure("s3 " + name + ", warm cache", warm.rate(), "batches/s", base.seconds / warm.seconds,
                        String.format(Locale.ROOT, "the local copy (%.1f batches/s)", base.rate())).toString());
                emit.accept(Figure.comment(String.format(Locale.ROOT,
                        "%s bytes fetched per byte delivered: cold %.3f, warm %.3f (%d and %d bytes for %d bytes of batches)",
                        name, (double) coldBytes / cold.bytes, (double) warmBytes / warm.bytes, coldBytes, warmBytes,
                        cold.bytes)));
            }
            if (layout == Layout.CHUNKED_DEFLATE) {
                long largest;
                try (Stream<Path> files = Files.list(local)) {
                    largest = files.filter(p -> p.toString().endsWith(".h5")).mapToLong(S3Bench::size).max().orElse(1);
                }
                double on = 0;
                double off = 0;
                for (boolean locality : new boolean[] {false, true}) {
                    BatcherStatus s = daemonRun(uri, scratch.resolve(name + (locality ? "-on" : "-off")), largest * 3 + largest / 2,
                            locality, batches * 2);
                    if (locality) {
                        on = s.cacheHitRatio();
                    } else {
                        off = s.cacheHitRatio();
                    }
                    emit.accept(Figure.comment(String.format(Locale.ROOT,
                            "2 workers, caches of 3.5 of 6 recordings, locality %s: cache hit ratio %.3f, %.1f MB fetched, "
                                    + "%d requests for %d one-item batches", locality ? "on " : "off", s.cacheHitRatio(),
                            s.objectBytesFetched() / 1e6, s.objectRequests(), batches * 2)));
                }
                emit.accept(Figure.comment(String.format(Locale.ROOT, "locality raises the hit ratio from %.3f to %.3f", off, on)));
            }
        }
        return lines;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static void upload(S3Store store, String bucket, String prefix, Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : files.filter(f -> f.toString().endsWith(".h5")).sorted().toList()) {
                store.write(bucket, prefix + "/" + p.getFileName(), Files.readAllBytes(p));
            }
        }
    }

    private record Run(double seconds, long bytes, int batches) {
        double rate() {
            return batches / seconds;
        }
    }

    /** Takes the same {@code n} batches (seed 1) through a fresh reader; the cache, if any, is kept. */
    private static Run drive(Dataset ds, Storage storage, int n) {
        long bytes = 0;
        long start = System.nanoTime();
        try (RecordingFiles files = ds.openFiles(storage, 64);
             LocalBatcher b = new LocalBatcher(BatchSources.build(SOURCE, ds.signals()),
                     new Materializer(files, MaterializeOptions.defaults(), Kernels.defaults()))) {
            BatchState s = BatchState.initial(1);
            for (int i = 0; i < n; i++) {
                Taken.Next next = (Taken.Next) b.take(s);
                try (Batch batch = next.batch()) {
                    bytes += (batch.x().remaining() + (long) batch.y().remaining()) * 4;
                }
                s = next.state();
            }
        }
        return new Run((System.nanoTime() - start) / 1e9, bytes, n);
    }

    private static BatcherStatus daemonRun(String uri, Path cacheDir, long cacheBytes, boolean locality, int n)
            throws Exception {
        // As serve --cache-dir/--cache-bytes: each local worker gets a cache of its own under cacheDir.
        System.setProperty(Storage.CACHE_DIR_PROPERTY, cacheDir.toString());
        System.setProperty(Storage.CACHE_BYTES_PROPERTY, Long.toString(cacheBytes));
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withLocalWorkers(2, 1)
                .withWorkerJvmArgs(List.of("-Xmx512m"))
                .withWorkerLog(cacheDir.resolveSibling(cacheDir.getFileName() + "-workers.log"));
        try (BatcherDaemon d = BatcherDaemon.start(o)) {
            WorkerPool pool = d.manager().pool();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (pool.loop().submit(pool::workers).get() < 2) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("local workers: fewer than 2 joined in 120 s (see " + o.workerLog() + ")");
                }
                Thread.sleep(100); // polling the pool: nothing to wait on but time
            }
            pool.loop().submit(() -> pool.locality(locality)).get();
            ManagedBatcher b = d.manager().create("bench", BatcherSpec.of(uri, ONE_ITEM));
            BatchState s = BatchState.initial(2);
            b.start(s).get(30, TimeUnit.SECONDS);
            for (int i = 0; i < n; i++) {
                TakeOutcome.Next next = (TakeOutcome.Next) b.take(s).get(120, TimeUnit.SECONDS);
                next.batch().release();
                s = next.state();
            }
            BatcherStatus status = b.status().get(10, TimeUnit.SECONDS);
            b.stop().get(10, TimeUnit.SECONDS);
            return status;
        }
    }
}
