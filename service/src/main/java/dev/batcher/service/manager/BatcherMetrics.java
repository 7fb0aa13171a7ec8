package dev.batcher.service.manager;

import dev.batcher.api.BatchState;
import dev.batcher.client.BatcherStatus;
import dev.batcher.client.Failure;
import dev.batcher.client.Status;
import dev.batcher.service.pool.WorkerPool;
import java.util.Collection;
import java.util.function.LongSupplier;

/**
 * A batcher's counters and the {@link BatcherStatus} built from them and its window. Loop-confined:
 * the batcher counts as it goes and asks for a snapshot on its loop.
 */
final class BatcherMetrics {
    long produced;
    long taken;
    long retries;
    long redispatched;
    long restarts;
    long takeWaitNanos;
    long hedged;
    private long startedAt;
    private long takenSinceStart;
    /** The workers' object-storage requests when this batcher last started. */
    private long objectRequestsAtStart;

    /** Starts the rates afresh: the batcher (re)started at {@code now}. */
    void started(long now, WorkerPool pool) {
        startedAt = now;
        objectRequestsAtStart = pool.storageTotals().requests();
        takenSinceStart = 0;
    }

    /** Counts a batch handed to a client. */
    void tookBatch() {
        taken++;
        takenSinceStart++;
    }

    /**
     * Returns the batcher's status.
     *
     * @param expected the state the next take should pass, or null
     * @param window the batches buffered or in flight, in iteration order
     * @param ended whether iteration has reached the end
     */
    BatcherStatus snapshot(String name, Status status, Failure failure, BatchState expected, Collection<WindowEntry> window,
            boolean ended, int capacity, WorkerPool pool, LongSupplier ticker) {
        int buffered = 0;
        int inFlight = 0;
        boolean undispatched = false;
        for (WindowEntry e : window) {
            if (e.result != null) {
                buffered++;
            }
            if (!e.attempts.isEmpty()) {
                inFlight++;
            }
            undispatched |= e.needsDispatch;
        }
        boolean waiting = status == Status.RUNNING && pool.workers() == 0
                && (undispatched || (!ended && window.size() < capacity));
        double seconds = (ticker.getAsLong() - startedAt) / 1e9;
        WorkerPool.StorageTotals storage = pool.storageTotals();
        return new BatcherStatus(name, status, failure, expected == null ? null : expected.toString(), produced, taken,
                buffered, inFlight, capacity, retries, redispatched, restarts, pool.workers(), pool.slots(), waiting,
                status == Status.RUNNING && seconds > 0 ? takenSinceStart / seconds : 0.0, takeWaitNanos / 1e9,
                pool.workerRestarts(), storage.requests(), storage.bytesFetched(),
                status == Status.RUNNING && seconds > 0 ? (storage.requests() - objectRequestsAtStart) / seconds : 0.0,
                storage.hitRatio(), hedged);
    }
}
