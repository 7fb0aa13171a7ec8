package dev.batcher.service.manager;

import dev.batcher.api.BatchSpec;
import dev.batcher.api.BatchState;
import dev.batcher.service.pool.ArenaTarget;
import dev.batcher.service.pool.Materialized;
import dev.batcher.service.pool.WorkerPool;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;

/**
 * A batch of a {@link ManagedBatcher}'s ordered window, between iteration and take: dispatched, in
 * flight, waiting to retry, or done. Loop-confined.
 */
final class WindowEntry {
    final BatchState prev;
    final BatchState next;
    final BatchSpec spec;
    final boolean end;
    int failures;
    Materialized result;
    /** Jobs of this batch in flight: one, or two once hedged; the first valid result wins. */
    final List<Attempt> attempts = new ArrayList<>(2);
    /** A result was accepted: any later result of this batch is a duplicate, released unseen. */
    boolean settled;
    /** A second job was sent for the current dispatch. */
    boolean hedged;
    String worker;
    boolean needsDispatch;
    ScheduledFuture<?> retryTimer;

    WindowEntry(BatchState prev, BatchState next, BatchSpec spec, boolean end) {
        this.prev = prev;
        this.next = next;
        this.spec = spec;
        this.end = end;
    }

    /** One job of a batch on one worker slot. */
    static final class Attempt {
        final WorkerPool.Slot slot;
        final long jobId;
        final long startedNanos;
        final boolean hedge;
        ArenaTarget target;

        Attempt(WorkerPool.Slot slot, long jobId, long startedNanos, boolean hedge) {
            this.slot = slot;
            this.jobId = jobId;
            this.startedNanos = startedNanos;
            this.hedge = hedge;
        }
    }
}
