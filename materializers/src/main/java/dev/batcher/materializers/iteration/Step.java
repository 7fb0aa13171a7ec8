package dev.batcher.materializers.iteration;

import dev.batcher.api.BatchState;
import dev.batcher.api.BatchSpec;
import java.util.Objects;

/** What a batch source gives for a state: the next batch, or the end of the data. */
public sealed interface Step permits Step.Next, Step.End {

    /**
     * A batch and the state after it.
     *
     * @param spec what the batch holds
     * @param state the state to pass for the batch after this one
     */
    record Next(BatchSpec spec, BatchState state) implements Step {
        /** Checks for nulls. */
        public Next {
            Objects.requireNonNull(spec, "spec");
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * The end of a finite source.
     *
     * @param last the state that produced no batch: the state a client holds after the last batch
     */
    record End(BatchState last) implements Step {
        /** Checks for nulls. */
        public End {
            Objects.requireNonNull(last, "last");
        }
    }
}
