package dev.batcher.samples.sleep;

import dev.batcher.client.BatcherSpec;
import dev.batcher.api.Batcher;

/**
 * Where the trainer gets its batchers: the seam between the training loop and the data service. The
 * loop only calls {@link Batcher#take} and {@link Batcher#close}, so any implementation with the
 * {@code take(state)} semantics works: {@link LocalBatcherFactory} materialises in this process; a
 * factory over the batcher service creates (or attaches to) a named batcher on the daemon from the
 * same {@link BatcherSpec} and returns its handle.
 */
@FunctionalInterface
public interface BatcherFactory {

    /**
     * Opens a batcher.
     *
     * @param name the batcher's role in the run, {@code train} or {@code valid}; a service factory may
     *     use it (with a run id) to name the batcher on the daemon
     * @param spec the dataset, the batch source and the materialiser options
     * @return the batcher; the caller closes it
     */
    Batcher open(String name, BatcherSpec spec);
}
