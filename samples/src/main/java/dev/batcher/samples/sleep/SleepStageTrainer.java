package dev.batcher.samples.sleep;

import dev.batcher.client.BatcherSpec;
import dev.batcher.api.SourceConfig;
import dev.batcher.api.Batch;
import dev.batcher.api.Batcher;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * Trains a sleep-stage classifier with batches taken from a {@link Batcher}: the sample training loop
 * of Batcher.
 *
 * <p><b>Data.</b> Each training item is one 30 s label epoch (the dataset's label period) of the
 * selected channels ({@code --channels}, default {@code names:C3,C4,F3,F4}, channels every synthetic
 * recording has). The {@code bandpower} featuriser runs where batches are materialised (in this
 * process with {@link LocalBatcherFactory}, on the workers with the service), so each item arrives
 * as {@code [channels, 6]} log band powers: delta, theta, alpha, sigma, beta and broadband. Training
 * batches come from a {@link SourceConfig.Random} source over the training recordings (the held-out
 * ones get signal weight 0); evaluation runs once at the end over the held-out recordings (the last
 * {@code --holdout} recordings in table order, default 2; their windows as an explicit {@link
 * SourceConfig.Specs} list) or over {@code --valid-dataset} (a {@link SourceConfig.Sequential}
 * source); labels {@code -1} (epochs an earlier window covered) are skipped. Both batchers are opened
 * through a {@link BatcherFactory} from a {@link BatcherSpec}, so the same loop runs against the
 * batcher service once a factory for it is passed in.
 *
 * <p><b>Model.</b> Softmax regression (or with {@code --hidden N} a one-hidden-layer ReLU network) in
 * ojalgo matrices, on features standardised with means and variances estimated from the first
 * {@code --stats-batches} training batches (a running estimate, frozen afterwards), trained with Adam
 * on the mean cross-entropy plus L2 weight decay. Everything is single-threaded with a fixed order of
 * operations and {@link StrictMath}, and the data is a pure function of the batch state, so a run is
 * the same bits every time, and a resumed run is the same bits as an uninterrupted one.
 *
 * <p><b>Progress.</b> At most every {@code --progress-seconds} (and every {@code --progress-every}
 * steps if set) a line with the step, the loss and train accuracy (moving averages), batches per
 * second, and the share of the loop's time spent waiting in {@code take}: near 100% means data
 * loading is the bottleneck. The last line holds the held-out accuracy and the confusion counts.
 *
 * <p><b>Checkpoints.</b> With {@code --checkpoint-dir DIR}, every {@code --checkpoint-every} steps and
 * at the end the trainer replaces {@code DIR/checkpoint.bin} atomically (format: {@link Checkpoint}):
 * model parameters, standardisation statistics, Adam moments, the step and the training batch state.
 * {@code --resume} continues from it (or starts afresh if there is none); without {@code --resume} an
 * existing checkpoint is an error rather than being overwritten. The settings that shape the run are
 * stored too, and a resume with different ones is refused.
 *
 * <p><b>Running it</b> on a generated dataset (8 recordings of 2 to 4 hours at 256 Hz), from the
 * project root after {@code mvn -q -B -o -pl samples -am install -DskipTests}:
 * <pre>{@code
 * CP="samples/target/batcher-samples-0.1.0-SNAPSHOT.jar:samples/target/lib/*"
 * java --add-modules jdk.incubator.vector -cp "$CP" dev.batcher.service.cli.Main \
 *     generate /tmp/sleep8 --recordings 8 --min-hours 2 --max-hours 4 --threads 2
 * java --add-modules jdk.incubator.vector -cp "$CP" dev.batcher.samples.sleep.SleepStageTrainer \
 *     --dataset /tmp/sleep8 --steps 1500 --checkpoint-dir /tmp/sleep8-ckpt --checkpoint-every 500 \
 *     --progress-seconds 10
 * }</pre>
 * It trains on rec-0000 to rec-0005 and evaluates on rec-0006 and rec-0007 (756 epochs). Measured on
 * two cores shared with other builds (load average about 5), with {@link LocalBatcherFactory}: 1500
 * steps of 64 epochs in 78 s, 19.2 batches/s, 99.0% of the loop's time waiting in {@code take} (the
 * featurised data loading, single-threaded in this process, is the bottleneck; the rest of a step
 * takes about half a millisecond), held-out accuracy 99.2% (750/756; the errors are N3 taken for N2 and
 * back, and one REM epoch). {@code --hidden 16} reaches 98.5% after 500 steps; {@code --channels
 * fill:C3,C4,F3,F4,O1,O2} 99.1%. Run again with {@code --resume} and a larger {@code --steps} to
 * continue.
 */
