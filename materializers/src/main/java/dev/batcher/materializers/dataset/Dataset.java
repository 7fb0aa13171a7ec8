package dev.batcher.materializers.dataset;

import dev.batcher.materializers.format.LabelGrid;
import dev.batcher.materializers.hdf5.Hdf5Format;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.dataset.LabeledSignalTable.Row;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.metadata.StorageLayout;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.materializers.storage.StorageException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A loaded, validated dataset: a directory (or {@code s3://bucket/prefix}) of HDF5 recordings and its
 * labeled-signals table ({@code labeled_signals.csv}). A value: it holds no open files. To read its
 * recordings, {@link #openFiles}.
 *
 * <p>The format is described in {@code docs/dataset-format.md}.
 */
public final class Dataset {
    /** The name of the labeled-signals table inside a dataset directory. */
    public static final String TABLE = LabeledSignalTable.NAME;

    /** How many files {@link #load} keeps open while it checks them. */
    private static final int LOAD_OPEN_FILES = 16;

    private final DatasetLocation location;
    private final List<LabeledSignal> signals;
    /** What index time recorded about the files (object storage only; empty for local datasets). */
    private final Map<String, Manifest.FileEntry> manifest;

    private Dataset(DatasetLocation location, List<LabeledSignal> signals, Map<String, Manifest.FileEntry> manifest) {
        this.location = location;
        this.signals = List.copyOf(signals);
        this.manifest = Map.copyOf(manifest);
    }

    /**
     * Loads and validates a dataset: a directory ({@link #load(Path)}) or {@code s3://bucket/prefix}
     * ({@link #load(DatasetLocation, Storage)} with the process's {@link Storage#shared()} storage).
     *
     * @param location a directory or {@code s3://bucket/prefix}
     * @return the dataset
     * @throws DatasetException as {@link #load(Path)} and {@link #load(DatasetLocation, Storage)}
     */
    public static Dataset load(String location) {
        DatasetLocation l;
        try {
            l = DatasetLocation.parse(location);
        } catch (StorageException e) {
            throw new DatasetException(e.getMessage(), e);
        }
        return l.isS3() ? load(l, Storage.shared()) : load(l.local());
    }

    /**
     * Loads and validates a dataset in object storage: its {@code labeled_signals.csv} and the
     * {@code recordings.json} that {@code bin/batcher index} writes beside it, so that no recording is
     * fetched to load it. Every row is checked as {@link #load(Path)} checks it, against the recorded
     * metadata. Without {@code recordings.json} the files are fetched (through the file cache) and
     * parsed, which is slow for large datasets.
     *
     * @param location {@code s3://bucket/prefix}, or a directory (then as {@link #load(Path)})
     * @param storage the store and cache to read with
     * @return the dataset
     * @throws DatasetException if the table is missing or any check fails; the message names the object
     *     ({@code s3://bucket/key}), line, field and rule
     */
    public static Dataset load(DatasetLocation location, Storage storage) {
        if (!location.isS3()) {
            return load(location.local());
        }
        String table = location.describe(TABLE);
        S3Store store = storage.store();
        List<Row> rows;
        Map<String, Manifest.FileEntry> manifest;
        try {
            rows = LabeledSignalTable.read(table, store.readAll(location.bucket(), location.key(TABLE)));
            String m = location.key(Manifest.NAME);
            manifest = store.exists(location.bucket(), m)
                    ? Manifest.read(location.describe(Manifest.NAME), store.readAll(location.bucket(), m)) : Map.of();
        } catch (StorageException e) {
            throw new DatasetException(e.getMessage() + (e.getReason() == StorageException.Reason.NOT_FOUND
                    ? "; write the table with bin/batcher index " + location : ""), e);
        }
        RowChecks.checkSpans(table, rows);
        List<LabeledSignal> signals;
        try (RecordingFiles files = RecordingFiles.open(location, storage, LOAD_OPEN_FILES)) {
            Map<String, String> recordings = new HashMap<>();
            manifest.forEach((file, entry) -> {
                register(files, file, entry, true);
                recordings.put(file, entry.recording());
            });
            signals = RowChecks.checkFiles(table, rows, files, recordings);
        }
        return new Dataset(location, signals, manifest);
    }

    /**
     * Registers what index time recorded about a file: always its format and label grids; for object
     * storage ({@code all}) also every dataset's metadata and layout and the ETag.
     */
    private static void register(RecordingFiles files, String file, Manifest.FileEntry entry, boolean all) {
        if (entry.format() != null) {
            files.registerFormat(file, entry.format());
        }
        for (LabelGrid grid : entry.grids().values()) {
            files.register(file, grid);
        }
        if (!all) {
            return;
        }
        for (Manifest.Entry<SignalInfo> s : entry.signals().values()) {
            files.register(file, entry.etag(), s.info(), s.layout());
        }
        for (Manifest.Entry<LabelInfo> l : entry.labels().values()) {
            files.register(file, entry.etag(), l.info(), l.layout());
        }
    }

    /**
     * Opens the recordings of this dataset for reading, with what index time recorded about them
     * registered (so object-storage reads of contiguous datasets need no round trip but the window's).
     *
     * @param storage the store and cache for object storage (unused for a local directory)
     * @param maxOpenFiles how many files to keep open ({@code >= 1})
     * @return the reader; the caller closes it
     */
    public RecordingFiles openFiles(Storage storage, int maxOpenFiles) {
        RecordingFiles files = RecordingFiles.open(location, storage, maxOpenFiles);
        manifest.forEach((file, entry) -> register(files, file, entry, location.isS3()));
        return files;
    }

    /**
     * Opens a local dataset's recordings with what index time recorded about them in
     * {@code recordings.json} (each file's format, and the label grids built from annotation files),
     * without loading and validating the table: for workers, which read what a validated spec names.
     * Without {@code recordings.json} the files are opened as they are (HDF5 only needs that).
     *
     * @param root the dataset directory
     * @param maxOpenFiles how many files may be open at once
     * @return the recordings
     * @throws DatasetException if {@code recordings.json} exists but cannot be read or is malformed
     */
    public static RecordingFiles openIndexed(Path root, int maxOpenFiles) {
        Map<String, Manifest.FileEntry> manifest = recorded(root);
        RecordingFiles files = new RecordingFiles(List.of(root), maxOpenFiles);
        manifest.forEach((file, entry) -> register(files, file, entry, false));
        return files;
    }

    /** Reads a local dataset's {@code recordings.json}, or returns an empty map if it has none. */
    private static Map<String, Manifest.FileEntry> recorded(Path root) {
        Path recorded = root.resolve(Manifest.NAME);
        if (!Files.isRegularFile(recorded)) {
            return Map.of();
        }
        try {
            return Manifest.read(recorded.toString(), Files.readAllBytes(recorded));
        } catch (java.io.IOException e) {
            throw new DatasetException(recorded + ": unreadable (expected: the recordings.json bin/batcher index "
                    + "writes): " + e, e);
        }
    }

    /** Opens the recordings with the process's {@link Storage#shared()} storage (see {@link #openFiles(Storage, int)}). */
    public RecordingFiles openFiles(int maxOpenFiles) {
        return openFiles(location.isS3() ? Storage.shared() : null, maxOpenFiles);
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
        RowChecks.checkSpans(table, rows);
        Map<String, Manifest.FileEntry> manifest = recorded(root);
        List<LabeledSignal> signals;
        try (RecordingFiles files = new RecordingFiles(List.of(root), LOAD_OPEN_FILES)) {
            Map<String, String> recordings = new HashMap<>();
            manifest.forEach((file, entry) -> {
                register(files, file, entry, false);
                if (entry.format() != null && !entry.format().equals(Hdf5Format.NAME)) {
                    // Only HDF5 files name their recording; others keep the id index time gave them
                    // (their name, or a recordings.csv manifest's).
                    recordings.put(file, entry.recording());
                }
            });
            signals = RowChecks.checkFiles(table, rows, files, recordings);
        }
        return new Dataset(DatasetLocation.of(root), signals, manifest);
    }

    /**
     * Returns the dataset directory, absolute and normalised. File names in {@link #signals()} are relative to it.
     *
     * @throws IllegalStateException if the dataset is in object storage (see {@link #location()})
     */
    public Path root() {
        if (location.isS3()) {
            throw new IllegalStateException("root: " + location + " (expected: a local dataset; use location())");
        }
        return location.local();
    }

    /** Returns where the dataset lives: its directory or {@code s3://bucket/prefix}. */
    public DatasetLocation location() {
        return location;
    }

    /**
     * Returns where the elements of a contiguous dataset lie, as recorded at index time (object storage
     * only), or null.
     */
    public StorageLayout layout(String file, String dataset) {
        Manifest.FileEntry e = manifest.get(file);
        if (e == null) {
            return null;
        }
        Manifest.Entry<SignalInfo> s = e.signals().get(dataset);
        if (s != null) {
            return s.layout();
        }
        Manifest.Entry<LabelInfo> l = e.labels().get(dataset);
        return l == null ? null : l.layout();
    }

    /** Returns the labeled signals, in table order. */
    public List<LabeledSignal> signals() {
        return signals;
    }

    /** Two datasets are equal if they have the same location and the same signals in the same order. */
    @Override
    public boolean equals(Object o) {
        return o instanceof Dataset d && location.equals(d.location) && signals.equals(d.signals);
    }

    /** Returns a hash of the location and the signals, consistent with {@link #equals}. */
    @Override
    public int hashCode() {
        return location.hashCode() * 31 + signals.hashCode();
    }

    /** Returns {@code Dataset[root, n signals]}. */
    @Override
    public String toString() {
        return "Dataset[" + location + ", " + signals.size() + " signals]";
    }
}
