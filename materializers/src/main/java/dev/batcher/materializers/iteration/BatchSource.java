package dev.batcher.materializers.iteration;

import dev.batcher.api.BatchState;

/**
 * Turns a state into a batch specification and the next state, or into the end of the data.
 *
 * <p>Implementations are pure functions of their configuration and the state: the same source and
 * state give the same step in any JVM, on any machine, in any thread, at any time. They are
 * immutable and safe to share between threads.
 */
public interface BatchSource {

    /**
     * Iterates one batch.
     *
     * @param state where the source stands
     * @return the batch at {@code state} and the state after it, or the end of the data
     * @throws IterationException if the state is not one this source can be at (for example a
     *     negative or foreign position)
     */
    Step next(BatchState state);
}
