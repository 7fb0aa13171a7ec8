package dev.batcher.service.manager;

import java.time.Duration;

/**
 * Exponential backoff for failed materialisations: retry {@code n} waits {@code min(base × 2^(n-1),
 * max)}.
 *
 * @param base the wait before the first retry
 * @param max the longest wait
 */
public record RetryPolicy(Duration base, Duration max) {
    /**
     * Checks the policy.
     *
     * @throws IllegalArgumentException if {@code base} is negative or {@code max < base}
     */
    public RetryPolicy {
        if (base.isNegative()) {
            throw new IllegalArgumentException("base: " + base + " (expected: >= 0)");
        }
        if (max.compareTo(base) < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= base " + base + ")");
        }
    }

    /** Returns the default: 100 ms doubling up to 5 s. */
    public static RetryPolicy defaults() {
        return new RetryPolicy(Duration.ofMillis(100), Duration.ofSeconds(5));
    }

    /**
     * Returns the wait before retry {@code attempt}.
     *
     * @param attempt the retry's number, from 1
     * @return the wait in nanoseconds
     */
    public long delayNanos(int attempt) {
        long d = base.toNanos();
        for (int i = 1; i < attempt && d < max.toNanos(); i++) {
            d *= 2;
        }
        return Math.min(d, max.toNanos());
    }
}
