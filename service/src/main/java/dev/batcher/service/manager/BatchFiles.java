package dev.batcher.service.manager;

import dev.batcher.api.BatchSpec;
import dev.batcher.api.ItemSpec;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.StorageException;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Names a batch's files as workers report them, so the pool can prefer a worker that has them:
 * {@code s3://bucket/prefix/file} for object storage, the path under the dataset directory otherwise.
 */
final class BatchFiles {
    private final DatasetLocation location;

    /** @param dataset the batcher's dataset: an object-storage URI or a directory */
    BatchFiles(String dataset) {
        this.location = locate(dataset);
    }

    private static DatasetLocation locate(String dataset) {
        try {
            return DatasetLocation.parse(dataset);
        } catch (StorageException e) {
            return DatasetLocation.of(Path.of(dataset).toAbsolutePath());
        }
    }

    /** Returns the files of {@code batch}'s items, in item order, each once. */
    Set<String> of(BatchSpec batch) {
        Set<String> files = new LinkedHashSet<>();
        for (ItemSpec item : batch.items()) {
            files.add(location.describe(item.file()));
        }
        return files;
    }
}
