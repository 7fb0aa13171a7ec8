package dev.batcher.materializers.dataset;

import dev.batcher.materializers.labels.StageMap;
import dev.batcher.materializers.onda.OndaDataset;
import dev.batcher.materializers.onda.OndaLabelSource;
import dev.batcher.materializers.metadata.TimeSpan;
import dev.batcher.materializers.format.LabelGrid;
import dev.batcher.materializers.labels.StageGrid;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.metadata.StorageLayout;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.S3Store;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.materializers.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds a dataset's labeled-signals table from its files' attributes, so that users need not write
 * it by hand ({@code bin/batcher index DIR} or {@code bin/batcher index s3://bucket/prefix}), and the
 * {@code recordings.json} beside it that records each file's metadata, ETag and the byte layout of its
 * contiguous datasets (what object-storage readers use instead of opening the files).
 */
public final class DatasetIndexer {
    private static final Logger LOG = LoggerFactory.getLogger(DatasetIndexer.class);

    /** The default label epoch: 30 s, the AASM scoring epoch. */
    public static final long EPOCH_NANOS = StageGrid.DEFAULT_EPOCH_NANOS;

    private DatasetIndexer() {
    }

    /**
     * Returns the label sources {@code bin/batcher index} uses by default, in order (see {@link LabelSource}).
     *
     * @return the sources
     */
    public static List<LabelSource> defaultLabelSources() {
        return labelSources(null);
    }

    /**
     * Returns the label sources {@code bin/batcher index} uses, in order: the annotation files of EDF
     * and BDF layouts ({@link AnnotationLabelSource}), then the annotations tables of Onda datasets
     * ({@link OndaLabelSource}).
     *
     * @param map the stage map for both, or null for each dataset's {@code stage_map.json} or the AASM map
     * @return the sources
     */
    public static List<LabelSource> labelSources(StageMap map) {
        return List.of(new AnnotationLabelSource(map), new OndaLabelSource(map, OndaDataset.DEFAULT_LABEL_COLUMN));
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
        return scan(root, defaultLabelSources(), EPOCH_NANOS, new LinkedHashMap<>());
    }

    private static List<LabeledSignal> scan(Path root, List<LabelSource> sources, long epochNanos,
                                            Map<String, Manifest.FileEntry> manifest) {
        List<String> names = datasetFiles(root);
        try (RecordingFiles files = new RecordingFiles(List.of(root), 4)) {
            IndexLabels labels = new IndexLabels(sources, IndexLabels.local(root, names, files::resolve), epochNanos);
            return scan(files, root.toString(), names, Map.of(), labels, manifest);
        } catch (RecordingReadException e) {
            throw new DatasetException(root + ": " + e.getMessage(), e);
        }
    }

    /**
     * Scans the files {@code names} through {@code files}, filling {@code manifest} with what it learns.
     *
     * @param files the reader
     * @param where the dataset, for messages
     * @param all every file of the dataset, sorted (recordings and annotation files alike)
     * @param objects the objects' sizes and ETags by name (object storage), or empty
     * @param labels where labels of signals without labels in their own file come from
     * @param manifest receives one entry per file
     */
    private static List<LabeledSignal> scan(RecordingFiles files, String where, List<String> all,
                                            Map<String, S3Store.ObjectInfo> objects, IndexLabels labels,
                                            Map<String, Manifest.FileEntry> manifest) {
        List<LabeledSignal> signals = new ArrayList<>();
        try {
            for (String file : all) {
                if (files.formats().claiming(file) == null || labels.annotationOnly(file)) {
                    continue;
                }
                String named = labels.recording(file);
                String recording = named != null ? named : files.recording(file);
                Map<String, String> datasets = files.signalDatasets(file);
                if (datasets.isEmpty()) {
                    LOG.warn("{}/{}: no signal dataset; skipped", where, file);
                }
                Map<String, Manifest.Entry<SignalInfo>> signalEntries = new LinkedHashMap<>();
                Map<String, Manifest.Entry<LabelInfo>> labelEntries = new LinkedHashMap<>();
                Map<String, LabelGrid> grids = new LinkedHashMap<>();
                Optional<LabelGrid> grid = null; // read once per file, when a signal needs it
                Map<String, String> kinds = labels.channelKinds(file);
                for (Map.Entry<String, String> pair : datasets.entrySet()) {
                    SignalInfo signal = files.signalInfo(file, pair.getKey()).withKinds(kinds);
                    signalEntries.put(signal.dataset(), new Manifest.Entry<>(signal, files.layout(file, signal.dataset())));
                    LabelInfo labelInfo;
                    if (pair.getValue() != null) {
                        labelInfo = files.labelInfo(file, pair.getValue());
                        labelEntries.putIfAbsent(labelInfo.dataset(),
                                new Manifest.Entry<>(labelInfo, files.layout(file, labelInfo.dataset())));
                    } else if (labels.paired(file)) {
                        if (grid == null) {
                            grid = labels.grid(file, new TimeSpan(0, stopOf(files, file, datasets)));
                            grid.ifPresent(g -> {
                                files.register(file, g);
                                grids.put(g.info().dataset(), g);
                            });
                            if (grid.isEmpty()) {
                                LOG.warn("{}/{}: no sleep-stage annotations in {}; not indexed", where, file,
                                        labels.annotationFile(file));
                            }
                        }
                        if (grid.isEmpty()) {
                            continue;
                        }
                        labelInfo = grid.get().info();
                    } else {
                        LOG.warn("{}/{} {}: no labels (no label dataset in the file, no annotation file paired with it); "
                                + "skipped", where, file, signal.dataset());
                        continue;
                    }
                    TimeSpan signalSpan = signal.span();
                    TimeSpan labelSpan = clipLabels(signalSpan, labelInfo);
                    if (labelSpan == null) {
                        LOG.warn("{}/{} {}: labels {} {} do not cover one whole epoch of the signal {}; skipped",
                                where, file, signal.dataset(), labelInfo.dataset(), labelInfo.span(), signalSpan);
                        continue;
                    }
                    signals.add(new LabeledSignal(recording, file, signal, labelInfo, signalSpan, labelSpan));
                }
                S3Store.ObjectInfo object = objects.get(file);
                manifest.put(file, new Manifest.FileEntry(recording, files.format(file).name(),
                        object == null ? null : object.etag(), object == null ? -1 : object.size(),
                        signalEntries, labelEntries, grids));
            }
        } catch (RecordingReadException e) {
            throw new DatasetException(where + ": " + e.getMessage(), e);
        }
        return signals;
    }

    /** Returns where the last signal of a file ends: the recording span a grid may cover is [0, stop). */
    private static long stopOf(RecordingFiles files, String file, Map<String, String> datasets) {
        long stop = 0;
        for (String d : datasets.keySet()) {
            stop = Math.max(stop, files.signalInfo(file, d).span().stopNanos());
        }
        return stop;
    }

    /**
     * Scans {@code dir} and writes its {@code labeled_signals.csv}, replacing any previous one atomically.
     *
     * @param dir the dataset directory
     * @return the path of the table written
     * @throws DatasetException if {@link #scan} fails, no labeled signal was found, or the table cannot be written
     */
    public static Path index(Path dir) {
        return index(dir, defaultLabelSources());
    }

    /**
     * Scans {@code dir} and writes its {@code labeled_signals.csv} and {@code recordings.json}, taking
     * the labels of signals whose files hold none from {@code sources}.
     *
     * @param dir the dataset directory
     * @param sources the label sources, in order
     * @return the path of the table written
     * @throws DatasetException if {@link #scan} fails, no labeled signal was found, or the table cannot be written
     */
    public static Path index(Path dir, List<LabelSource> sources) {
        return index(dir, sources, EPOCH_NANOS);
    }

    private static Path index(Path dir, List<LabelSource> sources, long epochNanos) {
        Path root = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(root)) {
            throw new DatasetException(root + ": not a directory (expected: a dataset directory of HDF5 files)");
        }
        Map<String, Manifest.FileEntry> manifest = new LinkedHashMap<>();
        List<LabeledSignal> signals = scan(root, sources, epochNanos, manifest);
        checkFound(root.toString(), signals);
        Path table = writeTable(dir, signals);
        LabeledSignalTable.writeText(root, Manifest.NAME, Manifest.write(manifest));
        return table;
    }

    private static void checkFound(String where, List<LabeledSignal> signals) {
        if (signals.isEmpty()) {
            throw new DatasetException(where + ": no labeled signals (expected: HDF5 files "
                    + "with a signal dataset carrying a 'labels' attribute, or EDF/BDF files with hypnograms or annotation "
                    + "files in a layout index finds or a recordings.csv manifest names, see docs/dataset-format.md)");
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
        return index(location, storage, defaultLabelSources());
    }

    /**
     * Indexes a dataset directory or object-storage prefix (see {@link #index(String, Storage)}), taking
     * the labels of signals whose files hold none from {@code sources}.
     *
     * @param location a directory or {@code s3://bucket/prefix}
     * @param storage the store and cache for object storage
     * @param sources the label sources, in order
     * @return where the table was written
     * @throws DatasetException if listing, reading or writing fails, or no labeled signal was found
     */
    public static String index(String location, Storage storage, List<LabelSource> sources) {
        return index(location, storage, sources, EPOCH_NANOS);
    }

    /**
     * Indexes a dataset directory or object-storage prefix (see {@link #index(String, Storage)}), with
     * label grids of annotation files in epochs of {@code epochNanos}.
     *
     * @param location a directory or {@code s3://bucket/prefix}
     * @param storage the store and cache for object storage
     * @param sources the label sources, in order
     * @param epochNanos the label epoch of grids built from annotations ({@link #EPOCH_NANOS} by default)
     * @return where the table was written
     * @throws DatasetException if listing, reading or writing fails, no labeled signal was found, an
     *     annotation file is invalid, or {@code epochNanos <= 0}
     */
    public static String index(String location, Storage storage, List<LabelSource> sources, long epochNanos) {
        DatasetLocation l;
        try {
            l = DatasetLocation.parse(location);
        } catch (StorageException e) {
            throw new DatasetException(e.getMessage(), e);
        }
        if (!l.isS3()) {
            // The directory as the user named it, so that a relative one stays relative in what is printed.
            return index(Path.of(location), sources, epochNanos).toString();
        }
        Map<String, S3Store.ObjectInfo> objects = new LinkedHashMap<>();
        Map<String, Manifest.FileEntry> manifest = new LinkedHashMap<>();
        List<LabeledSignal> signals;
        try {
            for (S3Store.Listed o : storage.store().list(l.bucket(), l.prefix())) {
                boolean hidden = ("/" + o.name()).contains("/.");
                if (!hidden && !o.name().equals(LabeledSignalTable.NAME) && !o.name().equals(Manifest.NAME)) {
                    objects.put(o.name(), o.info());
                }
            }
            List<String> names = new ArrayList<>(objects.keySet());
            names.sort(null);
            try (RecordingFiles files = RecordingFiles.open(l, storage, 4)) {
                IndexLabels labels = new IndexLabels(sources, IndexLabels.remote(l, storage, names), epochNanos);
                signals = scan(files, l.toString(), names, objects, labels, manifest);
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

    /** Lists the files under root (hidden ones and the index's own files left out), sorted. */
    private static List<String> datasetFiles(Path dir) {
        List<String> names = new ArrayList<>(Discovery.listLocal(dir));
        names.removeIf(name -> name.equals(LabeledSignalTable.NAME) || name.equals(Manifest.NAME));
        return names;
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
