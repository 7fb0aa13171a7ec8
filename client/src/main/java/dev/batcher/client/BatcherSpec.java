package dev.batcher.client;

import dev.batcher.api.SourceConfig;
import dev.batcher.api.MaterializeOptions;
import java.util.Objects;

/**
 * What a named batcher serves: a dataset, a batch source over it and how to materialise batches.
 * JSON-serialisable, so clients create batchers over the network and config files declare them.
 *
 * @param dataset the dataset directory, as the daemon and its workers see it
 * @param source the batch source
 * @param options the materialiser options (null: defaults)
 * @param capacity the most batches buffered plus in flight (null: 2 × slots + 1, counted when the
 *     batcher starts)
 * @param retries how many times a failed materialisation is retried (null: 4)
 */
public record BatcherSpec(String dataset, SourceConfig source, MaterializeOptions options, Integer capacity, Integer retries) {
    /**
     * Checks the spec.
     *
     * @throws IllegalArgumentException if the dataset or source is missing, {@code capacity < 1} or
     *     {@code retries < 0}
     */
    public BatcherSpec {
        if (dataset == null || dataset.isBlank()) {
            throw new IllegalArgumentException("dataset: " + dataset + " (expected: a dataset directory)");
        }
        Objects.requireNonNull(source, "source");
        options = options == null ? MaterializeOptions.defaults() : options;
        if (capacity != null && capacity < 1) {
            throw new IllegalArgumentException("capacity: " + capacity + " (expected: >= 1)");
        }
        if (retries != null && retries < 0) {
            throw new IllegalArgumentException("retries: " + retries + " (expected: >= 0)");
        }
    }

    /**
     * Returns a spec with default options, capacity and retries.
     *
     * @param dataset the dataset directory
     * @param source the batch source
     * @return the spec
     */
    public static BatcherSpec of(String dataset, SourceConfig source) {
        return new BatcherSpec(dataset, source, null, null, null);
    }

    /** Returns a copy with these materialiser options. */
    public BatcherSpec withOptions(MaterializeOptions o) {
        return new BatcherSpec(dataset, source, o, capacity, retries);
    }

    /** Returns a copy with this capacity. */
    public BatcherSpec withCapacity(Integer c) {
        return new BatcherSpec(dataset, source, options, c, retries);
    }

    /** Returns a copy with this number of retries. */
    public BatcherSpec withRetries(Integer r) {
        return new BatcherSpec(dataset, source, options, capacity, r);
    }
}
