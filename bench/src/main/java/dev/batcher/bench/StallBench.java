package dev.batcher.bench;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.ClientOptions;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.api.Taken;
import dev.batcher.service.BatcherDaemon;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The longest stall a client sees while one worker process is frozen ({@code SIGSTOP}), against the
 * normal batch time (the median time between batches) measured in the same run: a daemon with three
 * local worker processes, a client taking batches as fast as it can; one worker is stopped for a few
 * seconds (less than the 15 s heartbeat timeout, so it is never dropped) and resumed. Without hedged
 * jobs the batch it held would wait for it; with them another worker materialises it too.
 * Run it with {@code bin/batcher bench stall}.
 */
public final class StallBench {
    private static final int WORKERS = 3;

    private StallBench() {}

    /**
     * Runs the benchmark.
     *
     * @param scratch where to generate the dataset
     * @param seconds how long to take batches before the freeze (the freeze lasts twice as long, 3 to 10 s)
     * @param batchSize items per batch
     * @param quick minutes of data instead of hours
     * @param out receives each line as it is measured
     * @return the lines
     * @throws Exception if the daemon, a worker or the dataset fails
     */
    public static List<String> run(Path scratch, double seconds, int batchSize, boolean quick, Consumer<String> out)
            throws Exception {
        List<String> lines = new ArrayList<>();
        Consumer<String> emit = l -> {
            lines.add(l);
            out.accept(l);
        };
        Path ds = ServiceBench.generate(scratch, quick);
        SourceConfig source = new SourceConfig.Random(batchSize, 30, null, "fill:C3,C4,F3,F4,O1,O2,M1,M2", null, null);
        double freezeSeconds = Math.max(3, Math.min(10, 2 * seconds));
        emit.accept(Figure.comment(String.format(Locale.ROOT, "StallBench: batches of %d x 8 x 7680 float32, %d local worker"
                + " processes of 1 slot, one frozen (SIGSTOP) for %.0f s; the stall against the normal batch time and the longest take before the freeze, in this run"
                + " (%d cores here)", batchSize, WORKERS, freezeSeconds, Runtime.getRuntime().availableProcessors())));
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withLocalWorkers(WORKERS, 1)
                .withWorkerJvmArgs(List.of("-Xmx512m"))
                .withWorkerLog(scratch.resolve("stall-workers.log"));
        try (BatcherDaemon d = BatcherDaemon.start(o);
                BatcherClient c = BatcherClient.connect(d.address(), ClientOptions.defaults())) {
            BatcherHandle h = c.batcher("stall");
            h.create(BatcherSpec.of(ds.toString(), source));
            long deadline = System.nanoTime() + 120_000_000_000L;
            while (d.workerProcesses().size() < WORKERS || h.status().slots() < WORKERS) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("workers: " + h.status().slots() + " slots after 120 s (expected: "
                            + WORKERS + ")");
                }
                Thread.sleep(100); // waiting for worker JVMs to start; a benchmark's setup, not a measurement
            }
            BatchState s = BatchState.initial(1);
            h.start(s);
            // Warm-up: the workers' JIT, and enough jobs that the batcher's recent job times (what hedging compares
            // against) no longer include the first, slow ones.
            List<Long> warm = new ArrayList<>();
            while (warm.size() < 80) {
                s = take(h, s, 1, warm);
            }
            List<Long> normal = new ArrayList<>();
            long t0 = System.nanoTime();
            s = take(h, s, (long) (seconds * 1e9), normal);
            double batchMs = (System.nanoTime() - t0) / 1e6 / normal.size(); // the normal batch time at the client
            // A job's normal time: the median of the batcher's last 64 jobs (dispatch to result, as its hedging rules
            // see them), read from the daemon in this process at the end of the normal run.
            double jobMs = d.manager().get("stall").medianJobNanos().get(10, TimeUnit.SECONDS) / 1e6;
            long hedgedBefore = h.status().hedged();
            Process frozen = d.workerProcesses().get(0);
            signal("STOP", frozen);
            List<Long> during = new ArrayList<>();
            try {
                s = take(h, s, (long) (freezeSeconds * 1e9), during);
            } finally {
                signal("CONT", frozen);
            }
            long hedgedAtFreezeEnd = h.status().hedged();
            take(h, s, (long) (seconds * 1e9 / 2), new ArrayList<>());
            long[] n = normal.stream().mapToLong(Long::longValue).sorted().toArray();
            double normalLongest = n[n.length - 1] / 1e6;
            int worst = 0;
            for (int i = 1; i < during.size(); i++) {
                worst = during.get(i) > during.get(worst) ? i : worst;
            }
            double longest = during.isEmpty() ? 0 : during.get(worst) / 1e6;
            // When the longest take began, after the SIGSTOP: the sum of the takes before it (the client does nothing else).
            double worstAtMs = (during.subList(0, worst).stream().mapToLong(Long::longValue).sum()) / 1e6;
            long hedgedFrozen = hedgedAtFreezeEnd - hedgedBefore;
            long hedged = h.status().hedged();
            emit.accept(Figure.comment(String.format(Locale.ROOT, "normal: %d batches, %.1f ms per batch, takes p95 %.1f ms,"
                    + " longest %.1f ms, median job %.1f ms (%.1f batch times), %d hedged jobs", n.length, batchMs,
                    n[(int) (0.95 * (n.length - 1))] / 1e6, normalLongest, jobMs, jobMs / batchMs, hedgedBefore)));
            emit.accept(Figure.comment(String.format(Locale.ROOT, "frozen: %d batches, %d hedged jobs during the freeze (%d in"
                    + " the whole run); the longest stall is %.1f ms = %.1f batch times = %.2f median job times, from %.0f ms"
                    + " after the SIGSTOP", during.size(), hedgedFrozen, hedged, longest, longest / batchMs, longest / jobMs,
                    worstAtMs)));
            emit.accept(new Figure(String.format(Locale.ROOT, "longest take with 1 of %d workers frozen for %.0f s (%d hedged jobs)",
                    WORKERS, freezeSeconds, hedgedFrozen), longest, "ms", normalLongest / longest,
                    String.format(Locale.ROOT, "the longest take before the freeze (%.1f ms) in this run", normalLongest)).line());
            h.stop();
        }
        return lines;
    }

    /** Takes batches for {@code nanos}, adding each take's duration to {@code times}; returns the next state. */
    private static BatchState take(BatcherHandle h, BatchState s, long nanos, List<Long> times) {
        long end = System.nanoTime() + nanos;
        do {
            long t0 = System.nanoTime();
            Taken.Next next = (Taken.Next) h.take(s);
            next.batch().close();
            times.add(System.nanoTime() - t0);
            s = next.state();
        } while (System.nanoTime() < end);
        return s;
    }

    private static void signal(String sig, Process p) throws IOException, InterruptedException {
        int rc = new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).inheritIO().start().waitFor();
        if (rc != 0) {
            throw new IllegalStateException("kill -" + sig + " " + p.pid() + ": exit status " + rc);
        }
    }
}
