package dev.batcher.service.manager;

import dev.batcher.service.pool.WorkerPool;
import dev.batcher.service.pool.Worker;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the jobs that {@link StragglerPolicy} judges too slow, and all the jobs of a worker that
 * {@link SilentWorkers} finds silent, to a free slot of another worker as well (once per dispatch,
 * within the {@link HedgeBudget}); the first valid result wins. Results are a function of the batch
 * alone, so either is the batch. Loop-confined.
 */
final class Hedger {
    // The batcher's logger: these lines are the batcher's story.
    private static final Logger log = LoggerFactory.getLogger(ManagedBatcher.class);

    private final String name;
    private final StragglerPolicy stragglers;
    private final SilentWorkers silence = new SilentWorkers();
    private final HedgeBudget budget = new HedgeBudget();
    private final WorkerPool pool;
    private final BatchFiles files;
    private final BatcherMetrics metrics;
    private final LongSupplier ticker;
    /** Refusals of the budget already logged, so a storm logs one line per 64 refusals, not one per check. */
    private long refusalsLogged;

    Hedger(String name, StragglerPolicy stragglers, WorkerPool pool, BatchFiles files, BatcherMetrics metrics,
            LongSupplier ticker) {
        this.name = name;
        this.stragglers = stragglers;
        this.pool = pool;
        this.files = files;
        this.metrics = metrics;
        this.ticker = ticker;
    }

    /** Records a job that produced its batch: its duration, and that its worker spoke at {@code now}. */
    void produced(Worker worker, long ranNanos, long now) {
        stragglers.record(ranNanos);
        silence.resultFrom(worker, now);
    }

    /** Records a dispatched job, for the budget. */
    void dispatched(boolean hedge) {
        budget.dispatched(hedge);
    }

    /**
     * Hedges the jobs of {@code window} that have run too long now, and the jobs of silent workers.
     *
     * @param window the batcher's batches, in iteration order
     * @param stuck whether no new batch can take a free slot (the window is full, or iteration has ended): then
     *     the head of line's hedge costs no other batch its slot and is sent whatever the budget says, or a
     *     stream stuck on its head would wait for dispatches to refill the budget, and none come
     * @param dispatch sends a batch's job to a slot as a hedge
     * @return how many jobs were hedged
     */
    int hedge(Collection<WindowEntry> window, boolean stuck, BiConsumer<WindowEntry, WorkerPool.Slot> dispatch) {
        if (stragglers.p95() < 0) {
            return 0;
        }
        int parallelism = pool.slots();
        long now = ticker.getAsLong();
        long threshold = stragglers.headThreshold(parallelism);
        for (Worker w : silence.judge(window, now, threshold, pool)) {
            if (pool.suspect(w)) {
                log.warn("batcher '{}': worker {} has sent nothing for {} ms, not even a heartbeat, while other workers"
                        + " returned results (head-of-line threshold {} ms); hedging its jobs and sending it no new ones"
                        + " until it is heard from again", name, w.name(), (now - w.lastHeardNanos()) / 1_000_000,
                        threshold / 1_000_000);
            }
        }
        List<StragglerPolicy.Pick> picks = new ArrayList<>();
        for (WindowEntry e : window) {
            if (!e.settled && !e.hedged && e.attempts.size() == 1 && pool.isSuspect(e.attempts.get(0).slot.worker())) {
                picks.add(new StragglerPolicy.Pick(e, now - e.attempts.get(0).startedNanos, StragglerPolicy.Reason.SILENT_WORKER, 0));
            }
        }
        for (StragglerPolicy.Pick p : stragglers.pick(window, now, parallelism)) {
            if (picks.stream().noneMatch(q -> q.entry() == p.entry())) {
                picks.add(p);
            }
        }
        WindowEntry head = null;
        for (WindowEntry e : window) {
            if (e.result == null && !e.end) {
                head = e;
                break;
            }
        }
        int sent = 0;
        for (StragglerPolicy.Pick p : picks) {
            WindowEntry e = p.entry();
            WindowEntry.Attempt a = e.attempts.get(0);
            if (!(stuck && e == head) && !budget.allows()) {
                if (budget.refused() - refusalsLogged >= HedgeBudget.WINDOW || refusalsLogged == 0) {
                    refusalsLogged = budget.refused();
                    log.warn("batcher '{}': batch {} has run {} ms on worker {} ({}), but {} of its last {} jobs were hedges"
                            + " already (the most allowed); not hedging it ({} hedges refused so far)", name, e.prev,
                            p.ranNanos() / 1_000_000, a.slot.worker().name(), stragglers.describe(p, parallelism),
                            budget.hedgesInWindow(), HedgeBudget.WINDOW, budget.refused());
                }
                continue; // the head of line, later in the picks, may still go
            }
            WorkerPool.Slot slot = pool.acquireOther(files.of(e.spec), a.slot.worker());
            if (slot == null) {
                break; // no other worker has a free slot
            }
            metrics.hedged++;
            log.info("batcher '{}': batch {} has run {} ms on worker {} ({}; p95 of recent jobs {} ms);"
                    + " sending it to worker {} as well, the first result wins", name, e.prev, p.ranNanos() / 1_000_000,
                    a.slot.worker().name(), stragglers.describe(p, parallelism), stragglers.p95() / 1_000_000,
                    slot.worker().name());
            dispatch.accept(e, slot);
            sent++;
        }
        return sent;
    }
}
