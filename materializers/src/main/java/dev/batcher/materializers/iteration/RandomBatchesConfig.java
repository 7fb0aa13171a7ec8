package dev.batcher.materializers.iteration;

import dev.batcher.api.ChannelSelection;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The settings of {@link RandomBatches}.
 *
 * @param batchSize items per batch ({@code > 0})
 * @param batchDurationNanos the window length: a whole number of label periods
 * @param numChannels channels to draw without replacement per item, or null to use {@code channels}
 * @param channels the channel selection when {@code numChannels} is null (default: all, in order)
 * @param signalWeights one weight per labeled signal, or null for uniform
 * @param labelWeights per labeled signal, one weight per label epoch (or a null entry for uniform),
 *     or null for uniform everywhere
 */
public record RandomBatchesConfig(
        int batchSize,
        long batchDurationNanos,
        Integer numChannels,
        ChannelSelection channels,
        double[] signalWeights,
        List<double[]> labelWeights) {

    /**
     * Checks the values that need no dataset.
     *
     * @throws IterationException if {@code batchSize <= 0}, {@code batchDurationNanos <= 0} or
     *     {@code numChannels <= 0}
     */
    public RandomBatchesConfig {
        Windows.requirePositive("batchSize", batchSize);
        Windows.requirePositive("batchDurationNanos", batchDurationNanos);
        if (numChannels != null) {
            Windows.requirePositive("numChannels", numChannels);
        }
        channels = channels == null ? ChannelSelection.all() : channels;
        signalWeights = signalWeights == null ? null : signalWeights.clone();
        labelWeights = labelWeights == null ? null
                : labelWeights.stream().map(w -> w == null ? null : w.clone()).toList();
    }

    /**
     * Returns the settings with uniform weights and every channel.
     *
     * @param batchSize items per batch
     * @param batchSeconds the window length in seconds
     * @return the settings
     */
    public static RandomBatchesConfig of(int batchSize, double batchSeconds) {
        return new RandomBatchesConfig(batchSize, Math.round(batchSeconds * 1e9), null, null, null, null);
    }

    /** Returns a copy that draws {@code n} channels per item. */
    public RandomBatchesConfig withNumChannels(Integer n) {
        return new RandomBatchesConfig(batchSize, batchDurationNanos, n, channels, signalWeights, labelWeights);
    }

    /** Returns a copy that selects {@code selection} in every item. */
    public RandomBatchesConfig withChannels(ChannelSelection selection) {
        return new RandomBatchesConfig(batchSize, batchDurationNanos, numChannels, selection, signalWeights, labelWeights);
    }

    /** Returns a copy with one weight per labeled signal. */
    public RandomBatchesConfig withSignalWeights(double[] weights) {
        return new RandomBatchesConfig(batchSize, batchDurationNanos, numChannels, channels, weights, labelWeights);
    }

    /** Returns a copy with per-epoch weights for each labeled signal. */
    public RandomBatchesConfig withLabelWeights(List<double[]> weights) {
        return new RandomBatchesConfig(batchSize, batchDurationNanos, numChannels, channels, signalWeights, weights);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RandomBatchesConfig c
                && batchSize == c.batchSize
                && batchDurationNanos == c.batchDurationNanos
                && Objects.equals(numChannels, c.numChannels)
                && channels.equals(c.channels)
                && Arrays.equals(signalWeights, c.signalWeights)
                && deepEquals(labelWeights, c.labelWeights);
    }

    private static boolean deepEquals(List<double[]> a, List<double[]> b) {
        if (a == null || b == null) {
            return a == b;
        }
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!Arrays.equals(a.get(i), b.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public int hashCode() {
        int h = Objects.hash(batchSize, batchDurationNanos, numChannels, channels);
        h = 31 * h + Arrays.hashCode(signalWeights);
        if (labelWeights != null) {
            for (double[] w : labelWeights) {
                h = 31 * h + Arrays.hashCode(w);
            }
        }
        return h;
    }

    @Override
    public String toString() {
        return "RandomBatchesConfig[batchSize=" + batchSize + ", batchDurationNanos=" + batchDurationNanos
                + ", numChannels=" + numChannels + ", channels=" + channels
                + ", signalWeights=" + (signalWeights == null ? "uniform" : signalWeights.length + " weights")
                + ", labelWeights=" + (labelWeights == null ? "uniform" : labelWeights.size() + " arrays") + "]";
    }
}
