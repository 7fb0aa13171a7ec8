package dev.batcher.service.manager;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.api.BatchState;
import dev.batcher.client.BatcherSpec;
import dev.batcher.service.pool.WorkerPool;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A silent worker (frozen or cut off: no result, no answer to a probe) while another worker keeps
 * returning results: all its jobs are hedged at once, it gets no new job until it is heard from
 * again, and it is never dropped. The test moves a clock instead of waiting.
 */
@Timeout(30)
class ManagedBatcherSilenceTest {
    private static final long MS = 1_000_000L;
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

    /** Takes the batch at {@code s}, checks it is that batch, and returns the next state. */
    private static BatchState takeChecked(ManagedBatcher b, BatchState s) throws Exception {
        TakeOutcome.Next next = assertInstanceOf(TakeOutcome.Next.class, get(b.take(s)));
        assertEquals(TestSources.key(s), next.batch().payload().getLong(0), "the batch at " + s);
        next.batch().release();
        return next.state();
    }

    private int pending(ScriptedWorker... ws) {
        int n = 0;
        for (ScriptedWorker w : ws) {
            n += w.pendingCount();
        }
        return n;
    }

    /**
     * Starts {@code b} at {@code s} and takes 16 batches in rounds of 4 jobs that all start and end
     * together: 20 ms of the clock in the first two rounds, 10 ms after (p95 20 ms; with 6 slots the
     * head-of-line threshold is the p95, 20 ms, the straggler threshold 60 ms). Returns with 4 jobs in
     * flight, 2 on each worker, all started at the clock's time.
     */
    private BatchState warmUp(ManagedBatcher b, BatchState s, ScriptedWorker a, ScriptedWorker c) throws Exception {
        get(b.start(s));
        for (int round = 0; round < 4; round++) {
            await().atMost(Duration.ofSeconds(5)).until(() -> pending(a, c) == 4);
            clock.addAndGet(round < 2 ? 20 * MS : 10 * MS);
            a.completeNewestFirst(j -> true);
            c.completeNewestFirst(j -> true);
            for (int i = 0; i < 4; i++) {
                s = takeChecked(b, s);
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> pending(a, c) == 4);
        return s;
    }

    @Test
    void take_workerFallsSilent_allItsJobsHedgedAtOnceNoNewJobsUntilHeardAgainNeverDropped() throws Exception {
        pool.locality(false); // jobs go to the worker with the most free slots, the first on a tie: a, c, a, c
        ScriptedWorker a = new ScriptedWorker("a", 3, clock);
        ScriptedWorker c = new ScriptedWorker("c", 3, clock);
        pool.join(a);
        pool.join(c);
        BatcherSpec spec = new BatcherSpec("/data", new dev.batcher.api.SourceConfig.Specs(List.of()), null, 4, null);
        ManagedBatcher b = new ManagedBatcher("train", spec, TestSources.source(-1), pool,
                new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(4)), clock::get, () -> ++ids);
        BatchState s = warmUp(b, BatchState.initial(7), a, c);
        assertEquals(2, a.pendingCount());
        assertEquals(2, c.pendingCount());
        assertEquals(0, get(b.status()).hedged());

        // a freezes. 6 ms later c returns its two jobs (a is probed: quiet for over a quarter of the threshold).
        a.frozen = true;
        int aSubmitted;
        synchronized (a) {
            aSubmitted = a.submitted;
        }
        clock.addAndGet(6 * MS);
        c.completeNewestFirst(j -> true);
        get(b.checkStragglers());
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            synchronized (a) {
                return a.probes >= 1;
            }
        });
        assertEquals(0, get(b.status()).hedged(), "6 ms of silence is under the head-of-line threshold");

        // 24 ms without a word, the probe unanswered for 18 ms, c's results since: both of a's jobs are hedged
        // at once, not only the head of line (the second has run 24 ms: under the straggler threshold).
        clock.addAndGet(18 * MS);
        get(b.checkStragglers());
        await().atMost(Duration.ofSeconds(5)).until(() -> c.pendingCount() == 2);
        assertEquals(2, get(b.status()).hedged());
        assertTrue(pool.isSuspect(a));
        c.completeNewestFirst(j -> true);
        for (int i = 0; i < 4; i++) {
            s = takeChecked(b, s);
        }

        // New batches go to c only, although a has a free slot; the fourth waits for a slot.
        await().atMost(Duration.ofSeconds(5)).until(() -> c.pendingCount() == 3);
        get(b.checkStragglers());
        synchronized (a) {
            assertEquals(aSubmitted, a.submitted, "no job for a silent worker");
        }
        assertEquals(2, pool.workers(), "silence never drops a worker");

        // a answers (a PONG): it is normal again and gets the waiting batch.
        a.speak();
        await().atMost(Duration.ofSeconds(5)).until(() -> a.pendingCount() == 3);
        assertTrue(!pool.isSuspect(a));

        // Its late results are released unseen; the stream goes on in order.
        a.frozen = false;
        clock.addAndGet(10 * MS);
        a.completeNewestFirst(j -> true);
        c.completeNewestFirst(j -> true);
        for (int i = 0; i < 4; i++) {
            s = takeChecked(b, s);
        }
        assertEquals(2, get(b.status()).hedged());
        get(b.stop());
        a.completeNewestFirst(j -> true);
        c.completeNewestFirst(j -> true);
        await().atMost(Duration.ofSeconds(5)).until(() -> java.util.stream.Stream.of(a, c)
                .flatMap(w -> w.created.stream()).allMatch((ByteBuf buf) -> buf.refCnt() == 0));
    }

    @Test
    void take_slowWorkerAnswersProbes_neverSuspectedOnlyItsHeadHedged() throws Exception {
        pool.locality(false);
        ScriptedWorker a = new ScriptedWorker("a", 3, clock);
        ScriptedWorker c = new ScriptedWorker("c", 3, clock);
        pool.join(a);
        pool.join(c);
        BatcherSpec spec = new BatcherSpec("/data", new dev.batcher.api.SourceConfig.Specs(List.of()), null, 4, null);
        ManagedBatcher b = new ManagedBatcher("train", spec, TestSources.source(-1), pool,
                new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(4)), clock::get, () -> ++ids);
        BatchState s = warmUp(b, BatchState.initial(8), a, c);
        // a is slow but alive: its jobs run on, and it answers every probe.
        clock.addAndGet(6 * MS);
        c.completeNewestFirst(j -> true);
        get(b.checkStragglers());
        clock.addAndGet(18 * MS);
        get(b.checkStragglers());
        clock.addAndGet(12 * MS);
        get(b.checkStragglers());
        assertTrue(!pool.isSuspect(a), "a worker that answers probes is not silent");
        synchronized (a) {
            assertTrue(a.probes >= 1, "probed: " + a.probes);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> get(b.status()).hedged() == 1);
        assertEquals(1, c.pendingCount(), "only the head of line is hedged (the other job has run under the straggler threshold)");
        get(b.stop());
        a.completeNewestFirst(j -> true);
        c.completeNewestFirst(j -> true);
    }
}
