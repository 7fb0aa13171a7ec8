package dev.batcher.materializers.dataset;

import dev.batcher.materializers.hdf5.RecordingFiles;
import dev.batcher.materializers.hdf5.RecordingReadException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Builds a dataset's labeled-signals table from its files' attributes, so that users need not write
 * it by hand ({@code bin/batcher index DIR}).
 */
public final class DatasetIndexer {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetIndexer.class);

    private DatasetIndexer() {
    }

    /**
     * Finds every labeled signal under {@code dir}. Files are the regular files (or symbolic links to
     * files inside {@code dir}) named {@code *.h5} or {@code *.hdf5}, in any subdirectory except hidden
     * ones (whose name starts with a dot); symbolic links to directories are not followed. They are
     * taken in the order of their relative paths (forward slashes, compared as strings); within a file
     * signals are taken in the order of their dataset paths. A signal is a dataset with a {@code labels}
     * attribute; it is paired with that label dataset. Its signal span is the whole signal; its label
     * span is the label dataset's extent clipped to the signal span and then shrunk to whole label
     * epochs on the label grid. A signal whose labels do not cover one whole epoch of it is skipped with
     * a warning in the log.
     *
     * @param dir the dataset directory
     * @return the labeled signals, in a deterministic order
     * @throws DatasetException if {@code dir} is not a directory, cannot be listed, or a file or dataset
     *     found is invalid (unreadable, wrong type, bad attributes, a symbolic link leading outside
     *     {@code dir}...); the message names the file, the dataset and the fault
     */
    public static List<LabeledSignal> scan(Path dir) {
        Objects.requireNonNull(dir, "dir");
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": not a directory (expected: a dataset directory of HDF5 files)");
        }
        List<String> names = recordingFiles(root);
        List<LabeledSignal> signals = new ArrayList<>();
        try (RecordingFiles files = new RecordingFiles(List.of(root), 4)) {
            for (String file : names) {
                String recording = files.recording(file);
                Map<String, String> pairs = files.signalDatasets(file);
                if (pairs.isEmpty()) {
                    LOG.warn("{}: no signal dataset (a dataset with a 'labels' attribute); skipped", root.resolve(file));
                }
                for (Map.Entry<String, String> pair : pairs.entrySet()) {
                    SignalInfo signal = files.signalInfo(file, pair.getKey());
                    LabelInfo labels = files.labelInfo(file, pair.getValue());
                    TimeSpan signalSpan = signal.span();
                    TimeSpan labelSpan = clipLabels(signalSpan, labels);
                    if (labelSpan == null) {
                        LOG.warn("{} {}: labels {} {} do not cover one whole epoch of the signal {}; skipped",
                                root.resolve(file), signal.dataset(), labels.dataset(), labels.span(), signalSpan);
                        continue;
                    }
                    signals.add(new LabeledSignal(recording, file, signal, labels, signalSpan, labelSpan));
                }
            }
        } catch (RecordingReadException e) {
            throw new DatasetException(root + ": " + e.getMessage(), e);
        }
        return signals;
    }

    /**
     * Scans {@code dir} and writes its {@code labeled_signals.csv}, replacing any previous one atomically.
     *
     * @param dir the dataset directory
     * @return the path of the table written
     * @throws DatasetException if {@link #scan} fails, no labeled signal was found, or the table cannot be written
     */
    public static Path index(Path dir) {
        List<LabeledSignal> signals = scan(dir);
        if (signals.isEmpty()) {
            throw new DatasetException(dir.toAbsolutePath().normalize() + ": no labeled signals (expected: HDF5 files "
                    + "with a signal dataset carrying a 'labels' attribute, see docs/dataset-format.md)");
        }
        return writeTable(dir, signals);
    }

    /**
     * Writes {@code signals} as {@code dir/labeled_signals.csv}: to a temporary file in {@code dir}, then
     * moved over the table atomically (where the file system allows), so readers never see half a table.
     * The table gets the permissions of any new file (the process's umask decides, as for the recordings
     * beside it), so a daemon running as another user can read it where it can read the recordings.
     *
     * @param dir the dataset directory
     * @param signals the rows, written in this order
     * @return the path of the table written
     * @throws DatasetException if a recording id, file name or dataset path holds a line break, or the
     *     file cannot be written
     */
    public static Path writeTable(Path dir, List<LabeledSignal> signals) {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(signals, "signals");
        return LabeledSignalTable.write(dir, signals);
    }

    /** Lists the HDF5 files under root as sorted relative paths with forward slashes. */
    private static List<String> recordingFiles(Path dir) {
        List<String> names = new ArrayList<>();
        Path root;
        try {
            root = dir.toRealPath(); // a symbolic link as the dataset directory itself is fine
        } catch (IOException e) {
            throw new DatasetException(dir + ": cannot be resolved (expected: an existing directory): " + e, e);
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.forEach(path -> {
                Path relative = root.relativize(path);
                if (relative.toString().isEmpty() || hidden(relative) || !Files.isRegularFile(path)) {
                    return;
                }
                String name = relative.getFileName().toString().toLowerCase(Locale.ROOT);
                if (name.endsWith(".h5") || name.endsWith(".hdf5")) {
                    List<String> parts = new ArrayList<>();
                    relative.forEach(p -> parts.add(p.toString()));
                    names.add(String.join("/", parts));
                }
            });
        } catch (IOException | UncheckedIOException e) {
            throw new DatasetException(root + ": cannot be listed (expected: a readable directory): " + e, e);
        }
        names.sort(null);
        return names;
    }

    private static boolean hidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Clips the label extent to the signal span and to whole epochs on the label grid.
     *
     * @return the label span, or null if not one whole epoch remains
     */
    static TimeSpan clipLabels(TimeSpan signalSpan, LabelInfo labels) {
        TimeSpan extent = labels.span();
        long lo = Math.max(signalSpan.startNanos(), extent.startNanos());
        long hi = Math.min(signalSpan.stopNanos(), extent.stopNanos());
        if (hi <= lo) {
            return null;
        }
        long origin = labels.startNanos();
        double rate = labels.sampleRate();
        // First grid point at or after lo.
        long first = TimeSpan.samples(lo - origin, rate);
        while (first > 0 && origin + TimeSpan.nanosOf(first - 1, rate) >= lo) {
            first--;
        }
        while (origin + TimeSpan.nanosOf(first, rate) < lo) {
            first++;
        }
        // Last grid point at or before hi, within the dataset.
        long last = Math.min(TimeSpan.samples(hi - origin, rate), labels.samples());
        while (last > 0 && origin + TimeSpan.nanosOf(last, rate) > hi) {
            last--;
        }
        while (last < labels.samples() && origin + TimeSpan.nanosOf(last + 1, rate) <= hi) {
            last++;
        }
        if (last <= first) {
            return null;
        }
        return new TimeSpan(origin + TimeSpan.nanosOf(first, rate), origin + TimeSpan.nanosOf(last, rate));
    }
}
