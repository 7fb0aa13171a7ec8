package dev.batcher.materializers.onda;

import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetException;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.iteration.BatchSources;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.Taken;
import dev.batcher.materializers.onda.OndaFixture.Ann;
import dev.batcher.materializers.onda.OndaFixture.Sig;
import dev.batcher.materializers.storage.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** An Onda dataset through the recording-format seam: indexed, loaded and materialised like any other. */
@Timeout(120)
class OndaIndexTest {
    static final UUID A = UUID.fromString("0b14d2c6-d8d8-44e4-a824-f5c5d857215b");
    static final UUID B = UUID.fromString("625fa5ea-dfb2-4252-b58d-1eb350fa7df6");
    static final double RATE = 64.0;
    static final int SAMPLES = (int) (RATE * 240);   // 4 minutes
    static final long SECOND = 1_000_000_000L;
    static final String[] STAGES_A = {"Sleep stage W", "Sleep stage 1", "Sleep stage 2", "Sleep stage 2",
        "Sleep stage 3", "Sleep stage 4", "Sleep stage R", "Sleep stage W"};
    static final String[] STAGES_B = {"W", "N1", "N2", "N3", "R", "R", "N2", "W"};

    @TempDir
    Path tmp;
    Path root;
    Storage storage;
    long[][] rawA;
    long[][] rawB;

