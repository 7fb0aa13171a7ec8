package dev.batcher.materializers.onda;

import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.onda.OndaFixture.Ann;
import dev.batcher.materializers.onda.OndaFixture.Sig;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.S3ProxyServer;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Onda datasets in S3 (a real S3 API server, S3Proxy) read byte-identical to the same files read locally. */
@Timeout(120)
class OndaS3Test {
    static final String BUCKET = "onda-data";

    @TempDir
    static Path tmp;
    static S3ProxyServer s3;
    static S3Store direct;
    static Storage storage;
    static Storage localStorage;
    static Path local;

    @BeforeAll
    static void start() throws Exception {
        s3 = new S3ProxyServer(tmp.resolve("backend"));
        s3.createBucket(BUCKET);
        direct = new S3Store(s3.options());
        storage = new Storage(new S3Store(s3.options()), tmp.resolve("cache"), 64L << 20);
        localStorage = new Storage(null, tmp.resolve("local-cache"), 64L << 20);
        local = tmp.resolve("ds");
        OndaDatasetTest.everyType(local, true, 0.1, -3.5);
        long s = 1_000_000_000L;
        OndaFixture.writeAnnotations(local.resolve("x.onda.annotations.arrow"), OndaFixture.annotationColumns(List.of(
                new Ann(OndaDatasetTest.REC_A, UUID.randomUUID(), 0, 30 * s, "W"),
                new Ann(OndaDatasetTest.REC_A, UUID.randomUUID(), 30 * s, 60 * s, "N3"))), false);
        upload(local, "sets/ds");
    }

