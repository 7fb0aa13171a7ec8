package dev.batcher.materializers.onda;

import dev.batcher.materializers.format.FileAccess;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingReadException;
import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.format.RecordingReader;
import dev.batcher.materializers.labels.LabelException;
import dev.batcher.materializers.labels.LabelGrid;
import dev.batcher.materializers.labels.StageMap;
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
 * ({@link OndaDataset#read}); label grids are built from the annotations once per recording.
 * Thread-safe.
 */
final class OndaReader implements RecordingReader {
    /** The label dataset of every Onda signal: its recording's annotations as a label grid. */
    static final String LABELS = "/labels/stage";

    private final FileAccess access;
    private final Supplier<Storage> storage;
    private final StageMap map;
    private final long epochNanos;
    private final String labelColumn;
    private final ConcurrentHashMap<DatasetLocation, OndaDataset> datasets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Optional<LabelGrid>> grids = new ConcurrentHashMap<>();

    /** A signal and the dataset that names it. */
    private record Found(OndaDataset dataset, OndaSignal signal) {
    }

    OndaReader(FileAccess access, Supplier<Storage> storage, StageMap map, long epochNanos, String labelColumn) {
        this.access = access;
        this.storage = storage;
        this.map = map;
        this.epochNanos = epochNanos;
        this.labelColumn = labelColumn;
    }

    private OndaDataset dataset(DatasetLocation location, String file) {
        try {
            return datasets.computeIfAbsent(location, l -> OndaDataset.open(l, storage.get(), labelColumn));
        } catch (OndaException e) {
            throw new RecordingReadException(Reason.BAD_ATTRIBUTE, file, null, null, e.getMessage(), e);
        } catch (StorageException e) {
            throw RecordingReadException.fromStorage(e, file, null, null);
        }
    }

    /** Finds the signal whose sample file is {@code file}: in the S3 dataset, or in the first root whose tables name it. */
    private Found find(String file) {
        access.id(file);
        List<DatasetLocation> locations = access.isRemote() ? List.of(access.location())
                : access.roots().stream().map(DatasetLocation::of).toList();
        for (DatasetLocation l : locations) {
            if (!l.isS3() && !OndaDataset.isOnda(l.local())) {
                continue;
            }
            OndaDataset ds = dataset(l, file);
            for (OndaSignal s : ds.signals()) {
                if (s.file().equals(file)) {
                    return new Found(ds, s);
                }
            }
        }
        throw new RecordingReadException(Reason.MISSING_DATASET, file, null, null, "signals table: no row names this file "
                + "(expected: a sample file named by the file_path of a row of a *" + OndaDataset.SIGNALS_SUFFIXES.get(0)
                + " table under " + (access.isRemote() ? access.location() : access.roots()) + ")", null);
    }

    private Optional<LabelGrid> grid(Found f, String file) {
        String key = f.dataset().location() + "\n" + f.signal().recording();
        Optional<LabelGrid> g = grids.get(key);
        if (g == null) {
            try {
                g = f.dataset().labels(f.signal().recording(), map, epochNanos);
            } catch (LabelException e) {
                throw new RecordingReadException(Reason.BAD_ATTRIBUTE, file, LABELS, null, "recording "
                        + f.signal().recording() + ": " + e.getMessage(), e);
            }
            grids.putIfAbsent(key, g);
        }
        return g;
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
        out.put(datasetOf(f.signal()), grid(f, file).isPresent() ? LABELS : null);
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
        return labels(file, dataset).info(LABELS);
    }

    private LabelGrid labels(String file, String dataset) {
        Found f = find(file);
        if (!LABELS.equals(dataset)) {
            throw new RecordingReadException(Reason.MISSING_DATASET, file, dataset, null, "dataset: " + dataset
                    + " (expected: " + LABELS + ", the label grid of the recording's annotations)", null);
        }
        return grid(f, file).orElseThrow(() -> new RecordingReadException(Reason.MISSING_DATASET, file, dataset, null,
                "labels: recording " + f.signal().recording() + " has no annotation that maps to a stage (expected: "
                        + "annotations in " + f.dataset().annotationTables() + " with a '" + labelColumn + "' the map "
                        + map.describe() + " knows)", null));
    }

    @Override
    public StorageLayout layout(String file, String dataset) {
        if (LABELS.equals(dataset)) {
            labels(file, dataset);
            return null; // a grid built from the annotations, in no file
        }
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
        LabelGrid g = labels(file, dataset);
        int[] values = g.values();
        if (start < 0 || count < 1 || start + count > values.length) {
            throw new RecordingReadException(Reason.OUT_OF_RANGE, file, dataset, new Window(0, 1, start, count),
                    "window: outside the label grid (expected: samples within [0, " + values.length + "))", null);
        }
        int[] row = new int[count];
        System.arraycopy(values, (int) start, row, 0, count);
        return new int[][] {row};
    }

    @Override
    public Executor fetchExecutor() {
        return access.isRemote() ? access.storage().fetchExecutor() : null;
    }

    @Override
    public void close() {
        datasets.clear();
    }
}
