package dev.batcher.materializers.dataset;

import dev.batcher.materializers.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Dataset.load on the tiny fixture, and every way its table or files can be wrong. */
class DatasetLoadTest {
    private static final String HEADER =
            "recording,file,signal,labels,signal_start_ns,signal_stop_ns,label_start_ns,label_stop_ns";
    private static final String NIGHT1 = "night1,night1.h5,/signals/eeg,/labels/stage,0,300000000000,5000000000,275000000000";
    private static final String NIGHT3 = "night3,night3.h5,/eeg,/hypnogram,0,180000000000,0,180000000000";

    @TempDir
    Path dir;
    private Path table;

    @BeforeEach
    void copyTiny() {
        Fixtures.copyTree(Fixtures.path("tiny"), dir);
        table = dir.resolve(Dataset.TABLE).toAbsolutePath().normalize();
    }

    private String failure(String... lines) throws IOException {
        Files.writeString(table, String.join("\n", lines) + "\n");
        return assertThrows(DatasetException.class, () -> Dataset.load(dir)).getMessage();
    }

    private static void assertContains(String message, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(message.contains(fragment), () -> "message: " + message + " (expected to contain: " + fragment + ")");
        }
    }

    @Test
    void load_tinyFixture_readsEverySignalInTableOrder() {
        Dataset dataset = Dataset.load(Fixtures.path("tiny"));
        assertEquals(Fixtures.path("tiny").toAbsolutePath().normalize(), dataset.root());
        List<LabeledSignal> signals = dataset.signals();
        assertEquals(4, signals.size());
        assertEquals(List.of("night1.h5", "night3.h5", "site2/night2.hdf5", "site2/night2.hdf5"),
                signals.stream().map(LabeledSignal::file).toList());
        LabeledSignal night1 = signals.get(0);
        assertEquals(List.of("C3", "C4", "M1", "M2", "O1", "O2"), night1.signal().channels());
        assertEquals(100.0, night1.signal().sampleRate());
        assertEquals(30_000, night1.signal().samples());
        assertEquals(List.of("W", "N1", "N2", "N3", "R"), night1.labels().encoding());
        assertEquals(30_000_000_000L, night1.labels().periodNanos());
        assertEquals(List.of("stage", "stage_scorer2"), signals.get(1).labels().channels());
        assertEquals(Dataset.load(Fixtures.path("tiny")), dataset);
    }

    @Test
    void load_labelStopAfterSignalStop_namesLineFieldValueAndRule() throws IOException {
        String message = failure(HEADER, NIGHT3, "night1,night1.h5,/signals/eeg,/labels/stage,0,8000,0,9000");
        assertEquals(table + " line 3: label_stop_ns: 9000 (expected: <= signal_stop_ns 8000)", message);
    }

    @Test
    void load_missingTable_saysHowToWriteIt() throws IOException {
        Files.delete(table);
        String message = assertThrows(DatasetException.class, () -> Dataset.load(dir)).getMessage();
        assertContains(message, table + ": missing", "bin/batcher index");
    }

    @Test
    void load_notADirectory_fails() {
        String message = assertThrows(DatasetException.class, () -> Dataset.load(dir.resolve("night1.h5"))).getMessage();
        assertContains(message, "night1.h5: not a directory");
    }

    @Test
    void load_headerOnly_fails() throws IOException {
        assertContains(failure(HEADER), table + ": no rows (expected: at least one labeled signal)");
    }

    @Test
    void load_wrongHeader_fails() throws IOException {
        assertContains(failure("recording,file,signal,labels,start,stop", NIGHT1),
                table + " line 1: header: recording,file,signal,labels,start,stop (expected: " + HEADER + ")");
    }

    @Test
    void load_byteOrderMarkCrlfAndBlankLines_areAccepted() throws IOException {
        Files.writeString(table, "\uFEFF" + HEADER + "\r\n" + NIGHT1 + "\r\n\r\n" + NIGHT3 + "\r\n");
        assertEquals(2, Dataset.load(dir).signals().size());
    }

    @Test
    void load_wrongColumnCount_namesLine() throws IOException {
        assertContains(failure(HEADER, NIGHT1, "night3,night3.h5,/eeg,/hypnogram,0,180000000000,0"),
                table + " line 3: columns: 7 (expected: 8: " + HEADER + ")");
    }

    @Test
    void load_nonNumericSpan_namesColumnAndValue() throws IOException {
        assertContains(failure(HEADER, "night1,night1.h5,/signals/eeg,/labels/stage,0,3e11,5000000000,275000000000"),
                table + " line 2: signal_stop_ns: '3e11' (expected: an integer number of nanoseconds)");
    }

    @Test
    void load_emptyName_namesColumn() throws IOException {
        assertContains(failure(HEADER, ",night1.h5,/signals/eeg,/labels/stage,0,300000000000,5000000000,275000000000"),
                table + " line 2: recording: '' (expected: non-empty)");
    }

    @Test
    void load_unterminatedQuote_namesLine() throws IOException {
        assertContains(failure(HEADER, "\"night1,night1.h5,/signals/eeg,/labels/stage,0,1,0,1"),
                table + " line 2: quoted field: unterminated");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            negative start        | night1,night1.h5,/signals/eeg,/labels/stage,-1,300000000000,5000000000,275000000000 | signal_start_ns: -1 (expected: >= 0)
            signal stop <= start  | night1,night1.h5,/signals/eeg,/labels/stage,10,10,10,10                             | signal_stop_ns: 10 (expected: > signal_start_ns 10)
            label stop <= start   | night1,night1.h5,/signals/eeg,/labels/stage,0,300000000000,9,5                      | label_stop_ns: 5 (expected: > label_start_ns 9)
            label before signal   | night1,night1.h5,/signals/eeg,/labels/stage,35000000000,300000000000,5000000000,275000000000 | label_start_ns: 5000000000 (expected: >= signal_start_ns 35000000000)
            signal past extent    | night1,night1.h5,/signals/eeg,/labels/stage,0,400000000000,5000000000,275000000000  | signal_stop_ns: 400000000000 (expected: <= 300000000000, the end of night1.h5 /signals/eeg)
            signal before extent  | site2-night2,site2/night2.hdf5,/eeg,/labels/stage,0,241500000000,30000000000,240000000000 | signal_start_ns: 0 (expected: >= 1500000000, the start of site2/night2.hdf5 /eeg)
            label before extent   | night1,night1.h5,/signals/eeg,/labels/stage,0,300000000000,0,270000000000           | label_start_ns: 0 (expected: >= 5000000000, the start of night1.h5 /labels/stage)
            label past extent     | night3,night3.h5,/eeg,/hypnogram,0,180000000000,0,180000000001                        | label_stop_ns: 180000000001 (expected: <= signal_stop_ns 180000000000)
            label off grid        | night1,night1.h5,/signals/eeg,/labels/stage,0,300000000000,6000000000,276000000000  | label_start_ns: 6000000000 (expected: on the label grid of night1.h5 /labels/stage, start_ns 5000000000 + k * 30000000000)
            partial epoch         | night1,night1.h5,/signals/eeg,/labels/stage,0,300000000000,5000000000,50000000000   | label_stop_ns - label_start_ns: 45000000000 (expected: a whole number >= 1 of label epochs of 30000000000 ns, from night1.h5 /labels/stage)
            recording mismatch    | nightX,night1.h5,/signals/eeg,/labels/stage,0,300000000000,5000000000,275000000000  | recording: 'nightX' (expected: 'night1', the recording id of night1.h5)
            attribute recording   | night2,site2/night2.hdf5,/eeg,/labels/stage,1500000000,241500000000,30000000000,240000000000 | recording: 'night2' (expected: 'site2-night2', the recording id of site2/night2.hdf5)
            missing file          | nope,nope.h5,/signals/eeg,/labels/stage,0,300000000000,5000000000,275000000000      | file nope.h5: path: not found (expected: an existing file under one of the roots
            escaping file         | x,../night1.h5,/signals/eeg,/labels/stage,0,300000000000,5000000000,275000000000    | file ../night1.h5: path: '../night1.h5' contains '..'
            absolute file         | x,/etc/passwd,/signals/eeg,/labels/stage,0,300000000000,5000000000,275000000000     | file /etc/passwd: path: '/etc/passwd' is absolute
            missing signal        | night1,night1.h5,/signals/nope,/labels/stage,0,300000000000,5000000000,275000000000 | file night1.h5, dataset /signals/nope: dataset: not found
            missing labels        | night1,night1.h5,/signals/eeg,/labels/nope,0,300000000000,5000000000,275000000000   | file night1.h5, dataset /labels/nope: dataset: not found
            labels as signal      | night1,night1.h5,/labels/stage,/labels/stage,0,300000000000,5000000000,275000000000 | file night1.h5, dataset /labels/stage: type: int8 (expected: int16 or float32)
            signal as labels      | night3,night3.h5,/eeg,/eeg,0,180000000000,0,180000000000                              | file night3.h5, dataset /eeg: attribute encoding: missing (expected: an array of distinct, non-empty strings
            """)
    void load_badRow_namesLineFileFieldValueAndRule(String name, String row, String expected) throws IOException {
        String message = failure(HEADER, NIGHT3, row);
        assertContains(message, table + " line 3: " + expected);
    }

    @Test
    void load_overlappingRowsForTheSameSignal_areRefused() throws IOException {
        String message = failure(HEADER,
                "night1,night1.h5,/signals/eeg,/labels/stage,0,300000000000,5000000000,125000000000",
                NIGHT3,
                "night1,night1.h5,/signals/eeg,/labels/stage,0,300000000000,95000000000,275000000000");
        assertContains(message, table + " line 4: label span: [95000000000, 275000000000) (expected: no overlap with "
                + "line 2 [5000000000, 125000000000), which labels the same signal with the same labels)");
    }

    @Test
    void load_adjacentRowsForTheSameSignal_areAccepted() throws IOException {
        Files.writeString(table, String.join("\n", HEADER,
                "night1,night1.h5,/signals/eeg,/labels/stage,0,300000000000,5000000000,125000000000",
                "night1,night1.h5,/signals/eeg,/labels/stage,0,300000000000,125000000000,275000000000") + "\n");
        assertEquals(2, Dataset.load(dir).signals().size());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            missing_attribute   | dataset /signals/eeg: attribute sample_rate: missing (expected: a number
            channel_count       | dataset /signals/eeg: attribute channels: 3 names [C3, C4, O1] (expected: 4 names
            duplicate_channels  | dataset /signals/eeg: attribute channels: [C3, C4, C3, O2] (expected: an array of distinct, non-empty strings, one channel name per row; C3 appears more than once)
            zero_rate           | dataset /signals/eeg: attribute sample_rate: 0.0 (expected: a number > 0
            ill_typed_attribute | dataset /signals/eeg: attribute sample_rate: '100 Hz' (a string) (expected: a number
            fractional_start    | dataset /signals/eeg: attribute start_ns: 1.5 (expected: an integer >= 0
            wrong_type          | dataset /signals/eeg: type: float64 (expected: int16 or float32)
            signal_rank3        | dataset /signals/eeg: rank: 3 [2, 2, 1000] (expected: 2, [channels, samples])
            scaleoffset         | dataset /signals/eeg: filter: A required filter is not available: name='scaleoffset'
            empty_encoding      | dataset /labels/stage: attribute encoding: [] (expected: at least one name
            negative_label_rate | dataset /labels/stage: attribute sample_rate: -0.03333333333333333 (expected: a number > 0
            label_wrong_rank    | dataset /labels/stage: rank: 1 [20] (expected: 2, [label channels, n])
            float_labels        | dataset /labels/stage: type: float32 (expected: an integer type
            not_hdf5            | read: no HDF5 signature in 1000 bytes; not an HDF5 file
            """)
    void load_badFile_namesLineFileDatasetAttributeAndValue(String name, String expected) throws IOException {
        Files.copy(Fixtures.path("bad/" + name + ".h5"), dir.resolve(name + ".h5"));
        String row = name + "," + name + ".h5,/signals/eeg,/labels/stage,0,10000000000,0,10000000000";
        Files.writeString(table, String.join("\n", HEADER, row) + "\n");
        DatasetException e = assertThrows(DatasetException.class, () -> Dataset.load(dir));
        assertContains(e.getMessage(), table + " line 2: file " + name + ".h5", expected);
        assertInstanceOf(dev.batcher.materializers.format.RecordingReadException.class, e.getCause());
    }

    @Test
    void load_scaleoffsetFile_tellsHowToRepack() throws IOException {
        Files.copy(Fixtures.path("bad/scaleoffset.h5"), dir.resolve("so.h5"));
        String message = failure(HEADER, "so,so.h5,/signals/eeg,/labels/stage,0,10000000000,0,10000000000");
        assertContains(message, "h5repack -f GZIP=4 in.h5 out.h5");
    }
}
