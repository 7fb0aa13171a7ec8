package dev.batcher.service.manager;

import dev.batcher.service.pool.Worker;
import dev.batcher.service.pool.WorkerPool;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tells a frozen or cut-off worker from a slow one, for one batcher. A worker with this batcher's
 * jobs in flight is <b>silent</b> when, all three:
 * <ul>
 *   <li>nothing at all has arrived from it ({@link Worker#lastHeardNanos()}) for the head-of-line
 *       threshold {@code T};</li>
 *   <li>it left a probe unanswered for at least {@code 3T / 4}: once a worker has been quiet for
 *       {@code T / 4} it is sent a {@code PING} ({@link Worker#probe()}), which a live worker's
 *       connection answers at once whatever its jobs are doing, so a worker busy with long jobs is
 *       not silent. The answer may take a while on a loaded host (thread wake-ups, a garbage
 *       collection: up to a few tens of milliseconds were seen on a 2-core machine running three
 *       workers); three quarters of the threshold is its allowance;</li>
 *   <li>another worker has returned a result of this batcher since it was last heard from (a pause of
 *       the whole pool, or of the daemon, makes nobody silent).</li>
 * </ul>
 * The batcher then suspects it in the pool (no new jobs until it is heard from again) and hedges all
 * of its jobs at once. Loop-confined; time comes in as the ticker's nanoseconds.
 */
final class SilentWorkers {
    private static final long NONE = Long.MIN_VALUE;

    /** When each worker quiet for a quarter of the threshold was last probed; only workers with jobs in flight. */
    private final Map<Worker, Long> probedAt = new HashMap<>();
    /** The worker of the latest result and when it came; the latest result of any other worker. */
    private Worker lastWorker;
    private long lastAt = NONE;
    private long otherAt = NONE;

    /** Records a result of this batcher from {@code worker} at {@code now}. */
    void resultFrom(Worker worker, long now) {
        if (worker != lastWorker) {
            otherAt = lastAt;
            lastWorker = worker;
        }
        lastAt = now;
    }

    /** Returns when the latest result from a worker other than {@code w} came, or {@link #NONE}. */
    private long lastResultOtherThan(Worker w) {
        return w == lastWorker ? otherAt : lastAt;
    }

    /**
     * Probes the quiet workers among those running this batcher's jobs and returns the silent ones.
     *
     * @param window the batcher's window, in order (the workers are judged in the order of their jobs)
     * @param now the ticker's time
     * @param threshold the head-of-line threshold {@code T}, positive
     * @param pool the pool, to skip workers already suspect
     * @return the workers found silent now, not yet suspect
     */
    List<Worker> judge(Collection<WindowEntry> window, long now, long threshold, WorkerPool pool) {
        Set<Worker> busy = new LinkedHashSet<>();
        for (WindowEntry e : window) {
            if (!e.settled) {
                for (WindowEntry.Attempt a : e.attempts) {
                    busy.add(a.slot.worker());
                }
            }
        }
        probedAt.keySet().retainAll(busy);
        List<Worker> silent = new ArrayList<>();
        for (Worker w : busy) {
            long heard = w.lastHeardNanos();
            if (heard == Worker.ALWAYS_HEARD || pool.isSuspect(w)) {
                continue;
            }
            long quiet = now - heard;
            Long probed = probedAt.get(w);
            boolean unanswered = probed != null && probed - heard > 0;
            long other = lastResultOtherThan(w);
            if (quiet >= threshold && unanswered && now - probed >= threshold - threshold / 4 && other != NONE
                    && other - heard > 0) {
                silent.add(w);
                probedAt.remove(w);
            } else if (quiet >= threshold / 4 && !unanswered) {
                w.probe();
                probedAt.put(w, now);
            }
        }
        return silent;
    }
}
