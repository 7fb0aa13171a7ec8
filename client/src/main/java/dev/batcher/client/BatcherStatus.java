package dev.batcher.client;

/**
 * A batcher's status and metrics at one moment.
 *
 * @param name the batcher's name
 * @param status its life-cycle state
 * @param failure why it failed, or null
 * @param state where it stands: the state the next {@code take} should pass (after a failure, the failed
 *     batch's state; null before a start)
 * @param produced batches materialised since it was created
 * @param taken batches taken by clients
 * @param buffered materialised batches waiting to be taken
 * @param inFlight batches being materialised
 * @param capacity the most batches buffered plus in flight
 * @param retries materialisations retried after a failure
 * @param redispatched jobs sent to another worker because theirs was lost
 * @param restarts restarts caused by a {@code take} at a state other than where it stood
 * @param workers workers in the pool
 * @param slots worker slots in the pool
 * @param waitingForWorkers true if it has work to dispatch but the pool has no workers
 * @param batchesPerSecond batches taken per second since the last start
 * @param takeWaitSeconds total time clients spent waiting in {@code take}
 * @param workerRestarts local worker processes the daemon started in place of ones that exited
 *     (daemon-wide: the same figure for every batcher)
 * @param objectRequests HTTP requests the workers sent to object storage, retries included (daemon-wide,
 *     as the workers last reported)
 * @param objectBytesFetched object bytes the workers received (daemon-wide)
 * @param objectRequestsPerSecond object-storage requests per second since this batcher's last start
 * @param cacheHitRatio of the windows read through the workers' file caches, the share that needed no
 *     download (daemon-wide; 0 before any)
 * @param hedged jobs sent to a second worker because they ran long against the batcher's recent jobs,
 *     held up the stream or sat on a silent worker (the first result wins; a straggling or frozen
 *     worker then does not stall the stream)
 */
public record BatcherStatus(
        String name,
        Status status,
        Failure failure,
        String state,
        long produced,
        long taken,
        int buffered,
        int inFlight,
        int capacity,
        long retries,
        long redispatched,
        long restarts,
        int workers,
        int slots,
        boolean waitingForWorkers,
        double batchesPerSecond,
        double takeWaitSeconds,
        long workerRestarts,
        long objectRequests,
        long objectBytesFetched,
        double objectRequestsPerSecond,
        double cacheHitRatio,
        long hedged) {

    /** A status without hedged jobs (as from a daemon that does not hedge). */
    public BatcherStatus(String name, Status status, Failure failure, String state, long produced, long taken, int buffered,
            int inFlight, int capacity, long retries, long redispatched, long restarts, int workers, int slots,
            boolean waitingForWorkers, double batchesPerSecond, double takeWaitSeconds, long workerRestarts,
            long objectRequests, long objectBytesFetched, double objectRequestsPerSecond, double cacheHitRatio) {
        this(name, status, failure, state, produced, taken, buffered, inFlight, capacity, retries, redispatched, restarts,
                workers, slots, waitingForWorkers, batchesPerSecond, takeWaitSeconds, workerRestarts, objectRequests,
                objectBytesFetched, objectRequestsPerSecond, cacheHitRatio, 0);
    }
}
