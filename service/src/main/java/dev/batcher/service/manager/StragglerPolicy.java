package dev.batcher.service.manager;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * When a batcher sends a job to a second worker (a hedge): the times of its recent jobs, the
 * thresholds derived from them and the timer that checks the jobs in flight. Loop-confined; the clock
 * is passed in as durations, so tests need no sleeps.
 *
 * <p>Two rules, the first that holds wins (each needs {@value #MIN_SAMPLES} finished jobs and a job
 * that has run at least {@link #FLOOR_NANOS}, a floor against the timer's granularity only: every
 * threshold is relative to the batcher's own job times):
 * <ul>
 *   <li><b>straggler</b>: any job that has run {@value #FACTOR} times the p95 of recent jobs;</li>
 *   <li><b>head of line</b>: the job the ordered stream needs next (what the client waits for), once it
 *       has run {@value #FACTOR} times the p95 divided by the parallelism (the pool's slots) but at least
 *       the p95 itself (a job that has run less is not late), or once as many later batches as there are
 *       slots have finished while it has not. With {@code n} slots in parallel the client's batch time
 *       is about a job time over {@code n}, so the first rule alone would let the client wait about
 *       {@value #FACTOR}{@code n} batch times.</li>
 * </ul>
 * The rules only decide when; the batcher hedges at most once per dispatch, only to a free slot of
 * another worker and within its {@link HedgeBudget}, and the result does not depend on which job wins.
 * A worker that has gone silent altogether ({@link SilentWorkers}) is judged against the head-of-line
 * threshold too, and all of its jobs are hedged at once.
 *
 * <p>For datasets in object storage only the straggler rule applies. There a job that holds up the
 * stream is most often fetching a file into its worker's cold cache, and a hedge would fetch the same
 * file again into another worker's cache: twice the requests and bytes, and a worker that then holds a
 * file locality did not give it (the S3 locality test saw the hit ratio fall to that of no locality).
 */
final class StragglerPolicy {
    /** A job that has run this many times the p95 of recent jobs is hedged. */
    static final int FACTOR = 3;
    /**
     * No job is hedged before it has run this long, however fast recent jobs were: the timer checks at
     * most this often, so a shorter threshold could not be told apart from it.
     */
    static final long FLOOR_NANOS = 5_000_000L;
    /** Jobs a batcher must have finished before it hedges (the p95 of fewer says little). */
    static final int MIN_SAMPLES = 8;
    /** How many recent jobs the p95 is taken over. */
    static final int RECENT_JOBS = 64;
    private static final long IDLE_PERIOD_NANOS = 250_000_000L;

    /** Why a job is hedged. */
    enum Reason {
        /** It has run {@value #FACTOR} times the p95 of recent jobs. */
        STRAGGLER,
        /** It holds up the ordered stream and has run {@value #FACTOR} times the p95 over the parallelism. */
        HEAD_OF_LINE,
        /** It holds up the ordered stream and as many later batches as there are slots are done. */
        OVERTAKEN,
        /** Its worker has sent nothing for longer than the head-of-line threshold while others returned results. */
        SILENT_WORKER
    }

    private final long[] recent = new long[RECENT_JOBS];
    private int count;
    private int next;
    /** The p95 of {@link #recent}, or -1 before {@value #MIN_SAMPLES} jobs. */
    private long p95 = -1;
    /** The median of {@link #recent}, or -1 before {@value #MIN_SAMPLES} jobs. */
    private long median = -1;
    private final EventExecutor loop;
    /** Whether the head-of-line rules apply (local datasets) or only the straggler rule (object storage). */
    private final boolean headOfLineRules;
    private ScheduledFuture<?> timer;

    /**
     * @param loop the batcher's event loop, for the timer
     * @param headOfLineRules whether the head-of-line rules apply besides the straggler rule (false for
     *     datasets in object storage)
     */
    StragglerPolicy(EventExecutor loop, boolean headOfLineRules) {
        this.loop = loop;
        this.headOfLineRules = headOfLineRules;
    }

    /** Records the duration of a job that produced its batch. */
    void record(long nanos) {
        recent[next] = nanos;
        next = (next + 1) % RECENT_JOBS;
        count = Math.min(count + 1, RECENT_JOBS);
        if (count >= MIN_SAMPLES) {
            long[] d = Arrays.copyOf(recent, count);
            Arrays.sort(d);
            p95 = d[Math.max(0, (int) Math.ceil(0.95 * d.length) - 1)];
            median = d[(d.length - 1) / 2];
        }
    }

    /** Returns the p95 of recent jobs, or -1 before {@value #MIN_SAMPLES} have finished. */
    long p95() {
        return p95;
    }

    /** Returns the median of recent jobs, or -1 before {@value #MIN_SAMPLES} have finished. */
    long median() {
        return median;
    }

    /** Returns how long any job may run before it is hedged, or -1 before {@value #MIN_SAMPLES} jobs. */
    long stragglerThreshold() {
        return p95 < 0 ? -1 : Math.max(FLOOR_NANOS, FACTOR * p95);
    }

    /**
     * Returns how long the head-of-line job may run before it is hedged, or -1 before
     * {@value #MIN_SAMPLES} jobs.
     *
     * @param parallelism slots working for the batcher (at least 1 is assumed)
     */
    long headThreshold(int parallelism) {
        // Never under the p95 itself: a job that has run less is not late, however many slots there are.
        return p95 < 0 ? -1 : Math.max(FLOOR_NANOS, Math.max(p95, FACTOR * p95 / Math.max(1, parallelism)));
    }

    /**
     * Judges one job in flight.
     *
     * @param ranNanos how long it has run
     * @param headOfLine whether it is the job the ordered stream needs next
     * @param laterDone how many later batches of the window have their result
     * @param parallelism slots working for the batcher
     * @return why to hedge it now, or null to leave it
     */
    Reason judge(long ranNanos, boolean headOfLine, int laterDone, int parallelism) {
        if (p95 < 0 || ranNanos < FLOOR_NANOS) {
            return null;
        }
        if (ranNanos >= stragglerThreshold()) {
            return Reason.STRAGGLER;
        }
        if (!headOfLine || !headOfLineRules) {
            return null;
        }
        if (ranNanos >= headThreshold(parallelism)) {
            return Reason.HEAD_OF_LINE;
        }
        return laterDone >= Math.max(1, parallelism) ? Reason.OVERTAKEN : null;
    }

    /** A job to hedge: its batch (with one job in flight), how long that job has run, and why. */
    record Pick(WindowEntry entry, long ranNanos, Reason reason, int laterDone) {}

    /**
     * Judges every batch of the window with exactly one job in flight, not yet hedged in its dispatch.
     * The head of line is the first batch without its result (what the next take waits for).
     *
     * @param window the batcher's ordered window, oldest first
     * @param now the ticker's time, in the unit of the jobs' start times
     * @param parallelism slots working for the batcher
     * @return the jobs to hedge, oldest first
     */
    List<Pick> pick(Iterable<WindowEntry> window, long now, int parallelism) {
        List<Pick> picks = new ArrayList<>();
        if (p95 < 0) {
            return picks;
        }
        int laterDone = 0;
        boolean beforeHead = true;
        for (WindowEntry e : window) {
            if (!beforeHead && e.result != null) {
                laterDone++;
            }
            beforeHead &= e.result != null;
        }
        beforeHead = true;
        for (WindowEntry e : window) {
            boolean head = beforeHead && e.result == null && !e.end;
            beforeHead &= e.result != null;
            if (e.settled || e.hedged || e.attempts.size() != 1) {
                continue;
            }
            long ran = now - e.attempts.get(0).startedNanos;
            Reason why = judge(ran, head, laterDone, parallelism);
            if (why != null) {
                picks.add(new Pick(e, ran, why, laterDone));
            }
        }
        return picks;
    }

    /** Returns how often to check the jobs in flight: a few times per head-of-line threshold. */
    long periodNanos(int parallelism) {
        long t = headThreshold(parallelism);
        return t < 0 ? IDLE_PERIOD_NANOS : Math.max(FLOOR_NANOS, Math.min(1_000_000_000L, t / 4));
    }

    /**
     * Schedules {@code check} after {@link #periodNanos}, unless a check is already scheduled. The check
     * re-arms the timer itself while jobs are in flight.
     */
    void arm(int parallelism, Runnable check) {
        if (timer != null) {
            return;
        }
        timer = loop.schedule(() -> {
            timer = null;
            check.run();
        }, periodNanos(parallelism), TimeUnit.NANOSECONDS);
    }

    /** Cancels the scheduled check, if any (the batcher stopped or restarted). */
    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    /** Says why {@code p} is hedged, with the threshold it passed, for the log. */
    String describe(Pick p, int parallelism) {
        return switch (p.reason()) {
            case STRAGGLER -> "over the straggler threshold of " + stragglerThreshold() / 1_000_000 + " ms";
            case HEAD_OF_LINE -> "the stream waits for it, over the head-of-line threshold of "
                    + headThreshold(parallelism) / 1_000_000 + " ms";
            case OVERTAKEN -> "the stream waits for it and " + p.laterDone() + " later batches are done";
            case SILENT_WORKER -> "its worker has sent nothing for longer than the head-of-line threshold of "
                    + headThreshold(parallelism) / 1_000_000 + " ms while other workers returned results";
        };
    }
}
