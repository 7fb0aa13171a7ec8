package dev.batcher.service.manager;

import dev.batcher.service.pool.WorkerPool;
import java.util.Collection;
import java.util.function.BiConsumer;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the jobs that {@link StragglerPolicy} judges too slow to a free slot of another worker as
 * well (once per dispatch); the first valid result wins. Results are a function of the batch alone,
 * so either is the batch. Loop-confined.
 */
final class Hedger {
    // The batcher's logger: these lines are the batcher's story.
    private static final Logger log = LoggerFactory.getLogger(ManagedBatcher.class);

    private final String name;
    private final StragglerPolicy stragglers;
    private final WorkerPool pool;
    private final BatchFiles files;
    private final BatcherMetrics metrics;
    private final LongSupplier ticker;

    Hedger(String name, StragglerPolicy stragglers, WorkerPool pool, BatchFiles files, BatcherMetrics metrics,
            LongSupplier ticker) {
        this.name = name;
        this.stragglers = stragglers;
        this.pool = pool;
        this.files = files;
        this.metrics = metrics;
        this.ticker = ticker;
    }

    /**
     * Hedges the jobs of {@code window} that have run too long now.
     *
     * @param window the batcher's batches, in iteration order
     * @param dispatch sends a batch's job to a slot as a hedge
     * @return how many jobs were hedged
     */
    int hedge(Collection<WindowEntry> window, BiConsumer<WindowEntry, WorkerPool.Slot> dispatch) {
        if (stragglers.p95() < 0) {
            return 0;
        }
        int parallelism = pool.slots();
        int sent = 0;
        for (StragglerPolicy.Pick p : stragglers.pick(window, ticker.getAsLong(), parallelism)) {
            WindowEntry e = p.entry();
            WindowEntry.Attempt a = e.attempts.get(0);
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
