package dev.batcher.materializers.hdf5;

import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;

import dev.batcher.materializers.storage.FileCache;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * One open HDF5 file with its lease count. The counters are guarded by the owning
 * {@link HandleCache}'s monitor; {@link #dataset} may be called by any number of lease holders at once.
 */
final class Handle {
    /** The real path of a local file, or {@code s3://bucket/key}. */
    final String path;
    final HdfFile file;
    /** The file cache's lease on the local copy of an object, or null for a local file. */
    final FileCache.Lease lease;
    /** Set while the first read after a download has not happened yet (it counts as a cache miss). */
    private final AtomicBoolean unreadDownload;
    private final ConcurrentHashMap<String, Dataset> datasets = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Optional<ContiguousStorage>> storages = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Optional<ContiguousStorage>> labelStorages = new ConcurrentHashMap<>();

    /** Guarded by the cache. */
    int leases;
    /** Guarded by the cache: out of the cache, close at the last lease. */
    boolean retired;
    /** Guarded by the cache: closed (or being closed). */
    boolean closed;

    Handle(String path, HdfFile file, FileCache.Lease lease, boolean downloaded) {
        this.path = path;
        this.file = file;
        this.lease = lease;
        this.unreadDownload = new AtomicBoolean(downloaded);
    }

    /** Tells, once, whether opening this handle downloaded its file; later calls say false. */
    boolean firstReadAfterDownload() {
        return unreadDownload.getAndSet(false);
    }

    /** Returns the jhdf dataset at {@code normalizedPath}, looked up once per handle. */
    Dataset dataset(String normalizedPath, Function<String, Dataset> lookup) {
        Dataset dataset = datasets.get(normalizedPath);
        if (dataset == null) {
            dataset = lookup.apply(normalizedPath);
            Dataset raced = datasets.putIfAbsent(normalizedPath, dataset);
            if (raced != null) {
                dataset = raced;
            }
        }
        return dataset;
    }

    /**
     * Returns the contiguous storage of the dataset at {@code normalizedPath} if the fast path reads it,
     * or {@code null} if jhdf does; worked out once per handle (it reads this handle's channel).
     */
    ContiguousStorage contiguous(String normalizedPath, Dataset dataset) {
        return storage(storages, normalizedPath, () -> ContiguousStorage.of(dataset, file, path));
    }

    /**
     * Returns the contiguous storage of the integer label dataset at {@code normalizedPath} if the fast path
     * reads it ({@link ContiguousStorage#readInts}), or {@code null} if jhdf does; worked out once per handle.
     */
    ContiguousStorage contiguousLabels(String normalizedPath, Dataset dataset) {
        return storage(labelStorages, normalizedPath, () -> ContiguousStorage.ofIntegers(dataset, file, path));
    }

    private static ContiguousStorage storage(ConcurrentHashMap<String, Optional<ContiguousStorage>> known, String normalizedPath,
            java.util.function.Supplier<ContiguousStorage> of) {
        Optional<ContiguousStorage> storage = known.get(normalizedPath);
        if (storage == null) {
            storage = Optional.ofNullable(of.get());
            Optional<ContiguousStorage> raced = known.putIfAbsent(normalizedPath, storage);
            if (raced != null) {
                storage = raced;
            }
        }
        return storage.orElse(null);
    }

    /** Tells whether the file channel is still open (an interrupt during a read closes it for everyone). */
    boolean channelOpen() {
        try {
            return file.getHdfBackingStorage().getFileChannel().isOpen();
        } catch (RuntimeException e) {
            return false;
        }
    }
}
