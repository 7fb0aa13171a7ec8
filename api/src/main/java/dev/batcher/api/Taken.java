package dev.batcher.api;

import java.util.Objects;

/** What {@link Batcher#take} gives: a batch and the state after it, or the end of the data. */
public sealed interface Taken permits Taken.Next, Taken.End {

    /**
     * A batch and the state to pass to the next {@code take}.
     *
     * @param batch the batch; the caller owns it and must close it
     * @param state the state after this batch
     */
    record Next(Batch batch, BatchState state) implements Taken {
        /** Checks for nulls. */
        public Next {
            Objects.requireNonNull(batch, "batch");
            Objects.requireNonNull(state, "state");
        }
    }

    /**
     * The end of a finite source: there is no batch at {@code last}.
     *
     * @param last the state after the last batch
     */
    record End(BatchState last) implements Taken {
        /** Checks for nulls. */
        public End {
            Objects.requireNonNull(last, "last");
        }
    }
}
