package dev.batcher.samples.sleep;

import dev.batcher.materializers.iteration.BatchSources;
import dev.batcher.client.BatcherSpec;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.Batcher;
import dev.batcher.materializers.assembly.Materializer;

/**
 * Opens {@link LocalBatcher}s: each {@code take} reads and materialises its batch in the calling
 * thread. The spec's dataset directory is loaded (and validated) here, and the batcher owns the open
 * files.
 */
public final class LocalBatcherFactory implements BatcherFactory {
    private final int maxOpenFiles;

    /** Creates a factory whose batchers keep up to 64 files open. */
    public LocalBatcherFactory() {
        this(64);
    }

    /**
     * Creates a factory.
     *
     * @param maxOpenFiles the most files each batcher keeps open
     * @throws IllegalArgumentException if {@code maxOpenFiles < 1}
     */
    public LocalBatcherFactory(int maxOpenFiles) {
        if (maxOpenFiles < 1) {
            throw new IllegalArgumentException("maxOpenFiles: " + maxOpenFiles + " (expected: >= 1)");
        }
        this.maxOpenFiles = maxOpenFiles;
    }

    /**
     * Opens a local batcher over {@code spec}.
     *
     * @throws dev.batcher.materializers.dataset.DatasetException if the dataset does not load
     * @throws dev.batcher.materializers.MaterializerException if the options name an unknown featuriser
     * @throws dev.batcher.materializers.iteration.IterationException if the source does not fit the dataset
     */
    @Override
    public Batcher open(String name, BatcherSpec spec) {
        Dataset dataset = Dataset.load(spec.dataset());
        RecordingFiles files = dataset.openFiles(maxOpenFiles);
        try {
            return new LocalBatcher(BatchSources.build(spec.source(), dataset.signals()),
                    new Materializer(files, spec.options(), Kernels.defaults()), files);
        } catch (RuntimeException e) {
            files.close();
            throw e;
        }
    }
}
