package dev.batcher.service.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.netty.util.concurrent.DefaultEventExecutor;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class WorkerPoolTest {
    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final WorkerPool pool = new WorkerPool(loop);

    @AfterEach
    void shutdown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private <T> T onLoop(Callable<T> c) throws Exception {
        return loop.submit(c).get(10, TimeUnit.SECONDS);
    }

    record Idle(String name, int slots) implements Worker {
        @Override
        public CompletableFuture<Materialized> submit(Job job) {
            return new CompletableFuture<>();
        }

        @Override
        public void cancel(long jobId) {}
    }

    @Test
    void acquire_filesReadRecently_preferTheWorkerThatReadThem() throws Exception {
        onLoop(() -> {
            pool.join(new Idle("a", 2));
            pool.join(new Idle("b", 2));
            WorkerPool.Slot first = pool.acquire(Set.of("night1.h5"));
            WorkerPool.Slot second = pool.acquire(Set.of("night2.h5"));
            assertEquals("a", first.worker().name());
            assertEquals("b", second.worker().name(), "the least loaded worker, when no worker has the files");
            pool.release(first);
            pool.release(second);
            assertEquals("b", pool.acquire(Set.of("night2.h5")).worker().name(), "b read night2.h5");
            assertEquals("a", pool.acquire(Set.of("night1.h5")).worker().name(), "a read night1.h5");
            return null;
        });
    }

    @Test
    void acquire_workerJoinedHoldingTheFiles_getsTheirJobsFromTheStart() throws Exception {
        onLoop(() -> {
            pool.join(new Idle("a", 2));
            pool.join(new Idle("b", 1), List.of("s3://bk/ds/night2.h5")); // rejoined with its cache
            assertEquals("b", pool.acquire(Set.of("s3://bk/ds/night2.h5")).worker().name(),
                    "its cached files are warm: not the least loaded worker, the one holding them");
            assertEquals("b", pool.acquire(Set.of("s3://bk/ds/night2.h5")).worker().name(),
                    "queued there (up to twice its slots) rather than downloaded elsewhere");
            assertEquals("a", pool.acquire(Set.of("s3://bk/ds/night1.h5")).worker().name());
            return null;
        });
    }

    @Test
    void acquireOther_hedge_neverTheWorkerRunningTheJobNorAQueuePlace() throws Exception {
        onLoop(() -> {
            Idle a = new Idle("a", 2);
            pool.join(a);
            pool.join(new Idle("b", 1));
            assertEquals("b", pool.acquireOther(Set.of(), a).worker().name());
            assertNull(pool.acquireOther(Set.of(), a), "b has no free slot, and a is the straggler's worker");
            return null;
        });
    }

    @Test
    void acquire_preferredWorkerFull_goesToAnotherRatherThanWaiting() throws Exception {
        onLoop(() -> {
            pool.join(new Idle("a", 1));
            pool.join(new Idle("b", 1));
            WorkerPool.Slot s1 = pool.acquire(Set.of("x.h5"));
            WorkerPool.Slot s2 = pool.acquire(Set.of("x.h5"));
            assertEquals(Set.of("a", "b"), Set.of(s1.worker().name(), s2.worker().name()));
            assertNull(pool.acquire(Set.of("x.h5")), "no slot left");
            return null;
        });
    }

    @Test
    void release_afterWorkerLeft_dropsTheSlot_andWaitersRunWhenASlotFrees() throws Exception {
        onLoop(() -> {
            Idle a = new Idle("a", 1);
            pool.join(a);
            WorkerPool.Slot s = pool.acquire(List.of());
            int[] woken = {0};
            pool.awaitSlot(() -> woken[0]++);
            pool.leave(a);
            pool.release(s);
            assertEquals(0, pool.slots());
            assertEquals(0, woken[0]);
            pool.join(new Idle("b", 1));
            assertEquals(1, woken[0], "a joining worker wakes the waiters");
            assertThrows(IllegalArgumentException.class, () -> pool.join(new Idle("b", 3)));
            return null;
        });
    }
}
