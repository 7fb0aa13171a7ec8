package dev.batcher.materializers.assembly;

import dev.batcher.api.Batch;
import dev.batcher.api.Taken;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.BatchShapes;
import dev.batcher.materializers.iteration.BatchSources;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.MaterializerException;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import java.nio.ByteBuffer;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class MaterializerTest {
    private final Dataset tiny = Dataset.load(Fixtures.path("tiny"));
    private final RecordingFiles files = new RecordingFiles(List.of(tiny.root()), 4);

    @AfterEach
    void close() {
        files.close();
    }

    private static ItemSpec night1(long start, int count, ChannelSelection channels, long labelStart, int labelCount) {
        return new ItemSpec("night1", "night1.h5", "/signals/eeg", start, count, channels, "/labels/stage", labelStart,
                labelCount, 0);
    }

    @Test
    void materialize_namedChannels_decodesExactlyTheWindowInTheGivenOrder() {
        Materializer m = new Materializer(files, MaterializeOptions.defaults(), Kernels.vector());
        ItemSpec item = night1(500, 3000, ChannelSelection.names(List.of("O2", "C3")), 0, 1);
        try (Batch b = m.materialize(new BatchSpec(List.of(item, night1(3500, 3000, ChannelSelection.names(List.of("O2", "C3")), 1, 1))))) {
            assertArrayEquals(new int[] {2, 2, 3000}, b.xShape());
            assertArrayEquals(new int[] {2, 1, 1}, b.yShape());
            RawWindow raw = files.readSignal("night1.h5", "/signals/eeg", 0, 6, 500, 6000);
            FloatBuffer x = b.x();
            for (int t = 0; t < 3000; t++) {
                assertEquals(raw.shorts()[5][t] * 0.05f, x.get(t));
                assertEquals(raw.shorts()[0][t] * 0.05f, x.get(3000 + t));
                assertEquals(raw.shorts()[5][3000 + t] * 0.05f, x.get(6000 + t));
            }
            int[][] labels = files.readLabels("night1.h5", "/labels/stage", 0, 2);
            assertEquals(labels[0][0], b.y().get(0));
            assertEquals(labels[0][1], b.y().get(1));
        }
    }

    @Test
    void materialize_fillSelection_missingChannelIsZeros() {
        Materializer m = new Materializer(files, MaterializeOptions.defaults(), Kernels.vector());
        try (Batch b = m.materialize(new BatchSpec(List.of(night1(0, 3000, ChannelSelection.parse("fill:C4,Pz"), 0, 1))))) {
            FloatBuffer x = b.x();
            for (int t = 0; t < 3000; t++) {
                assertEquals(0f, x.get(3000 + t));
            }
        }
    }

    @Test
    void materialize_montage_isTheDifferenceOfDecodedChannels() {
        Materializer m = new Materializer(files, MaterializeOptions.defaults(), Kernels.vector());
        try (Batch b = m.materialize(new BatchSpec(List.of(night1(0, 3000, ChannelSelection.parse("montage:C3-M2"), 0, 1))))) {
            RawWindow raw = files.readSignal("night1.h5", "/signals/eeg", 0, 6, 0, 3000);
            for (int t = 0; t < 3000; t++) {
                assertEquals(raw.shorts()[0][t] * 0.05f - raw.shorts()[3][t] * 0.05f, b.x().get(t), 1e-4f);
            }
        }
    }

    @Test
    void materialize_vectorAndScalarKernels_giveTheSameBytes() {
        MaterializeOptions all = MaterializeOptions.defaults().withTargetRate(64.0).withNormalize(true);
        SourceConfig source = new SourceConfig.Random(6, 60, null, "montage:C3-M2,C4-M1,(C3+C4)/2", null, null);
        List<dev.batcher.materializers.dataset.LabeledSignal> night1Only = tiny.signals().subList(0, 1);
        try (LocalBatcher v = new LocalBatcher(BatchSources.build(source, night1Only), new Materializer(files, all, Kernels.vector()));
                LocalBatcher s = new LocalBatcher(BatchSources.build(source, night1Only), new Materializer(files, all, Kernels.scalar()))) {
            for (long k = 0; k < 5; k++) {
                assertEquals(digest(v.take(new BatchState(8, k))), digest(s.take(new BatchState(8, k))));
            }
        }
    }

    @Test
    void materializeInto_anyKernelPathAndBuffer_writesTheArraysBytesLittleEndianXThenY() {
        MaterializeOptions all = MaterializeOptions.defaults().withTargetRate(64.0).withNormalize(true);
        ChannelSelection montage = ChannelSelection.parse("montage:C3-M2,C4-M1,(C3+C4)/2");
        BatchSpec spec = new BatchSpec(List.of(night1(0, 3000, montage, 0, 1), night1(9000, 3000, montage, 3, 1),
                night1(6000, 3000, montage, 2, 1)));
        Materializer vector = new Materializer(files, all, Kernels.vector());
        Materializer scalar = new Materializer(files, all, Kernels.scalar());
        byte[] expected;
        BatchShapes layout;
        try (Batch b = vector.materialize(spec)) {
            layout = new BatchShapes(b.xShape(), b.yShape());
            ByteBuffer wire = ByteBuffer.allocate(Math.toIntExact(layout.bytes())).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            wire.asFloatBuffer().put(b.x());
            wire.position(Math.toIntExact(layout.yOffset()));
            wire.slice().order(java.nio.ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(b.y());
            expected = wire.array();
        }
        for (Materializer m : List.of(vector, scalar)) {
            for (ByteBuffer target : List.of(ByteBuffer.allocateDirect(expected.length + 100),
                    ByteBuffer.allocate(expected.length + 100).order(java.nio.ByteOrder.BIG_ENDIAN))) {
                target.position(100);
                BatchShapes got = m.materializeInto(spec, l -> target);
                assertEquals(layout, got);
                assertEquals(layout, m.layout(spec), "the layout from the first item alone");
                assertEquals(100, target.position(), "the target's position is left alone");
                byte[] written = new byte[expected.length];
                target.get(100, written);
                assertArrayEquals(expected, written, m.toString() + " into " + target);
            }
        }
    }

    @Test
    void materializeInto_targetTooSmall_namesTheBytesNeeded() {
        Materializer m = new Materializer(files, MaterializeOptions.defaults(), Kernels.vector());
        BatchSpec spec = new BatchSpec(List.of(night1(0, 3000, ChannelSelection.names(List.of("C3")), 0, 1)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> m.materializeInto(spec, l -> ByteBuffer.allocate(10)));
        assertEquals("target: 10 bytes (expected: a buffer of at least 12004 bytes for x [1, 1, 3000] and y [1, 1, 1])",
                e.getMessage());
    }

    @Test
    void take_sequentialOverMixedRates_resamplesToOneShapeAndMarksCoveredEpochs() {
        SourceConfig source = new SourceConfig.Sequential(3, 60, "fill:C3,C4");
        MaterializeOptions at64 = MaterializeOptions.defaults().withTargetRate(64.0);
        List<dev.batcher.materializers.dataset.LabeledSignal> twoLabelRows = List.of(tiny.signals().get(0), tiny.signals().get(2),
                tiny.signals().get(3));
        try (LocalBatcher batcher = new LocalBatcher(BatchSources.build(source, twoLabelRows), new Materializer(files, at64, Kernels.vector()))) {
            BatchState state = BatchState.initial(0);
            int epochs = 0;
            int skipped = 0;
            Taken t;
            while ((t = batcher.take(state)) instanceof Taken.Next next) {
                try (Batch b = next.batch()) {
                    assertEquals(64 * 60, b.xShape()[2]);
                    IntBuffer y = b.y();
                    for (int i = 0; i < y.remaining(); i++) {
                        if (y.get(i) == -1) {
                            skipped++;
                        } else {
                            epochs++;
                        }
                    }
                }
                state = next.state();
            }
            // night1: 9 epochs; site2 ecg and eeg: 7 epochs each; windows of 2 epochs end-align the odd one out.
            assertEquals(9 + 7 + 7, epochs);
            assertEquals(3, skipped);
            assertEquals(new Taken.End(state), t);
        }
    }

    @Test
    void take_restartAtStateK_givesTheTailOfAnUninterruptedRun() {
        SourceConfig source = new SourceConfig.Random(4, 30, 2, null, null, null);
        try (LocalBatcher batcher = new LocalBatcher(BatchSources.build(source, tiny.signals().subList(0, 1)),
                new Materializer(files, MaterializeOptions.defaults(), Kernels.vector()))) {
            List<String> run = new ArrayList<>();
            List<BatchState> states = new ArrayList<>();
            BatchState s = BatchState.initial(77);
            for (int i = 0; i < 12; i++) {
                states.add(s);
                Taken.Next n = (Taken.Next) batcher.take(s);
                run.add(digest(n));
                s = n.state();
            }
            BatchState resumed = BatchState.parse(states.get(7).toString());
            for (int i = 7; i < 12; i++) {
                Taken.Next n = (Taken.Next) batcher.take(resumed);
                assertEquals(run.get(i), digest(n));
                resumed = n.state();
            }
        }
    }

    @Test
    void materialize_manyThreadsSharingFiles_sameBytesAsOneThread() throws Exception {
        SourceConfig source = new SourceConfig.Random(4, 30, null, "fill:C3,C4,F3", null, null);
        Materializer m = new Materializer(files, MaterializeOptions.defaults().withTargetRate(64.0), Kernels.vector());
        var src = BatchSources.build(source, List.of(tiny.signals().get(0), tiny.signals().get(2), tiny.signals().get(3)));
        List<String> expected = new ArrayList<>();
        for (long k = 0; k < 24; k++) {
            expected.add(digest(new LocalBatcher(src, m).take(new BatchState(1, k))));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<String>> got = new ArrayList<>();
            for (long k = 0; k < 24; k++) {
                long kk = k;
                got.add(pool.submit(() -> digest(new LocalBatcher(src, m).take(new BatchState(1, kk)))));
            }
            for (int k = 0; k < 24; k++) {
                assertEquals(expected.get(k), got.get(k).get(30, TimeUnit.SECONDS));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void materialize_missingFile_namesRecordingFileDatasetAndWindow() {
        Materializer m = new Materializer(files, MaterializeOptions.defaults(), Kernels.vector());
        ItemSpec bad = new ItemSpec("ghost", "ghost.h5", "/signals/eeg", 0, 100, ChannelSelection.all(), "/labels/stage", 0, 1, 0);
        ItemException e = assertThrows(ItemException.class, () -> m.materialize(new BatchSpec(List.of(bad))));
        assertTrue(e.getMessage().contains("item 0 (recording ghost, file ghost.h5, dataset /signals/eeg, samples [0, 100))"),
                e.getMessage());
        assertInstanceOf(MaterializerException.class, e.getCause());
    }

    @Test
    void materialize_windowOutsideRecording_namesTheWindow() {
        Materializer m = new Materializer(files, MaterializeOptions.defaults(), Kernels.vector());
        ItemSpec late = night1(29_000, 3000, ChannelSelection.all(), 0, 1);
        ItemException e = assertThrows(ItemException.class, () -> m.materialize(new BatchSpec(List.of(late))));
        assertTrue(e.getMessage().contains("samples [29000, 32000)"), e.getMessage());
        assertTrue(e.getMessage().contains("30000"), "names the extent: " + e.getMessage());
    }

    @Test
    void materialize_missingDataset_namesIt() {
        Materializer m = new Materializer(files, MaterializeOptions.defaults(), Kernels.vector());
        ItemSpec item = new ItemSpec("night1", "night1.h5", "/signals/nope", 0, 100, ChannelSelection.all(), "/labels/stage", 0, 1, 0);
        ItemException e = assertThrows(ItemException.class, () -> m.materialize(new BatchSpec(List.of(item))));
        assertTrue(e.getMessage().contains("/signals/nope"), e.getMessage());
    }

    @Test
    void materialize_itemsOfDifferentShapes_namesBothShapes() {
        Materializer m = new Materializer(files, MaterializeOptions.defaults(), Kernels.vector());
        ItemSpec a = night1(0, 3000, ChannelSelection.names(List.of("C3", "C4")), 0, 1);
        ItemSpec b = new ItemSpec("night3", "night3.h5", "/eeg", 0, 3000, ChannelSelection.names(List.of("C3", "C4")), "/hypnogram",
                0, 1, 0);
        ItemException e = assertThrows(ItemException.class, () -> m.materialize(new BatchSpec(List.of(a, b))));
        assertTrue(e.getMessage().startsWith("item 1 (recording night3"), e.getMessage());
        assertTrue(e.getMessage().contains("y [2, 1] (expected: x [2, 3000] and y [1, 1]"), e.getMessage());
    }

    @Test
    void materialize_corruptFile_namesTheFile(@TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Files.copy(Fixtures.path("bad/truncated.h5"), dir.resolve("t.h5"));
        try (RecordingFiles f = new RecordingFiles(List.of(dir), 2)) {
            Materializer m = new Materializer(f, MaterializeOptions.defaults(), Kernels.vector());
            ItemSpec item = new ItemSpec("t", "t.h5", "/signals/eeg", 0, 10, ChannelSelection.all(), "/labels/stage", 0, 1, 0);
            ItemException e = assertThrows(ItemException.class, () -> m.materialize(new BatchSpec(List.of(item))));
            assertTrue(e.getMessage().contains("t.h5"), e.getMessage());
        }
    }

    @Test
    void materialize_labelValueOutsideTheEncoding_failsNamingFileLabelChannelEpochAndValue() {
        try (RecordingFiles f = new RecordingFiles(List.of(Fixtures.root()), 2)) {
            Materializer m = new Materializer(f, MaterializeOptions.defaults(), Kernels.vector());
            String file = "bad/label_outside_encoding.h5";
            // Samples [300, 600) at 100 Hz are epochs 3..5 (-1 at epoch 3 is "no label"): fine.
            ItemSpec fine = new ItemSpec("r", file, "/signals/eeg", 300, 300, ChannelSelection.all(), "/labels/stage", 3, 3, 0);
            try (Batch b = m.materialize(new BatchSpec(List.of(fine)))) {
                assertEquals(-1, b.y().get(0));
            }
            // Epoch 6 of stage_scorer2 holds 7, and the encoding has 5 names: never passed on as 7.
            ItemSpec bad = new ItemSpec("r", file, "/signals/eeg", 500, 300, ChannelSelection.all(), "/labels/stage", 5, 3, 0);
            ItemException e = assertThrows(ItemException.class, () -> m.materialize(new BatchSpec(List.of(bad))));
            assertTrue(e.getMessage().contains("file " + file + ", dataset /labels/stage"), e.getMessage());
            assertTrue(e.getMessage().contains("label channel stage_scorer2, epoch 6: value 7 (expected: 0..4"), e.getMessage());
        }
    }

    @Test
    void constructor_unknownFeaturizer_listsTheKnownOnes() {
        MaterializerException e = assertThrows(MaterializerException.class, () -> new Materializer(files,
                MaterializeOptions.defaults().withFeaturizer("nope", List.of()), Kernels.vector()));
        assertTrue(e.getMessage().startsWith("featurizer: 'nope' (expected: one of"), e.getMessage());
    }

    static String digest(Taken taken) {
        try (Batch b = ((Taken.Next) taken).batch()) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            FloatBuffer x = b.x();
            ByteBuffer bytes = ByteBuffer.allocate(x.remaining() * 4);
            bytes.asFloatBuffer().put(x);
            md.update(bytes);
            IntBuffer y = b.y();
            ByteBuffer ybytes = ByteBuffer.allocate(y.remaining() * 4);
            ybytes.asIntBuffer().put(y);
            md.update(ybytes);
            return HexFormat.of().formatHex(md.digest()) + ((Taken.Next) taken).state();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
