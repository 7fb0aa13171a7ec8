package dev.batcher.materializers.dataset;

import dev.batcher.materializers.dataset.LabeledSignalTable.Row;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.metadata.TimeSpan;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The checks {@link Dataset#load(java.nio.file.Path)} runs on the rows of a labeled-signals table, the
 * same for local and object-storage datasets: first what each row says by itself, then each row
 * against its file's metadata, then overlaps between rows. Each failure is a {@link DatasetException}
 * naming the table line, field, value and rule.
 */
final class RowChecks {
    private RowChecks() {
    }

    /**
     * Checks that the table has rows and that each row's spans are consistent, before any file is opened.
     *
     * @param table the table's name, for messages
     * @param rows its rows
     * @throws DatasetException at the first fault
     */
    static void checkSpans(Object table, List<Row> rows) {
        if (rows.isEmpty()) {
            throw new DatasetException(table + ": no rows (expected: at least one labeled signal)");
        }
        for (Row row : rows) {
            checkRowSpans(table, row);
        }
    }

    /**
     * Checks every row against its file (recording id, datasets, extents, label grid), then that no two
     * rows label the same signal over overlapping spans.
     *
     * @param table the table's name, for messages
     * @param rows its rows, already through {@link #checkSpans}
     * @param files the dataset's recordings
     * @param recordings recording ids already known by file (index time's); filled in as files are read
     * @return the labeled signals, in table order
     * @throws DatasetException at the first fault
     */
    static List<LabeledSignal> checkFiles(Object table, List<Row> rows, RecordingFiles files,
            Map<String, String> recordings) {
        List<LabeledSignal> signals = new ArrayList<>(rows.size());
        for (Row row : rows) {
            signals.add(checkRow(table, row, files, recordings));
        }
        checkOverlaps(table, rows, signals);
        return signals;
    }

    /** Checks what a row says by itself, before any file is opened. */
    private static void checkRowSpans(Object table, Row row) {
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

    private static LabeledSignal checkRow(Object table, Row row, RecordingFiles files, Map<String, String> recordings) {
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

    private static void checkOverlaps(Object table, List<Row> rows, List<LabeledSignal> signals) {
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
}
