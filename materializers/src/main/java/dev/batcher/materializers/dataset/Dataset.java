package dev.batcher.materializers.dataset;

import dev.batcher.materializers.dataset.LabeledSignalTable.Row;
import dev.batcher.materializers.hdf5.RecordingFiles;
import dev.batcher.materializers.hdf5.RecordingReadException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded, validated dataset: a directory of HDF5 recordings and its labeled-signals table
 * ({@code labeled_signals.csv}). A value: it holds no open files. To read its recordings, open a
 * {@link RecordingFiles} over {@link #root()}.
 *
 * <p>The format is described in {@code docs/dataset-format.md}.
 */
public final class Dataset {
    /** The name of the labeled-signals table inside a dataset directory. */
    public static final String TABLE = LabeledSignalTable.NAME;

    /** How many files {@link #load} keeps open while it checks them. */
    private static final int LOAD_OPEN_FILES = 16;

    private final Path root;
    private final List<LabeledSignal> signals;

    private Dataset(Path root, List<LabeledSignal> signals) {
        this.root = root;
        this.signals = List.copyOf(signals);
    }

    /**
     * Loads and validates a dataset directory. Every row of {@code labeled_signals.csv} is checked:
     * <ul>
     *   <li>the row has 8 columns, non-empty names and integer nanoseconds;
     *   <li>{@code signal_start_ns >= 0}, each span's stop after its start, and the label span inside
     *       the signal span;
     *   <li>the file exists inside the directory, and the signal and label datasets exist, have the
     *       right rank and type and valid attributes (see {@link RecordingFiles#signalInfo} and
     *       {@link RecordingFiles#labelInfo});
     *   <li>{@code recording} equals the file's recording id (its {@code recording} attribute, or its
     *       path without extension);
     *   <li>the signal span lies inside the signal dataset's extent and the label span inside the label
     *       dataset's extent;
     *   <li>the label span starts on the label grid ({@code start_ns + k / sample_rate}, to within 1 µs)
     *       and lasts a whole number ({@code >= 1}) of label epochs;
     *   <li>no two rows for the same file, signal and labels have overlapping label spans.
     * </ul>
     * Loading stops at the first fault.
     *
     * @param dir the dataset directory
     * @return the dataset, its signals in table order
     * @throws DatasetException if the directory or its table is missing, or any check above fails; the
     *     message names the table line, the file, the field or attribute, the value and the rule
     */
    public static Dataset load(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": not a directory (expected: a dataset directory of HDF5 files and "
                    + TABLE + ")");
        }
        Path table = root.resolve(TABLE);
        if (!Files.isRegularFile(table)) {
            throw new DatasetException(table + ": missing (expected: the labeled-signals table; write it with "
                    + "bin/batcher index " + root + ")");
        }
        List<Row> rows = LabeledSignalTable.read(table);
        if (rows.isEmpty()) {
            throw new DatasetException(table + ": no rows (expected: at least one labeled signal)");
        }
        for (Row row : rows) {
            checkRowSpans(table, row);
        }
        List<LabeledSignal> signals = new ArrayList<>(rows.size());
        try (RecordingFiles files = new RecordingFiles(List.of(root), LOAD_OPEN_FILES)) {
            Map<String, String> recordings = new HashMap<>();
            for (Row row : rows) {
                signals.add(checkRow(table, row, files, recordings));
            }
        }
        checkOverlaps(table, rows, signals);
        return new Dataset(root, signals);
    }

    /** Checks what a row says by itself, before any file is opened. */
    private static void checkRowSpans(Path table, Row row) {
        String at = LabeledSignalTable.where(table, row.line());
        if (row.signalStart() < 0) {
            throw new DatasetException(at + "signal_start_ns: " + row.signalStart() + " (expected: >= 0)");
        }
        if (row.signalStop() <= row.signalStart()) {
            throw new DatasetException(at + "signal_stop_ns: " + row.signalStop() + " (expected: > signal_start_ns "
                    + row.signalStart() + ")");
        }
        if (row.labelStop() <= row.labelStart()) {
            throw new DatasetException(at + "label_stop_ns: " + row.labelStop() + " (expected: > label_start_ns "
                    + row.labelStart() + ")");
        }
        if (row.labelStart() < row.signalStart()) {
            throw new DatasetException(at + "label_start_ns: " + row.labelStart() + " (expected: >= signal_start_ns "
                    + row.signalStart() + ")");
        }
        if (row.labelStop() > row.signalStop()) {
            throw new DatasetException(at + "label_stop_ns: " + row.labelStop() + " (expected: <= signal_stop_ns "
                    + row.signalStop() + ")");
        }
    }

    private static LabeledSignal checkRow(Path table, Row row, RecordingFiles files, Map<String, String> recordings) {
        String at = LabeledSignalTable.where(table, row.line());
        SignalInfo signal;
        LabelInfo labels;
        String recording;
        try {
            recording = recordings.get(row.file());
            if (recording == null) {
                recording = files.recording(row.file());
                recordings.put(row.file(), recording);
            }
            signal = files.signalInfo(row.file(), row.signal());
            labels = files.labelInfo(row.file(), row.labels());
        } catch (RecordingReadException e) {
            throw new DatasetException(at + e.getMessage(), e);
        }
        if (!recording.equals(row.recording())) {
            throw new DatasetException(at + "recording: '" + row.recording() + "' (expected: '" + recording
                    + "', the recording id of " + row.file() + ")");
        }
        String signalName = row.file() + " " + signal.dataset();
        String labelName = row.file() + " " + labels.dataset();
        TimeSpan signalExtent = signal.span();
        TimeSpan labelExtent = labels.span();
        if (row.signalStart() < signalExtent.startNanos()) {
            throw new DatasetException(at + "signal_start_ns: " + row.signalStart() + " (expected: >= "
                    + signalExtent.startNanos() + ", the start of " + signalName + ")");
        }
        if (row.signalStop() > signalExtent.stopNanos()) {
            throw new DatasetException(at + "signal_stop_ns: " + row.signalStop() + " (expected: <= "
                    + signalExtent.stopNanos() + ", the end of " + signalName + ")");
        }
        if (row.labelStart() < labelExtent.startNanos()) {
            throw new DatasetException(at + "label_start_ns: " + row.labelStart() + " (expected: >= "
                    + labelExtent.startNanos() + ", the start of " + labelName + ")");
        }
        if (row.labelStop() > labelExtent.stopNanos()) {
            throw new DatasetException(at + "label_stop_ns: " + row.labelStop() + " (expected: <= "
                    + labelExtent.stopNanos() + ", the end of " + labelName + ")");
        }
        long period = labels.periodNanos();
        if (!TimeSpan.onGrid(row.labelStart() - labels.startNanos(), labels.sampleRate())) {
            throw new DatasetException(at + "label_start_ns: " + row.labelStart() + " (expected: on the label grid of "
                    + labelName + ", start_ns " + labels.startNanos() + " + k * " + period + ")");
        }
        long duration = row.labelStop() - row.labelStart();
        if (!TimeSpan.onGrid(duration, labels.sampleRate()) || TimeSpan.samples(duration, labels.sampleRate()) < 1) {
            throw new DatasetException(at + "label_stop_ns - label_start_ns: " + duration
                    + " (expected: a whole number >= 1 of label epochs of " + period + " ns, from " + labelName + ")");
        }
        return new LabeledSignal(row.recording(), row.file(), signal, labels,
                new TimeSpan(row.signalStart(), row.signalStop()), new TimeSpan(row.labelStart(), row.labelStop()));
    }

    private record Keyed(Row row, LabeledSignal signal) {
    }

    private static void checkOverlaps(Path table, List<Row> rows, List<LabeledSignal> signals) {
        Map<List<String>, List<Keyed>> groups = new HashMap<>();
        for (int i = 0; i < rows.size(); i++) {
            LabeledSignal s = signals.get(i);
            groups.computeIfAbsent(List.of(s.file(), s.signal().dataset(), s.labels().dataset()), k -> new ArrayList<>())
                    .add(new Keyed(rows.get(i), s));
        }
        for (List<Keyed> group : groups.values()) {
            group.sort(Comparator.comparingLong((Keyed k) -> k.signal().labelSpan().startNanos())
                    .thenComparingInt(k -> k.row().line()));
            for (int i = 1; i < group.size(); i++) {
                Keyed previous = group.get(i - 1);
                Keyed current = group.get(i);
                if (current.signal().labelSpan().startNanos() < previous.signal().labelSpan().stopNanos()) {
                    Keyed later = current.row().line() > previous.row().line() ? current : previous;
                    Keyed earlier = later == current ? previous : current;
                    throw new DatasetException(LabeledSignalTable.where(table, later.row().line())
                            + "label span: [" + later.row().labelStart() + ", " + later.row().labelStop()
                            + ") (expected: no overlap with line " + earlier.row().line() + " ["
                            + earlier.row().labelStart() + ", " + earlier.row().labelStop()
                            + "), which labels the same signal with the same labels)");
                }
            }
        }
    }

    /** Returns the dataset directory, absolute and normalised. File names in {@link #signals()} are relative to it. */
    public Path root() {
        return root;
    }

    /** Returns the labeled signals, in table order. */
    public List<LabeledSignal> signals() {
        return signals;
    }

    /** Two datasets are equal if they have the same root and the same signals in the same order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset d && root.equals(d.root) && signals.equals(d.signals);
    }

    /** Returns a hash of the root and the signals, consistent with {@link #equals}. */
    @Override
    public int hashCode() {
        return root.hashCode() * 31 + signals.hashCode();
    }

    /** Returns {@code Dataset[root, n signals]}. */
    @Override
    public String toString() {
        return "Dataset[" + root + ", " + signals.size() + " signals]";
    }
}
