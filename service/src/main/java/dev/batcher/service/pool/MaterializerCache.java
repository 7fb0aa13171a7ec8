package dev.batcher.service.pool;

import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.DatasetRoots;
import dev.batcher.materializers.storage.Storage;
import dev.batcher.materializers.storage.StorageException;
import dev.batcher.service.ServiceException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The materializers of one worker, one per dataset and options, sharing one open-file cache per
 * dataset. It only opens datasets under its configured roots ({@link DatasetRoots}) and refuses jobs
 * that point elsewhere. Datasets in object storage are read through one {@link Storage} (store and
 * bounded file cache) per worker, with the metadata their {@code recordings.json} records.
 */
public final class MaterializerCache implements AutoCloseable {
    private final DatasetRoots roots;
    private final int maxOpenFiles;
    private final Kernels kernels;
    private final Storage storage;
    private final Map<DatasetLocation, RecordingFiles> files = new HashMap<>();
    private final Map<Key, Materializer> materializers = new HashMap<>();
    /** The idle slots lent to batches' reads, or null before {@link #lendIdleSlots}. */
    private volatile IdleSlots idle;

    /** One materialising slot marked busy until closed. */
    public interface Busy extends AutoCloseable {
        @Override
        void close();
    }

    private record Key(DatasetLocation dataset, MaterializeOptions options) {}

    /**
     * Creates the cache, reading object storage through {@link Storage#shared()}.
     *
     * @param roots the directories and {@code s3://} prefixes datasets may live under; empty means any
     * @param maxOpenFiles open HDF5 files kept per dataset
     * @param kernels the numeric kernels
     * @throws ServiceException if a root is malformed or a root directory does not exist
     */
    public MaterializerCache(List<String> roots, int maxOpenFiles, Kernels kernels) {
        this(roots, maxOpenFiles, kernels, null);
    }

    /**
     * Creates the cache.
     *
     * @param roots the directories and {@code s3://} prefixes datasets may live under; empty means any
     * @param maxOpenFiles open HDF5 files kept per dataset
     * @param kernels the numeric kernels
     * @param storage the store and file cache for object storage, or null for {@link Storage#shared()}
     * @throws ServiceException if a root is malformed or a root directory does not exist
     */
    public MaterializerCache(List<String> roots, int maxOpenFiles, Kernels kernels, Storage storage) {
        try {
            this.roots = DatasetRoots.of(roots);
        } catch (StorageException e) {
            throw new ServiceException(e.getMessage(), e);
        }
        this.maxOpenFiles = maxOpenFiles;
        this.kernels = kernels;
        this.storage = storage;
    }

    /** Returns the storage object-storage datasets are read through. */
    public Storage storage() {
        return storage != null ? storage : Storage.shared();
    }

    /**
     * Returns the materializer for a job.
     *
     * @param dataset the job's dataset: a directory or {@code s3://bucket/prefix}
     * @param options the job's options
     * @return the materializer
     * @throws ServiceException if the dataset is not a directory (or prefix) under the configured roots
     * @throws dev.batcher.materializers.dataset.DatasetException if an object-storage dataset's table
     *     cannot be loaded
     */
    public synchronized Materializer get(String dataset, MaterializeOptions options) {
        DatasetLocation location;
        try {
            location = roots.check(dataset, "the worker", "read it");
        } catch (StorageException e) {
            throw new ServiceException(e.getMessage(), e);
        }
        if (!location.isS3() && !Files.isDirectory(location.local())) {
            throw new ServiceException("dataset: " + dataset + " (expected: a directory)");
        }
        IdleSlots helpers = idle;
        return materializers.computeIfAbsent(new Key(location, options), k -> helpers == null
                ? new Materializer(files.computeIfAbsent(location, this::open), options, kernels)
                : new Materializer(files.computeIfAbsent(location, this::open), options, kernels, helpers,
                        helpers.slots() - 1));
    }

    /**
     * Lends this worker's idle materialising slots to the batches it materialises: a batch's items
     * are read in parallel by up to {@code slots - 1} helpers, each only while a slot is idle (see
     * {@link #busy()}). The batches' bytes do not change. Called once, before the first job.
     *
     * @param slots how many jobs this worker runs at once ({@code > 0})
     * @throws IllegalArgumentException if {@code slots <= 0}
     * @throws IllegalStateException if slots were already lent
     */
    public synchronized void lendIdleSlots(int slots) {
        if (idle != null) {
            throw new IllegalStateException("idle slots already lent (" + idle.slots() + ")");
        }
        idle = new IdleSlots(slots);
        materializers.clear(); // made without helpers
    }

    /**
     * Marks one materialising slot busy until the returned handle is closed; a no-op before
     * {@link #lendIdleSlots}. Every job holds one while it materialises.
     */
    public Busy busy() {
        IdleSlots helpers = idle;
        return helpers == null ? () -> { } : helpers.busy();
    }

    /** Returns how many read helpers idle slots have run so far; 0 before {@link #lendIdleSlots}. */
    public long readHelpersStarted() {
        IdleSlots helpers = idle;
        return helpers == null ? 0 : helpers.helpersStarted();
    }

    private RecordingFiles open(DatasetLocation location) {
        if (!location.isS3()) {
            // recordings.json's formats and label grids (EDF recordings' labels live there), no table check.
            return Dataset.openIndexed(location.local(), maxOpenFiles);
        }
        // The table and recordings.json give every file's metadata and layout: no per-item round trip.
        return Dataset.load(location, storage()).openFiles(storage(), maxOpenFiles);
    }

    /**
     * Returns the files of object-storage datasets this worker holds in its file cache, as
     * {@code s3://bucket/key}, sorted; empty if it reads none.
     */
    public Set<String> heldFiles() {
        Storage s = storage != null ? storage : Storage.shared();
        return s.used() ? new TreeSet<>(s.cache().objects()) : Set.of();
    }

    /**
     * Returns the files of object-storage datasets in this worker's file cache, including those a
     * cache directory of an earlier run of the same worker kept (opened if it exists), sorted; empty
     * if it has none. Told to the manager when the worker joins.
     */
    public Set<String> cachedFiles() {
        Storage s = storage != null ? storage : Storage.shared();
        return new TreeSet<>(s.cachedObjects());
    }

    /**
     * Returns what this worker tells the manager after a job over {@code dataset}: which of the job's
     * files its file cache holds, what it evicted since the last report, and its counters; null if the
     * dataset is not in object storage.
     *
     * @param dataset the job's dataset
     * @param spec the job's batch
     */
    public StorageReport report(String dataset, dev.batcher.api.BatchSpec spec) {
        DatasetLocation location;
        try {
            location = DatasetLocation.parse(dataset);
        } catch (StorageException e) {
            return null;
        }
        Storage s = storage();
        if (!location.isS3() || !s.used()) {
            return null;
        }
        java.util.List<String> held = new java.util.ArrayList<>();
        for (var item : spec.items()) {
            String id = location.describe(item.file());
            if (!held.contains(id) && s.cache().holds(id)) {
                held.add(id);
            }
        }
        Storage.Stats st = s.stats();
        return new StorageReport(held, s.cache().drainDropped(), st.requests(), st.bytesFetched(), st.cachedReads(),
                st.cacheHitReads(), st.rangedReads());
    }

    @Override
    public synchronized void close() {
        for (RecordingFiles f : files.values()) {
            f.close();
        }
        files.clear();
        materializers.clear();
        if (idle != null) {
            idle.close();
        }
    }
}
