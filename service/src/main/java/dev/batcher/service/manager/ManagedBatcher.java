package dev.batcher.service.manager;

import dev.batcher.materializers.storage.DatasetLocation;

import dev.batcher.client.Failure;
import dev.batcher.client.BatcherStatus;
import dev.batcher.client.Status;
import dev.batcher.client.BatcherSpec;
import dev.batcher.materializers.iteration.BatchSource;
import dev.batcher.api.BatchState;
import dev.batcher.materializers.iteration.Step;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ItemSpec;
import dev.batcher.client.arena.Arena;
import dev.batcher.service.pool.ArenaSlotBuf;
import dev.batcher.service.pool.ArenaTarget;
import dev.batcher.service.pool.Job;
import dev.batcher.service.pool.JobFailedException;
import dev.batcher.service.pool.Materialized;
import dev.batcher.service.pool.Worker;
import dev.batcher.service.pool.WorkerLostException;
import dev.batcher.service.pool.WorkerPool;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.stream.Collectors;
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
    /** Where the dataset lives, for naming files as workers report them. */
    private final DatasetLocation location;
    /** The workers' object-storage requests when this batcher last started (loop-confined). */
    private long objectRequestsAtStart;
    private final BatchSource source;
    private final WorkerPool pool;
    private final EventExecutor loop;
    private final RetryPolicy retryPolicy;
    private final LongSupplier ticker;
    private final LongSupplier jobIds;
    private final Runnable pumpTask = this::pump;
    private final ArenaFactory arenas;
    /** The shared-memory arena, made at the first dispatch to a worker that shares memory; closed by stop. */
    private Arena arena;
    private boolean arenaTried;
    /** Slots of {@link #arena} withheld because a lost worker may still write into them. */
    private int quarantined;

    private Status status = Status.STOPPED;
    private Failure failure;
    private int generation;
    private final Deque<Entry> window = new ArrayDeque<>();
    private final Deque<Taker> takers = new ArrayDeque<>();
    private BatchState cursor;
    private boolean ended;
    private BatchState doneState;
    private int capacity;

    private long produced;
    private long taken;
    private long retries;
    private long redispatched;
    private long restarts;
    private long takeWaitNanos;
    private long startedAt;
    private long takenSinceStart;

    /** A batch between iteration and take: dispatched, in flight, waiting to retry, or done. */
    private static final class Entry {
        final BatchState prev;
        final BatchState next;
        final BatchSpec spec;
        final boolean end;
        int failures;
        Materialized result;
        WorkerPool.Slot slot;
        ArenaTarget target;
        long jobId;
        String worker;
        boolean needsDispatch;
        ScheduledFuture<?> retryTimer;

        Entry(BatchState prev, BatchState next, BatchSpec spec, boolean end) {
            this.prev = prev;
            this.next = next;
            this.spec = spec;
            this.end = end;
        }
    }

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
        this.arenas = Objects.requireNonNull(arenas, "arenas");
        this.name = Objects.requireNonNull(name, "name");
        this.spec = Objects.requireNonNull(spec, "spec");
        this.location = locate(spec.dataset());
        this.source = Objects.requireNonNull(source, "source");
        this.pool = Objects.requireNonNull(pool, "pool");
        this.loop = pool.loop();
        this.retryPolicy = Objects.requireNonNull(retryPolicy, "retryPolicy");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.jobIds = Objects.requireNonNull(jobIds, "jobIds");
    }

    /** Returns the batcher's name. */
    public String name() {
        return name;
    }

    /** Returns what the batcher serves. */
    public BatcherSpec spec() {
        return spec;
    }

    private <T> CompletableFuture<T> onLoop(java.util.function.Supplier<T> action) {
        CompletableFuture<T> f = new CompletableFuture<>();
        Runnable r = () -> {
            try {
                f.complete(action.get());
            } catch (RuntimeException | Error e) {
                f.completeExceptionally(e);
            }
        };
        if (loop.inEventLoop()) {
            r.run();
        } else {
            try {
                loop.execute(r);
            } catch (RejectedExecutionException e) {
                f.completeExceptionally(new NotRunningException(name, Status.CLOSED));
            }
        }
        return f;
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
            closeArena();
            generation++;
            if (status != Status.FAILED) {
                status = Status.CLOSED;
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
        return onLoop(this::snapshot);
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
        capacity = spec.capacity() != null ? spec.capacity() : 2 * Math.max(1, pool.slots()) + 1;
        startedAt = ticker.getAsLong();
        objectRequestsAtStart = pool.storageTotals().requests();
        takenSinceStart = 0;
        pump();
    }

    private void clearWindow() {
        for (Entry e : window) {
            if (e.result != null) {
                e.result.release();
                e.result = null;
            }
            if (e.slot != null) {
                e.slot.worker().cancel(e.jobId);
            }
            if (e.retryTimer != null) {
                e.retryTimer.cancel(false);
            }
        }
        window.clear();
    }

    private void pump() {
        if (status != Status.RUNNING) {
            return;
        }
        for (Entry e : window) {
            if (e.needsDispatch) {
                WorkerPool.Slot slot = pool.acquire(files(e.spec));
                if (slot == null) {
                    pool.awaitSlot(pumpTask);
                    return;
                }
                dispatch(e, slot);
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
                fail(failureOf(ex, "manager", cursor, null, 1), cursor);
                return;
            }
            if (step instanceof Step.Next next) {
                Entry e = new Entry(cursor, next.state(), next.spec(), false);
                window.add(e);
                cursor = next.state();
                dispatch(e, pool.acquire(files(e.spec)));
            } else {
                window.add(new Entry(cursor, null, null, true));
                ended = true;
                serveTakers();
            }
        }
    }

    private static DatasetLocation locate(String dataset) {
        try {
            return DatasetLocation.parse(dataset);
        } catch (dev.batcher.materializers.storage.StorageException e) {
            return DatasetLocation.of(java.nio.file.Path.of(dataset).toAbsolutePath());
        }
    }

    /**
     * Names a batch's files as workers report them (for locality): {@code s3://bucket/prefix/file} for
     * object storage, the path under the dataset directory otherwise.
     */
    private Set<String> files(BatchSpec batch) {
        Set<String> files = new LinkedHashSet<>();
        for (ItemSpec item : batch.items()) {
            files.add(location.describe(item.file()));
        }
        return files;
    }

    private void dispatch(Entry e, WorkerPool.Slot slot) {
        e.slot = slot;
        e.needsDispatch = false;
        e.jobId = jobIds.getAsLong();
        e.worker = slot.worker().name();
        e.target = slot.worker().sharesMemory() ? arenaSlot(e.spec) : null;
        int gen = generation;
        Job job = new Job(e.jobId, name, spec.dataset(), spec.options(), e.spec, e.target);
        CompletableFuture<Materialized> f;
        try {
            f = slot.worker().submit(job);
        } catch (RuntimeException ex) {
            f = CompletableFuture.failedFuture(ex);
        }
        f.whenComplete((result, error) -> {
            try {
                loop.execute(() -> onDone(gen, e, result, error));
            } catch (RejectedExecutionException closed) {
                if (result != null) {
                    result.release();
                }
            }
        });
    }

    private ArenaTarget arenaSlot(BatchSpec first) {
        if (arena == null && !arenaTried) {
            arenaTried = true;
            try {
                arena = arenas.create(spec, first, capacity + HELD_SLOTS);
            } catch (RuntimeException ex) {
                log.warn("batcher '{}': no shared-memory arena, batches travel as buffers: {}", name, ex.toString());
            }
            if (arena != null) {
                log.info("batcher '{}': shared-memory {}", name, arena);
            }
        }
        if (arena == null) {
            return null;
        }
        int i = arena.acquire();
        return i < 0 ? null : new ArenaTarget(arena, i);
    }

    private void closeArena() {
        if (arena != null) {
            try {
                arena.close();
            } catch (RuntimeException ex) {
                log.warn("batcher '{}': {}", name, ex.toString());
            }
            arena = null;
        }
        arenaTried = false;
        quarantined = 0;
    }

    /**
     * Withholds the slot of a job whose worker was lost: the worker's process may be alive (stopped
     * past the heartbeat timeout, say) and finish writing there later, over whatever batch the slot
     * then holds. The slot returns to the free list once the daemon has seen that process exit, and
     * never if the daemon did not start it; the job is dispatched again with another slot, or over TCP.
     */
    private void quarantine(ArenaTarget t, Worker lost) {
        CompletableFuture<?> exit = lost.processExit();
        if (t.arena() != arena) {
            return; // the arena was closed (its file deleted): the slot is gone with it
        }
        quarantined++;
        log.warn("batcher '{}': withholding slot {} of {} ({} withheld): worker {} was lost while it held the slot {}", name,
                t.slot(), t.arena().path(), quarantined, lost.name(), exit == null
                        ? "and is not a process this daemon started; the slot stays unused until the batcher stops"
                        : "and its process may still write into it; the slot returns when the process has exited");
        if (exit != null) {
            exit.whenComplete((v, x) -> {
                try {
                    loop.execute(() -> unquarantine(t, lost));
                } catch (RejectedExecutionException closed) {
                    // The manager is closing: its arenas go with it.
                }
            });
        }
    }

    private void unquarantine(ArenaTarget t, Worker exited) {
        if (t.arena() != arena) {
            return; // released with its arena
        }
        quarantined--;
        t.release();
        log.info("batcher '{}': slot {} is free again: the process of worker {} has exited", name, t.slot(), exited.name());
    }

    /**
     * Returns how many slots of the batcher's arena are withheld because the worker that held them
     * was lost while its process may still write into them (see {@code docs/protocol.md} section 13.3).
     */
    public CompletableFuture<Integer> quarantinedSlots() {
        return onLoop(() -> quarantined);
    }

    private void onDone(int gen, Entry e, Materialized result, Throwable error) {
        Worker worker = null;
        if (e.slot != null) {
            worker = e.slot.worker();
            pool.release(e.slot);
            e.slot = null;
        }
        if (e.target != null) {
            // The job is over: a result written into the slot owns it now; a lost worker's slot is withheld;
            // otherwise (a failure, or a result sent as a payload) the slot returns to the arena.
            if (error != null && unwrap(error) instanceof WorkerLostException && worker != null) {
                quarantine(e.target, worker);
            } else if (!(result != null && result.payload() instanceof ArenaSlotBuf b && b.target().equals(e.target))) {
                e.target.release();
            }
            e.target = null;
        }
        if (gen != generation || status != Status.RUNNING) {
            if (result != null) {
                result.release();
            }
            return;
        }
        if (error != null) {
            Throwable cause = unwrap(error);
            if (cause instanceof WorkerLostException lost) {
                log.warn("batcher '{}': {}; sending batch {} to another worker", name, lost.getMessage(), e.prev);
                redispatched++;
                e.needsDispatch = true;
                pump();
                return;
            }
            e.failures++;
            if (e.failures > retryLimit() || !retryPolicy.retries(cause)) {
                // A deterministic failure (bad spec, missing channel, corrupt data) would fail every attempt.
                fail(failureOf(cause, e.worker, e.prev, e.spec, e.failures), e.prev);
                return;
            }
            retries++;
            long delay = retryPolicy.delayNanos(e.failures);
            log.warn("batcher '{}': batch {} failed on worker {} (attempt {} of {}), retrying in {} ms: {}", name, e.prev,
                    e.worker, e.failures, retryLimit() + 1, delay / 1_000_000, cause.toString());
            e.retryTimer = loop.schedule(() -> {
                e.retryTimer = null;
                if (gen == generation && status == Status.RUNNING) {
                    e.needsDispatch = true;
                    pump();
                }
            }, delay, TimeUnit.NANOSECONDS);
            return;
        }
        e.result = result;
        produced++;
        serveTakers();
        pump();
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private int retryLimit() {
        return spec.retries() != null ? spec.retries() : 4;
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

    static Failure failureOf(Throwable cause, String worker, BatchState state, BatchSpec spec, int attempts) {
        String batch = spec == null ? "(not iterated)"
                : spec.items().stream().map(ItemSpec::describe).collect(Collectors.joining("; "));
        if (cause instanceof JobFailedException j) {
            return new Failure(j.remoteClass(), j.remoteMessage(), j.remoteStack(), j.worker(), String.valueOf(state), batch,
                    attempts);
        }
        StringWriter w = new StringWriter();
        cause.printStackTrace(new PrintWriter(w));
        return new Failure(cause.getClass().getName(), String.valueOf(cause.getMessage()), w.toString(), worker,
                String.valueOf(state), batch, attempts);
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
                    takeWaitNanos += ticker.getAsLong() - t.since;
                    t.promise.complete(new TakeOutcome.End(doneState));
                    continue;
                }
                log.warn("batcher '{}' is done at {}; restarting at the requested state {}", name, doneState, t.state);
                restarts++;
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
                restarts++;
                restart(t.state);
                continue;
            }
            Entry head = window.peekFirst();
            if (head == null || (!head.end && head.result == null)) {
                return;
            }
            window.pollFirst();
            takers.pollFirst();
            takeWaitNanos += ticker.getAsLong() - t.since;
            if (head.end) {
                status = Status.DONE;
                doneState = head.prev;
                t.promise.complete(new TakeOutcome.End(head.prev));
            } else {
                Materialized result = head.result;
                head.result = null;
                taken++;
                takenSinceStart++;
                if (!t.promise.complete(new TakeOutcome.Next(result, head.next, head.prev))) {
                    result.release();
                }
                pump();
            }
        }
    }

    private BatcherStatus snapshot() {
        int buffered = 0;
        int inFlight = 0;
        boolean undispatched = false;
        for (Entry e : window) {
            if (e.result != null) {
                buffered++;
            }
            if (e.slot != null) {
                inFlight++;
            }
            undispatched |= e.needsDispatch;
        }
        boolean waiting = status == Status.RUNNING && pool.workers() == 0
                && (undispatched || (!ended && window.size() < capacity));
        double seconds = (ticker.getAsLong() - startedAt) / 1e9;
        WorkerPool.StorageTotals storage = pool.storageTotals();
        return new BatcherStatus(name, status, failure, expected() == null ? null : expected().toString(), produced, taken,
                buffered, inFlight, capacity, retries, redispatched, restarts, pool.workers(), pool.slots(), waiting,
                status == Status.RUNNING && seconds > 0 ? takenSinceStart / seconds : 0.0, takeWaitNanos / 1e9,
                pool.workerRestarts(), storage.requests(), storage.bytesFetched(),
                status == Status.RUNNING && seconds > 0 ? (storage.requests() - objectRequestsAtStart) / seconds : 0.0,
                storage.hitRatio());
    }
}
