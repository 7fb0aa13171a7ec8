package dev.batcher.service.pool;

import io.netty.buffer.ByteBufAllocator;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;

/**
 * A worker inside the manager's JVM: jobs run on an executor the caller supplies (and sizes to
 * {@code slots}). This is how the manager materialises batches itself when it has no worker
 * processes.
 */
public final class LocalWorker implements Worker {
    /** Reports not yet drained by the pool; guarded by this. */
    private final StorageReport.Pending storage = new StorageReport.Pending();
    private final String name;
    private final int slots;
    private final Executor executor;
    private final MaterializerCache materializers;
    private final ByteBufAllocator allocator;
    /** Jobs submitted and not yet finished, and whether each was cancelled; a late cancel finds nothing. */
    private final java.util.Map<Long, Boolean> live = new ConcurrentHashMap<>();

    /**
     * Creates the worker.
     *
     * @param name its name in the pool
     * @param slots how many jobs run at once ({@code > 0}); the executor must have that many threads
     * @param executor where jobs run
     * @param materializers the materializers, per dataset and options; this lends them its idle slots
     *     ({@link MaterializerCache#lendIdleSlots}), so one cache serves one worker
     * @param allocator where payload buffers come from
     * @throws IllegalArgumentException if {@code slots <= 0}
     * @throws IllegalStateException if {@code materializers} already lend another worker's slots
     */
    public LocalWorker(String name, int slots, Executor executor, MaterializerCache materializers, ByteBufAllocator allocator) {
        if (slots <= 0) {
            throw new IllegalArgumentException("slots: " + slots + " (expected: > 0)");
        }
        this.name = Objects.requireNonNull(name, "name");
        this.slots = slots;
        this.executor = Objects.requireNonNull(executor, "executor");
        this.materializers = Objects.requireNonNull(materializers, "materializers");
        this.allocator = Objects.requireNonNull(allocator, "allocator");
        materializers.lendIdleSlots(slots);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int slots() {
        return slots;
    }

    @Override
    public boolean sharesMemory() {
        return true;
    }

    /** In-process: a job's future completes only after its last write, so nothing can write later. */
    @Override
    public CompletableFuture<?> processExit() {
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Materialized> submit(Job job) {
        CompletableFuture<Materialized> result = new CompletableFuture<>();
        live.put(job.id(), Boolean.FALSE);
        try {
            executor.execute(() -> {
                try {
                    run(job, result);
                } finally {
                    live.remove(job.id());
                }
            });
        } catch (RejectedExecutionException e) {
            live.remove(job.id());
            result.completeExceptionally(new WorkerLostException(name, "its executor is shut down"));
        }
        return result;
    }

    private void run(Job job, CompletableFuture<Materialized> result) {
        if (live.getOrDefault(job.id(), Boolean.FALSE)) {
            result.completeExceptionally(new JobFailedException(name, "java.util.concurrent.CancellationException",
                    "job " + job.id() + " cancelled", ""));
            return;
        }
        try (MaterializerCache.Busy busy = materializers.busy()) {
            Materialized m = Payloads.materialize(materializers.get(job.dataset(), job.options()), job.spec(), allocator,
                    job.target());
            storage.add(materializers.report(job.dataset(), job.spec()));
            result.complete(m);
        } catch (RuntimeException | Error e) {
            result.completeExceptionally(JobFailedException.of(name, e));
        }
    }

    @Override
    public StorageReport drainStorage() {
        return storage.drain();
    }

    @Override
    public void cancel(long jobId) {
        live.computeIfPresent(jobId, (k, v) -> Boolean.TRUE);
    }
}
