package dev.batcher.materializers.onda;

import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.labels.StageGrid;
import dev.batcher.materializers.labels.StageMap;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.onda.ArrowTableWriter.Column;
import dev.batcher.materializers.onda.OndaFixture.Ann;
import dev.batcher.materializers.onda.OndaFixture.Sig;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.Storage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigInteger;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(60)
class OndaDatasetTest {
    static final UUID REC_A = UUID.fromString("0b14d2c6-d8d8-44e4-a824-f5c5d857215b");
    static final UUID REC_B = UUID.fromString("625fa5ea-dfb2-4252-b58d-1eb350fa7df6");
    static final int SAMPLES = 257;
    static final double RATE = 128.0;
    static final long START = 1_500_000_000L;

    @TempDir
    Path tmp;
    Storage storage;

    @BeforeEach
    void setUp() {
        storage = new Storage(null, tmp.resolve("cache"), 64L << 20);
    }

    @AfterEach
    void tearDown() {
        storage.close();
    }

    /** A dataset with one lpcm and one lpcm.zst signal of every sample type; returns the raw values by file. */
    static Map<String, long[][]> everyType(Path root, boolean fileFormat, double res, double off) throws Exception {
        Map<String, long[][]> raw = new java.util.HashMap<>();
        List<Sig> sigs = new ArrayList<>();
        long seed = 1;
        for (LpcmType type : LpcmType.values()) {
            for (String format : List.of("lpcm", "lpcm.zst")) {
                long[][] values = OndaFixture.rawInts(type, 3, SAMPLES, seed++);
                byte[] bytes = OndaFixture.lpcm(type, values);
                String file = "samples/" + REC_A + "/" + type.ondaName() + "." + format;
                OndaFixture.writeSamples(root, file, format.equals("lpcm") ? bytes : OndaFixture.zst(bytes));
                raw.put(file, values);
                String label = type.ondaName() + (format.equals("lpcm") ? "" : "_zst");
                sigs.add(new Sig(REC_A, file, format, START, OndaFixture.stopOf(START, SAMPLES, RATE), "eeg", label,
                        List.of("c3", "c4", "o1-m2"), "microvolt", res, off, type.ondaName(), RATE));
            }
        }
        OndaFixture.writeSignals(root.resolve("test.onda.signals.arrow"), OndaFixture.signalColumns(sigs), fileFormat);
        return raw;
    }

