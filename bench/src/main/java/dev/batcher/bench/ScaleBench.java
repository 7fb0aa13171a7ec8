package dev.batcher.bench;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherHandle;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.ClientOptions;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.api.BatchState;
import dev.batcher.materializers.iteration.BatchSources;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.kernels.Warmup;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/**
 * How the service scales with its slots: batches/s at one client for W = 1, 2, 4, 8, ... up to the
 * cores present, once with W in-process slots ({@code serve --manager-slots W}) and once with W worker
 * processes of one slot ({@code serve --local-workers W}), each against {@code LocalBatcher} on one
 * thread measured in the same run (before and after the daemons, after a kernel warm-up as the daemons
 * do; the faster counts). Each daemon is first driven until its rate is steady (the median of five 1 s
 * windows at most 4% above and at most 10% below the median of the five before, at most 90 s; see
 * {@code ServiceBench.isSteady}): fresh worker JVMs take longer to get there than one warm JVM. The ratio is the
 * speedup over that thread; the efficiency printed beside it is the speedup divided by min(W, cores). The client (one thread, shared memory, reading
 * every cache line of x as a trainer would) runs on the same cores. Run it with
 * {@code bin/batcher bench scale}.
 */
public final class ScaleBench {
    private ScaleBench() {}

    private static double local(Dataset loaded, SourceConfig source, double seconds) throws Exception {
        try (RecordingFiles files = new RecordingFiles(List.of(loaded.root()), 64);
                LocalBatcher lb = new LocalBatcher(BatchSources.build(source, loaded.signals()),
                        new Materializer(files, MaterializeOptions.defaults(), Kernels.defaults()))) {
            ServiceBench.drive(lb, seconds / 2, BatchState.initial(2));
            return ServiceBench.drive(lb, seconds, BatchState.initial(1)).batchesPerSecond();
        }
    }

    /**
     * Runs the benchmark.
     *
     * @param scratch where to generate the dataset
     * @param seconds how long to measure each figure (after the warm-up)
     * @param quick tiny data and batches, for tests of the harness
     * @param out receives each line as it is measured
     * @return every line
     * @throws Exception if the daemon, a worker or the dataset fails
     */
    public static List<String> run(Path scratch, double seconds, boolean quick, Consumer<String> out) throws Exception {
        List<String> lines = new ArrayList<>();
        Consumer<String> emit = l -> {
            lines.add(l);
            out.accept(l);
        };
        int cores = Runtime.getRuntime().availableProcessors();
        int batchSize = quick ? 4 : 32;
        emit.accept(Figure.comment("ScaleBench: batches of " + batchSize + " x 8 x 7680 float32 at one client (shared memory), for W"
                + " in-process slots and W worker processes, against LocalBatcher on one thread in this run; " + cores
                + " cores here"));
        Path ds = ServiceBench.generate(scratch, quick);
        SourceConfig source = new SourceConfig.Random(batchSize, 30, null, "fill:C3,C4,F3,F4,O1,O2,M1,M2", null, null);
        Dataset loaded = Dataset.load(ds);
        // The daemons warm their kernels up before serving (serve --warm-up-ms); this JVM does the same before its
        // baseline, which is measured before and after the daemons, the faster of the two counting.
        Warmup.run(Kernels.defaults(), Duration.ofMillis(quick ? 0 : 5000));
        double before = local(loaded, source, seconds);
        emit.accept(Figure.comment(String.format(Locale.ROOT, "LocalBatcher in one thread, before the daemons: %.1f batches/s",
                before)));
        BatcherSpec spec = BatcherSpec.of(ds.toString(), source);
        List<double[]> rates = new ArrayList<>();
        for (int w = 1; w <= cores; w *= 2) {
            for (boolean processes : new boolean[] {false, true}) {
                List<String> args = new ArrayList<>(processes ? List.of("--local-workers=" + w, "--worker-slots=1")
                        : List.of("--manager-slots=" + w));
                if (quick) {
                    args.add("--warm-up-ms=0"); // the figures mean nothing in a quick run
                }
                try (DaemonProcess d = DaemonProcess.start(args);
                        BatcherClient c = BatcherClient.connect(d.address(), ClientOptions.defaults().withPrefetch(true))) {
                    BatcherHandle h = c.batcher("scale");
                    h.create(spec);
                    ServiceBench.awaitSlots(h, w);
                    h.start(BatchState.initial(2));
                    String warm = ServiceBench.warmUntilSteady(h, BatchState.initial(2), quick ? 0.2 : 1, quick ? 0.5 : 90);
                    emit.accept(Figure.comment(String.format(Locale.ROOT, "W=%d %s: warm-up %s", w,
                            processes ? "worker processes" : "in-process slots", warm)));
                    h.start(BatchState.initial(1));
                    rates.add(new double[] {w, processes ? 1 : 0, ServiceBench.drive(h, seconds, BatchState.initial(1))
                            .batchesPerSecond()});
                    h.stop();
                }
            }
        }
        double after = local(loaded, source, seconds);
        double local = Math.max(before, after);
        String baseline = String.format(Locale.ROOT, "LocalBatcher in one thread (%.1f batches/s)", local);
        emit.accept(Figure.comment(String.format(Locale.ROOT, "LocalBatcher in one thread, after the daemons: %.1f batches/s",
                after)));
        for (double[] r : rates) {
            int w = (int) r[0];
            double speedup = r[2] / local;
            emit.accept(new Figure(String.format(Locale.ROOT, "scale W=%d %s, efficiency %.2f", w,
                    r[1] > 0 ? "worker processes" : "in-process slots", speedup / Math.min(w, cores)), r[2],
                    "batches/s", speedup, baseline).line());
        }
        if (cores < 4) {
            emit.accept(Figure.comment("only " + cores + " cores here: W stops at " + Integer.highestOneBit(cores)
                    + "; run it on a bigger machine for W = 4, 8, ..."));
        }
        return lines;
    }
}
