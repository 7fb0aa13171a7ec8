package dev.batcher.service.pool;

import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The materialising slots of one worker that are idle at this moment, lent to the batches being
 * materialised as read helpers ({@link dev.batcher.materializers.assembly.Materializer}'s
 * {@code readExecutor}). A slot counts as busy while it runs a job ({@link #busy()}) and while a
 * helper runs; {@link #execute} starts a helper only if fewer than {@code slots} are busy and
 * refuses it otherwise, so helpers never add threads beyond the slots (the batch's own thread
 * reads every item no helper claims, so a refused helper only means less parallelism).
 */
final class IdleSlots implements Executor, AutoCloseable {
    private final int slots;
    private final AtomicInteger busy = new AtomicInteger();
    private final AtomicLong helpersStarted = new AtomicLong();
    private final ExecutorService threads;

    IdleSlots(int slots) {
        if (slots <= 0) {
            throw new IllegalArgumentException("slots: " + slots + " (expected: > 0)");
        }
        this.slots = slots;
        AtomicInteger n = new AtomicInteger();
        this.threads = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "batcher-read-helper-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    int slots() {
        return slots;
    }

    /** Marks one slot busy while a job runs on it. */
    MaterializerCache.Busy busy() {
        busy.incrementAndGet();
        return busy::decrementAndGet;
    }

    /** Returns how many helpers have started so far. */
    long helpersStarted() {
        return helpersStarted.get();
    }

    /**
     * Runs a helper on an idle slot.
     *
     * @throws RejectedExecutionException if no slot is idle or this is closed
     */
    @Override
    public void execute(Runnable helper) {
        for (int b = busy.get(); ; b = busy.get()) {
            if (b >= slots) {
                throw new RejectedExecutionException("no idle slot (" + b + " of " + slots + " busy)");
            }
            if (busy.compareAndSet(b, b + 1)) {
                break;
            }
        }
        try {
            threads.execute(() -> {
                try {
                    helper.run();
                } finally {
                    busy.decrementAndGet();
                }
            });
        } catch (RejectedExecutionException e) {
            busy.decrementAndGet();
            throw e;
        }
        helpersStarted.incrementAndGet();
    }

    @Override
    public void close() {
        threads.shutdown();
    }
}
