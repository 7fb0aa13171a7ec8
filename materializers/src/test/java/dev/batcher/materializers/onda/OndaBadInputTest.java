package dev.batcher.materializers.onda;

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

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a dataset can be wrong, each refused with a message naming the file, field, value and expectation. */
@Timeout(60)
class OndaBadInputTest {
    static final UUID REC = UUID.fromString("0b14d2c6-d8d8-44e4-a824-f5c5d857215b");
    static final int SAMPLES = 100;

    @TempDir
    Path tmp;
    Path root;
    Path table;
    Storage storage;

    @BeforeEach
    void setUp() throws IOException {
        root = tmp.resolve("ds");
        table = root.resolve("t.onda.signals.arrow");
        storage = new Storage(null, tmp.resolve("cache"), 64L << 20);
        byte[] bytes = OndaFixture.lpcm(LpcmType.INT16, OndaFixture.rawInts(LpcmType.INT16, 2, SAMPLES, 1));
        OndaFixture.writeSamples(root, "samples/a.lpcm", bytes);
        OndaFixture.writeSamples(root, "samples/a.lpcm.zst", OndaFixture.zst(bytes));
    }

    @AfterEach
    void tearDown() {
        storage.close();
    }

    static Sig sig(String filePath, String format) {
        return new Sig(REC, filePath, format, 0, OndaFixture.stopOf(0, SAMPLES, 100), "eeg", "eeg", List.of("c3", "c4"),
                "microvolt", 0.5, 0, "int16", 100);
    }

    private OndaException refused(List<Sig> sigs, UnaryOperator<List<Column>> edit) throws IOException {
        List<Column> cols = edit.apply(new ArrayList<>(OndaFixture.signalColumns(sigs)));
        OndaFixture.writeSignals(table, cols, true);
        return assertThrows(OndaException.class, () -> OndaDataset.open(DatasetLocation.of(root), storage));
    }

