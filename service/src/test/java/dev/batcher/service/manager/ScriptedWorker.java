package dev.batcher.service.manager;

import dev.batcher.api.BatchShapes;
import dev.batcher.service.pool.Job;
import dev.batcher.service.pool.JobFailedException;
import dev.batcher.service.pool.Materialized;
import dev.batcher.service.pool.Worker;
import dev.batcher.service.pool.WorkerLostException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A worker the test drives by hand: jobs wait until the test completes, fails or loses them. A
 * batch's payload is a function of its spec alone, so the test can check which batch it got.
 */
final class ScriptedWorker implements Worker {
    private final String name;
    private final int slots;
    final Map<Long, Pending> pending = new LinkedHashMap<>();
    final List<ByteBuf> created = new ArrayList<>();
    final List<Long> cancelled = new ArrayList<>();
    int submitted;

    record Pending(Job job, CompletableFuture<Materialized> future) {}

    private final boolean sharesMemory;
    private final CompletableFuture<?> processExit;
    /** The test's clock, or null for a worker that is always heard ({@link Worker#ALWAYS_HEARD}). */
    private final AtomicLong clock;
    private volatile long heard = ALWAYS_HEARD;
    /** A frozen worker answers no probe (its results, if the test completes jobs, still count as heard). */
    volatile boolean frozen;
    int probes;

    /** A worker whose silence the batcher watches: it is heard at {@code clock} on each result and probe it answers. */
    ScriptedWorker(String name, int slots, AtomicLong clock) {
        this.name = name;
        this.slots = slots;
        this.sharesMemory = false;
        this.processExit = null;
        this.clock = clock;
        this.heard = clock.get();
    }

    ScriptedWorker(String name, int slots) {
        this(name, slots, false, null);
    }

    /** A worker on the daemon's host (its jobs carry slots) whose process exit is {@code processExit}. */
    ScriptedWorker(String name, int slots, boolean sharesMemory, CompletableFuture<?> processExit) {
        this.name = name;
        this.slots = slots;
        this.sharesMemory = sharesMemory;
        this.processExit = processExit;
        this.clock = null;
    }

    @Override
    public long lastHeardNanos() {
        return heard;
    }

    @Override
    public synchronized void probe() {
        probes++;
        if (clock != null && !frozen) {
            heard = clock.get();
        }
    }

    /** The worker says something (a PONG, say) now, by the test's clock. */
    void speak() {
        heard = clock.get();
    }

    @Override
    public boolean sharesMemory() {
        return sharesMemory;
    }

    @Override
    public CompletableFuture<?> processExit() {
        return processExit;
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
    public synchronized CompletableFuture<Materialized> submit(Job job) {
        CompletableFuture<Materialized> f = new CompletableFuture<>();
        pending.put(job.id(), new Pending(job, f));
        submitted++;
        return f;
    }

    @Override
    public synchronized void cancel(long jobId) {
        cancelled.add(jobId);
    }

    synchronized int pendingCount() {
        return pending.size();
    }

    synchronized List<Pending> pendingJobs() {
        return new ArrayList<>(pending.values());
    }

    /** Completes the pending jobs that match, newest first, so results arrive out of order. */
    synchronized int completeNewestFirst(Predicate<Job> which) {
        List<Pending> jobs = new ArrayList<>(pending.values());
        java.util.Collections.reverse(jobs);
        int n = 0;
        for (Pending p : jobs) {
            if (which.test(p.job())) {
                pending.remove(p.job().id());
                if (clock != null) {
                    heard = clock.get();
                }
                p.future().complete(payload(p.job()));
                n++;
            }
        }
        return n;
    }

    synchronized int failAll(String message) {
        List<Pending> jobs = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending p : jobs) {
            p.future().completeExceptionally(new JobFailedException(name, "java.io.FileNotFoundException", message,
                    "java.io.FileNotFoundException: " + message + "\n\tat somewhere"));
        }
        return jobs.size();
    }

    /** Fails every pending job as a worker does when the job itself is at fault (a missing channel). */
    synchronized int failAllDeterministically(String message) {
        List<Pending> jobs = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending p : jobs) {
            p.future().completeExceptionally(new JobFailedException(name,
                    "dev.batcher.materializers.assembly.ItemException", message, "stack", true));
        }
        return jobs.size();
    }

    synchronized void loseAll() {
        List<Pending> jobs = new ArrayList<>(pending.values());
        pending.clear();
        for (Pending p : jobs) {
            p.future().completeExceptionally(new WorkerLostException(name, "killed by the test"));
        }
    }

    private Materialized payload(Job job) {
        ByteBuf buf = Unpooled.buffer(8).writeLong(TestSources.key(job.spec()));
        created.add(buf);
        return new Materialized(new BatchShapes(new int[] {1}, new int[] {1}), buf);
    }
}
