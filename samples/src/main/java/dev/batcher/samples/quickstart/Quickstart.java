package dev.batcher.samples.quickstart;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.ClientOptions;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.kernels.Warmup;
import dev.batcher.samples.sleep.ServiceBatcherFactory;
import dev.batcher.samples.sleep.SleepStageTrainer;
import dev.batcher.samples.sleep.StepListener;
import dev.batcher.samples.sleep.TrainResult;
import dev.batcher.service.BatcherDaemon;
import dev.batcher.testdata.GenerationReport;
import dev.batcher.testdata.GeneratorOptions;
import dev.batcher.testdata.SyntheticDataset;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The main job: generate a dataset, start a batcher daemon (materialising on its own threads, or with local
 * worker processes), train the sleep-stage classifier through it with progress, crash (trainer and daemon) part way, start a new
 * daemon, resume from the checkpoint and report the held-out accuracy.
 */
public final class Quickstart {
    private Quickstart() {}

    /**
     * The settings.
     *
     * @param dir where the dataset, checkpoints and logs go
     * @param recordings recordings to generate (the last two are held out)
     * @param hours the longest recording in hours (the shortest is half as long)
     * @param steps training steps in all
     * @param crashAt the step after which the crash is simulated (0: no crash)
     * @param checkpointEvery steps between checkpoints
     * @param workers local worker processes
     * @param slots jobs per worker process
     * @param progressSeconds seconds between progress lines
     * @param prefetch whether the client asks for the next batch ahead ({@code ClientOptions.withPrefetch})
     */
    public record Options(Path dir, int recordings, double hours, int steps, int crashAt, int checkpointEvery, int workers, int slots,
            double progressSeconds, boolean prefetch) {
        /**
         * Checks the settings.
         *
         * @throws IllegalArgumentException if a count is out of range or {@code crashAt >= steps}
         */
        public Options {
            if (recordings < 3) {
                throw new IllegalArgumentException("recordings: " + recordings + " (expected: >= 3: two are held out)");
            }
            if (steps <= 0 || checkpointEvery <= 0 || workers < 0 || slots <= 0) {
                throw new IllegalArgumentException("steps: " + steps + ", checkpointEvery: " + checkpointEvery + ", workers: "
                        + workers + ", slots: " + slots + " (expected: steps, checkpointEvery and slots > 0, workers >= 0)");
            }
            if (crashAt < 0 || crashAt >= steps) {
                throw new IllegalArgumentException("crashAt: " + crashAt + " (expected: 0 for no crash, or in [1, steps " + steps + "))");
            }
        }
    }

    /**
     * What the quickstart did.
     *
     * @param dataset the dataset directory
     * @param crashedAt the step the first run stopped at (0: no crash)
     * @param resumedFrom the checkpoint step the second run started from
     * @param result the final training result
     */
    public record Result(Path dataset, long crashedAt, long resumedFrom, TrainResult result) {}

    /** Thrown from the step listener to stop the first run as a crash would. */
    static final class SimulatedCrash extends RuntimeException {
        private static final long serialVersionUID = 1L;

        SimulatedCrash(long step) {
            super("simulated crash after step " + step);
        }
    }

