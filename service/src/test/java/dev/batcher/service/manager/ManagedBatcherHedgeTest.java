package dev.batcher.service.manager;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherSpec;
import dev.batcher.api.BatchState;
import dev.batcher.service.pool.WorkerPool;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Hedged jobs: a job that runs much longer than the batcher's recent jobs (or holds up the stream) is sent to a free slot of
 * another worker too; the first result is the batch, the other is released unseen. The test moves a
 * clock instead of waiting.
 */
@Timeout(30)
class ManagedBatcherHedgeTest {
    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final WorkerPool pool = new WorkerPool(loop);
    private final AtomicLong clock = new AtomicLong(1_000_000_000L);
    private long ids;

    @AfterEach
    void shutdown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static <T> T get(java.util.concurrent.Future<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private ManagedBatcher batcher() {
        BatcherSpec spec = new BatcherSpec("/data", new dev.batcher.api.SourceConfig.Specs(java.util.List.of()),
                null, 2, null);
        return new ManagedBatcher("train", spec, TestSources.source(-1), pool,
                new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(4)), clock::get, () -> ++ids);
    }

    private static long keyOf(TakeOutcome outcome) {
        TakeOutcome.Next next = assertInstanceOf(TakeOutcome.Next.class, outcome);
        long key = next.batch().payload().getLong(0);
        next.batch().release();
        return key;
    }

    /** Takes batches whose jobs all take 10 ms of the clock, so the batcher learns what a normal job costs. */
    private BatchState warmUp(ManagedBatcher b, BatchState s, ScriptedWorker... workers) throws Exception {
        return warmUp(b, s, 10_000_000L, workers);
    }

    /** Takes 12 batches, moving the clock by {@code step} before each job completes. */
    private BatchState warmUp(ManagedBatcher b, BatchState s, long step, ScriptedWorker... workers) throws Exception {
        for (int i = 0; i < 12; i++) {
            clock.addAndGet(step);
            long key = TestSources.key(s);
            holder(s, workers).completeNewestFirst(j -> TestSources.key(j.spec()) == key);
            CompletableFuture<TakeOutcome> f = b.take(s);
            assertEquals(TestSources.key(s), keyOf(get(f)));
            s = ((TakeOutcome.Next) get(f)).state();
        }
        return s;
    }

    /** Returns the worker whose pending jobs include the batch at {@code s}. */
    private static ScriptedWorker holder(BatchState s, ScriptedWorker... workers) {
        return await().atMost(Duration.ofSeconds(5)).until(() -> {
            for (ScriptedWorker w : workers) {
                if (w.pendingJobs().stream().anyMatch(p -> TestSources.key(p.job().spec()) == TestSources.key(s))) {
                    return w;
                }
            }
            return null;
        }, w -> w != null);
    }

