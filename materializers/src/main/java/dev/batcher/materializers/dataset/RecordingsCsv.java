package dev.batcher.materializers.dataset;

import dev.batcher.materializers.dataset.DiscoveredRecording.Annotations;
import dev.batcher.materializers.dataset.DiscoveredRecording.Layout;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The manifest CSV, {@value #NAME}, for layouts discovery does not know: one row per recording with
 * its id, its signal file and its annotation file (empty for labels from the signal file itself: an
 * HDF5 file's label datasets or an EDF+ file's annotation signal). The annotation file's format comes
 * from its extension: {@code .edf}/{@code .bdf} EDF+ annotations, {@code .xml} NSRR XML,
 * {@code .tsv} BIDS events. Same CSV rules as {@code labeled_signals.csv}.
 */
final class RecordingsCsv {
    /** The manifest's file name, at the top of the dataset. */
    static final String NAME = "recordings.csv";
    static final List<String> HEADER = List.of("recording", "signal_file", "annotation_file");

    private RecordingsCsv() {
    }

    static List<DiscoveredRecording> read(String where, List<String> files, Discovery.Opener opener) {
        String table = where + "/" + NAME;
        byte[] bytes;
        try {
            bytes = opener.read(NAME);
        } catch (IOException e) {
            throw new DatasetException(table + ": cannot be read: " + e, e);
        }
        Set<String> present = new HashSet<>(files);
        TreeMap<String, DiscoveredRecording> out = new TreeMap<>();
        Set<String> ids = new HashSet<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8))) {
            String line = r.readLine();
            if (line == null) {
                throw new DatasetException(table + ": empty (expected: the header line " + String.join(",", HEADER) + ")");
            }
            if (line.startsWith("\uFEFF")) {
                line = line.substring(1);
            }
            if (!LabeledSignalTable.split(line, table, 1).equals(HEADER)) {
                throw new DatasetException(table + " line 1: header: " + line + " (expected: " + String.join(",", HEADER) + ")");
            }
            int number = 1;
            while ((line = r.readLine()) != null) {
                number++;
                if (line.isBlank()) {
                    continue;
                }
                DiscoveredRecording rec = row(LabeledSignalTable.split(line, table, number), table + " line " + number, present);
                if (!ids.add(rec.id())) {
                    throw new DatasetException(table + " line " + number + ": recording: '" + rec.id()
                            + "' repeated (expected: each recording once)");
                }
                if (out.putIfAbsent(rec.signalFile(), rec) != null) {
                    throw new DatasetException(table + " line " + number + ": signal_file: '" + rec.signalFile()
                            + "' repeated (expected: each signal file in one row)");
                }
            }
        } catch (IOException e) {
            throw new DatasetException(table + ": unreadable (expected: UTF-8 text): " + e, e);
        }
        if (out.isEmpty()) {
            throw new DatasetException(table + ": no rows (expected: one row per recording after the header)");
        }
        return new ArrayList<>(out.values());
    }

    private static DiscoveredRecording row(List<String> f, String where, Set<String> present) {
        if (f.size() != HEADER.size()) {
            throw new DatasetException(where + ": columns: " + f.size() + " (expected: " + HEADER.size() + ": "
                    + String.join(",", HEADER) + ")");
        }
        if (f.get(0).isEmpty()) {
            throw new DatasetException(where + ": recording: '' (expected: non-empty)");
        }
        String signal = file(f.get(1), "signal_file", where, present);
        String lower = signal.toLowerCase(Locale.ROOT);
        boolean hdf5 = lower.endsWith(".h5") || lower.endsWith(".hdf5");
        if (!hdf5 && !lower.endsWith(".edf") && !lower.endsWith(".bdf")) {
            throw new DatasetException(where + ": signal_file: '" + signal + "' (expected: a .edf, .bdf, .h5 or .hdf5 file)");
        }
        if (f.get(2).isEmpty()) {
            return new DiscoveredRecording(f.get(0), signal, Layout.MANIFEST, hdf5 ? Annotations.HDF5 : Annotations.EMBEDDED,
                    Optional.empty(), Optional.empty());
        }
        if (hdf5) {
            throw new DatasetException(where + ": annotation_file: '" + f.get(2) + "' for an HDF5 signal file (expected: "
                    + "empty; an HDF5 file's labels are its own label datasets)");
        }
        String annotations = file(f.get(2), "annotation_file", where, present);
        Annotations kind = AnnotationLabelSource.kindOf(annotations, signal);
        if (kind == null || kind == Annotations.EMBEDDED) {
            throw new DatasetException(where + ": annotation_file: '" + annotations + "' (expected: .edf/.bdf EDF+ annotations, "
                    + ".xml NSRR XML or .tsv BIDS events, or empty)");
        }
        return new DiscoveredRecording(f.get(0), signal, Layout.MANIFEST, kind, Optional.of(annotations), Optional.empty());
    }

    private static String file(String name, String column, String where, Set<String> present) {
        boolean escapes = name.startsWith("/") || name.contains("\\") || ("/" + name + "/").contains("/../");
        if (name.isEmpty() || escapes) {
            throw new DatasetException(where + ": " + column + ": '" + name + "' (expected: a path relative to the dataset, "
                    + "with forward slashes, inside it)");
        }
        if (!present.contains(name)) {
            throw new DatasetException(where + ": " + column + ": '" + name + "': no such file in the dataset");
        }
        return name;
    }
}
