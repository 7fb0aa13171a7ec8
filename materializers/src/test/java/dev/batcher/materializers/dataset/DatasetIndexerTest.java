package dev.batcher.materializers.dataset;

import dev.batcher.materializers.metadata.TimeSpan;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.Fixtures;
import dev.batcher.materializers.TestRecordings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DatasetIndexerTest {
    private static final long S = 1_000_000_000L;
    private static final Path TINY = Fixtures.path("tiny");

    @Test
    void scan_tinyFixture_equalsTheTableMakeFixturesWrote() {
        List<LabeledSignal> scanned = DatasetIndexer.scan(TINY);
        assertEquals(Dataset.load(TINY).signals(), scanned);
        assertEquals(List.of("night1", "night3", "site2-night2", "site2-night2"),
                scanned.stream().map(LabeledSignal::recording).toList());
        LabeledSignal night1 = scanned.get(0);
        assertEquals(new TimeSpan(0, 300 * S), night1.signalSpan());
        assertEquals(new TimeSpan(5 * S, 275 * S), night1.labelSpan(), "labels from 5 s, clipped to whole epochs");
        assertEquals(9, night1.labelEpochs());
        LabeledSignal ecg = scanned.get(2);
        assertEquals("/ecg", ecg.signal().dataset());
        assertEquals(SampleType.FLOAT32, ecg.signal().type());
        assertEquals(new TimeSpan(30 * S, 240 * S), ecg.labelSpan(), "first whole epoch after the 1.5 s start");
    }

    @Test
    void index_copyOfTiny_writesTheSameTableByteForByteAndLoadsBack(@TempDir Path dir) throws IOException {
        Fixtures.copyTree(TINY, dir);
        Files.delete(dir.resolve(Dataset.TABLE));
        Path table = DatasetIndexer.index(dir);
        assertEquals(dir.resolve(Dataset.TABLE), table);
        assertEquals(Files.readString(TINY.resolve(Dataset.TABLE)), Files.readString(table));
        assertEquals(DatasetIndexer.scan(dir), Dataset.load(dir).signals());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("labeled_signals.csv", "night1.h5", "night3.h5", "recordings.json", "site2"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "no temporary file left behind");
        }
    }

    @Test
    void index_table_hasThePermissionsOfAnyNewFileNotOwnerOnly(@TempDir Path dir) throws IOException {
        Fixtures.copyTree(TINY, dir);
        Files.delete(dir.resolve(Dataset.TABLE));
        Path table = DatasetIndexer.index(dir);
        // What the umask gives a new file here, as it gave the recordings (0644 under the usual 022).
        Path probe = Files.write(dir.resolve("probe.txt"), new byte[] {1});
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(probe)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(table)));
        try (var leftovers = Files.list(dir)) {
            assertEquals(List.of(), leftovers.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(),
                    "temporary files left behind");
        }
    }

    @Test
    void index_existingTable_isReplaced(@TempDir Path dir) throws IOException {
        Fixtures.copyTree(TINY, dir);
        Files.writeString(dir.resolve(Dataset.TABLE), "stale\n");
        DatasetIndexer.index(dir);
        assertEquals(Files.readString(TINY.resolve(Dataset.TABLE)), Files.readString(dir.resolve(Dataset.TABLE)));
    }

    @Test
    void scan_hiddenDirectoriesAndOtherFiles_areIgnored(@TempDir Path dir) throws IOException {
        Fixtures.copyTree(TINY, dir);
        Files.createDirectories(dir.resolve(".trash"));
        Files.copy(Fixtures.path("bad/not_hdf5.h5"), dir.resolve(".trash/broken.h5"));
        Files.writeString(dir.resolve("notes.txt"), "not a recording");
        assertEquals(DatasetIndexer.scan(TINY), DatasetIndexer.scan(dir));
    }

    @Test
    void scan_jhdfWrittenFiles_areAcceptedAndClipped(@TempDir Path dir) {
        // Signal [1.5 s, 601.5 s); labels of 30 s from 0 for 25 epochs = [0, 750 s): clipped to [30 s, 600 s).
        TestRecordings.tenMinutes().signal(600, 1.0, 1_500_000_000L).labels(25, 1 / 30.0, 0)
                .write(dir.resolve("a/rec.h5"));
        // Labels entirely after the signal: skipped.
        TestRecordings.tenMinutes().labels(4, 1 / 30.0, 900 * S).write(dir.resolve("b.hdf5"));
        List<LabeledSignal> scanned = DatasetIndexer.scan(dir);
        assertEquals(1, scanned.size());
        LabeledSignal s = scanned.get(0);
        assertEquals("a/rec", s.recording());
        assertEquals("a/rec.h5", s.file());
        assertEquals(new TimeSpan(1_500_000_000L, 601_500_000_000L), s.signalSpan());
        assertEquals(new TimeSpan(30 * S, 600 * S), s.labelSpan());
        assertEquals(List.of("C3", "C4"), s.signal().channels());
        assertEquals("uV", s.signal().unit());
        DatasetIndexer.index(dir);
        assertEquals(scanned, Dataset.load(dir).signals());
    }

    @Test
    void scan_symlinkedDatasetDirectory_isWalked(@TempDir Path dir) throws IOException {
        Path link = Files.createSymbolicLink(dir.resolve("tiny-link"), TINY.toAbsolutePath());
        assertEquals(DatasetIndexer.scan(TINY), DatasetIndexer.scan(link));
        assertEquals(Dataset.load(TINY).signals(), Dataset.load(link).signals());
    }

    @Test
    void index_noLabeledSignals_fails(@TempDir Path dir) {
        TestRecordings.tenMinutes().labels(4, 1 / 30.0, 900 * S).write(dir.resolve("late.h5"));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetIndexer.index(dir));
        assertTrue(e.getMessage().contains("no labeled signals"), e.getMessage());
        assertTrue(Files.notExists(dir.resolve(Dataset.TABLE)));
    }

    @Test
    void scan_badFile_namesDirectoryFileAttributeAndValue(@TempDir Path dir) throws IOException {
        Files.copy(Fixtures.path("bad/zero_rate.h5"), dir.resolve("zero_rate.h5"));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetIndexer.scan(dir));
        assertTrue(e.getMessage().startsWith(dir.toAbsolutePath().normalize() + ": file zero_rate.h5, dataset /signals/eeg: "
                + "attribute sample_rate: 0.0 (expected: a number > 0"), e.getMessage());
    }

    @Test
    void scan_labelsAttributeNamingMissingDataset_fails(@TempDir Path dir) throws IOException {
        Files.copy(Fixtures.path("bad/missing_label_target.h5"), dir.resolve("m.h5"));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetIndexer.scan(dir));
        assertTrue(e.getMessage().contains("file m.h5, dataset /labels/nope: dataset: not found"), e.getMessage());
    }

    @Test
    void scan_symlinkToFileOutsideTheDirectory_isRefused(@TempDir Path dir) throws IOException {
        Files.createSymbolicLink(dir.resolve("elsewhere.h5"), Fixtures.path("layouts/gzip.h5"));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetIndexer.scan(dir));
        assertTrue(e.getMessage().contains("file elsewhere.h5") && e.getMessage().contains("symbolic link"),
                e.getMessage());
    }

    @Test
    void scan_notADirectory_fails() {
        DatasetException e = assertThrows(DatasetException.class,
                () -> DatasetIndexer.scan(Fixtures.path("tiny/night1.h5")));
        assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
    }

    private static LabelInfo labels(long start, long epochs) {
        return new LabelInfo("/labels/stage", List.of("stage"), 1 / 30.0, start, epochs, List.of("W", "N1"));
    }

    @Test
    void clipLabels_labelsInsideSignal_keepsTheWholeExtent() {
        assertEquals(new TimeSpan(30 * S, 150 * S), DatasetIndexer.clipLabels(new TimeSpan(0, 200 * S), labels(30 * S, 4)));
    }

    @Test
    void clipLabels_signalStartsAndStopsOffGrid_shrinksToWholeEpochs() {
        assertEquals(new TimeSpan(60 * S, 150 * S),
                DatasetIndexer.clipLabels(new TimeSpan(31 * S, 179 * S), labels(0, 10)));
    }

    @Test
    void clipLabels_signalBoundariesOnGrid_keepsThem() {
        assertEquals(new TimeSpan(30 * S, 180 * S),
                DatasetIndexer.clipLabels(new TimeSpan(30 * S, 180 * S), labels(0, 10)));
    }

    @Test
    void clipLabels_lessThanOneWholeEpoch_returnsNull() {
        assertNull(DatasetIndexer.clipLabels(new TimeSpan(31 * S, 89 * S), labels(0, 10)));
        assertNull(DatasetIndexer.clipLabels(new TimeSpan(0, 100 * S), labels(100 * S, 10)));
    }

    @Test
    void clipLabels_longRecordingAtOneThirtiethHz_staysExact() {
        long days = 3 * 24 * 3600 * S;
        assertEquals(new TimeSpan(0, days), DatasetIndexer.clipLabels(new TimeSpan(0, days + 17), labels(0, 8640)));
    }

    @Test
    void writeTable_namesWithCommasQuotesAndSpaces_readBackUnchanged(@TempDir Path dir) {
        SignalInfo signal = new SignalInfo("/a,b/\"x\"", SampleType.INT16, List.of("C3"), 100, 1, 0, "uV", 0, 100);
        LabelInfo label = new LabelInfo(" /l ", List.of("stage"), 1, 0, 1, List.of("W"));
        LabeledSignal s = new LabeledSignal("rec, \"one\"", "dir/f.h5", signal, label,
                new TimeSpan(0, S), new TimeSpan(0, S));
        Path table = DatasetIndexer.writeTable(dir, List.of(s));
        LabeledSignalTable.Row row = LabeledSignalTable.read(table).get(0);
        assertEquals(new LabeledSignalTable.Row(2, "rec, \"one\"", "dir/f.h5", "/a,b/\"x\"", " /l ", 0, S, 0, S), row);
    }

    @Test
    void writeTable_lineBreakInName_isRefused(@TempDir Path dir) {
        SignalInfo signal = new SignalInfo("/eeg", SampleType.INT16, List.of("C3"), 100, 1, 0, "uV", 0, 100);
        LabelInfo label = new LabelInfo("/l", List.of("stage"), 1, 0, 1, List.of("W"));
        LabeledSignal s = new LabeledSignal("a\nb", "f.h5", signal, label, new TimeSpan(0, S), new TimeSpan(0, S));
        DatasetException e = assertThrows(DatasetException.class, () -> DatasetIndexer.writeTable(dir, List.of(s)));
        assertTrue(e.getMessage().contains("a\\nb") && e.getMessage().contains("no line breaks"), e.getMessage());
    }
}