public final class SleepStageTrainer {
    private SleepStageTrainer() {
    }

    /**
     * Runs the trainer from the command line and exits: status 0 on success, 2 for bad options, 1
     * for any other failure (the message on standard error).
     *
     * @param args the options; {@code --help} lists them
     */
    public static void main(String[] args) {
        try {
            run(args);
        } catch (IllegalArgumentException e) {
            System.err.println("sleep-stage-trainer: " + e.getMessage());
            System.exit(e.getCause() instanceof ParameterException ? 2 : 1);
        } catch (RuntimeException e) {
            System.err.println("sleep-stage-trainer: " + e.getMessage());
            System.exit(1);
        }
        System.exit(0);
    }

    /**
     * Trains with in-process batchers ({@link LocalBatcherFactory}), printing progress to standard output.
     *
     * @param args the options; {@code --help} lists them; of an option given twice, the last counts
     * @return the result, or null if only help or the version was asked for
     * @throws IllegalArgumentException if the options are invalid (cause: picocli's exception) or do
     *     not fit the dataset
     * @throws CheckpointException if a checkpoint cannot be read, written, or does not fit the run
     * @throws dev.batcher.materializers.MaterializerException if batches cannot be made
     */
    public static TrainResult run(String[] args) {
        return run(args, new LocalBatcherFactory(), System.out, StepListener.none());
    }

    /**
     * Trains with batchers from {@code factory}.
     *
     * @param args the options
     * @param factory opens the {@code train} and {@code valid} batchers
     * @param out where progress goes
     * @param listener called after every step
     * @return the result, or null if only help or the version was asked for
     * @throws IllegalArgumentException if the options are invalid or do not fit the dataset
     * @throws CheckpointException if a checkpoint cannot be read, written, or does not fit the run
     * @throws RuntimeException whatever {@code factory}, a batcher or {@code listener} throws
     */
    public static TrainResult run(String[] args, BatcherFactory factory, PrintStream out, StepListener listener) {
        Objects.requireNonNull(factory, "factory");
        Objects.requireNonNull(out, "out");
        Objects.requireNonNull(listener, "listener");
        TrainOptions options = new TrainOptions();
        CommandLine cl = new CommandLine(options).setOverwrittenOptionsAllowed(true);
        try {
            cl.parseArgs(args);
        } catch (ParameterException e) {
            throw new IllegalArgumentException(e.getMessage() + " (see --help)", e);
        }
        if (cl.isUsageHelpRequested()) {
            cl.usage(out);
            return null;
        }
        if (cl.isVersionHelpRequested()) {
            cl.printVersionHelp(out);
            return null;
        }
        return new TrainingRun(options, factory, out, listener).train();
    }

    /** Returns the hex SHA-256 of the batch's x bytes then y bytes, little-endian. */
    static String digest(Batch batch) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            FloatBuffer x = batch.x();
            ByteBuffer xb = ByteBuffer.allocate(x.remaining() * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            xb.asFloatBuffer().put(x);
            sha.update(xb);
            IntBuffer y = batch.y();
            ByteBuffer yb = ByteBuffer.allocate(y.remaining() * Integer.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            yb.asIntBuffer().put(y);
            sha.update(yb);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
