package dev.batcher.service.manager;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.batcher.api.BatchState;
import dev.batcher.service.pool.WorkerPool;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The hedge budget as the hedger applies it, on a window built by hand, on the pool's loop. */
@Timeout(30)
class HedgerTest {
    private static final long MS = 1_000_000L;
    private final DefaultEventExecutor loop = new DefaultEventExecutor();
    private final WorkerPool pool = new WorkerPool(loop);
    private final AtomicLong clock = new AtomicLong(1_000 * MS);
    private final StragglerPolicy stragglers = new StragglerPolicy(loop, true);
    private final BatchFiles files = new BatchFiles("/data");
    private final BatcherMetrics metrics = new BatcherMetrics();
    private final Hedger hedger = new Hedger("train", stragglers, pool, files, metrics, clock::get);

    @AfterEach
    void shutdown() {
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** A window of two batches running on {@code slow} since 100 ms ago (p95 of recent jobs: 10 ms). */
    private List<WindowEntry> window(ScriptedWorker slow) {
        for (int i = 0; i < 20; i++) {
            stragglers.record(10 * MS);
        }
        List<WindowEntry> window = new ArrayList<>();
        BatchState s = BatchState.initial(9);
        for (int i = 0; i < 2; i++) {
            WindowEntry e = new WindowEntry(s, s.next(), TestSources.spec(s), false);
            WorkerPool.Slot slot = pool.acquire(files.of(e.spec));
            assertSame(slow, slot.worker());
            e.attempts.add(new WindowEntry.Attempt(slot, i + 1, clock.get() - 100 * MS, false));
            window.add(e);
            s = s.next();
        }
        return window;
    }

    private void spendBudget() {
        for (int i = 0; i < HedgeBudget.WINDOW; i++) {
            hedger.dispatched(i < HedgeBudget.MAX_HEDGES);
        }
    }

    @Test
    void hedge_budgetSpent_noHedgeWhileNewBatchesCouldUseTheSlots() throws Exception {
        ScriptedWorker slow = new ScriptedWorker("slow", 2);
        ScriptedWorker other = new ScriptedWorker("other", 2);
        pool.join(slow);
        List<WindowEntry> hedged = new ArrayList<>();
        int sent = loop.submit(() -> {
            List<WindowEntry> window = window(slow);
            pool.join(other);
            spendBudget();
            return hedger.hedge(window, false, (e, slot) -> hedged.add(e));
        }).get(10, TimeUnit.SECONDS);
        assertEquals(0, sent, "8 of the last 64 dispatches were hedges");
        assertEquals(0, metrics.hedged);
    }

    @Test
    void hedge_budgetSpentStreamStuck_onlyTheHeadOfLineIsHedged() throws Exception {
        ScriptedWorker slow = new ScriptedWorker("slow", 2);
        ScriptedWorker other = new ScriptedWorker("other", 2);
        pool.join(slow);
        List<WindowEntry> hedged = new ArrayList<>();
        List<WindowEntry> window = new ArrayList<>();
        int sent = loop.submit(() -> {
            window.addAll(window(slow));
            pool.join(other);
            spendBudget();
            return hedger.hedge(window, true, (e, slot) -> hedged.add(e));
        }).get(10, TimeUnit.SECONDS);
        assertEquals(1, sent, "no new batch can use the slot: the head goes, the straggler behind it does not");
        assertSame(window.get(0), hedged.get(0));
        assertEquals(1, metrics.hedged);
    }
}