    private static void assertMessage(OndaException e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "message lacks '" + p + "': " + e.getMessage());
        }
        assertTrue(e.isDeterministic(), e.getMessage());
    }

    private static List<Column> replace(List<Column> cols, String name, Column with) {
        cols.replaceAll(c -> c.field().getName().equals(name) ? with : c);
        return cols;
    }

    @Test
    void open_missingChannelsColumn_namesColumnAndSchema() throws IOException {
        OndaException e = refused(List.of(sig("samples/a.lpcm", "lpcm")), cols -> {
            cols.removeIf(c -> c.field().getName().equals("channels"));
            return cols;
        });
        assertMessage(e, table.toString(), "column channels: missing (expected: a List<Utf8> column, required by onda.signal@2");
    }

    @Test
    void open_sampleRateAsText_namesColumnTypeAndExpectation() throws IOException {
        OndaException e = refused(List.of(sig("samples/a.lpcm", "lpcm")),
                cols -> replace(cols, "sample_rate", new Column(ArrowTableWriter.text("sample_rate"), List.of("100"))));
        assertMessage(e, table.toString(), "column sample_rate: Utf8 (expected: FloatingPoint(DOUBLE), as onda.signal@2 says)");
    }

    @Test
    void open_spanAsNumbers_refused() throws IOException {
        OndaException e = refused(List.of(sig("samples/a.lpcm", "lpcm")),
                cols -> replace(cols, "span", new Column(ArrowTableWriter.float64("span"), List.of(1.0))));
        assertMessage(e, "column span: FloatingPoint(DOUBLE) (expected: Struct{start, stop} of Duration(NANOSECOND)");
    }

    @Test
    void open_unknownSampleType_namesRowValueAndTypes() throws IOException {
        OndaException e = refused(List.of(sig("samples/a.lpcm", "lpcm")),
                cols -> replace(cols, "sample_type", new Column(ArrowTableWriter.text("sample_type"), List.of("int24"))));
        assertMessage(e, "row 0, column sample_type: 'int24' (expected: one of int8, int16, int32, int64, uint8, uint16, uint32, uint64, float32, float64)");
    }

    @Test
    void open_unsupportedFileFormat_refused() throws IOException {
        OndaException e = refused(List.of(sig("samples/a.lpcm", "flac")), UnaryOperator.identity());
        assertMessage(e, "row 0, column file_format: 'flac' (expected: lpcm or lpcm.zst");
    }

    @Test
    void open_nullCell_namesRowAndColumn() throws IOException {
        List<Object> units = new ArrayList<>();
        units.add(null);
        OndaException e = refused(List.of(sig("samples/a.lpcm", "lpcm")),
                cols -> replace(cols, "sample_unit", new Column(ArrowTableWriter.text("sample_unit"), units)));
        assertMessage(e, "row 0, column sample_unit: null (expected: a value");
    }

    @Test
    void open_zeroResolution_refused() throws IOException {
        OndaException e = refused(List.of(sig("samples/a.lpcm", "lpcm")), cols -> replace(cols, "sample_resolution_in_unit",
                new Column(ArrowTableWriter.float64("sample_resolution_in_unit"), List.of(0.0))));
        assertMessage(e, "row 0, column sample_resolution_in_unit: 0.0 (expected: a finite number other than 0)");
    }

    @Test
    void open_duplicateChannelNames_refused() throws IOException {
        OndaException e = refused(List.of(sig("samples/a.lpcm", "lpcm")),
                cols -> replace(cols, "channels", new Column(ArrowTableWriter.textList("channels"), List.of(List.of("c3", "c3")))));
        assertMessage(e, "row 0, column channels: [c3, c3] (expected: distinct channel names ('c3' twice))");
    }

    @Test
    void open_filePathOutsideTheDataset_refusedThroughDatasetRoots() throws IOException {
        Files.writeString(tmp.resolve("secret.lpcm"), "x");
        OndaException up = refused(List.of(sig("../secret.lpcm", "lpcm")), UnaryOperator.identity());
        assertMessage(up, "row 0, column file_path: '../secret.lpcm' (expected: a file inside the dataset " + root,
                "contains '..'");
        OndaException absolute = refused(List.of(sig(tmp.resolve("secret.lpcm").toString(), "lpcm")), UnaryOperator.identity());
        assertMessage(absolute, "column file_path: '" + tmp.resolve("secret.lpcm") + "' (expected: a file inside the dataset");
        OndaException s3 = refused(List.of(sig("s3://other-bucket/x.lpcm", "lpcm")), UnaryOperator.identity());
        assertMessage(s3, "column file_path: 's3://other-bucket/x.lpcm' (expected: a file inside the dataset");
    }

    @Test
    void open_symbolicLinkLeadingOutside_refused() throws IOException {
        Files.write(tmp.resolve("outside.lpcm"), Files.readAllBytes(root.resolve("samples/a.lpcm")));
        Files.createSymbolicLink(root.resolve("samples/link.lpcm"), tmp.resolve("outside.lpcm"));
        OndaException e = refused(List.of(sig("samples/link.lpcm", "lpcm")), UnaryOperator.identity());
        assertMessage(e, "samples/link.lpcm", "through a symbolic link");
    }

    @Test
    void open_missingSampleFile_namesFileAndSignal() throws IOException {
        OndaException e = refused(List.of(sig("samples/none.lpcm", "lpcm")), UnaryOperator.identity());
        assertMessage(e, root.resolve("samples/none.lpcm").toString(), "not found (expected: the file file_path 'samples/none.lpcm' names)");
    }

    @Test
    void open_truncatedLpcm_namesSizeAndExpectation() throws IOException {
        try (FileChannel ch = FileChannel.open(root.resolve("samples/a.lpcm"), StandardOpenOption.WRITE)) {
            ch.truncate(SAMPLES * 4 - 6);
        }
        OndaException e = refused(List.of(sig("samples/a.lpcm", "lpcm")), UnaryOperator.identity());
        assertMessage(e, root.resolve("samples/a.lpcm").toString(), "size: 394 bytes (expected: 400 = 100 samples x 2 channels x 2 bytes of int16",
                "the file is truncated");
    }

    @Test
    void read_lpcmTruncatedAfterOpen_failsNamingTheFile() throws IOException {
        OndaFixture.writeSignals(table, OndaFixture.signalColumns(List.of(sig("samples/a.lpcm", "lpcm"))), true);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        try (FileChannel ch = FileChannel.open(root.resolve("samples/a.lpcm"), StandardOpenOption.WRITE)) {
            ch.truncate(200);
        }
        OndaException e = assertThrows(OndaException.class, () -> ds.read(ds.signals().get(0), 0, 2, 40, 20));
        assertMessage(e, root.resolve("samples/a.lpcm").toString(), "the file is truncated");
    }

    @Test
    void read_truncatedZst_failsNamingTheFileAndLeavesNothingCached() throws IOException {
        byte[] zst = Files.readAllBytes(root.resolve("samples/a.lpcm.zst"));
        Files.write(root.resolve("samples/a.lpcm.zst"), java.util.Arrays.copyOf(zst, zst.length / 2));
        OndaFixture.writeSignals(table, OndaFixture.signalColumns(List.of(sig("samples/a.lpcm.zst", "lpcm.zst"))), true);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        OndaException e = assertThrows(OndaException.class, () -> ds.read(ds.signals().get(0), 0, 2, 0, 10));
        assertTrue(e.getMessage().startsWith(root.resolve("samples/a.lpcm.zst") + ": "), e.getMessage());
        assertTrue(e.getMessage().contains("zstd:") || e.getMessage().contains("decompressed size"), e.getMessage());
        assertEquals(0, storage.cache().stats().files());
    }

    @Test
    void read_zstHoldingFewerSamplesThanItsSpan_refusedNamingSizes() throws IOException {
        byte[] short_ = OndaFixture.lpcm(LpcmType.INT16, OndaFixture.rawInts(LpcmType.INT16, 2, SAMPLES - 1, 1));
        Files.write(root.resolve("samples/a.lpcm.zst"), OndaFixture.zst(short_));
        OndaFixture.writeSignals(table, OndaFixture.signalColumns(List.of(sig("samples/a.lpcm.zst", "lpcm.zst"))), true);
        OndaDataset ds = OndaDataset.open(DatasetLocation.of(root), storage);
        OndaException e = assertThrows(OndaException.class, () -> ds.read(ds.signals().get(0), 0, 2, 0, 10));
        assertMessage(e, "decompressed size: 396 bytes (expected: 400 = 100 samples", "the file is truncated");
    }

    @Test
    void open_duplicateFilePath_namesBothRows() throws IOException {
        OndaException e = refused(List.of(sig("samples/a.lpcm", "lpcm"), sig("./samples/a.lpcm", "lpcm")), UnaryOperator.identity());
        assertMessage(e, "row 1, column file_path: './samples/a.lpcm' (expected: a file of its own (row 0 names the same file samples/a.lpcm");
    }

    @Test
    void open_tableDeclaringAnotherSchema_refused() throws IOException {
        ArrowTableWriter.write(table, OndaFixture.signalColumns(List.of(sig("samples/a.lpcm", "lpcm"))),
                Map.of(OndaTables.LEGOLAS_KEY, "onda.annotation@1"), true, 5);
        OndaException e = assertThrows(OndaException.class, () -> OndaDataset.open(DatasetLocation.of(root), storage));
        assertMessage(e, "legolas_schema_qualified: 'onda.annotation@1' (expected: onda.signal@2 or onda.signal@1");
    }

    @Test
    void open_notArrow_refused() throws IOException {
        Files.writeString(table, "recording,file_path\n");
        OndaException e = assertThrows(OndaException.class, () -> OndaDataset.open(DatasetLocation.of(root), storage));
        assertMessage(e, table.toString(), "format: neither the ARROW1 magic nor an Arrow message at its start",
                "(expected: an Arrow IPC file or stream, as Legolas.write writes)");
    }

    @Test
    void open_truncatedArrowFile_refused() throws IOException {
        OndaFixture.writeSignals(table, OndaFixture.signalColumns(List.of(sig("samples/a.lpcm", "lpcm"))), true);
        byte[] b = Files.readAllBytes(table);
        Files.write(table, java.util.Arrays.copyOf(b, b.length - 20));
        OndaException e = assertThrows(OndaException.class, () -> OndaDataset.open(DatasetLocation.of(root), storage));
        assertMessage(e, table.toString(), "(expected: a complete Arrow IPC file (truncated?))");
    }

    @Test
    void open_noSignalsTable_saysWhatIsExpected() {
        OndaException e = assertThrows(OndaException.class, () -> OndaDataset.open(DatasetLocation.of(root), storage));
        assertMessage(e, "signals table: none (expected: a file named *.onda.signals.arrow under the dataset)");
    }

    @Test
    void open_annotationsWithoutValueColumn_namesColumnAndTheOnesThere() throws IOException {
        OndaFixture.writeSignals(table, OndaFixture.signalColumns(List.of(sig("samples/a.lpcm", "lpcm"))), true);
        List<Column> cols = new ArrayList<>(OndaFixture.annotationColumns(List.of(new Ann(REC, UUID.randomUUID(), 0, 30, "W"))));
        cols.set(3, new Column(ArrowTableWriter.text("stage"), cols.get(3).values()));
        Path annotations = root.resolve("t.onda.annotations.arrow");
        OndaFixture.writeAnnotations(annotations, cols, true);
        OndaException e = assertThrows(OndaException.class, () -> OndaDataset.open(DatasetLocation.of(root), storage));
        assertMessage(e, annotations.toString(), "column value: missing (expected: a Utf8 column, required by Batcher's label column 'value'; the table has [recording, id, span, stage])");
        assertEquals("W", OndaDataset.open(DatasetLocation.of(root), storage, "stage").annotations(REC.toString()).get(0).value());
    }

    @Test
    void open_annotationWithStopBeforeStart_namesRow() throws IOException {
        OndaFixture.writeSignals(table, OndaFixture.signalColumns(List.of(sig("samples/a.lpcm", "lpcm"))), true);
        OndaFixture.writeAnnotations(root.resolve("t.onda.annotations.arrow"), OndaFixture.annotationColumns(List.of(
                new Ann(REC, UUID.randomUUID(), 0, 30, "W"), new Ann(REC, UUID.randomUUID(), 60, 30, "N1"))), true);
        OndaException e = assertThrows(OndaException.class, () -> OndaDataset.open(DatasetLocation.of(root), storage));
        assertMessage(e, "row 1, column span: (start=60, stop=30) ns (expected: 0 <= start < stop)");
    }
}
