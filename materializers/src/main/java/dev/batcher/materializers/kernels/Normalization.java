package dev.batcher.materializers.kernels;

/**
 * The parts of {@link Kernels#normalize} shared by both paths: the fixed logical lane count of the
 * reductions, the fixed order in which the lanes are combined, and the step from the sum of squares
 * to the float scale factor. Keeping them in one place is what makes the two paths agree bit for
 * bit on every CPU: the hardware vector width never enters the arithmetic.
 */
final class Normalization {
    /** Logical double lanes of the mean and variance reductions: lane j takes elements 8k + j. */
    static final int LANES = 8;

    private Normalization() {}

    /** Combines the eight lane sums pairwise, in a fixed order. */
    static double combine(double s0, double s1, double s2, double s3, double s4, double s5, double s6, double s7) {
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7));
    }

    /**
     * Returns {@code (float) (1 / sqrt(squares / n))}, or {@code 0} when the channel is to become
     * all zeros: a zero variance (a constant channel, or {@code n == 1}) or one so small that the
     * float inverse overflows. A NaN variance (NaN or infinite input) gives NaN.
     */
    static float inverseStd(double squares, int n) {
        double variance = squares / n;
        if (variance == 0) {
            return 0f;
        }
        float inv = (float) (1.0 / Math.sqrt(variance));
        return Float.isInfinite(inv) ? 0f : inv;
    }
}
