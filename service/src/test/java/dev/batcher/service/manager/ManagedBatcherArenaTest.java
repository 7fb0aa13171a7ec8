package dev.batcher.service.manager;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.arena.Arena;
import dev.batcher.client.BatcherSpec;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.service.pool.Job;
import dev.batcher.service.pool.WorkerPool;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batcher's shared-memory slots when workers are lost: the slot a lost worker held is withheld
 * (its process may still write there) until the daemon has seen that process exit, and never handed
 * to another job before; with every slot withheld, batches still flow without one (over TCP).
 */
@Timeout(30)
class ManagedBatcherArenaTest {
    @TempDir
    Path dir;

    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final WorkerPool pool = new WorkerPool(loop);
    private final RetryPolicy fastRetries = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(4));
    private volatile Arena arena;
    private long ids;

    @AfterEach
    void shutdown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        if (arena != null) {
            arena.close();
        }
    }

    private ManagedBatcher batcher(int capacity) {
        BatcherSpec spec = new BatcherSpec("/data", new SourceConfig.Specs(List.of()), null, capacity, 0);
        return new ManagedBatcher("train", spec, TestSources.source(-1), pool, fastRetries, System::nanoTime, () -> ++ids,
                (s, first, slots) -> arena = Arena.create(dir, 1, slots, 4096));
    }

    private static <T> T get(java.util.concurrent.Future<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    /** Takes the batch at {@code s} while {@code w} answers its jobs (recording them); checks it and returns the next state. */
    private static BatchState take(ManagedBatcher b, ScriptedWorker w, BatchState s, List<Job> jobs) throws Exception {
        CompletableFuture<TakeOutcome> f = b.take(s);
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            for (ScriptedWorker.Pending p : w.pendingJobs()) {
                jobs.add(p.job());
            }
            w.completeNewestFirst(j -> true);
            return f.isDone();
        });
        TakeOutcome.Next next = assertInstanceOf(TakeOutcome.Next.class, get(f));
        try {
            assertEquals(TestSources.key(s), next.batch().payload().getLong(0), "the batch at " + s);
        } finally {
            next.batch().release();
        }
        return next.state();
    }

    @Test
    void take_workerLostHoldingASlot_slotIsNotReusedUntilItsProcessExits() throws Exception {
        CompletableFuture<Void> doomedExit = new CompletableFuture<>();
        ScriptedWorker doomed = new ScriptedWorker("doomed", 1, true, doomedExit);
        pool.join(doomed);
        ManagedBatcher b = batcher(2);
        BatchState s = BatchState.initial(4);
        get(b.start(s));
        await().atMost(Duration.ofSeconds(5)).until(() -> doomed.pendingCount() == 1);
        Job held = doomed.pendingJobs().get(0).job();
        assertNotNull(held.target(), "a worker on the daemon's host gets a slot");
        int lostSlot = held.target().slot();
        int slots = arena.slots();

        pool.leave(doomed);
        doomed.loseAll();
        await().atMost(Duration.ofSeconds(5)).until(() -> get(b.quarantinedSlots()) == 1);

        ScriptedWorker rescuer = new ScriptedWorker("rescuer", 2, true, CompletableFuture.completedFuture(null));
        pool.join(rescuer);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 3 * slots; i++) {
            s = take(b, rescuer, s, jobs);
        }
        assertTrue(jobs.stream().anyMatch(j -> j.spec().equals(held.spec())), "the lost batch went to the rescuer");
        for (Job j : jobs) {
            assertNotNull(j.target(), "slots remain for the others");
            assertNotEquals(lostSlot, j.target().slot(), "job " + j.id() + " got the lost worker's slot");
        }
        assertEquals(1, get(b.quarantinedSlots()));
        assertEquals(1, get(b.status()).redispatched());

        // The daemon sees the process exit: the slot is free again and is the first handed out.
        doomedExit.complete(null);
        await().atMost(Duration.ofSeconds(5)).until(() -> get(b.quarantinedSlots()) == 0);
        List<Job> later = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            s = take(b, rescuer, s, later);
        }
        assertTrue(later.stream().anyMatch(j -> j.target() != null && j.target().slot() == lostSlot),
                "the slot is used again: " + later.stream().map(j -> j.target().slot()).toList());
        get(b.stop());
        assertEquals(0, get(b.quarantinedSlots()));
    }

    @Test
    void take_everySlotWithheldByLostWorkersNotStartedByTheDaemon_batchesFlowWithoutSlots() throws Exception {
        ManagedBatcher b = batcher(1);
        BatchState s = BatchState.initial(8);
        int slots = -1;
        for (int i = 0; slots < 0 || i < slots; i++) {
            ScriptedWorker doomed = new ScriptedWorker("doomed-" + i, 1, true, null);
            pool.join(doomed);
            if (i == 0) {
                get(b.start(s));
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> doomed.pendingCount() == 1);
            assertNotNull(doomed.pendingJobs().get(0).job().target(), "slot " + i + " is free");
            slots = arena.slots();
            pool.leave(doomed);
            doomed.loseAll();
            int withheld = i + 1;
            await().atMost(Duration.ofSeconds(5)).until(() -> get(b.quarantinedSlots()) == withheld);
        }
        assertEquals(0, arena.free());
        ScriptedWorker rescuer = new ScriptedWorker("rescuer", 1, true, null);
        pool.join(rescuer);
        List<Job> jobs = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            s = take(b, rescuer, s, jobs);
        }
        for (Job j : jobs) {
            assertNull(j.target(), "no slot is free: the batch travels as a buffer");
        }
        assertEquals(slots, get(b.status()).redispatched());
        get(b.stop());
    }
}
