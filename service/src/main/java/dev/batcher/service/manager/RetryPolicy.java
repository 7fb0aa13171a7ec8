package dev.batcher.service.manager;

import dev.batcher.materializers.MaterializerException;
import dev.batcher.service.pool.JobFailedException;
import java.time.Duration;

/**
 * Which failed materialisations to retry, and when. A deterministic failure (a bad spec, a missing
 * channel, corrupt data: see {@link #retries(Throwable)}) is never retried; any other is retried
 * with exponential backoff: retry {@code n} waits {@code min(base × 2^(n-1), max)}.
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
     * Tells whether a failed materialisation is worth another attempt: not if the worker said the
     * failure is deterministic ({@link JobFailedException#deterministic()}), or it is a
     * {@link MaterializerException} that is ({@link MaterializerException#isDeterministic(Throwable)});
     * yes for anything else (an I/O error, a worker's bug, a lost result).
     *
     * @param failure what the attempt failed with
     * @return true to retry (up to the batcher's limit), false to fail the batcher at once
     */
    public boolean retries(Throwable failure) {
        if (failure instanceof JobFailedException j) {
            return !j.deterministic();
        }
        return !MaterializerException.isDeterministic(failure);
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