    @BeforeEach
    void setUp() throws Exception {
        storage = new Storage(null, tmp.resolve("cache"), 64L << 20);
        root = tmp.resolve("psg.onda");
        rawA = OndaFixture.rawInts(LpcmType.INT16, 2, SAMPLES, 1);
        rawB = OndaFixture.rawInts(LpcmType.INT16, 2, SAMPLES, 2);
        OndaFixture.writeSamples(root, "samples/" + A + "/eeg.lpcm", OndaFixture.lpcm(LpcmType.INT16, rawA));
        OndaFixture.writeSamples(root, "samples/" + B + "/eeg.lpcm.zst", OndaFixture.zst(OndaFixture.lpcm(LpcmType.INT16, rawB)));
        long stop = OndaFixture.stopOf(0, SAMPLES, RATE);
        List<Sig> sigs = List.of(
                new Sig(A, "samples/" + A + "/eeg.lpcm", "lpcm", 0, stop, "eeg", "eeg", List.of("c3", "c4"), "microvolt", 0.25, -1, "int16", RATE),
                new Sig(B, "samples/" + B + "/eeg.lpcm.zst", "lpcm.zst", 0, stop, "eeg", "eeg", List.of("c3", "c4"), "microvolt", 0.5, 2, "int16", RATE));
        OndaFixture.writeSignals(root.resolve("psg.onda.signals.arrow"), OndaFixture.signalColumns(sigs), true);
        List<Ann> anns = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            anns.add(new Ann(A, new UUID(1, i), i * 30 * SECOND, (i + 1) * 30 * SECOND, STAGES_A[i]));
            anns.add(new Ann(B, new UUID(2, i), i * 30 * SECOND, (i + 1) * 30 * SECOND, STAGES_B[i]));
        }
        OndaFixture.writeAnnotations(root.resolve("psg.onda.annotations.arrow"), OndaFixture.annotationColumns(anns), false);
    }

    @AfterEach
    void tearDown() {
        storage.close();
    }

    /** The dataset's files with the label grids index time recorded (local lpcm.zst through Storage.shared(), in target/). */
    private static RecordingFiles files(Dataset ds) {
        return ds.openFiles(8);
    }

    @Test
    void index_ondaDirectory_oneRowPerSampleFileWithItsRecordingAndLabels() throws Exception {
        DatasetIndexer.index(root);
        List<String> lines = Files.readAllLines(root.resolve("labeled_signals.csv"));
        assertEquals(List.of(
                "recording,file,signal,labels,signal_start_ns,signal_stop_ns,label_start_ns,label_stop_ns",
                A + ",samples/" + A + "/eeg.lpcm,/eeg,/labels/stage,0,240000000000,0,240000000000",
                B + ",samples/" + B + "/eeg.lpcm.zst,/eeg,/labels/stage,0,240000000000,0,240000000000"), lines);
        assertTrue(Files.readString(root.resolve("recordings.json")).contains("\"onda\""), "recordings.json records the format");
        Dataset ds = Dataset.load(root);
        assertEquals(2, ds.signals().size());
        LabeledSignal a = ds.signals().get(0);
        assertEquals(A.toString(), a.recording());
        assertEquals(8, a.labelEpochs());
        try (RecordingFiles f = files(ds)) {
            assertArrayEquals(new int[][] {{0, 1, 2, 2, 3, 3, 4, 0}}, f.readLabels(a.file(), "/labels/stage", 0, 8),
                    "R&K stages 3 and 4 both N3, through the same map as every annotation source");
            assertArrayEquals(new int[][] {{0, 1, 2, 3, 4, 4, 2, 0}}, f.readLabels(ds.signals().get(1).file(), "/labels/stage", 0, 8));
        }
    }

    @Test
    void localBatcher_sequentialWindows_equalTheWrittenSamplesDecoded() {
        DatasetIndexer.index(root);
        Dataset ds = Dataset.load(root);
        SourceConfig source = new SourceConfig.Sequential(2, 30, null);
        try (RecordingFiles f = files(ds);
             LocalBatcher batcher = new LocalBatcher(BatchSources.build(source, ds.signals()),
                     new Materializer(f, MaterializeOptions.defaults(), Kernels.scalar()))) {
            BatchState state = BatchState.initial(1);
            int windowSamples = (int) (RATE * 30);
            for (int k = 0; k < 8; k++) {
                Taken.Next next = (Taken.Next) batcher.take(state);
                try (Batch b = next.batch()) {
                    assertArrayEquals(new int[] {2, 2, windowSamples}, b.xShape());
                    FloatBuffer x = b.x();
                    IntBuffer y = b.y();
                    for (int item = 0; item < 2; item++) {
                        int window = 2 * k + item;       // signal A's 8 windows, then B's
                        long[][] raw = window < 8 ? rawA : rawB;
                        float res = window < 8 ? 0.25f : 0.5f;
                        float off = window < 8 ? -1f : 2f;
                        int start = (window % 8) * windowSamples;
                        for (int c = 0; c < 2; c++) {
                            for (int t = 0; t < windowSamples; t += 97) {
                                float expected = (float) (short) raw[c][start + t] * res + off;
                                assertEquals(expected, x.get((item * 2 + c) * windowSamples + t), "window " + window + " ch " + c + " t " + t);
                            }
                        }
                        int[] stages = window < 8 ? new int[] {0, 1, 2, 2, 3, 3, 4, 0} : new int[] {0, 1, 2, 3, 4, 4, 2, 0};
                        assertEquals(stages[window % 8], y.get(item), "label of window " + window);
                    }
                }
                state = next.state();
            }
        }
    }

    @Test
    void index_stageMapFileAndEpochOption_applyToOndaAnnotations() throws Exception {
        Files.writeString(root.resolve("stage_map.json"),
                "{\"extends\": \"aasm\", \"stages\": {\"Sleep stage 1\": \"N2\"}}");
        DatasetIndexer.index(root.toString(), null, DatasetIndexer.defaultLabelSources(), 15 * SECOND);
        Dataset ds = Dataset.load(root);
        LabeledSignal a = ds.signals().get(0);
        assertEquals(16, a.labelEpochs(), "15 s epochs");
        try (RecordingFiles f = files(ds)) {
            assertArrayEquals(new int[][] {{0, 0, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 0, 0}},
                    f.readLabels(a.file(), "/labels/stage", 0, 16), "'Sleep stage 1' as N2, as stage_map.json says");
        }
    }

    @Test
    void index_recordingWithoutAnnotations_skippedOthersIndexed() throws Exception {
        List<Ann> onlyA = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            onlyA.add(new Ann(A, new UUID(1, i), i * 30 * SECOND, (i + 1) * 30 * SECOND, STAGES_A[i]));
        }
        OndaFixture.writeAnnotations(root.resolve("psg.onda.annotations.arrow"), OndaFixture.annotationColumns(onlyA), true);
        DatasetIndexer.index(root);
        assertEquals(List.of(A.toString()), Dataset.load(root).signals().stream().map(LabeledSignal::recording).toList());
    }

    @Test
    void index_ondaBesideHdf5_bothIndexedAndLoaded() throws Exception {
        Files.createDirectories(root.resolve("hdf5"));
        Files.copy(dev.batcher.materializers.Fixtures.path("layouts/contiguous.h5"), root.resolve("hdf5/contiguous.h5"));
        DatasetIndexer.index(root);
        Dataset ds = Dataset.load(root);
        assertEquals(List.of("hdf5/contiguous.h5", "samples/" + A + "/eeg.lpcm", "samples/" + B + "/eeg.lpcm.zst"),
                ds.signals().stream().map(LabeledSignal::file).toList());
        assertEquals(List.of("layout-contiguous", A.toString(), B.toString()),
                ds.signals().stream().map(LabeledSignal::recording).toList());
    }

    @Test
    void index_sampleFileNoTableNames_failsNamingIt() throws Exception {
        OndaFixture.writeSamples(root, "samples/stray.lpcm", new byte[4]);
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetIndexer.index(root));
        assertTrue(e.getMessage().contains("samples/stray.lpcm") && e.getMessage().contains("signals table: no row names this file"),
                e.getMessage());
    }

    @Test
    void readSignal_windowOutsideTheSignal_outOfRange() {
        try (RecordingFiles f = new RecordingFiles(List.of(root), 8)) {
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> f.readSignal("samples/" + A + "/eeg.lpcm", "/eeg", 0, 2, SAMPLES - 5, 10));
            assertEquals(RecordingReadException.Reason.OUT_OF_RANGE, e.getReason());
            assertTrue(e.getMessage().contains("samples [" + (SAMPLES - 5) + ", " + (SAMPLES + 5) + ")"), e.getMessage());
        }
    }
}
