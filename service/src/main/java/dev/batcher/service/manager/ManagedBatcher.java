package dev.batcher.service.manager;

import dev.batcher.client.Failure;
import dev.batcher.client.BatcherStatus;
import dev.batcher.client.Status;
import dev.batcher.client.BatcherSpec;
import dev.batcher.materializers.iteration.BatchSource;
import dev.batcher.api.BatchState;
import dev.batcher.materializers.iteration.Step;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.service.pool.ArenaTarget;
import dev.batcher.service.pool.Materialized;
import dev.batcher.service.pool.Worker;
import dev.batcher.service.pool.WorkerPool;
import io.netty.util.concurrent.EventExecutor;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One named batcher on the manager (OndaBatches' {@code start_batching} and {@code _feed_jobs!}):
 * it iterates batch states, dispatches each spec to a free worker slot, collects results in any
 * order and hands them to {@code take} strictly in iteration order. Buffered plus in-flight batches
 * never exceed its capacity.
 *
 * <p>All state lives on the manager's event loop; the public methods may be called from any thread
 * and return futures. Nothing about a batch's content depends on which worker ran it, how long it
 * took, how often it was retried or whether its worker died: results are keyed by their place in
 * the iteration.
 */
public final class ManagedBatcher {
    private static final Logger log = LoggerFactory.getLogger(ManagedBatcher.class);
    /**
     * Arena slots beyond the capacity, for batches clients hold (taken, not yet closed). When every
     * slot is taken a batch travels as a buffer instead, so a client holding many only loses the
     * shared-memory path, never progress.
     */
    public static final int HELD_SLOTS = 4;

    private final String name;
    private final BatcherSpec spec;
    /** Names a batch's files as workers report them, for locality. */
    private final BatchFiles files;
    private final BatchSource source;
    private final WorkerPool pool;
    private final EventExecutor loop;
    /** Retries, redispatches or fails a batch whose job failed. */
    private final BatchFailures failures;
    private final LongSupplier ticker;
    /** Sends jobs to workers and returns their slots when they end. */
    private final JobRunner jobs;
    private final Runnable pumpTask = this::pump;
    /** The shared-memory slots batches are written into for workers on this host; closed by stop. */
    private final ArenaSlots slots;

    private Status status = Status.STOPPED;
    /** The ticker's time when a stop made it CLOSED, or {@link #NOT_CLOSED}; read by the manager off the loop. */
    private volatile long closedAt = NOT_CLOSED;
    private Failure failure;
    private int generation;
    private final Deque<WindowEntry> window = new ArrayDeque<>();
    private final Deque<Taker> takers = new ArrayDeque<>();
    private BatchState cursor;
    private boolean ended;
    private BatchState doneState;
    private int capacity;

    private final BatcherMetrics metrics = new BatcherMetrics();
    /** When to send a job to a second worker: recent job times, thresholds, the timer. */
    private final StragglerPolicy stragglers;
    private final Hedger hedger;

    private record Taker(BatchState state, CompletableFuture<TakeOutcome> promise, long since) {}

    /**
     * Creates a stopped batcher.
     *
     * @param name its name
     * @param spec what it serves
     * @param source the source built from {@code spec} against the dataset
     * @param pool the manager's worker pool (its loop is this batcher's loop)
     * @param retryPolicy the backoff between retries
     * @param ticker nanoseconds for metrics, such as {@code System::nanoTime}
     * @param jobIds a source of unique job ids, shared by the manager's batchers
     */
    public ManagedBatcher(String name, BatcherSpec spec, BatchSource source, WorkerPool pool, RetryPolicy retryPolicy,
            LongSupplier ticker, LongSupplier jobIds) {
        this(name, spec, source, pool, retryPolicy, ticker, jobIds, ArenaFactory.NONE);
    }

    /**
     * Creates a stopped batcher that puts batches in shared memory when its workers share memory.
     *
     * @param name its name
     * @param spec what it serves
     * @param source the source built from {@code spec} against the dataset
     * @param pool the manager's worker pool (its loop is this batcher's loop)
     * @param retryPolicy the backoff between retries
     * @param ticker nanoseconds for metrics, such as {@code System::nanoTime}
     * @param jobIds a source of unique job ids, shared by the manager's batchers
     * @param arenas makes the batcher's arena; its slots are the capacity plus {@value #HELD_SLOTS}
     *     batches that clients may hold
     */
    public ManagedBatcher(String name, BatcherSpec spec, BatchSource source, WorkerPool pool, RetryPolicy retryPolicy,
            LongSupplier ticker, LongSupplier jobIds, ArenaFactory arenas) {
        this.name = Objects.requireNonNull(name, "name");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.files = new BatchFiles(spec.dataset());
        this.source = Objects.requireNonNull(source, "source");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.loop = pool.loop();
        this.failures = new BatchFailures(name, Objects.requireNonNull(retryPolicy, "retryPolicy"), spec.retries(), loop, metrics);
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        Objects.requireNonNull(jobIds, "jobIds");
        this.slots = new ArenaSlots(name, spec, Objects.requireNonNull(arenas, "arenas"), loop);
        this.jobs = new JobRunner(name, spec, pool, slots, ticker, jobIds);
        this.stragglers = new StragglerPolicy(loop, !DatasetLocation.parse(spec.dataset()).isS3());
        this.hedger = new Hedger(name, stragglers, pool, files, metrics, ticker);
    }

    /** Returns the batcher's name. */
    public String name() {
        return name;
    }

    /** Returns what the batcher serves. */
    public BatcherSpec spec() {
        return spec;
    }

    /** {@link #closedAt()} of a batcher that is not CLOSED. */
    static final long NOT_CLOSED = Long.MIN_VALUE;

    /** Returns the ticker's time when a stop made it CLOSED (a second stop keeps the first), or {@link #NOT_CLOSED}. */
    long closedAt() {
        return closedAt;
    }

    private <T> CompletableFuture<T> onLoop(java.util.function.Supplier<T> action) {
        return OnLoop.call(loop, name, action);
    }

    /**
     * Starts batching at {@code state}. On a running batcher this is a warning and a no-op.
     *
     * @param state where to start
     * @return true if it started, false if it was already running
     */
    public CompletableFuture<Boolean> start(BatchState state) {
        Objects.requireNonNull(state, "state");
        return onLoop(() -> {
            if (status == Status.RUNNING) {
                log.warn("batcher '{}' is already running at {}; stop it before starting it again", name, expected());
                return false;
            }
            log.info("starting batcher '{}' at {}", name, state);
            restart(state);
            return true;
        });
    }

    /**
     * Stops batching: closes the channel, releases every buffered batch and cancels in-flight jobs
     * (their slots return to the pool as they finish). Idempotent. Status becomes CLOSED, or stays
     * FAILED.
     *
     * @return completes when the batcher has stopped
     */
    public CompletableFuture<Void> stop() {
        return onLoop(() -> {
            log.info("stopping batcher '{}'", name);
            clearWindow();
            slots.close();
            generation++;
            if (status != Status.FAILED) {
                status = Status.CLOSED;
                if (closedAt == NOT_CLOSED) {
                    closedAt = ticker.getAsLong();
                }
            }
            serveTakers();
            return null;
        });
    }

    /**
     * Takes the batch at {@code state}. If the batcher does not stand at {@code state}, it logs a
     * warning and restarts there (O(1) in iteration) first.
     *
     * @param state the state the caller holds
     * @return the batch and its states, or the end; fails with {@link BatcherFailedException} at once
     *     if the batcher failed (even with good batches buffered), or {@link NotRunningException} if
     *     it is stopped or closed with nothing buffered. Cancelling the future before it completes
     *     withdraws the take without consuming a batch.
     */
    public CompletableFuture<TakeOutcome> take(BatchState state) {
        Objects.requireNonNull(state, "state");
        CompletableFuture<TakeOutcome> promise = new CompletableFuture<>();
        onLoop(() -> {
            takers.add(new Taker(state, promise, ticker.getAsLong()));
            serveTakers();
            return null;
        }).whenComplete((v, e) -> {
            if (e != null) {
                promise.completeExceptionally(e);
            }
        });
        return promise;
    }

    /** Returns the batcher's status and metrics. */
    public CompletableFuture<BatcherStatus> status() {
        return onLoop(() -> metrics.snapshot(name, status, failure, expected(), window, ended, capacity, pool, ticker));
    }

    private BatchState expected() {
        return window.isEmpty() ? cursor : window.peekFirst().prev;
    }

    private void restart(BatchState state) {
        clearWindow();
        generation++;
        cursor = state;
        ended = false;
        doneState = null;
        failure = null;
        status = Status.RUNNING;
        closedAt = NOT_CLOSED;
        capacity = spec.capacity() != null ? spec.capacity() : 2 * Math.max(1, pool.slots()) + 1;
        metrics.started(ticker.getAsLong(), pool);
        pump();
    }

    private void clearWindow() {
        for (WindowEntry e : window) {
            if (e.result != null) {
                e.result.release();
                e.result = null;
            }
            for (WindowEntry.Attempt a : e.attempts) {
                a.slot.worker().cancel(a.jobId);
            }
            if (e.retryTimer != null) {
                e.retryTimer.cancel(false);
            }
        }
        window.clear();
        stragglers.cancel();
    }

    private void pump() {
        if (status != Status.RUNNING) {
            return;
        }
        // A free slot goes to a batch the stream is stuck on before it goes to a new batch.
        hedgeStragglers();
        for (WindowEntry e : window) {
            if (e.needsDispatch) {
                WorkerPool.Slot slot = pool.acquire(files.of(e.spec));
                if (slot == null) {
                    pool.awaitSlot(pumpTask);
                    return;
                }
                dispatch(e, slot, false);
            }
        }
        while (!ended && window.size() < capacity) {
            if (!pool.hasFreeSlot()) {
                pool.awaitSlot(pumpTask);
                return;
            }
            Step step;
            try {
                step = source.next(cursor);
            } catch (RuntimeException ex) {
                fail(BatchFailures.failureOf(ex, "manager", cursor, null, 1), cursor);
                return;
            }
            if (step instanceof Step.Next next) {
                WindowEntry e = new WindowEntry(cursor, next.state(), next.spec(), false);
                window.add(e);
                cursor = next.state();
                dispatch(e, pool.acquire(files.of(e.spec)), false);
            } else {
                window.add(new WindowEntry(cursor, null, null, true));
                ended = true;
                serveTakers();
            }
        }
    }

    private void dispatch(WindowEntry e, WorkerPool.Slot slot, boolean hedge) {
        int gen = generation;
        jobs.submit(e, slot, hedge, capacity + HELD_SLOTS, (a, result, error) -> onDone(gen, e, a, result, error));
        hedger.dispatched(hedge);
        armStragglerTimer();
    }

    /**
     * Returns the median duration of the batcher's recent jobs (up to 64, from dispatch to result, as
     * its hedging rules see them), for benchmarks that state a stall in job times.
     *
     * @return the median in nanoseconds, or -1 before 8 jobs have produced their batch
     */
    public CompletableFuture<Long> medianJobNanos() {
        return onLoop(stragglers::median);
    }

    /**
     * Returns how many slots of the batcher's arena are withheld because the worker that held them
     * was lost while its process may still write into them (see {@code docs/protocol.md} section 13.3).
     */
    public CompletableFuture<Integer> quarantinedSlots() {
        return onLoop(slots::quarantined);
    }

    private void onDone(int gen, WindowEntry e, WindowEntry.Attempt a, Materialized result, Throwable error) {
        // The job's worker slot and arena slot are back (JobRunner): now its outcome.
        Worker worker = a.slot.worker();
        if (gen != generation || status != Status.RUNNING || e.settled) {
            // Stopped, restarted, or the other job of a hedged batch won: this result is never delivered.
            if (result != null) {
                result.release();
            }
            return;
        }
        if (error != null && !e.attempts.isEmpty()) {
            // The other job of a hedged batch is still running: its result (or failure) decides.
            log.info("batcher '{}': one job of hedged batch {} ended without a result on worker {} ({}); the other goes on",
                    name, e.prev, worker.name(), BatchFailures.unwrap(error).toString());
            return;
        }
        if (error != null) {
            Failure f = failures.onJobFailed(e, BatchFailures.unwrap(error), () -> gen == generation && status == Status.RUNNING,
                    pumpTask);
            if (f != null) {
                fail(f, e.prev);
            }
            return;
        }
        e.result = result;
        e.settled = true;
        metrics.produced++;
        long now = ticker.getAsLong();
        hedger.produced(worker, now - a.startedNanos, now);
        for (WindowEntry.Attempt other : e.attempts) {
            other.slot.worker().cancel(other.jobId); // its result, if it still comes, is released unseen
        }
        serveTakers();
        pump();
    }

    /** Checks for stragglers while jobs are in flight, a few times per hedge threshold. */
    private void armStragglerTimer() {
        if (status != Status.RUNNING) {
            return;
        }
        int gen = generation;
        stragglers.arm(pool.slots(), () -> {
            if (gen != generation || status != Status.RUNNING) {
                return;
            }
            // pump, not only hedges: a silent worker heard from again (a PONG, no result) takes jobs again.
            pump();
            if (window.stream().anyMatch(e -> !e.attempts.isEmpty())) {
                armStragglerTimer();
            }
        });
    }

    /** Sends the jobs that have run too long to another worker as well; returns how many. */
    private int hedgeStragglers() {
        return status != Status.RUNNING ? 0
                : hedger.hedge(window, ended || window.size() >= capacity, (e, slot) -> dispatch(e, slot, true));
    }

    /**
     * Hedges the jobs that have run too long now, as the batcher's timer does (for tests that move a
     * clock instead of waiting).
     *
     * @return how many jobs were hedged
     */
    CompletableFuture<Integer> checkStragglers() {
        return onLoop(this::hedgeStragglers);
    }

    private void fail(Failure f, BatchState failedAt) {
        log.warn("batcher '{}' failed: {}", name, f.describe());
        failure = f;
        status = Status.FAILED;
        clearWindow();
        generation++;
        // status reports expected() as "the state the next take should pass": after a failure that
        // is the failed batch's state, not how far iteration had run ahead of it.
        cursor = failedAt;
        ended = false;
        serveTakers();
    }

    private void serveTakers() {
        while (!takers.isEmpty()) {
            Taker t = takers.peekFirst();
            if (t.promise.isDone()) {
                // Cancelled by its client (a timeout): it must not consume a batch.
                takers.pollFirst();
                continue;
            }
            if (status == Status.FAILED) {
                takers.pollFirst().promise.completeExceptionally(new BatcherFailedException(name, failure));
                continue;
            }
            if (status == Status.DONE) {
                if (t.state.equals(doneState)) {
                    takers.pollFirst();
                    metrics.takeWaitNanos += ticker.getAsLong() - t.since;
                    t.promise.complete(new TakeOutcome.End(doneState));
                    continue;
                }
                log.warn("batcher '{}' is done at {}; restarting at the requested state {}", name, doneState, t.state);
                metrics.restarts++;
                restart(t.state);
                continue;
            }
            if (status != Status.RUNNING) {
                takers.pollFirst().promise.completeExceptionally(new NotRunningException(name, status));
                continue;
            }
            if (!t.state.equals(expected())) {
                log.warn("batcher '{}': requested state {} does not match the batcher's state {}; restarting at {}", name,
                        t.state, expected(), t.state);
                metrics.restarts++;
                restart(t.state);
                continue;
            }
            WindowEntry head = window.peekFirst();
            if (head == null || (!head.end && head.result == null)) {
                return;
            }
            window.pollFirst();
            takers.pollFirst();
            metrics.takeWaitNanos += ticker.getAsLong() - t.since;
            if (head.end) {
                status = Status.DONE;
                doneState = head.prev;
                t.promise.complete(new TakeOutcome.End(head.prev));
            } else {
                Materialized result = head.result;
                head.result = null;
                metrics.tookBatch();
                if (!t.promise.complete(new TakeOutcome.Next(result, head.next, head.prev))) {
                    result.release();
                }
                pump();
            }
        }
    }
}
