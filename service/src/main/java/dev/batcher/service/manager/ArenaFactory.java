package dev.batcher.service.manager;

import dev.batcher.client.arena.Arena;
import dev.batcher.client.BatcherSpec;
import dev.batcher.api.BatchSpec;

/**
 * Makes a batcher's shared-memory arena when it first dispatches to a worker that shares memory
 * with the daemon. The daemon's factory sizes the slots from the batcher's spec (the layout of its
 * first batch) and puts the file in its runtime directory.
 */
@FunctionalInterface
public interface ArenaFactory {
    /** A factory that never makes one: every batch travels as a buffer. */
    ArenaFactory NONE = (spec, first, slots) -> null;

    /**
     * Makes an arena.
     *
     * @param spec the batcher's spec
     * @param first the first batch it dispatches, whose layout sizes the slots
     * @param slots how many slots
     * @return the arena, or null for none (shared memory off, or it could not be made: the reason is
     *     logged and batches travel as buffers)
     */
    Arena create(BatcherSpec spec, BatchSpec first, int slots);
}
