package dev.batcher.materializers.dataset;

import dev.batcher.materializers.metadata.TimeSpan;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.hdf5.RecordingFiles;
import dev.batcher.materializers.hdf5.RecordingReadException;
import dev.batcher.materializers.metadata.StorageLayout;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.materializers.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
 * it by hand ({@code bin/batcher index DIR} or {@code bin/batcher index s3://bucket/prefix}), and the
 * {@code recordings.json} beside it that records each file's metadata, ETag and the byte layout of its
 * contiguous datasets (what object-storage readers use instead of opening the files).
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
        try (RecordingFiles files = new RecordingFiles(List.of(root), 4)) {
            return scan(files, root.toString(), names, Map.of(), new LinkedHashMap<>());
        }
    }

    /**
     * Scans the files {@code names} through {@code files}, filling {@code manifest} with what it learns.
     *
     * @param files the reader
     * @param where the dataset, for messages
     * @param names the file names, in order
     * @param objects the objects' sizes and ETags by name (object storage), or empty
     * @param manifest receives one entry per file
     */
    private static List<LabeledSignal> scan(RecordingFiles files, String where, List<String> names,
                                            Map<String, S3Store.ObjectInfo> objects,
                                            Map<String, Manifest.FileEntry> manifest) {
        List<LabeledSignal> signals = new ArrayList<>();
        try {
            for (String file : names) {
                String recording = files.recording(file);
                Map<String, String> pairs = files.signalDatasets(file);
                if (pairs.isEmpty()) {
                    LOG.warn("{}/{}: no signal dataset (a dataset with a 'labels' attribute); skipped", where, file);
                }
                Map<String, Manifest.Entry<SignalInfo>> signalEntries = new LinkedHashMap<>();
                Map<String, Manifest.Entry<LabelInfo>> labelEntries = new LinkedHashMap<>();
                for (Map.Entry<String, String> pair : pairs.entrySet()) {
                    SignalInfo signal = files.signalInfo(file, pair.getKey());
                    LabelInfo labels = files.labelInfo(file, pair.getValue());
                    signalEntries.put(signal.dataset(), new Manifest.Entry<>(signal, files.layout(file, signal.dataset())));
                    labelEntries.putIfAbsent(labels.dataset(), new Manifest.Entry<>(labels, files.layout(file, labels.dataset())));
                    TimeSpan signalSpan = signal.span();
                    TimeSpan labelSpan = clipLabels(signalSpan, labels);
                    if (labelSpan == null) {
                        LOG.warn("{}/{} {}: labels {} {} do not cover one whole epoch of the signal {}; skipped",
                                where, file, signal.dataset(), labels.dataset(), labels.span(), signalSpan);
                        continue;
                    }
                    signals.add(new LabeledSignal(recording, file, signal, labels, signalSpan, labelSpan));
                }
                S3Store.ObjectInfo object = objects.get(file);
                manifest.put(file, new Manifest.FileEntry(recording, object == null ? null : object.etag(),
                        object == null ? -1 : object.size(), signalEntries, labelEntries));
            }
        } catch (RecordingReadException e) {
            throw new DatasetException(where + ": " + e.getMessage(), e);
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
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": not a directory (expected: a dataset directory of HDF5 files)");
        }
        Map<String, Manifest.FileEntry> manifest = new LinkedHashMap<>();
        List<LabeledSignal> signals;
        try (RecordingFiles files = new RecordingFiles(List.of(root), 4)) {
            signals = scan(files, root.toString(), recordingFiles(root), Map.of(), manifest);
        }
        checkFound(root.toString(), signals);
        Path table = writeTable(dir, signals);
        LabeledSignalTable.writeText(root, Manifest.NAME, Manifest.write(manifest));
        return table;
    }

    private static void checkFound(String where, List<LabeledSignal> signals) {
        if (signals.isEmpty()) {
            throw new DatasetException(where + ": no labeled signals (expected: HDF5 files "
                    + "with a signal dataset carrying a 'labels' attribute, see docs/dataset-format.md)");
        }
    }

    /**
     * Indexes a dataset directory ({@link #index(Path)}) or an object-storage prefix: lists the
     * {@code *.h5}/{@code *.hdf5} objects under it (skipping hidden path segments), reads each through
     * {@code storage}'s file cache, and writes {@code labeled_signals.csv} and {@code recordings.json}
     * (with each object's ETag) under the prefix.
     *
     * @param location a directory or {@code s3://bucket/prefix}
     * @param storage the store and cache for object storage
     * @return where the table was written: a path or {@code s3://bucket/prefix/labeled_signals.csv}
     * @throws DatasetException if listing, reading or writing fails, or no labeled signal was found
     */
    public static String index(String location, Storage storage) {
        DatasetLocation l;
        try {
            l = DatasetLocation.parse(location);
        } catch (StorageException e) {
            throw new DatasetException(e.getMessage(), e);
        }
        if (!l.isS3()) {
            // The directory as the user named it, so that a relative one stays relative in what is printed.
            return index(Path.of(location)).toString();
        }
        Map<String, S3Store.ObjectInfo> objects = new LinkedHashMap<>();
        Map<String, Manifest.FileEntry> manifest = new LinkedHashMap<>();
        List<LabeledSignal> signals;
        try {
            for (S3Store.Listed o : storage.store().list(l.bucket(), l.prefix())) {
                String name = o.name().toLowerCase(Locale.ROOT);
                boolean hidden = ("/" + o.name()).contains("/.");
                if (!hidden && (name.endsWith(".h5") || name.endsWith(".hdf5"))) {
                    objects.put(o.name(), o.info());
                }
            }
            try (RecordingFiles files = RecordingFiles.open(l, storage, 4)) {
                signals = scan(files, l.toString(), List.copyOf(objects.keySet()), objects, manifest);
            }
            checkFound(l.toString(), signals);
            storage.store().write(l.bucket(), l.key(LabeledSignalTable.NAME),
                    LabeledSignalTable.text(signals).getBytes(StandardCharsets.UTF_8));
            storage.store().write(l.bucket(), l.key(Manifest.NAME), Manifest.write(manifest).getBytes(StandardCharsets.UTF_8));
        } catch (StorageException e) {
            throw new DatasetException(e.getMessage(), e);
        }
        return l.describe(LabeledSignalTable.NAME);
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