    /** What a reader must return for channel {@code c}, sample {@code t}: a short, a float, or a decoded float. */
    static void assertWindow(OndaSignal s, long[][] raw, RawWindow w, int c0, long t0) {
        for (int c = 0; c < w.channels(); c++) {
            for (int t = 0; t < w.samples(); t++) {
                long v = raw[c0 + c][(int) t0 + t];
                String where = s.sampleType() + " channel " + (c0 + c) + " sample " + (t0 + t);
                switch (s.sampleType().raw()) {
                    case INT16 -> assertEquals((short) v, w.shorts()[c][t], where);
                    case FLOAT32 -> assertEquals(Float.intBitsToFloat((int) v), w.floats()[c][t], where);
                    default -> {
                        double exact = switch (s.sampleType()) {
                            case UINT64 -> new BigInteger(Long.toUnsignedString(v)).doubleValue();
                            case FLOAT64 -> Double.longBitsToDouble(v);
                            default -> (double) v;
                        };
                        assertEquals((float) (exact * s.resolution() + s.offset()), w.floats()[c][t], where);
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void read_everySampleTypeLpcmAndZst_returnsTheWrittenValues(boolean fileFormat) throws Exception {
        Path root = tmp.resolve("ds");
        Map<String, long[][]> raw = everyType(root, fileFormat, 0.25, -3.5);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        assertEquals(LpcmType.values().length * 2, ds.signals().size());
        for (OndaSignal s : ds.signals()) {
            long[][] values = raw.get(s.file());
            assertEquals(SAMPLES, s.samples(), s.file());
            assertWindow(s, values, ds.read(s, 0, 3, 0, SAMPLES), 0, 0);
            assertWindow(s, values, ds.read(s, 2, 1, SAMPLES - 1, 1), 2, SAMPLES - 1);   // last sample, last channel
            assertWindow(s, values, ds.read(s, 0, 1, 0, 1), 0, 0);                       // first sample, first channel
            assertWindow(s, values, ds.read(s, 1, 2, 100, 57), 1, 100);
        }
    }

    @Test
    void info_eachType_describesHowWindowsAreHandedOn() throws Exception {
        Path root = tmp.resolve("ds");
        everyType(root, true, 0.25, -3.5);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        for (OndaSignal s : ds.signals()) {
            SignalInfo info = s.info();
            assertEquals("/" + s.sensorLabel(), info.dataset());
            assertEquals(List.of("c3", "c4", "o1-m2"), info.channels());
            assertEquals(START, info.startNanos());
            assertEquals(SAMPLES, info.samples());
            assertEquals(RATE, info.sampleRate());
            assertEquals("microvolt", info.unit());
            boolean decoded = s.sampleType().raw() == LpcmType.Raw.DECODED;
            assertEquals(decoded ? 1.0 : 0.25, info.resolution(), s.file());
            assertEquals(decoded ? 0.0 : -3.5, info.offset(), s.file());
            assertEquals(s.sampleType().raw() == LpcmType.Raw.INT16 ? SampleType.INT16 : SampleType.FLOAT32, info.type());
        }
        assertEquals(List.of(REC_A.toString()), ds.recordings(), "Julia's little-endian UUID bytes read back canonically");
    }

    @Test
    void read_zstTwice_decompressesOnceIntoTheCache() throws Exception {
        Path root = tmp.resolve("ds");
        everyType(root, true, 1, 0);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        OndaSignal zst = ds.signal("samples/" + REC_A + "/int16.lpcm.zst");
        RawWindow first = ds.read(zst, 0, 3, 10, 20);
        RawWindow again = ds.read(zst, 0, 3, 10, 20);
        assertEquals(1, storage.cache().stats().misses());
        assertEquals(1, storage.cache().stats().hits());
        assertEquals(SAMPLES * 3 * 2L, storage.cache().stats().bytes(), "the decompressed copy is what the cache holds");
        for (int c = 0; c < 3; c++) {
            assertArrayEquals(first.shorts()[c], again.shorts()[c]);
        }
    }

    @Test
    void open_signalV1WithKindAndIntegerRate_reads() throws Exception {
        Path root = tmp.resolve("ds");
        long[][] raw = OndaFixture.rawInts(LpcmType.INT16, 2, 100, 7);
        OndaFixture.writeSamples(root, "a.lpcm", OndaFixture.lpcm(LpcmType.INT16, raw));
        List<Column> cols = new ArrayList<>(OndaFixture.signalColumns(List.of(new Sig(REC_B, "a.lpcm", "lpcm", 0,
                OndaFixture.stopOf(0, 100, 100), "eeg", "eeg", List.of("x", "y"), "microvolt", 0.5, 1, "int16", 100))));
        cols.removeIf(c -> c.field().getName().equals("sensor_label"));
        cols.replaceAll(c -> c.field().getName().equals("sensor_type") ? new Column(ArrowTableWriter.text("kind"), c.values())
                : c.field().getName().equals("sample_rate") ? new Column(ArrowTableWriter.int32("sample_rate"), List.of(100)) : c);
        ArrowTableWriter.write(root.resolve("v1.onda.signals.arrow"), cols, Map.of(OndaTables.LEGOLAS_KEY, "onda.signal@1"), true, 10);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        OndaSignal s = ds.signals().get(0);
        assertEquals("eeg", s.sensorType());
        assertEquals("eeg", s.sensorLabel());
        assertEquals(100.0, s.sampleRate());
        assertWindow(s, raw, ds.read(s, 0, 2, 0, 100), 0, 0);
    }

    @Test
    void open_relativeAndAbsolutePathsAndTableInSubdirectory_resolveInsideTheDataset() throws Exception {
        Path root = tmp.resolve("ds");
        long[][] raw = OndaFixture.rawInts(LpcmType.INT16, 1, 10, 3);
        byte[] bytes = OndaFixture.lpcm(LpcmType.INT16, raw);
        OndaFixture.writeSamples(root, "samples/x.lpcm", bytes);
        OndaFixture.writeSamples(root, "samples/y.lpcm", bytes);
        OndaFixture.writeSamples(root, "samples/z.lpcm", bytes);
        long stop = OndaFixture.stopOf(0, 10, 10);
        List<Sig> sigs = List.of(
                new Sig(REC_A, "../samples/x.lpcm", "lpcm", 0, stop, "eeg", "a", List.of("c"), "microvolt", 1, 0, "int16", 10),
                new Sig(REC_A, "./../samples/./y.lpcm", "lpcm", 0, stop, "eeg", "b", List.of("c"), "microvolt", 1, 0, "int16", 10),
                new Sig(REC_A, root.resolve("samples/z.lpcm").toString(), "lpcm", 0, stop, "eeg", "c", List.of("c"),
                        "microvolt", 1, 0, "int16", 10));
        java.nio.file.Files.createDirectories(root.resolve("tables"));
        OndaFixture.writeSignals(root.resolve("tables/t.onda.signals.arrow"), OndaFixture.signalColumns(sigs), false);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        assertEquals(List.of("samples/x.lpcm", "samples/y.lpcm", "samples/z.lpcm"),
                ds.signals().stream().map(OndaSignal::file).toList());
        assertEquals(List.of("tables/t.onda.signals.arrow"), ds.signalTables());
    }

    @Test
    void annotations_valueColumn_sortedAndConvertedToTheLabelGrid() throws Exception {
        Path root = tmp.resolve("ds");
        everyType(root, true, 1, 0);
        long s = 1_000_000_000L;
        List<Ann> anns = List.of(
                new Ann(REC_A, UUID.randomUUID(), 90 * s, 120 * s, "Sleep stage R"),
                new Ann(REC_A, UUID.randomUUID(), 0, 30 * s, "Sleep stage W"),
                new Ann(REC_A, UUID.randomUUID(), 30 * s, 90 * s, "N2"),
                new Ann(REC_B, UUID.randomUUID(), 0, 30 * s, "W"));
        OndaFixture.writeAnnotations(root.resolve("test.onda.annotations.arrow"), OndaFixture.annotationColumns(anns), true);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        List<OndaAnnotation> a = ds.annotations(REC_A.toString());
        assertEquals(List.of("Sleep stage W", "N2", "Sleep stage R"), a.stream().map(OndaAnnotation::value).toList());
        assertEquals(30 * s, a.get(1).onsetNanos());
        assertEquals(60 * s, a.get(1).durationNanos());
        StageGrid grid = ds.labels(REC_A.toString(), StageMap.aasm(), StageGrid.DEFAULT_EPOCH_NANOS).orElseThrow();
        assertEquals(0, grid.startNanos());
        assertArrayEquals(new int[] {0, 2, 2, 4}, grid.values());
        assertEquals(1, ds.annotations(REC_B.toString()).size());
    }

    @Test
    void annotations_dictionaryEncodedValueColumnAndStreamFormat_decoded() throws Exception {
        Path root = tmp.resolve("ds");
        everyType(root, true, 1, 0);
        long s = 1_000_000_000L;
        List<Ann> anns = new ArrayList<>();
        String[] stages = {"W", "N1", "N2", "N2", "N3", "R", "W"};
        for (int i = 0; i < stages.length; i++) {
            anns.add(new Ann(REC_A, new UUID(0, i + 1), i * 30 * s, (i + 1) * 30 * s, stages[i]));
        }
        List<Column> cols = new ArrayList<>(OndaFixture.annotationColumns(anns));
        cols.set(3, new Column(ArrowTableWriter.dictionaryText("value", 7), cols.get(3).values()));
        OndaFixture.writeAnnotations(root.resolve("x.onda.annotation.arrow"), cols, false);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        assertEquals(List.of(stages), ds.annotations(REC_A.toString()).stream().map(OndaAnnotation::value).toList());
        assertArrayEquals(new int[] {0, 1, 2, 2, 3, 4, 0},
                ds.labels(REC_A.toString(), StageMap.aasm(), StageGrid.DEFAULT_EPOCH_NANOS).orElseThrow().values());
    }

    @Test
    void isOnda_directoryWithSignalsTable_true() throws Exception {
        Path root = tmp.resolve("ds");
        java.nio.file.Files.createDirectories(root);
        assertEquals(false, OndaDataset.isOnda(root));
        everyType(root, true, 1, 0);
        assertTrue(OndaDataset.isOnda(root));
    }

    @Test
    void read_windowOutsideTheSignal_refusedNamingWindowAndExtent() throws Exception {
        Path root = tmp.resolve("ds");
        everyType(root, true, 1, 0);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        OndaSignal s = ds.signals().get(0);
        OndaException e = assertThrows(OndaException.class, () -> ds.read(s, 0, 3, SAMPLES - 10, 11));
        assertTrue(e.getMessage().contains("samples [247, 258) (expected: a non-empty window inside channels [0, 3) and samples [0, 257)"),
                e.getMessage());
        assertTrue(e.getMessage().contains(s.file()), e.getMessage());
        assertThrows(OndaException.class, () -> ds.read(s, 2, 2, 0, 1));
        assertThrows(OndaException.class, () -> ds.read(s, 0, 1, -1, 1));
        assertThrows(OndaException.class, () -> ds.read(s, 0, 0, 0, 1));
    }
}
