package dev.batcher.service.manager;

import dev.batcher.client.BatcherSpec;
import dev.batcher.service.pool.Job;
import dev.batcher.service.pool.Materialized;
import dev.batcher.service.pool.Worker;
import dev.batcher.service.pool.WorkerLostException;
import dev.batcher.service.pool.WorkerPool;
import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;

/**
 * Runs a batcher's jobs on workers: sends a batch's job to a worker slot, with an arena slot when the
 * worker shares memory, and when the job ends returns both slots on the batcher's loop before the
 * batcher sees the outcome. Loop-confined.
 */
final class JobRunner {
    /** What the batcher does with a job's outcome, on its loop, once the job's slots are returned. */
    @FunctionalInterface
    interface Outcome {
        void done(WindowEntry.Attempt attempt, Materialized result, Throwable error);
    }

    private final String name;
    private final BatcherSpec spec;
    private final WorkerPool pool;
    private final EventExecutor loop;
    private final ArenaSlots slots;
    private final LongSupplier ticker;
    private final LongSupplier jobIds;

    JobRunner(String name, BatcherSpec spec, WorkerPool pool, ArenaSlots slots, LongSupplier ticker, LongSupplier jobIds) {
        this.name = name;
        this.spec = spec;
        this.pool = pool;
        this.loop = pool.loop();
        this.slots = slots;
        this.ticker = ticker;
        this.jobIds = jobIds;
    }

    /**
     * Sends batch {@code e}'s job to {@code slot} as a new attempt of {@code e}.
     *
     * @param hedge whether the job is a second one for a batch whose first is still running
     * @param arenaSlots how many slots the batcher's arena has, should this make it
     * @param outcome runs on the loop when the job ends (not if the loop has shut down: then a result is released)
     */
    void submit(WindowEntry e, WorkerPool.Slot slot, boolean hedge, int arenaSlots, Outcome outcome) {
        WindowEntry.Attempt a = new WindowEntry.Attempt(slot, jobIds.getAsLong(), ticker.getAsLong(), hedge);
        e.attempts.add(a);
        e.needsDispatch = false;
        e.hedged = hedge;
        e.worker = slot.worker().name();
        a.target = slot.worker().sharesMemory() ? slots.acquire(e.spec, arenaSlots) : null;
        Job job = new Job(a.jobId, name, spec.dataset(), spec.options(), e.spec, a.target);
        CompletableFuture<Materialized> f;
        try {
            f = slot.worker().submit(job);
        } catch (RuntimeException ex) {
            f = CompletableFuture.failedFuture(ex);
        }
        f.whenComplete((result, error) -> {
            try {
                loop.execute(() -> {
                    ended(e, a, result, error);
                    outcome.done(a, result, error);
                });
            } catch (RejectedExecutionException closed) {
                if (result != null) {
                    result.release();
                }
            }
        });
    }

    private void ended(WindowEntry e, WindowEntry.Attempt a, Materialized result, Throwable error) {
        e.attempts.remove(a);
        Worker worker = a.slot.worker();
        pool.release(a.slot);
        if (a.target != null) {
            // The job is over: a result written into the slot owns it now; a lost worker's slot is withheld;
            // otherwise (a failure, or a result sent as a payload) the slot returns to the arena.
            boolean lost = error != null && BatchFailures.unwrap(error) instanceof WorkerLostException;
            slots.jobOver(a.target, result, lost ? worker : null);
            a.target = null;
        }
    }
}
