package dev.batcher.samples.sleep;

import java.nio.file.Path;
import java.util.List;

/**
 * What a training run did and reached. Arrays are copied in and out.
 *
 * @param startStep the step this run started from: 0, or the resumed checkpoint's step
 * @param steps the steps done at the end, counted from the start of training
 * @param state the training batch state after the last step, {@code seed=S,batch=B}
 * @param validAccuracy the held-out accuracy, or NaN without a validation set
 * @param validEpochs the held-out epochs counted (labels {@code -1} are skipped)
 * @param classes the label names, in label order
 * @param confusion held-out counts, {@code confusion[true][predicted]}
 * @param lossEma the moving average of the training loss at the end (NaN before any step)
 * @param accuracyEma the moving average of the training accuracy at the end
 * @param losses each step's training loss, for the steps of this run
 * @param batchesPerSecond training steps per second of this run's training loop
 * @param takeWaitShare the share of the training loop's time spent waiting in {@code take}
 * @param seconds the wall-clock time of the training loop
 * @param digests per step of this run, the SHA-256 (hex) of the batch's x then y bytes (little-endian
 *     float32 and int32), if asked for with {@code --digests}; empty otherwise
 * @param parameters the model's parameters at the end, row-major and concatenated in checkpoint order
 * @param checkpoint the last checkpoint written or resumed from, or null
 */
public record TrainResult(long startStep, long steps, String state, double validAccuracy, long validEpochs,
        List<String> classes, long[][] confusion, double lossEma, double accuracyEma, double[] losses,
        double batchesPerSecond, double takeWaitShare, double seconds, List<String> digests, double[] parameters,
        Path checkpoint) {

    /**
     * Copies the lists and arrays.
     *
     * @param startStep the step this run started from
     * @param steps the steps done at the end
     * @param state the training batch state after the last step
     * @param validAccuracy the held-out accuracy, or NaN
     * @param validEpochs the held-out epochs counted
     * @param classes the label names
     * @param confusion held-out counts, {@code confusion[true][predicted]}
     * @param lossEma the training loss moving average
     * @param accuracyEma the training accuracy moving average
     * @param losses each step's training loss, for this run
     * @param batchesPerSecond training steps per second
     * @param takeWaitShare the share of the loop's time spent in {@code take}
     * @param seconds the training loop's wall-clock time
     * @param digests the batch digests, or empty
     * @param parameters the model's parameters
     * @param checkpoint the last checkpoint, or null
     */
    public TrainResult {
        classes = List.copyOf(classes);
        confusion = deepCopy(confusion);
        losses = losses.clone();
        digests = List.copyOf(digests);
        parameters = parameters.clone();
    }

    private static long[][] deepCopy(long[][] a) {
        long[][] c = new long[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    /** Returns a copy of the confusion counts. */
    @Override
    public long[][] confusion() {
        return deepCopy(confusion);
    }

    /** Returns a copy of the per-step losses. */
    @Override
    public double[] losses() {
        return losses.clone();
    }

    /** Returns a copy of the parameters. */
    @Override
    public double[] parameters() {
        return parameters.clone();
    }
}