    /**
     * Runs the quickstart.
     *
     * @param o the settings
     * @param out where progress goes
     * @return what happened
     * @throws IOException if the directory cannot be prepared
     * @throws InterruptedException if interrupted while starting a daemon
     */
    public static Result run(Options o, PrintStream out) throws IOException, InterruptedException {
        Path dataset = o.dir().resolve("dataset");
        Path checkpoints = o.dir().resolve("checkpoints");
        Files.createDirectories(o.dir());
        out.println("== 1. dataset");
        if (!Files.exists(dataset.resolve(Dataset.TABLE))) {
            if (Files.exists(dataset)) {
                throw new IllegalStateException(dataset + " exists without " + Dataset.TABLE + "; delete it or pick another --dir");
            }
            GenerationReport g = SyntheticDataset.generate(dataset, GeneratorOptions.builder().seed(1).recordings(o.recordings())
                    .hours(o.hours() / 2, o.hours()).sampleRate(256).threads(Runtime.getRuntime().availableProcessors()).build());
            DatasetIndexer.index(dataset);
            out.printf(Locale.ROOT, "generated %d recordings (%.0f MB) in %s in %.1f s%n", g.recordings().size(), g.totalBytes() / 1e6,
                    dataset, g.elapsed().toMillis() / 1e3);
        } else {
            out.printf("using the dataset in %s%n", dataset);
        }
        deleteCheckpoints(checkpoints);
        List<String> args = new ArrayList<>(List.of("--dataset", dataset.toString(), "--steps", Integer.toString(o.steps()),
                "--checkpoint-dir", checkpoints.toString(), "--checkpoint-every", Integer.toString(o.checkpointEvery()),
                "--progress-seconds", Double.toString(o.progressSeconds())));
        long crashedAt = 0;
        if (o.crashAt() > 0) {
            out.printf("== 2. training through a daemon with %s (a crash is simulated after step %d)%n", o.workers() > 0
                    ? o.workers() + " worker processes" : o.slots() + " in-process slots", o.crashAt());
            try {
                train(o, dataset, args, out, (step, state, loss, checkpointed) -> {
                    if (step == o.crashAt()) {
                        throw new SimulatedCrash(step);
                    }
                });
            } catch (SimulatedCrash crash) {
                crashedAt = o.crashAt();
                out.printf("!! %s: the trainer, the daemon and its workers are gone; the last checkpoint is all that is left%n",
                        crash.getMessage());
            }
        }
        out.printf("== 3. %s%n", crashedAt > 0 ? "a new daemon, and the trainer resumes from its checkpoint" : "training");
        List<String> resume = new ArrayList<>(args);
        resume.add("--resume");
        TrainResult r = train(o, dataset, resume, out, StepListener.none());
        out.println("== 4. result");
        out.printf(Locale.ROOT, "held-out accuracy %.1f%% on %d epochs of %d unseen recordings after %d steps (resumed at step %d)%n",
                100 * r.validAccuracy(), r.validEpochs(), 2, r.steps(), r.startStep());
        out.printf(Locale.ROOT, "%.1f batches/s; the loop spent %.0f%% of its time waiting in take%n", r.batchesPerSecond(),
                100 * r.takeWaitShare());
        out.printf("checkpoint %s%n", r.checkpoint());
        return new Result(dataset, crashedAt, r.startStep(), r);
    }

    private static TrainResult train(Options o, Path dataset, List<String> args, PrintStream out, StepListener listener)
            throws InterruptedException {
        BatcherDaemon.Options d = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .withDatasetRoots(List.of(dataset.toString()))
                .withWorkerLog(o.dir().resolve("workers.log"));
        d = o.workers() > 0 ? d.withLocalWorkers(o.workers(), o.slots()) : d.withManagerSlots(o.slots());
        if (o.workers() == 0) {
            // As serve does: the daemon's own slots start with compiled kernels (docs/operations.md, "Warm-up").
            Warmup.run(Kernels.defaults(), Duration.ofSeconds(5));
        }
        try (BatcherDaemon daemon = BatcherDaemon.start(d)) {
            out.printf("daemon on %s:%d with %s%n", daemon.address().getHostString(), daemon.address().getPort(),
                    o.workers() > 0 ? o.workers() + " worker processes of " + o.slots() + " slots; worker logs in "
                            + o.dir().resolve("workers.log") : o.slots() + " in-process slots");
            try (BatcherClient client = BatcherClient.connect(daemon.address(), ClientOptions.defaults().withPrefetch(o.prefetch()))) {
                return SleepStageTrainer.run(args.toArray(String[]::new), new ServiceBatcherFactory(client, "quickstart"), out,
                        listener);
            }
        }
    }

    private static void deleteCheckpoints(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            try (var files = Files.list(dir)) {
                for (Path p : files.toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
