package dev.batcher.materializers.iteration;

/**
 * A counter-based random stream: the {@code i}-th value of the stream keyed by {@code (seed, batch)}
 * is a fixed function of the three numbers (SplitMix64's finaliser over a Weyl sequence). Nothing is
 * carried from one batch to the next, so a source can start at any batch in O(1), and the values are
 * the same in every JVM because they use nothing but 64-bit integer arithmetic.
 *
 * <p>Not thread-safe: each batch draws from a stream of its own.
 */
final class CounterRandom {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private final long key;
    private long counter;

    CounterRandom(long seed, long batch) {
        this.key = mix(mix(seed) + GOLDEN * (batch + 1));
    }

    /** SplitMix64's finaliser (Stafford's variant 13). */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long nextLong() {
        counter++;
        return mix(key + GOLDEN * counter);
    }

    /** Returns a value uniform in {@code [0, bound)}, without modulo bias. */
    long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound: " + bound + " (expected: > 0)");
        }
        long m = bound - 1;
        if ((bound & m) == 0) {
            return nextLong() & m;
        }
        long u = nextLong() >>> 1;
        for (long r = u % bound; u + m - r < 0; r = u % bound) {
            u = nextLong() >>> 1;
        }
        return u % bound;
    }

    int nextInt(int bound) {
        return (int) nextLong(bound);
    }

    /** Returns a double uniform in {@code [0, 1)} with 53 random bits. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }
}
