package dev.batcher.service.manager;

import dev.batcher.api.BatchState;
import dev.batcher.service.pool.Materialized;

/** What the manager gives a {@code take}: a batch in wire form with its states, or the end. */
public sealed interface TakeOutcome permits TakeOutcome.Next, TakeOutcome.End {

    /**
     * A batch; the receiver owns its payload.
     *
     * @param batch the batch in wire form
     * @param state the state after it
     * @param previous the state before it (the one the take asked for)
     */
    record Next(Materialized batch, BatchState state, BatchState previous) implements TakeOutcome {}

    /**
     * The end of a finite source.
     *
     * @param last the state after the last batch
     */
    record End(BatchState last) implements TakeOutcome {}
}