    static void upload(Path dir, String prefix) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.filter(Files::isRegularFile).toList()) {
                direct.write(BUCKET, prefix + "/" + dir.relativize(p).toString().replace('\\', '/'), Files.readAllBytes(p));
            }
        }
    }

    @AfterAll
    static void stop() throws Exception {
        storage.close();
        localStorage.close();
        direct.close();
        s3.close();
    }

    private static void assertSame(RawWindow a, RawWindow b, String where) {
        assertEquals(a.type(), b.type(), where);
        for (int c = 0; c < a.channels(); c++) {
            switch (a.type()) {
                case INT16 -> assertArrayEquals(a.shorts()[c], b.shorts()[c], where + " channel " + c);
                case FLOAT32 -> assertArrayEquals(a.floats()[c], b.floats()[c], where + " channel " + c);
            }
        }
    }

    @Test
    void read_everySignalInS3_byteIdenticalToLocal() {
        OndaDataset remote = OndaDataset.open(DatasetLocation.parse("s3://" + BUCKET + "/sets/ds"), storage);
        OndaDataset here = OndaDataset.open(DatasetLocation.of(local), localStorage);
        assertEquals(here.signals(), remote.signals());
        assertEquals(here.annotations(), remote.annotations().entrySet().stream().collect(java.util.stream.Collectors.toMap(
                java.util.Map.Entry::getKey, e -> e.getValue().stream().map(a -> new OndaAnnotation(a.recording(), a.id(),
                        a.span(), a.value(), local.resolve("x.onda.annotations.arrow").toString(), a.row())).toList())));
        long ranged = storage.stats().rangedReads();
        long misses = storage.cache().stats().misses();
        int n = OndaDatasetTest.SAMPLES;
        for (OndaSignal s : remote.signals()) {
            assertSame(here.read(s, 0, 3, 0, n), remote.read(s, 0, 3, 0, n), s.file());
            assertSame(here.read(s, 2, 1, n - 1, 1), remote.read(s, 2, 1, n - 1, 1), s.file() + " last sample");
            assertSame(here.read(s, 1, 2, 17, 99), remote.read(s, 1, 2, 17, 99), s.file() + " middle");
        }
        long lpcm = remote.signals().stream().filter(s -> s.format() == OndaSignal.Format.LPCM).count();
        assertEquals(3 * lpcm, storage.stats().rangedReads() - ranged, "one ranged GET per lpcm window");
        assertEquals(remote.signals().size() - lpcm, storage.cache().stats().misses() - misses, "each lpcm.zst object fetched once");
    }

    @Test
    void index_s3Prefix_loadsAndMaterialisesLikeTheLocalCopy() throws Exception {
        Path dir = tmp.resolve("indexed");
        long s = 1_000_000_000L;
        double rate = 32;
        int samples = (int) (rate * 150);
        long stop = OndaFixture.stopOf(0, samples, rate);
        List<Sig> sigs = new ArrayList<>();
        List<Ann> anns = new ArrayList<>();
        String[] stages = {"W", "N1", "N2", "N3", "R"};
        for (int r = 0; r < 2; r++) {
            UUID rec = new UUID(7, r);
            String file = "samples/" + rec + (r == 0 ? "/eeg.lpcm" : "/eeg.lpcm.zst");
            byte[] bytes = OndaFixture.lpcm(LpcmType.INT16, OndaFixture.rawInts(LpcmType.INT16, 2, samples, 40 + r));
            OndaFixture.writeSamples(dir, file, r == 0 ? bytes : OndaFixture.zst(bytes));
            sigs.add(new Sig(rec, file, r == 0 ? "lpcm" : "lpcm.zst", 0, stop, "eeg", "eeg", List.of("c3", "c4"),
                    "microvolt", 0.5, 0, "int16", rate));
            for (int e = 0; e < 5; e++) {
                anns.add(new Ann(rec, new UUID(8, r * 10 + e), e * 30 * s, (e + 1) * 30 * s, stages[(e + r) % 5]));
            }
        }
        OndaFixture.writeSignals(dir.resolve("d.onda.signals.arrow"), OndaFixture.signalColumns(sigs), true);
        OndaFixture.writeAnnotations(dir.resolve("d.onda.annotations.arrow"), OndaFixture.annotationColumns(anns), false);
        upload(dir, "sets/indexed");
        dev.batcher.materializers.dataset.DatasetIndexer.index(dir);
        assertEquals("s3://" + BUCKET + "/sets/indexed/labeled_signals.csv",
                dev.batcher.materializers.dataset.DatasetIndexer.index("s3://" + BUCKET + "/sets/indexed", storage));
        var local = dev.batcher.materializers.dataset.Dataset.load(dir);
        var remote = dev.batcher.materializers.dataset.Dataset.load(DatasetLocation.parse("s3://" + BUCKET + "/sets/indexed"), storage);
        assertEquals(local.signals(), remote.signals());
        var source = new dev.batcher.api.SourceConfig.Random(4, 30, null, null, null, null);
        try (var lf = local.openFiles(8);
             var rf = remote.openFiles(storage, 8);
             var a = new dev.batcher.materializers.local.LocalBatcher(dev.batcher.materializers.iteration.BatchSources.build(source, local.signals()),
                     new dev.batcher.materializers.assembly.Materializer(lf,
                             dev.batcher.api.MaterializeOptions.defaults(),
                             dev.batcher.materializers.kernels.Kernels.defaults()));
             var b = new dev.batcher.materializers.local.LocalBatcher(dev.batcher.materializers.iteration.BatchSources.build(source, remote.signals()),
                     new dev.batcher.materializers.assembly.Materializer(rf,
                             dev.batcher.api.MaterializeOptions.defaults(),
                             dev.batcher.materializers.kernels.Kernels.defaults()))) {
            var state = dev.batcher.api.BatchState.initial(3);
            for (int k = 0; k < 5; k++) {
                var x = (dev.batcher.api.Taken.Next) a.take(state);
                var y = (dev.batcher.api.Taken.Next) b.take(state);
                try (var bx = x.batch(); var by = y.batch()) {
                    assertEquals(bx.x(), by.x(), "batch " + k + ": x");
                    assertEquals(bx.y(), by.y(), "batch " + k + ": y");
                }
                state = x.state();
            }
        }
    }

    @Test
    void open_s3UriFilePathInsideThePrefix_acceptedAndOutsideRefused() throws IOException {
        Path dir = tmp.resolve("uris");
        byte[] bytes = OndaFixture.lpcm(LpcmType.INT16, OndaFixture.rawInts(LpcmType.INT16, 1, 50, 9));
        OndaFixture.writeSamples(dir, "s/a.lpcm", bytes);
        List<Sig> sigs = new ArrayList<>(List.of(new Sig(OndaDatasetTest.REC_B, "s3://" + BUCKET + "/sets/uris/s/a.lpcm", "lpcm",
                0, OndaFixture.stopOf(0, 50, 50), "eeg", "eeg", List.of("c"), "microvolt", 1, 0, "int16", 50)));
        OndaFixture.writeSignals(dir.resolve("u.onda.signals.arrow"), OndaFixture.signalColumns(sigs), false);
        upload(dir, "sets/uris");
        OndaDataset ds = OndaDataset.open(DatasetLocation.parse("s3://" + BUCKET + "/sets/uris"), storage);
        assertEquals("s/a.lpcm", ds.signals().get(0).file());
        assertEquals(50, ds.read(ds.signals().get(0), 0, 1, 0, 50).samples());

        sigs.set(0, new Sig(OndaDatasetTest.REC_B, "s3://" + BUCKET + "/sets/ds/samples/x.lpcm", "lpcm",
                0, OndaFixture.stopOf(0, 50, 50), "eeg", "eeg", List.of("c"), "microvolt", 1, 0, "int16", 50));
        OndaFixture.writeSignals(dir.resolve("u.onda.signals.arrow"), OndaFixture.signalColumns(sigs), false);
        upload(dir, "sets/uris");
        OndaException e = assertThrows(OndaException.class,
                () -> OndaDataset.open(DatasetLocation.parse("s3://" + BUCKET + "/sets/uris"), storage));
        assertTrue(e.getMessage().contains("s3://" + BUCKET + "/sets/uris/u.onda.signals.arrow: row 0, column file_path: 's3://"
                + BUCKET + "/sets/ds/samples/x.lpcm' (expected: a file inside the dataset s3://" + BUCKET + "/sets/uris"), e.getMessage());
    }

    @Test
    void open_truncatedObject_refusedNamingTheObject() throws IOException {
        Path dir = tmp.resolve("short");
        byte[] bytes = OndaFixture.lpcm(LpcmType.INT16, OndaFixture.rawInts(LpcmType.INT16, 1, 50, 9));
        OndaFixture.writeSamples(dir, "a.lpcm", java.util.Arrays.copyOf(bytes, 98));
        OndaFixture.writeSignals(dir.resolve("u.onda.signals.arrow"), OndaFixture.signalColumns(List.of(new Sig(
                OndaDatasetTest.REC_B, "a.lpcm", "lpcm", 0, OndaFixture.stopOf(0, 50, 50), "eeg", "eeg", List.of("c"),
                "microvolt", 1, 0, "int16", 50))), true);
        upload(dir, "sets/short");
        OndaException e = assertThrows(OndaException.class,
                () -> OndaDataset.open(DatasetLocation.parse("s3://" + BUCKET + "/sets/short"), storage));
        assertTrue(e.getMessage().startsWith("s3://" + BUCKET + "/sets/short/a.lpcm: size: 98 bytes (expected: 100"), e.getMessage());
    }
}
