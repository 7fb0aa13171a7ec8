package dev.batcher.service.pool;

import java.util.concurrent.CompletableFuture;

/**
 * Something that materialises jobs: an in-process thread pool or a worker process on the far end of
 * a connection. It may run up to {@link #slots()} jobs at once.
 */
public interface Worker {

    /** Returns the worker's name, unique in its pool, for status and error messages. */
    String name();

    /** Returns how many jobs the worker runs at once. */
    int slots();

    /**
     * Returns true if the worker can write into the daemon's shared-memory arenas (it runs on the
     * daemon's host), so jobs sent to it should carry an {@link ArenaTarget}.
     */
    default boolean sharesMemory() {
        return false;
    }

    /**
     * Returns a future that completes once the worker's process has exited (so it can no longer
     * write into shared memory), or null if the daemon does not supervise that process (a worker
     * started by someone else). A batcher withholds the slot of a job whose worker was lost until
     * then: a lost worker may be alive (stopped, say) and still write into it.
     */
    default CompletableFuture<?> processExit() {
        return null;
    }

    /**
     * Starts a job.
     *
     * @param job the job
     * @return completes with the batch (the receiver owns its buffer), or exceptionally with {@link
     *     JobFailedException} if materialisation failed or {@link WorkerLostException} if the worker
     *     went away; may complete on any thread
     */
    CompletableFuture<Materialized> submit(Job job);

    /**
     * Returns what the worker reported about its object-storage reads since the last call (merged),
     * and forgets it; null if nothing. The pool calls it when a job's slot comes back.
     */
    default StorageReport drainStorage() {
        return null;
    }

    /** {@link #lastHeardNanos()} of a worker that cannot fall silent apart from its jobs (one in process). */
    long ALWAYS_HEARD = Long.MAX_VALUE;

    /**
     * Returns when anything (a result, a failure, a heartbeat, part of a frame) last arrived from the
     * worker, in {@link System#nanoTime()}'s time base (the manager's ticker), or {@link #ALWAYS_HEARD}
     * for a worker that cannot fall silent apart from its jobs. A batcher compares it with its
     * head-of-line threshold to tell a frozen or partitioned worker from a slow one.
     */
    default long lastHeardNanos() {
        return ALWAYS_HEARD;
    }

    /**
     * Asks the worker to say something now (a {@code PING}, which its connection answers with
     * {@code PONG} whatever its jobs are doing), so that a worker busy with long jobs is heard from
     * and only a frozen or cut-off one stays silent. Never blocks; a no-op for workers in process.
     */
    default void probe() {
    }

    /**
     * Tells the worker a job's result is no longer wanted. The job's future still completes.
     *
     * @param jobId the job's id
     */
    void cancel(long jobId);
}
