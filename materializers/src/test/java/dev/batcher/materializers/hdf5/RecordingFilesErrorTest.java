package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.FormatHooks;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every way a read can fail, and what the message then says. */
class RecordingFilesErrorTest {
    private static final String GZIP = "layouts/gzip.h5";
    private static final String EEG = "/signals/eeg";

    private RecordingFiles files;

    @BeforeEach
    void open() {
        files = new RecordingFiles(List.of(Fixtures.root()), 4);
    }

    @AfterEach
    void close() {
        files.close();
    }

    private static void assertMessage(RecordingReadException e, String... fragments) {
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment),
                    () -> "message: " + e.getMessage() + " (expected to contain: " + fragment + ")");
        }
    }

    // ---- paths ----------------------------------------------------------------------------------

    @Test
    void resolve_absolutePath_isRefused() {
        String absolute = Fixtures.path(GZIP).toString();
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.signalInfo(absolute, EEG));
        assertEquals(Reason.PATH_REFUSED, e.getReason());
        assertEquals(absolute, e.getFile());
        assertMessage(e, "file " + absolute, "is absolute", "expected: a path relative to the dataset roots");
    }

    @Test
    void resolve_dotDotSegment_isRefusedEvenIfItStaysInside() {
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.readSignal("layouts/../layouts/gzip.h5", EEG, 0, 1, 0, 1));
        assertEquals(Reason.PATH_REFUSED, e.getReason());
        assertMessage(e, "layouts/../layouts/gzip.h5", "contains '..'");
        RecordingReadException up = assertThrows(RecordingReadException.class, () -> files.resolve("../pom.xml"));
        assertEquals(Reason.PATH_REFUSED, up.getReason());
    }

    @Test
    void resolve_symlinkToFileOutsideRoot_isRefused(@TempDir Path root) throws IOException {
        Files.createSymbolicLink(root.resolve("escape.h5"), Fixtures.path(GZIP));
        try (RecordingFiles confined = new RecordingFiles(List.of(root), 2)) {
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> confined.readSignal("escape.h5", EEG, 0, 1, 0, 1));
            assertEquals(Reason.PATH_REFUSED, e.getReason());
            assertMessage(e, "file escape.h5", "through a symbolic link", "expected: a file inside its root");
        }
    }

    @Test
    void resolve_symlinkedDirectoryOutsideRoot_isRefused(@TempDir Path root) throws IOException {
        Files.createSymbolicLink(root.resolve("layouts"), Fixtures.path("layouts"));
        try (RecordingFiles confined = new RecordingFiles(List.of(root), 2)) {
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> confined.signalInfo("layouts/gzip.h5", EEG));
            assertEquals(Reason.PATH_REFUSED, e.getReason());
        }
    }

    @Test
    void resolve_symlinkInsideRoot_isFollowed(@TempDir Path root) throws IOException {
        Files.copy(Fixtures.path(GZIP), root.resolve("real.h5"));
        Files.createSymbolicLink(root.resolve("alias.h5"), root.resolve("real.h5"));
        try (RecordingFiles confined = new RecordingFiles(List.of(root), 2)) {
            assertEquals(confined.resolve("real.h5"), confined.resolve("alias.h5"));
            assertEquals(12000, confined.signalInfo("alias.h5", EEG).samples());
        }
    }

    @Test
    void resolve_fileOnlyInSecondRoot_isFoundThere(@TempDir Path empty) {
        try (RecordingFiles two = new RecordingFiles(List.of(empty, Fixtures.root()), 2)) {
            assertEquals(Fixtures.path(GZIP).toAbsolutePath().normalize(), two.resolve(GZIP));
        }
    }

    @Test
    void resolve_missingFile_namesTheFileAndRoots() {
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.readSignal("layouts/nope.h5", EEG, 0, 1, 0, 1));
        assertEquals(Reason.MISSING_FILE, e.getReason());
        assertEquals("layouts/nope.h5", e.getFile());
        assertMessage(e, "file layouts/nope.h5", "not found", Fixtures.root().toAbsolutePath().toString());
    }

    @Test
    void resolve_directory_isNotAFile() {
        RecordingReadException e = assertThrows(RecordingReadException.class, () -> files.signalInfo("layouts", EEG));
        assertEquals(Reason.MISSING_FILE, e.getReason());
        assertMessage(e, "is not a regular file");
    }

    // ---- datasets and windows -------------------------------------------------------------------

    @Test
    void signalInfo_missingDataset_namesFileAndDataset() {
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.signalInfo(GZIP, "signals/nope"));
        assertEquals(Reason.MISSING_DATASET, e.getReason());
        assertEquals("/signals/nope", e.getDataset());
        assertMessage(e, "file layouts/gzip.h5, dataset /signals/nope: dataset: not found");
    }

    @Test
    void signalInfo_groupPath_isNotADataset() {
        RecordingReadException e = assertThrows(RecordingReadException.class, () -> files.signalInfo(GZIP, "/signals"));
        assertEquals(Reason.MISSING_DATASET, e.getReason());
        assertMessage(e, "/signals is a group (expected: a dataset)");
    }

    @Test
    void readSignal_windowPastTheEnd_isRefusedBeforeReading() {
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.readSignal(GZIP, EEG, 0, 4, 11990, 11));
        assertEquals(Reason.OUT_OF_RANGE, e.getReason());
        assertEquals(new Window(0, 4, 11990, 11), e.getWindow());
        assertEquals("file layouts/gzip.h5, dataset /signals/eeg, channels [0, 4), samples [11990, 12001): "
                + "start + count: 12001 (expected: <= 12000, the samples in the dataset)", e.getMessage());
    }

    @Test
    void readSignal_badChannelsOrCounts_areRefused() {
        assertAll(
                () -> assertMessage(assertThrows(RecordingReadException.class,
                        () -> files.readSignal(GZIP, EEG, 3, 2, 0, 10)),
                        "firstChannel + channelCount: 5 (expected: <= 4, the rows of the dataset)"),
                () -> assertMessage(assertThrows(RecordingReadException.class,
                        () -> files.readSignal(GZIP, EEG, -1, 2, 0, 10)), "firstChannel: -1 (expected: >= 0)"),
                () -> assertMessage(assertThrows(RecordingReadException.class,
                        () -> files.readSignal(GZIP, EEG, 0, 0, 0, 10)), "channelCount: 0 (expected: >= 1)"),
                () -> assertMessage(assertThrows(RecordingReadException.class,
                        () -> files.readSignal(GZIP, EEG, 0, 1, -5, 10)), "start: -5 (expected: >= 0)"),
                () -> assertMessage(assertThrows(RecordingReadException.class,
                        () -> files.readSignal(GZIP, EEG, 0, 1, 0, 0)), "count: 0 (expected: >= 1)"),
                () -> assertMessage(assertThrows(RecordingReadException.class,
                        () -> files.readSignal(GZIP, EEG, 0, 1, Long.MAX_VALUE - 1, 10)),
                        "(expected: <= 12000, the samples in the dataset)"));
    }

    @Test
    void readLabels_windowPastTheEnd_isRefused() {
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.readLabels(GZIP, "/labels/stage", 100, 21));
        assertEquals(Reason.OUT_OF_RANGE, e.getReason());
        assertEquals(new Window(0, 2, 100, 21), e.getWindow());
        assertMessage(e, "dataset /labels/stage, channels [0, 2), samples [100, 121): start + count: 121 (expected: <= 120");
    }

    @Test
    void readSignal_labelDataset_isTheWrongType() {
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.readSignal(GZIP, "/labels/stage", 0, 1, 0, 1));
        assertEquals(Reason.WRONG_DATASET, e.getReason());
        assertMessage(e, "type: int32 (expected: int16 or float32)");
    }

    @Test
    void readLabels_floatDataset_isTheWrongType() {
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.readLabels("layouts/float32.h5", "/ecg", 0, 1));
        assertEquals(Reason.WRONG_DATASET, e.getReason());
        assertMessage(e, "type: float32 (expected: an integer type");
    }

    @Test
    void readLabels_valueBeyondIntRange_namesTheValueAndPosition() {
        assertEquals(7, files.readLabels("bad/label_value_overflow.h5", "/labels/stage", 0, 7)[1].length);
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.readLabels("bad/label_value_overflow.h5", "/labels/stage", 5, 5));
        assertEquals(Reason.WRONG_DATASET, e.getReason());
        assertMessage(e, "label value at [1, 7]: 1099511627776 (expected: within the int32 range)");
    }

    @Test
    void readLabels_valueOutsideTheEncoding_namesFileLabelChannelEpochAndValue() {
        String file = "bad/label_outside_encoding.h5";
        // Epochs 0..5 hold 0..4 and one -1 (no label), which is allowed.
        int[][] fine = files.readLabels(file, "/labels/stage", 0, 6);
        assertEquals(-1, fine[0][3]);
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.readLabels(file, "/labels/stage", 4, 4));
        assertEquals(Reason.WRONG_DATASET, e.getReason());
        assertEquals(file, e.getFile());
        assertEquals(new Window(1, 1, 6, 1), e.getWindow());
        assertMessage(e, "file bad/label_outside_encoding.h5, dataset /labels/stage",
                "label channel stage_scorer2, epoch 6: value 7 (expected: 0..4, an index into encoding [W, N1, N2, N3, R], "
                        + "or -1 for no label)");
    }

    // ---- bad files ------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', textBlock = """
            missing_attribute    | signal | BAD_ATTRIBUTE      | attribute sample_rate: missing (expected: a number
            label_wrong_rank     | labels | WRONG_DATASET      | rank: 1 [20] (expected: 2, [label channels, n])
            scaleoffset          | signal | UNSUPPORTED_FILTER | scaleoffset
            channel_count        | signal | BAD_ATTRIBUTE      | attribute channels: 3 names [C3, C4, O1] (expected: 4 names, one per row of the [4, 1000] dataset)
            duplicate_channels   | signal | BAD_ATTRIBUTE      | attribute channels: [C3, C4, C3, O2] (expected: an array of distinct, non-empty strings, one channel name per row; C3 appears more than once)
            empty_encoding       | labels | BAD_ATTRIBUTE      | attribute encoding: [] (expected: at least one name
            zero_rate            | signal | BAD_ATTRIBUTE      | attribute sample_rate: 0.0 (expected: a number > 0
            negative_label_rate  | labels | BAD_ATTRIBUTE      | attribute sample_rate: -0.03333333333333333 (expected: a number > 0
            wrong_type           | signal | WRONG_DATASET      | type: float64 (expected: int16 or float32)
            int32_signal         | signal | WRONG_DATASET      | type: int32 (expected: int16 or float32)
            float_labels         | labels | WRONG_DATASET      | type: float32 (expected: an integer type
            signal_rank3         | signal | WRONG_DATASET      | rank: 3 [2, 2, 1000] (expected: 2, [channels, samples])
            ill_typed_attribute  | signal | BAD_ATTRIBUTE      | attribute sample_rate: '100 Hz' (a string) (expected: a number
            fractional_start     | signal | BAD_ATTRIBUTE      | attribute start_ns: 1.5 (expected: an integer >= 0
            numeric_channels     | signal | BAD_ATTRIBUTE      | attribute channels: [0, 1, 2, 3] (long array) (expected: an array of distinct, non-empty strings
            not_hdf5             | signal | UNREADABLE         | not an HDF5 file
            """)
    void info_badFile_failsNamingFileDatasetAndFault(String name, String kind, Reason reason, String fragment) {
        String file = "bad/" + name + ".h5";
        String dataset = kind.equals("signal") ? EEG : "/labels/stage";
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> {
                    if (kind.equals("signal")) {
                        files.signalInfo(file, dataset);
                    } else {
                        files.labelInfo(file, dataset);
                    }
                });
        assertEquals(reason, e.getReason(), e::getMessage);
        assertEquals(file, e.getFile());
        assertMessage(e, "file " + file, fragment);
        if (reason != Reason.UNREADABLE) {
            assertMessage(e, "dataset " + dataset);
        }
    }

    @Test
    void readSignal_scaleoffsetFilter_tellsHowToRepack() {
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.readSignal("bad/scaleoffset.h5", EEG, 0, 4, 0, 100));
        assertEquals(Reason.UNSUPPORTED_FILTER, e.getReason());
        assertEquals(new Window(0, 4, 0, 100), e.getWindow());
        assertMessage(e, "file bad/scaleoffset.h5, dataset /signals/eeg, channels [0, 4), samples [0, 100)",
                "scaleoffset", "h5repack -f GZIP=4 in.h5 out.h5", "-f SHUF -f GZIP=4");
    }

    @Test
    void readSignal_truncatedFile_readsTheIntactPartAndFailsOnTheRest() {
        String file = "bad/truncated.h5";
        assertEquals(1000, files.signalInfo(file, EEG).samples());
        assertEquals(1000, files.readSignal(file, EEG, 0, 2, 0, 1000).samples());
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.readSignal(file, EEG, 3, 1, 0, 1000));
        assertEquals(Reason.UNREADABLE, e.getReason());
        assertMessage(e, "file bad/truncated.h5, dataset /signals/eeg, channels [3, 4), samples [0, 1000)",
                "Trying to read more bytes than available");
        // The handle survives: the failure was the file's, not the channel's.
        assertEquals(1000, files.readSignal(file, EEG, 1, 1, 0, 1000).samples());
    }

    @Test
    void signalDatasets_labelsAttributeNamingMissingDataset_pairsItAndLabelInfoFails() {
        String file = "bad/missing_label_target.h5";
        assertEquals(Map.of(EEG, "/labels/nope"), files.signalDatasets(file));
        RecordingReadException e = assertThrows(RecordingReadException.class,
                () -> files.labelInfo(file, "/labels/nope"));
        assertEquals(Reason.MISSING_DATASET, e.getReason());
    }

    // ---- interrupts, broken channels, closing ---------------------------------------------------

    @Test
    void readSignal_interruptedThread_failsAndKeepsTheInterruptFlag() {
        files.readSignal(GZIP, EEG, 0, 4, 0, 100);
        Thread.currentThread().interrupt();
        try {
            RecordingReadException e = assertThrows(RecordingReadException.class,
                    () -> files.readSignal(GZIP, EEG, 0, 4, 0, 100));
            assertEquals(Reason.INTERRUPTED, e.getReason());
            assertTrue(Thread.currentThread().isInterrupted());
        } finally {
            assertTrue(Thread.interrupted());
        }
        assertEquals(100, files.readSignal(GZIP, EEG, 0, 4, 0, 100).samples());
    }

    @Test
    void readSignal_channelClosedByAnotherThreadsInterrupt_retriesOnAFreshHandle() throws IOException {
        for (String file : List.of(GZIP, "layouts/contiguous.h5")) {
            short[][] before = files.readSignal(file, EEG, 0, 4, 5000, 3000).shorts();
            Hdf5Hooks.breakChannel(files, file);
            short[][] after = files.readSignal(file, EEG, 0, 4, 5000, 3000).shorts();
            assertTrue(java.util.Arrays.deepEquals(before, after), file);
        }
        assertEquals(2, Hdf5Hooks.openFiles(files));
    }

    @Test
    void readSignal_afterClose_throwsIllegalState() {
        files.readSignal(GZIP, EEG, 0, 1, 0, 1);
        files.close();
        assertEquals(0, Hdf5Hooks.openFiles(files));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> files.readSignal(GZIP, EEG, 0, 1, 0, 1));
        assertTrue(e.getMessage().contains("closed"));
        files.close(); // twice is fine
    }

    @Test
    void constructor_badArguments_areRefused(@TempDir Path dir) throws IOException {
        Path file = Files.writeString(dir.resolve("f.txt"), "x");
        assertMessageOf(() -> new RecordingFiles(List.of(), 1), "roots: [] (expected: at least one directory)");
        assertMessageOf(() -> new RecordingFiles(List.of(dir), 0), "maxOpenFiles: 0 (expected: >= 1)");
        assertMessageOf(() -> new RecordingFiles(List.of(dir.resolve("none")), 1), "(expected: an existing directory)");
        assertMessageOf(() -> new RecordingFiles(List.of(file), 1), "(expected: a directory)");
    }

    private static void assertMessageOf(org.junit.jupiter.api.function.Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }

    @Test
    void recording_withoutAttribute_defaultsToPathWithoutExtension() {
        assertEquals("layouts/float32", files.recording("layouts/float32.h5"));
        assertEquals("site2/night2", FormatHooks.defaultRecording("site2/night2.hdf5"));
        assertEquals("a/b", FormatHooks.defaultRecording("./a//b.H5"));
        assertEquals("layout-gzip", files.recording(GZIP));
    }

    @Test
    void exception_fileLevelFailure_hasNoDatasetOrWindow() {
        RecordingReadException e = assertThrows(RecordingReadException.class, () -> files.recording("bad/not_hdf5.h5"));
        assertNull(e.getDataset());
        assertNull(e.getWindow());
        assertFalse(e.getMessage().contains("dataset"));
    }
}
