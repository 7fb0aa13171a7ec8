package dev.batcher.service.pool;

import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.BatchSpec;
import java.util.Objects;

/**
 * One materialisation: a batch spec, the dataset directory its files are relative to, and the
 * materialiser options of its batcher.
 *
 * @param id unique within the manager, for correlating results and cancellations
 * @param batcher the name of the batcher the job belongs to (for logs and errors)
 * @param dataset the dataset directory, as the manager knows it
 * @param options the batcher's materialiser options
 * @param spec the batch
 * @param target the shared-memory slot to write the batch into, or null to return it as a buffer; a
 *     worker that cannot reach the arena, or finds the batch bigger than the slot, ignores it
 */
public record Job(long id, String batcher, String dataset, MaterializeOptions options, BatchSpec spec, ArenaTarget target) {
    /** Checks for nulls. */
    public Job {
        Objects.requireNonNull(batcher, "batcher");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(spec, "spec");
    }

    /** Creates a job without a shared-memory slot. */
    public Job(long id, String batcher, String dataset, MaterializeOptions options, BatchSpec spec) {
        this(id, batcher, dataset, options, spec, null);
    }
}
