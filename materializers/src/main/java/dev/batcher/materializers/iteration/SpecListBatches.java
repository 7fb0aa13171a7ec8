package dev.batcher.materializers.iteration;

import dev.batcher.api.BatchState;
import dev.batcher.api.BatchSpec;
import java.util.List;

/**
 * A finite source over an explicit list of batch specifications: batch {@code b} is the list's
 * element {@code b}; the state's seed is carried but unused.
 */
public final class SpecListBatches implements BatchSource {
    private final List<BatchSpec> specs;

    /**
     * Creates the source.
     *
     * @param specs the batches, in order (may be empty: the first step is then the end)
     */
    public SpecListBatches(List<BatchSpec> specs) {
        this.specs = List.copyOf(specs);
    }

    /** Returns the batches. */
    public List<BatchSpec> specs() {
        return specs;
    }

    @Override
    public Step next(BatchState state) {
        if (state.batch() >= specs.size()) {
            return new Step.End(state);
        }
        return new Step.Next(specs.get((int) state.batch()), state.next());
    }
}
