package dev.batcher.samples.cli;

import dev.batcher.samples.quickstart.Quickstart;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code batcher quickstart}: the main job, end to end. */
@Command(name = "quickstart", mixinStandardHelpOptions = true,
        description = {"The main job: generate a synthetic sleep dataset, start a batcher daemon with local worker",
                "processes, train a sleep-stage classifier through it with progress, simulate a crash of the trainer",
                "and the daemon part way, resume from the checkpoint on a new daemon, and print the held-out accuracy."})
public final class QuickstartCommand implements Callable<Integer> {
    @Option(names = "--dir", defaultValue = "quickstart", description = "Working directory (default: ${DEFAULT-VALUE}).")
    Path dir;

    @Option(names = "--recordings", defaultValue = "8", description = "Recordings to generate (default: ${DEFAULT-VALUE}).")
    int recordings;

    @Option(names = "--hours", defaultValue = "2", description = "Longest recording in hours (default: ${DEFAULT-VALUE}).")
    double hours;

    @Option(names = "--steps", defaultValue = "1000", description = "Training steps (default: ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--crash-at", defaultValue = "550", description = "Simulate a crash after this step; 0 for none (default: ${DEFAULT-VALUE}).")
    int crashAt;

    @Option(names = "--checkpoint-every", defaultValue = "100", description = "Steps between checkpoints (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--workers", defaultValue = "0", description = "Local worker processes, for isolation (default: ${DEFAULT-VALUE}:"
            + " the daemon materialises on its own threads, the fastest on one host; see docs/benchmarks.md).")
    int workers;

    @Option(names = "--slots", paramLabel = "N",
            description = "Jobs per worker process, or the daemon's own threads without workers (default: 1 per worker process,"
                    + " else one per core).")
    Integer slots;

    @Option(names = "--progress-seconds", defaultValue = "5", description = "Seconds between progress lines (default: ${DEFAULT-VALUE}).")
    double progressSeconds;

    @Option(names = "--prefetch", negatable = true, defaultValue = "true", fallbackValue = "true",
            description = "Ask for the next batch while training on this one; --no-prefetch to turn it off (default: on).")
    boolean prefetch;

    @Override
    public Integer call() throws Exception {
        Quickstart.run(new Quickstart.Options(dir, recordings, hours, steps, crashAt, checkpointEvery, workers,
                slots != null ? slots : workers > 0 ? 1 : Runtime.getRuntime().availableProcessors(), progressSeconds, prefetch),
                System.out);
        return 0;
    }
}
