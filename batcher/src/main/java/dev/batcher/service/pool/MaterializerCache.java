package dev.batcher.service.pool;

import dev.batcher.materializers.hdf5.RecordingFiles;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.materialize.MaterializeOptions;
import dev.batcher.materializers.materialize.Materializer;
import dev.batcher.service.ServiceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The materializers of one worker, one per dataset and options, sharing one open-file cache per
 * dataset. It only opens datasets under its configured roots and refuses jobs that point elsewhere.
 */
public final class MaterializerCache implements AutoCloseable {
    private final List<Path> roots;
    private final int maxOpenFiles;
    private final Kernels kernels;
    private final Map<Path, RecordingFiles> files = new HashMap<>();
    private final Map<Key, Materializer> materializers = new HashMap<>();

    private record Key(Path dataset, MaterializeOptions options) {}

    /**
     * Creates the cache.
     *
     * @param roots the directories datasets may live under; empty means any directory
     * @param maxOpenFiles open HDF5 files kept per dataset
     * @param kernels the numeric kernels
     */
    public MaterializerCache(List<Path> roots, int maxOpenFiles, Kernels kernels) {
        List<Path> real = new ArrayList<>();
        for (Path r : roots) {
            real.add(realPath(r, "dataset root"));
        }
        this.roots = List.copyOf(real);
        this.maxOpenFiles = maxOpenFiles;
        this.kernels = kernels;
    }

    private static Path realPath(Path p, String what) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            throw new ServiceException(what + ": " + p + " (expected: an existing directory): " + e, e);
        }
    }

    /**
     * Returns the materializer for a job.
     *
     * @param dataset the job's dataset directory
     * @param options the job's options
     * @return the materializer
     * @throws ServiceException if the dataset is not a directory under the configured roots
     */
    public synchronized Materializer get(String dataset, MaterializeOptions options) {
        Path dir = realPath(Path.of(dataset), "dataset");
        if (!Files.isDirectory(dir)) {
            throw new ServiceException("dataset: " + dataset + " (expected: a directory)");
        }
        if (!roots.isEmpty() && roots.stream().noneMatch(dir::startsWith)) {
            throw new ServiceException("dataset: " + dataset + " (expected: a directory under the worker's dataset roots "
                    + roots + "); refusing to read it");
        }
        return materializers.computeIfAbsent(new Key(dir, options), k -> new Materializer(
                files.computeIfAbsent(dir, d -> new RecordingFiles(List.of(d), maxOpenFiles)), options, kernels));
    }

    @Override
    public synchronized void close() {
        for (RecordingFiles f : files.values()) {
            f.close();
        }
        files.clear();
        materializers.clear();
    }
}
