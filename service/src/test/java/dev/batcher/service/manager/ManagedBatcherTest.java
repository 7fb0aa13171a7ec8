package dev.batcher.service.manager;

import dev.batcher.client.BatcherStatus;
import dev.batcher.client.Status;
import dev.batcher.client.BatcherSpec;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.api.BatchState;
import dev.batcher.service.pool.WorkerPool;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class ManagedBatcherTest {
    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final WorkerPool pool = new WorkerPool(loop);
    private final RetryPolicy fastRetries = new RetryPolicy(Duration.ofMillis(1), Duration.ofMillis(4));
    private long ids;

    @AfterEach
    void shutdown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private ManagedBatcher batcher(long n, Integer capacity, Integer retries) {
        BatcherSpec spec = new BatcherSpec("/data", new dev.batcher.api.SourceConfig.Specs(java.util.List.of()),
                null, capacity, retries);
        return new ManagedBatcher("train", spec, TestSources.source(n), pool, fastRetries, System::nanoTime, () -> ++ids);
    }

    private static <T> T get(java.util.concurrent.Future<T> f) throws Exception {
        return f.get(10, TimeUnit.SECONDS);
    }

    private static long keyOf(TakeOutcome outcome) {
        TakeOutcome.Next next = assertInstanceOf(TakeOutcome.Next.class, outcome);
        ByteBuf payload = next.batch().payload();
        long key = payload.getLong(0);
        next.batch().release();
        return key;
    }

    @Test
    void take_resultsArriveOutOfOrder_batchesComeInIterationOrder() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 3);
        pool.join(w);
        ManagedBatcher b = batcher(-1, null, null);
        BatchState s = BatchState.initial(5);
        assertTrue(get(b.start(s)));
        for (int i = 0; i < 20; i++) {
            CompletableFuture<TakeOutcome> f = b.take(s);
            completeUntilDone(w, f);
            TakeOutcome out = get(f);
            assertEquals(TestSources.key(s), keyOf(out));
            assertEquals(s, ((TakeOutcome.Next) out).previous());
            s = ((TakeOutcome.Next) out).state();
        }
        assertEquals(new BatchState(5, 20), s);
        get(b.stop());
    }

    @Test
    void start_slowClient_bufferedPlusInFlightNeverExceedCapacity() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 8);
        pool.join(w);
        ManagedBatcher b = batcher(-1, 3, null);
        get(b.start(BatchState.initial(1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> w.pendingCount() == 3);
        w.completeNewestFirst(j -> true);
        BatcherStatus st = await().atMost(Duration.ofSeconds(5)).until(() -> get(b.status()), x -> x.buffered() == 3);
        assertEquals(0, st.inFlight());
        assertEquals(3, w.submitted, "nothing more was dispatched while the buffer was full");
        keyOf(get(b.take(BatchState.initial(1))));
        await().atMost(Duration.ofSeconds(5)).until(() -> w.pendingCount() == 1);
        assertEquals(4, w.submitted);
        get(b.stop());
    }

    @Test
    void take_failureThenSuccess_retriesWithBackoffAndKeepsTheSequence() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 1);
        pool.join(w);
        ManagedBatcher b = batcher(-1, 1, 4);
        BatchState s = BatchState.initial(2);
        get(b.start(s));
        CompletableFuture<TakeOutcome> f = b.take(s);
        for (int attempt = 0; attempt < 3; attempt++) {
            await().atMost(Duration.ofSeconds(5)).until(() -> w.pendingCount() == 1);
            w.failAll("transient");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> w.pendingCount() == 1);
        w.completeNewestFirst(j -> true);
        assertEquals(TestSources.key(s), keyOf(get(f)));
        assertEquals(3, get(b.status()).retries());
        get(b.stop());
    }

    @Test
    void take_deterministicFailure_failsAfterOneAttemptWhileATransientOneIsRetried() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 1);
        pool.join(w);
        ManagedBatcher transientFailure = batcher(-1, 1, 4);
        BatchState s = BatchState.initial(8);
        get(transientFailure.start(s));
        CompletableFuture<TakeOutcome> f = transientFailure.take(s);
        await().atMost(Duration.ofSeconds(5)).until(() -> w.pendingCount() == 1);
        w.failAll("f0.h5: Input/output error");
        await().atMost(Duration.ofSeconds(5)).until(() -> w.pendingCount() == 1);
        assertEquals(2, w.submitted, "a transient failure is tried again");
        w.completeNewestFirst(j -> true);
        assertEquals(TestSources.key(s), keyOf(get(f)));
        assertEquals(1, get(transientFailure.status()).retries());
        get(transientFailure.stop());
        w.completeNewestFirst(j -> true); // the job it ran ahead with; its slot returns when it ends
        await().atMost(Duration.ofSeconds(5)).until(() -> get(loop.submit(pool::freeSlots)) == 1);

        int before = w.submitted;
        ManagedBatcher deterministic = new ManagedBatcher("eval", transientFailure.spec(), TestSources.source(-1), pool,
                fastRetries, System::nanoTime, () -> ++ids);
        get(deterministic.start(s));
        await().atMost(Duration.ofSeconds(5)).until(() -> w.pendingCount() == 1);
        w.failAllDeterministically("item 0 (recording r, file f0.h5): channel 'C4' not found");
        BatcherStatus st = await().atMost(Duration.ofSeconds(5)).until(() -> get(deterministic.status()),
                x -> x.status() == Status.FAILED);
        assertEquals(1, st.failure().attempts(), "a deterministic failure is not retried, whatever the retry limit (4)");
        assertEquals(0, st.retries());
        assertEquals(before + 1, w.submitted);
        assertTrue(st.failure().message().contains("channel 'C4' not found"), st.failure().message());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(deterministic.take(s)));
        assertInstanceOf(BatcherFailedException.class, e.getCause());
        get(deterministic.stop());
    }

    @Test
    void take_failsAfterLastRetry_throwsAtOnceEvenWithGoodBatchesBuffered() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 2);
        pool.join(w);
        ManagedBatcher b = batcher(-1, 4, 2);
        BatchState s = BatchState.initial(3);
        get(b.start(s));
        await().atMost(Duration.ofSeconds(5)).until(() -> w.pendingCount() == 2);
        // Batch 0 succeeds; batch 1 fails every time.
        w.completeNewestFirst(j -> TestSources.key(j.spec()) == TestSources.key(new BatchState(3, 0)));
        for (int i = 0; i < 3; i++) {
            await().atMost(Duration.ofSeconds(5)).until(() -> w.pendingJobs().stream()
                    .anyMatch(p -> TestSources.key(p.job().spec()) == TestSources.key(new BatchState(3, 1))));
            w.completeNewestFirst(j -> TestSources.key(j.spec()) != TestSources.key(new BatchState(3, 1)));
            synchronized (w) {
                w.pending.values().removeIf(p -> {
                    if (TestSources.key(p.job().spec()) == TestSources.key(new BatchState(3, 1))) {
                        p.future().completeExceptionally(new dev.batcher.service.pool.JobFailedException("w1",
                                "java.io.FileNotFoundException", "f1.h5 (No such file)", "stack"));
                        return true;
                    }
                    return false;
                });
            }
        }
        BatcherStatus st = await().atMost(Duration.ofSeconds(5)).until(() -> get(b.status()), x -> x.status() == Status.FAILED);
        assertEquals("java.io.FileNotFoundException", st.failure().exceptionClass());
        assertEquals("w1", st.failure().worker());
        assertEquals("seed=3,batch=1", st.failure().state());
        assertTrue(st.failure().batch().contains("file f1.h5"), st.failure().batch());
        assertEquals(3, st.failure().attempts());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class, () -> get(b.take(s)));
        assertInstanceOf(BatcherFailedException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("f1.h5 (No such file)"), e.getCause().getMessage());
        get(b.stop());
        get(b.stop());
        assertEquals(Status.FAILED, get(b.status()).status());
        await().atMost(Duration.ofSeconds(5)).until(() -> get(loop.submit(pool::freeSlots)) == 2);
        w.created.forEach(buf -> assertEquals(0, buf.refCnt(), "every buffer released"));
    }

    @Test
    void status_afterFailure_stateIsTheFailedBatchNotTheIteratorPosition() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 4);
        pool.join(w);
        ManagedBatcher b = batcher(-1, 6, 0);
        BatchState s = BatchState.initial(42);
        get(b.start(s));
        // Batches 0 and 1 are taken; iteration runs ahead to batch 7; then batch 2 fails for good.
        long failing = TestSources.key(new BatchState(42, 2));
        for (int i = 0; i < 2; i++) {
            CompletableFuture<TakeOutcome> f = b.take(s);
            await().atMost(Duration.ofSeconds(5)).until(() -> {
                w.completeNewestFirst(j -> TestSources.key(j.spec()) != failing);
                return f.isDone();
            });
            s = ((TakeOutcome.Next) get(f)).state();
        }
        BatcherStatus running = await().atMost(Duration.ofSeconds(5)).until(() -> {
            w.completeNewestFirst(j -> TestSources.key(j.spec()) != failing);
            return get(b.status());
        }, x -> x.buffered() == 5 && x.inFlight() == 1);
        assertEquals("seed=42,batch=2", running.state());
        w.failAll("f1.h5 (No such file)");
        BatcherStatus st = await().atMost(Duration.ofSeconds(5)).until(() -> get(b.status()), x -> x.status() == Status.FAILED);
        assertEquals("seed=42,batch=2", st.failure().state());
        assertEquals("seed=42,batch=2", st.state(), "the state the next take should pass is the failed batch's");
        get(b.stop());
        assertEquals("seed=42,batch=2", get(b.status()).state());
    }

    @Test
    void take_workerLost_jobsGoToAnotherWorkerAndTheSequenceIsUnchanged() throws Exception {
        ScriptedWorker doomed = new ScriptedWorker("doomed", 2);
        pool.join(doomed);
        ManagedBatcher b = batcher(-1, 5, 0);
        BatchState s = BatchState.initial(4);
        get(b.start(s));
        await().atMost(Duration.ofSeconds(5)).until(() -> doomed.pendingCount() == 2);
        pool.leave(doomed);
        doomed.loseAll();
        BatcherStatus waiting = await().atMost(Duration.ofSeconds(5)).until(() -> get(b.status()), x -> x.waitingForWorkers());
        assertEquals(0, waiting.workers());
        ScriptedWorker rescuer = new ScriptedWorker("rescuer", 2);
        pool.join(rescuer);
        for (int i = 0; i < 6; i++) {
            CompletableFuture<TakeOutcome> f = b.take(s);
            completeUntilDone(rescuer, f);
            TakeOutcome out = get(f);
            assertEquals(TestSources.key(s), keyOf(out));
            s = ((TakeOutcome.Next) out).state();
        }
        assertEquals(2, get(b.status()).redispatched());
        assertEquals(0, get(b.status()).retries());
        get(b.stop());
    }

    @Test
    void take_atAnotherState_restartsThereAndRepeatsTheBatches() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 2);
        pool.join(w);
        ManagedBatcher b = batcher(-1, null, null);
        BatchState init = BatchState.initial(9);
        get(b.start(init));
        long first = takeKey(b, w, init);
        takeKey(b, w, init.next());
        assertEquals(first, takeKey(b, w, init), "taking the initial state again repeats batch 0");
        assertEquals(1, get(b.status()).restarts());
        assertEquals(TestSources.key(new BatchState(9, 40)), takeKey(b, w, new BatchState(9, 40)));
        get(b.stop());
    }

    /** Completes whatever the worker holds until the take is answered: stale jobs free slots for fresh ones. */
    private static void completeUntilDone(ScriptedWorker w, CompletableFuture<?> f) {
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            w.completeNewestFirst(j -> true);
            return f.isDone();
        });
    }

    private static long takeKey(ManagedBatcher b, ScriptedWorker w, BatchState s) throws Exception {
        CompletableFuture<TakeOutcome> f = b.take(s);
        completeUntilDone(w, f);
        return keyOf(get(f));
    }

    @Test
    void take_cancelledWhileWaiting_consumesNoBatch() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 1);
        pool.join(w);
        ManagedBatcher b = batcher(-1, null, null);
        BatchState s = BatchState.initial(6);
        get(b.start(s));
        CompletableFuture<TakeOutcome> gaveUp = b.take(s);
        assertTrue(gaveUp.cancel(false));
        assertEquals(TestSources.key(s), takeKey(b, w, s), "the next take at the same state gets batch 0, no restart");
        assertEquals(0, get(b.status()).restarts());
        get(b.stop());
    }

    @Test
    void take_finiteSource_deliversAllThenEndThenDone() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 2);
        pool.join(w);
        ManagedBatcher b = batcher(5, null, null);
        BatchState s = BatchState.initial(0);
        get(b.start(s));
        for (int i = 0; i < 5; i++) {
            assertEquals(TestSources.key(s), takeKey(b, w, s));
            s = s.next();
        }
        TakeOutcome end = get(b.take(s));
        assertEquals(new TakeOutcome.End(new BatchState(0, 5)), end);
        assertEquals(Status.DONE, get(b.status()).status());
        assertEquals(end, get(b.take(s)), "end again after the end");
    }

    @Test
    void start_onRunning_isANoOp_andStopThenStartGivesAFreshChannel() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 2);
        pool.join(w);
        ManagedBatcher b = batcher(-1, null, null);
        assertEquals(Status.STOPPED, get(b.status()).status());
        assertTrue(get(b.start(BatchState.initial(1))));
        assertFalse(get(b.start(BatchState.initial(2))));
        assertEquals("seed=1,batch=0", get(b.status()).state());
        get(b.stop());
        get(b.stop());
        assertEquals(Status.CLOSED, get(b.status()).status());
        ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> get(b.take(BatchState.initial(1))));
        assertInstanceOf(NotRunningException.class, e.getCause());
        assertTrue(e.getCause().getMessage().contains("call start(state)"), e.getCause().getMessage());
        assertTrue(get(b.start(BatchState.initial(2))));
        assertEquals(TestSources.key(BatchState.initial(2)), takeKey(b, w, BatchState.initial(2)));
        get(b.stop());
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            w.completeNewestFirst(j -> true);
            return get(loop.submit(pool::freeSlots)) == 2;
        });
        w.created.forEach(buf -> assertEquals(0, buf.refCnt()));
    }

    @Test
    void start_everySlotTaken_doesNotDeadlock() throws Exception {
        ScriptedWorker w = new ScriptedWorker("w1", 1);
        pool.join(w);
        ManagedBatcher hog = batcher(-1, null, null);
        get(hog.start(BatchState.initial(1)));
        await().atMost(Duration.ofSeconds(5)).until(() -> w.pendingCount() == 1);
        ManagedBatcher other = new ManagedBatcher("other", hog.spec(), TestSources.source(-1), pool, fastRetries,
                System::nanoTime, () -> ++ids);
        get(other.start(BatchState.initial(2)));
        CompletableFuture<TakeOutcome> f = other.take(BatchState.initial(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> {
            w.completeNewestFirst(j -> true);
            return f.isDone();
        });
        assertEquals(TestSources.key(BatchState.initial(2)), keyOf(get(f)));
        get(hog.stop());
        get(other.stop());
    }
}
