package dev.batcher.samples.sleep;

import org.ojalgo.matrix.store.R064Store;

/**
 * Per-feature standardisation, {@code (x - mean) / sd}, with the mean and variance estimated by
 * Welford's running update over the rows of the first training batches and then frozen. Rows are
 * taken in order, so the estimate is the same bits on every run. A feature with fewer than two
 * observations or no spread is divided by 1.
 */
final class Standardizer {
    private static final double MIN_SD = 1e-12;

    private final int features;
    private long count;
    private final double[] mean;
    private final double[] m2;

    Standardizer(int features) {
        this(features, 0, new double[features], new double[features]);
    }

    Standardizer(int features, long count, double[] mean, double[] m2) {
        if (mean.length != features || m2.length != features || count < 0) {
            throw new IllegalArgumentException("standardizer of " + features + " features: count " + count + ", "
                    + mean.length + " means, " + m2.length + " sums of squares (expected: count >= 0 and "
                    + features + " of each)");
        }
        this.features = features;
        this.count = count;
        this.mean = mean.clone();
        this.m2 = m2.clone();
    }

    int features() {
        return features;
    }

    long count() {
        return count;
    }

    double[] mean() {
        return mean.clone();
    }

    double[] m2() {
        return m2.clone();
    }

    /** Adds every row of {@code x} ({@code n x features}) to the estimate, row 0 first. */
    void update(R064Store x) {
        int n = x.getRowDim();
        for (int r = 0; r < n; r++) {
            count++;
            for (int f = 0; f < features; f++) {
                double v = x.data[f * n + r];
                double delta = v - mean[f];
                mean[f] += delta / count;
                m2[f] += delta * (v - mean[f]);
            }
        }
    }

    /** Standardises {@code x} in place. */
    void apply(R064Store x) {
        int n = x.getRowDim();
        for (int f = 0; f < features; f++) {
            double sd = count < 2 ? 1 : StrictMath.sqrt(m2[f] / count);
            double scale = sd > MIN_SD ? 1 / sd : 1;
            double shift = count < 1 ? 0 : mean[f];
            for (int r = 0; r < n; r++) {
                x.data[f * n + r] = (x.data[f * n + r] - shift) * scale;
            }
        }
    }
}
