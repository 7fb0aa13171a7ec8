package dev.batcher.materializers.onda;

import dev.batcher.materializers.format.FileAccess;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.format.RecordingReader;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.metadata.StorageLayout;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.materializers.storage.StorageException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Reads the sample files of an Onda dataset for the seam ({@link OndaFormat}): the dataset's tables
 * are read once, on first use, for each root (or the S3 prefix); windows are byte-range reads
 * ({@link OndaDataset#read}). Labels are not here: {@link OndaLabelSource} turns the annotations into
 * label grids at index time, which {@code RecordingFiles} serves.
 * Thread-safe.
 */
final class OndaReader implements RecordingReader {
    private final FileAccess access;
    private final Supplier<Storage> storage;
    private final ConcurrentHashMap<DatasetLocation, Optional<OndaDataset>> datasets = new ConcurrentHashMap<>();
    /** The signal of each sample file looked up so far (a read must not search the tables). */
    private final ConcurrentHashMap<String, Found> found = new ConcurrentHashMap<>();

    /** A signal and the dataset that names it. */
    private record Found(OndaDataset dataset, OndaSignal signal) {
    }

    OndaReader(FileAccess access, Supplier<Storage> storage) {
        this.access = access;
        this.storage = storage;
    }

    /** Returns the dataset at a location, opened once; null for a local root that holds no signals table. */
    private OndaDataset dataset(DatasetLocation location, String file) {
        Optional<OndaDataset> known = datasets.get(location);
        if (known != null) {
            return known.orElse(null);
        }
        try {
            return datasets.computeIfAbsent(location, l -> !l.isS3() && !OndaDataset.isOnda(l.local()) ? Optional.empty()
                    : Optional.of(OndaDataset.open(l, storage.get(), null))).orElse(null);
        } catch (OndaException e) {
            throw new RecordingReadException(Reason.BAD_ATTRIBUTE, file, null, null, e.getMessage(), e);
        } catch (StorageException e) {
            throw RecordingReadException.fromStorage(e, file, null, null);
        }
    }

    /** Finds the signal whose sample file is {@code file}: in the S3 dataset, or in the first root whose tables name it. */
    private Found find(String file) {
        Found known = found.get(file);
        if (known != null) {
            return known;
        }
        access.id(file);
        List<DatasetLocation> locations = access.isRemote() ? List.of(access.location())
                : access.roots().stream().map(DatasetLocation::of).toList();
        for (DatasetLocation l : locations) {
            OndaDataset ds = dataset(l, file);
            OndaSignal s = ds == null ? null : ds.find(file);
            if (s != null) {
                Found f = new Found(ds, s);
                found.putIfAbsent(file, f);
                return f;
            }
        }
        throw new RecordingReadException(Reason.MISSING_DATASET, file, null, null, "signals table: no row names this file "
                + "(expected: a sample file named by the file_path of a row of a *" + OndaDataset.SIGNALS_SUFFIXES.get(0)
                + " table under " + (access.isRemote() ? access.location() : access.roots()) + ")", null);
    }

    private static String datasetOf(OndaSignal s) {
        return "/" + s.sensorLabel();
    }

    @Override
    public String recording(String file) {
        return find(file).signal().recording();
    }

    @Override
    public Map<String, String> signalDatasets(String file) {
        Found f = find(file);
        Map<String, String> out = new LinkedHashMap<>();
        out.put(datasetOf(f.signal()), null); // labels: the annotations table, through OndaLabelSource
        return out;
    }

    private OndaSignal signal(String file, String dataset) {
        OndaSignal s = find(file).signal();
        if (!datasetOf(s).equals(dataset)) {
            throw new RecordingReadException(Reason.MISSING_DATASET, file, dataset, null, "dataset: " + dataset
                    + " (expected: " + datasetOf(s) + ", the sensor_label of the signal this file holds)", null);
        }
        return s;
    }

    @Override
    public SignalInfo signalInfo(String file, String dataset) {
        return signal(file, dataset).info();
    }

    @Override
    public LabelInfo labelInfo(String file, String dataset) {
        throw noLabels(file, dataset);
    }

    private static RecordingReadException noLabels(String file, String dataset) {
        return new RecordingReadException(Reason.MISSING_DATASET, file, dataset, null, "dataset: " + dataset
                + " (expected: a label grid recorded at index time; an Onda sample file holds no labels, its recording's "
                + "annotations become its grid when bin/batcher index reads the annotations table)", null);
    }

    @Override
    public StorageLayout layout(String file, String dataset) {
        signal(file, dataset);
        return null; // interleaved [samples, channels]: not the [channels, samples] layout StorageLayout describes
    }

    @Override
    public RawWindow readSignal(String file, String dataset, Window window) {
        RecordingReadException.checkInterrupt(file, dataset, window, null);
        Found f = find(file);
        OndaSignal s = signal(file, dataset);
        int n = s.channels().size();
        if (window.firstRow() < 0 || window.rows() < 1 || window.firstRow() + window.rows() > n || window.start() < 0
                || window.count() < 1 || window.start() + window.count() > s.samples()) {
            throw new RecordingReadException(Reason.OUT_OF_RANGE, file, dataset, window, "window: outside the signal "
                    + "(expected: channels within [0, " + n + ") and samples within [0, " + s.samples() + "))", null);
        }
        try {
            return f.dataset().read(s, (int) window.firstRow(), (int) window.rows(), window.start(), (int) window.count());
        } catch (OndaException e) {
            RecordingReadException.checkInterrupt(file, dataset, window, e);
            throw new RecordingReadException(e.isDeterministic() ? Reason.CORRUPT : Reason.UNREADABLE, file, dataset,
                    window, e.getMessage(), e);
        } catch (StorageException e) {
            throw RecordingReadException.fromStorage(e, file, dataset, window);
        }
    }

    @Override
    public int[][] readLabels(String file, String dataset, long start, int count) {
        throw noLabels(file, dataset);
    }

    @Override
    public Executor fetchExecutor() {
        return access.isRemote() ? access.storage().fetchExecutor() : null;
    }

    @Override
    public void close() {
        datasets.clear();
        found.clear();
    }
}
