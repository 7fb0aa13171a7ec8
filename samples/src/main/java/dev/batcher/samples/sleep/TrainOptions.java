package dev.batcher.samples.sleep;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The trainer's command-line options. */
@Command(name = "sleep-stage-trainer", mixinStandardHelpOptions = true, version = "batcher samples 0.1.0",
        sortOptions = false,
        description = {"Train a sleep-stage classifier on per-channel log band powers (the bandpower featurizer, run",
            "where batches are materialised) with batches from take(state), evaluate it on held-out recordings,",
            "checkpoint atomically and resume exactly."})
final class TrainOptions {
    @Option(names = "--dataset", required = true, paramLabel = "DIR|S3",
            description = "The dataset directory or s3://bucket/prefix (with labeled_signals.csv).")
    String dataset;

    @Option(names = "--valid-dataset", paramLabel = "DIR|S3",
            description = "Evaluate on this dataset instead of held-out recordings of --dataset.")
    String validDataset;

    @Option(names = "--holdout", paramLabel = "N",
            description = "Hold out the last N recordings of --dataset (table order) for evaluation "
                    + "(default: 2, or 0 with --valid-dataset).")
    Integer holdout;

    @Option(names = "--channels", paramLabel = "SELECTION", defaultValue = "names:C3,C4,F3,F4",
            description = "Channel selection of every item (default: ${DEFAULT-VALUE}).")
    String channels;

    @Option(names = "--signals", paramLabel = "FILTER",
            description = {"Which signal groups to train on: all, name:/100Hz or kind:EEG (EDF files have one group",
                "per sample rate; pick one so every item has one shape) (default: all)."})
    String signals;

    @Option(names = "--featurizer-arg", paramLabel = "ARG",
            description = "A bandpower argument, e.g. bands=delta:0.5-2,theta:4-8 (repeatable; default: none).")
    List<String> featurizerArgs = new ArrayList<>();

    @Option(names = "--batch-size", defaultValue = "64", description = "Training items per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--eval-batch-size", defaultValue = "128",
            description = "Evaluation windows per batch (default: ${DEFAULT-VALUE}).")
    int evalBatchSize;

    @Option(names = "--steps", defaultValue = "600", description = "Train until this many steps are done (default: ${DEFAULT-VALUE}).")
    long steps;

    @Option(names = "--hidden", defaultValue = "0",
            description = "Hidden ReLU units; 0 for softmax regression (default: ${DEFAULT-VALUE}).")
    int hidden;

    @Option(names = "--lr", defaultValue = "0.01", description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--weight-decay", defaultValue = "1e-4", description = "L2 coefficient on the weights (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--seed", defaultValue = "1",
            description = "Seed of the training batch stream and of the model's initialisation (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--stats-batches", defaultValue = "10",
            description = "Estimate the feature means and variances from the first N training batches (default: ${DEFAULT-VALUE}).")
    int statsBatches;

    @Option(names = "--progress-seconds", defaultValue = "2",
            description = "Print a progress line at most this often, in seconds; 0: only by steps (default: ${DEFAULT-VALUE}).")
    double progressSeconds;

    @Option(names = "--progress-every", defaultValue = "0",
            description = "Also print a progress line every N steps; 0: only by time (default: ${DEFAULT-VALUE}).")
    long progressEvery;

    @Option(names = "--checkpoint-dir", paramLabel = "DIR", description = "Write checkpoints to DIR/" + Checkpoint.FILE_NAME + ".")
    Path checkpointDir;

    @Option(names = "--checkpoint-every", defaultValue = "100",
            description = "Checkpoint every N steps, and at the end (default: ${DEFAULT-VALUE}).")
    long checkpointEvery;

    @Option(names = "--resume", description = "Continue from the checkpoint in --checkpoint-dir, if there is one.")
    boolean resume;

    @Option(names = "--digests", description = "Record the SHA-256 of every training batch in the result.")
    boolean digests;

    @Option(names = "--crash-after", paramLabel = "STEP",
            description = "Simulate a crash: halt the JVM abruptly (no cleanup, exit status 137) after this step, to try --resume.")
    long crashAfter;

    @Option(names = "--digest-log", paramLabel = "FILE",
            description = "Append 'step state sha256' of every training batch to FILE, one flushed line a step.")
    java.nio.file.Path digestLog;

    /** Checks the options that picocli cannot: ranges and combinations. */
    static void check(TrainOptions o) {
        positive("--batch-size", o.batchSize);
        positive("--eval-batch-size", o.evalBatchSize);
        positive("--stats-batches", o.statsBatches);
        positive("--checkpoint-every", o.checkpointEvery);
        if (o.steps < 0) {
            throw new IllegalArgumentException("--steps: " + o.steps + " (expected: >= 0)");
        }
        if (o.hidden < 0) {
            throw new IllegalArgumentException("--hidden: " + o.hidden + " (expected: >= 0)");
        }
        if (!(o.learningRate > 0) || Double.isInfinite(o.learningRate)) {
            throw new IllegalArgumentException("--lr: " + o.learningRate + " (expected: finite and > 0)");
        }
        if (!(o.weightDecay >= 0) || Double.isInfinite(o.weightDecay)) {
            throw new IllegalArgumentException("--weight-decay: " + o.weightDecay + " (expected: finite and >= 0)");
        }
        if (!(o.progressSeconds >= 0) || o.progressEvery < 0) {
            throw new IllegalArgumentException("--progress-seconds " + o.progressSeconds + ", --progress-every "
                    + o.progressEvery + " (expected: both >= 0)");
        }
        if (o.resume && o.checkpointDir == null) {
            throw new IllegalArgumentException("--resume: no --checkpoint-dir (expected: the directory to resume from)");
        }
    }

    private static void positive(String option, long value) {
        if (value < 1) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: >= 1)");
        }
    }
}
