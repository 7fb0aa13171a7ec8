package dev.batcher.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Times a candidate operation against a baseline on one or more threads, in alternating rounds so
 * that drift on a shared machine (other people's load, frequency changes) hits both alike.
 *
 * <p>Method: both operations are warmed up in alternating rounds for the warm-up time; then {@code
 * rounds} rounds of each alternate, each round {@code measure / (2 * rounds)} long. In a round every
 * one of the {@code threads} threads calls the operation back to back until the round's deadline;
 * the round's figure is its wall-clock time divided by the calls made by all threads (so with two
 * threads it is the time per call of the pair, the inverse of their combined throughput). The
 * result is the median round of each. Thread {@code t} of {@code T} passes the indexes {@code t, t +
 * T, t + 2T, ...} to the operation, continuing across rounds; candidate and baseline see the same
 * sequence, so that an operation that picks its work by index (a window, a batch) gives both the
 * same work.
 *
 * <p>Not thread-safe: one comparison at a time.
 */
public final class Harness implements AutoCloseable {
    /**
     * The operation timed: one unit of work (a window read, a batch).
     */
    @FunctionalInterface
    public interface Op {
        /**
         * Does one unit of work.
         *
         * @param thread the calling thread's number, {@code 0 <= thread < threads}
         * @param index the call's index, unique across the threads of a comparison
         * @throws Exception if the work fails; the comparison then fails with it
         */
        void run(int thread, long index) throws Exception;
    }

    /**
     * What a comparison measured.
     *
     * @param candidateNanos the candidate's median wall-clock nanoseconds per call (all threads together)
     * @param baselineNanos the baseline's, likewise
     */
    public record Timing(double candidateNanos, double baselineNanos) {
        /**
         * Returns the candidate's speed relative to the baseline.
         *
         * @return {@code baselineNanos / candidateNanos}; {@code > 1} when the candidate is faster
         */
        public double ratio() {
            return baselineNanos / candidateNanos;
        }

        /**
         * Returns the candidate's throughput.
         *
         * @param unitsPerCall how many units (bytes, batches) one call delivers
         * @param scale the units per figure unit, for example {@code 1e6} for MB
         * @return figure units per second
         */
        public double candidateRate(double unitsPerCall, double scale) {
            return unitsPerCall / scale / (candidateNanos / 1e9);
        }

        /**
         * Returns the baseline's throughput.
         *
         * @param unitsPerCall how many units (bytes, batches) one call delivers
         * @param scale the units per figure unit, for example {@code 1e6} for MB
         * @return figure units per second
         */
        public double baselineRate(double unitsPerCall, double scale) {
            return unitsPerCall / scale / (baselineNanos / 1e9);
        }
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final long warmupNanos;
    private final long measureNanos;
    private final int rounds;
    private final int maxThreads;
    private final ExecutorService pool;

    /**
     * Creates a harness with a pool of {@code maxThreads} daemon threads.
     *
     * @param warmupNanos the warm-up time of each comparison ({@code >= 0})
     * @param measureNanos the measured time of each comparison, candidate and baseline together ({@code > 0})
     * @param rounds the measured rounds of each ({@code >= 1})
     * @param maxThreads the most threads a comparison may use ({@code >= 1})
     * @throws IllegalArgumentException if an argument is out of range
     */
    public Harness(long warmupNanos, long measureNanos, int rounds, int maxThreads) {
        if (warmupNanos < 0) {
            throw new IllegalArgumentException("warmupNanos: " + warmupNanos + " (expected: >= 0)");
        }
        if (measureNanos <= 0) {
            throw new IllegalArgumentException("measureNanos: " + measureNanos + " (expected: > 0)");
        }
        if (rounds < 1) {
            throw new IllegalArgumentException("rounds: " + rounds + " (expected: >= 1)");
        }
        if (maxThreads < 1) {
            throw new IllegalArgumentException("maxThreads: " + maxThreads + " (expected: >= 1)");
        }
        this.warmupNanos = warmupNanos;
        this.measureNanos = measureNanos;
        this.rounds = rounds;
        this.maxThreads = maxThreads;
        int id = POOLS.incrementAndGet();
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(maxThreads, r -> {
            Thread t = new Thread(r, "batcher-bench-" + id + "-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Warms up and times {@code candidate} against {@code baseline} on {@code threads} threads.
     *
     * @param threads how many threads call each operation at once, {@code 1 <= threads <= maxThreads}
     * @param candidate the operation measured
     * @param baseline the operation it is compared with
     * @return the median time per call of each
     * @throws IllegalArgumentException if {@code threads} is out of range
     * @throws RuntimeException the first failure of an operation (a checked one wrapped in an
     *     {@link IllegalStateException})
     */
    public Timing compare(int threads, Op candidate, Op baseline) {
        if (threads < 1 || threads > maxThreads) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: 1 to " + maxThreads + ")");
        }
        long roundNanos = Math.max(1, measureNanos / (2L * rounds));
        long[] candidateNext = new long[threads];
        long[] baselineNext = new long[threads];
        for (int t = 0; t < threads; t++) {
            candidateNext[t] = t;
            baselineNext[t] = t;
        }
        long warmupEnd = System.nanoTime() + warmupNanos;
        do {
            round(threads, candidate, candidateNext, roundNanos);
            round(threads, baseline, baselineNext, roundNanos);
        } while (System.nanoTime() < warmupEnd);
        double[] c = new double[rounds];
        double[] b = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            c[r] = round(threads, candidate, candidateNext, roundNanos);
            b[r] = round(threads, baseline, baselineNext, roundNanos);
        }
        return new Timing(median(c), median(b));
    }

    /** Runs one round; returns the wall-clock nanoseconds per call. */
    private double round(int threads, Op op, long[] next, long roundNanos) {
        long start = System.nanoTime();
        long deadline = start + roundNanos;
        List<Future<Long>> futures = new ArrayList<>(threads);
        for (int t = 0; t < threads; t++) {
            int thread = t;
            futures.add(pool.submit(() -> {
                long calls = 0;
                long index = next[thread];
                do {
                    op.run(thread, index);
                    index += threads;
                    calls++;
                } while (System.nanoTime() < deadline);
                next[thread] = index;
                return calls;
            }));
        }
        long calls = 0;
        RuntimeException failure = null;
        for (Future<Long> f : futures) {
            try {
                calls += f.get();
            } catch (ExecutionException e) {
                Throwable cause = e.getCause();
                RuntimeException r = cause instanceof RuntimeException re ? re
                        : new IllegalStateException("benchmark operation failed: " + cause, cause);
                if (failure == null) {
                    failure = r;
                } else if (failure != r) {
                    failure.addSuppressed(r);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                futures.forEach(x -> x.cancel(true));
                throw new IllegalStateException("interrupted while benchmarking", e);
            }
        }
        if (failure != null) {
            throw failure;
        }
        return (double) (System.nanoTime() - start) / calls;
    }

    /** The median of {@code values} (the mean of the middle two for an even count); the array is not changed. */
    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    /** Stops the threads. */
    @Override
    public void close() {
        pool.shutdownNow();
    }
}
