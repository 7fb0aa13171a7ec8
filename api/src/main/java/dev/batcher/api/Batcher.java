package dev.batcher.api;


/**
 * Anything a training loop takes batches from: the same-process {@code LocalBatcher} or a handle on
 * a batcher service. The rule is the same for both: {@code take(state)} returns the batch at {@code
 * state} and the state after it, so a loop that stores the state in its checkpoint resumes exactly.
 */
public interface Batcher extends AutoCloseable {

    /**
     * Takes the batch at {@code state}.
     *
     * @param state where the caller stands: the initial state or the state a previous take returned
     * @return the batch and the next state, or the end of the data
     * @throws dev.batcher.materializers.MaterializerException if the batch cannot be materialised
     */
    Taken take(BatchState state);

    /** Releases what the batcher holds. */
    @Override
    void close();
}
