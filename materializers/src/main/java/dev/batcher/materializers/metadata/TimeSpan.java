package dev.batcher.materializers.metadata;

/**
 * A half-open span of time {@code [startNanos, stopNanos)} within a recording, in nanoseconds.
 *
 * @param startNanos the first instant inside the span
 * @param stopNanos the first instant after the span
 */
public record TimeSpan(long startNanos, long stopNanos) {
    /**
     * Checks the span.
     *
     * @throws IllegalArgumentException if {@code startNanos < 0} or {@code stopNanos <= startNanos}
     */
    public TimeSpan {
        if (startNanos < 0) {
            throw new IllegalArgumentException("startNanos: " + startNanos + " (expected: >= 0)");
        }
        if (stopNanos <= startNanos) {
            throw new IllegalArgumentException(
                    "stopNanos: " + stopNanos + " (expected: > startNanos " + startNanos + ")");
        }
    }

    /** Returns the length of the span in nanoseconds. */
    public long durationNanos() {
        return stopNanos - startNanos;
    }

    /**
     * Tells whether {@code other} lies wholly inside this span.
     *
     * @param other the span to test
     * @return true if {@code other} starts at or after this span's start and stops at or before its stop
     */
    public boolean contains(TimeSpan other) {
        return other.startNanos >= startNanos && other.stopNanos <= stopNanos;
    }

    /**
     * Converts a duration in nanoseconds to a sample count at {@code rateHz}, rounding to the nearest
     * sample. The arithmetic splits whole seconds from the remainder so that hours of samples at
     * kilohertz rates stay exact in double precision; Java's strict IEEE arithmetic makes the result
     * the same on every JVM.
     *
     * @param nanos a duration in nanoseconds ({@code >= 0})
     * @param rateHz samples per second ({@code > 0})
     * @return the nearest whole number of samples
     */
    public static long samples(long nanos, double rateHz) {
        long seconds = nanos / 1_000_000_000L;
        long rest = nanos % 1_000_000_000L;
        return Math.round(seconds * rateHz + rest * rateHz / 1e9);
    }

    /**
     * Tells whether {@code nanos} is a whole number of samples at {@code rateHz}, within a tolerance of
     * one microsecond (so that rates such as 1/30 Hz, which doubles cannot hold exactly, still count).
     *
     * @param nanos a duration in nanoseconds
     * @param rateHz samples per second
     * @return true if the duration falls on the sample grid
     */
    public static boolean onGrid(long nanos, double rateHz) {
        long n = samples(nanos, rateHz);
        return Math.abs(nanosOf(n, rateHz) - nanos) <= 1_000;
    }

    /**
     * Converts a sample count at {@code rateHz} to nanoseconds, rounding to the nearest nanosecond.
     *
     * @param samples a number of samples
     * @param rateHz samples per second ({@code > 0})
     * @return the duration in nanoseconds
     */
    public static long nanosOf(long samples, double rateHz) {
        double seconds = samples / rateHz;
        long whole = (long) Math.floor(seconds);
        return whole * 1_000_000_000L + Math.round((seconds - whole) * 1e9);
    }
}