    @Test
    void take_jobStragglesOnAFrozenWorker_hedgedToAnotherTheFirstResultWinsTheLateOneIsReleased() throws Exception {
        ScriptedWorker a = new ScriptedWorker("a", 1);
        ScriptedWorker c = new ScriptedWorker("c", 1);
        pool.join(a);
        pool.join(c);
        ManagedBatcher b = batcher();
        BatchState s = BatchState.initial(3);
        get(b.start(s));
        s = warmUp(b, s, a, c);

        ScriptedWorker frozen = holder(s, a, c);
        ScriptedWorker fast = frozen == a ? c : a;
        BatchState head = s;
        fast.completeNewestFirst(j -> TestSources.key(j.spec()) != TestSources.key(head)); // fast is idle now
        await().atMost(Duration.ofSeconds(5)).until(() -> get(b.status()).buffered() == 1);
        assertEquals(0, (int) get(b.checkStragglers()), "not yet: the job has run no longer than the others");

        clock.addAndGet(1_000_000_000L); // the frozen worker's job has now run 1 s against 10 ms for the others
        get(b.checkStragglers()); // (the batcher's own timer may have hedged it already)
        await().atMost(Duration.ofSeconds(5)).until(() -> fast.pendingJobs().stream()
                .anyMatch(p -> TestSources.key(p.job().spec()) == TestSources.key(head)));
        assertEquals(1, get(b.status()).hedged());
        fast.completeNewestFirst(j -> true);
        TakeOutcome.Next first = (TakeOutcome.Next) get(b.take(s));
        assertEquals(TestSources.key(head), first.batch().payload().getLong(0));
        s = first.state();
        first.batch().release();
        long stragglerId = frozen.pendingJobs().stream().filter(p -> TestSources.key(p.job().spec()) == TestSources.key(head))
                .findFirst().orElseThrow().job().id();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            synchronized (frozen) {
                return frozen.cancelled.contains(stragglerId);
            }
        });

        // The straggler finishes late: its result is released, never delivered; the stream goes on in order.
        frozen.completeNewestFirst(j -> true);
        for (int i = 0; i < 4; i++) {
            CompletableFuture<TakeOutcome> f = b.take(s);
            while (!f.isDone()) {
                a.completeNewestFirst(j -> true);
                c.completeNewestFirst(j -> true);
                Thread.onSpinWait();
            }
            assertEquals(TestSources.key(s), keyOf(get(f)));
            s = ((TakeOutcome.Next) get(f)).state();
        }
        assertEquals(1, get(b.status()).hedged());
        get(b.stop());
        for (ScriptedWorker w : new ScriptedWorker[] {a, c}) {
            for (ByteBuf buf : w.created) {
                assertEquals(0, buf.refCnt(), "every result released exactly once");
            }
        }
        assertTrue(frozen.created.size() >= 1);
    }

    @Test
    void take_originalFinishesBeforeItsHedge_hedgeResultReleasedAndCancelled() throws Exception {
        ScriptedWorker a = new ScriptedWorker("a", 1);
        ScriptedWorker c = new ScriptedWorker("c", 1);
        pool.join(a);
        pool.join(c);
        ManagedBatcher b = batcher();
        BatchState s = BatchState.initial(4);
        get(b.start(s));
        s = warmUp(b, s, a, c);
        ScriptedWorker slow = holder(s, a, c);
        ScriptedWorker other = slow == a ? c : a;
        BatchState head = s;
        other.completeNewestFirst(j -> TestSources.key(j.spec()) != TestSources.key(head));
        await().atMost(Duration.ofSeconds(5)).until(() -> get(b.status()).buffered() == 1);
        clock.addAndGet(1_000_000_000L);
        get(b.checkStragglers());
        await().atMost(Duration.ofSeconds(5)).until(() -> other.pendingCount() == 1);

        slow.completeNewestFirst(j -> true); // the original wins after all
        TakeOutcome.Next next = (TakeOutcome.Next) get(b.take(s));
        assertEquals(TestSources.key(head), next.batch().payload().getLong(0));
        next.batch().release();
        long hedgeId = other.pendingJobs().get(0).job().id();
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            synchronized (other) {
                return other.cancelled.contains(hedgeId);
            }
        });
        other.completeNewestFirst(j -> j.id() == hedgeId);
        get(b.stop());
        for (ScriptedWorker w : new ScriptedWorker[] {a, c}) {
            for (ByteBuf buf : w.created) {
                assertEquals(0, buf.refCnt(), "every result released exactly once");
            }
        }
    }

    @Test
    void take_headOfLineStalls_hedgedBelowTheStragglerThreshold() throws Exception {
        ScriptedWorker a = new ScriptedWorker("a", 1);
        ScriptedWorker c = new ScriptedWorker("c", 1);
        pool.join(a);
        pool.join(c);
        ManagedBatcher b = batcher();
        BatchState s = BatchState.initial(5);
        get(b.start(s));
        s = warmUp(b, s, 100_000_000L, a, c); // jobs of 100-200 ms: p95 200 ms
        assertEquals(0, get(b.status()).hedged());
        ScriptedWorker frozen = holder(s, a, c);
        ScriptedWorker fast = frozen == a ? c : a;
        BatchState head = s;
        fast.completeNewestFirst(j -> TestSources.key(j.spec()) != TestSources.key(head));
        await().atMost(Duration.ofSeconds(5)).until(() -> get(b.status()).buffered() == 1);
        assertEquals(0, (int) get(b.checkStragglers()), "not yet: the job has run no longer than the others");

        // The job has now run 400-500 ms: under the straggler threshold (3x the p95, 600 ms) but over the
        // head-of-line one (3x the p95 over 2 slots, 300 ms), and the stream waits for this batch.
        clock.addAndGet(400_000_000L);
        get(b.checkStragglers());
        await().atMost(Duration.ofSeconds(5)).until(() -> fast.pendingJobs().stream()
                .anyMatch(p -> TestSources.key(p.job().spec()) == TestSources.key(head)));
        assertEquals(1, get(b.status()).hedged());
        fast.completeNewestFirst(j -> TestSources.key(j.spec()) == TestSources.key(head));
        TakeOutcome.Next first = (TakeOutcome.Next) get(b.take(s));
        assertEquals(TestSources.key(head), first.batch().payload().getLong(0));
        first.batch().release();
        assertEquals(0, (int) get(b.checkStragglers()), "at most one hedge per job");
        frozen.completeNewestFirst(j -> true);
        get(b.stop());
        fast.completeNewestFirst(j -> true);
        frozen.completeNewestFirst(j -> true);
        // Results that come after the stop are released on the loop, as they arrive.
        await().atMost(Duration.ofSeconds(5)).until(() -> java.util.stream.Stream.of(a, c)
                .flatMap(w -> w.created.stream()).allMatch(buf -> buf.refCnt() == 0));
    }
}
