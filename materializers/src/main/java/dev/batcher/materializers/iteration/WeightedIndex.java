package dev.batcher.materializers.iteration;

import java.util.Arrays;

/**
 * Draws indices with probability proportional to fixed weights, by a binary search over cumulative
 * sums that are built once, in index order, so the draw is the same in every JVM.
 */
final class WeightedIndex {
    private final double[] cumulative;

    private WeightedIndex(double[] cumulative) {
        this.cumulative = cumulative;
    }

    /**
     * Builds the sampler, or returns null for uniform weights (a null array).
     *
     * @param field the name of the weights in messages
     */
    static WeightedIndex of(String field, double[] weights) {
        if (weights == null) {
            return null;
        }
        double[] cumulative = new double[weights.length];
        double total = 0;
        for (int i = 0; i < weights.length; i++) {
            double w = weights[i];
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IterationException(field + "[" + i + "]: " + w + " (expected: finite and >= 0)");
            }
            total += w;
            cumulative[i] = total;
        }
        if (!(total > 0)) {
            throw new IterationException(field + ": all " + weights.length + " weights are 0 (expected: a positive sum)");
        }
        return new WeightedIndex(cumulative);
    }

    int draw(CounterRandom random) {
        double target = random.nextDouble() * cumulative[cumulative.length - 1];
        int i = Arrays.binarySearch(cumulative, target);
        i = i >= 0 ? i + 1 : -i - 1;
        // Skip zero-weight entries that share the cumulative value.
        while (i < cumulative.length - 1 && cumulative[i] <= target) {
            i++;
        }
        return Math.min(i, cumulative.length - 1);
    }

    static int draw(WeightedIndex weights, int n, CounterRandom random) {
        return weights == null ? random.nextInt(n) : weights.draw(random);
    }
}
