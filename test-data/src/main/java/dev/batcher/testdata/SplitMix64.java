package dev.batcher.testdata;

/**
 * A counter-based random generator (SplitMix64, Steele, Lea and Flood 2014). Every stream is keyed
 * by a tuple such as (seed, recording, epoch), so what a recording or epoch draws never depends on
 * which thread made it or on what was drawn before. Not thread-safe: give each task its own stream.
 */
final class SplitMix64 {
    /** The Weyl increment: the golden ratio as a 64-bit fraction. */
    static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private long state;

    private SplitMix64(long state) {
        this.state = state;
    }

    /**
     * Returns a stream keyed by a seed and a path of indices.
     *
     * @param seed the dataset seed
     * @param path the indices that name the stream (a purpose tag, the recording, the epoch, ...)
     * @return a new stream
     */
    static SplitMix64 keyed(long seed, long... path) {
        return new SplitMix64(key(seed, path));
    }

    /**
     * Hashes a seed and a path of indices into one 64-bit key. Different paths give unrelated keys.
     *
     * @param seed the dataset seed
     * @param path the indices that name the stream
     * @return the key
     */
    static long key(long seed, long... path) {
        long h = mix(seed ^ 0x6A09E667F3BCC909L);
        for (long p : path) {
            h = mix(h + GOLDEN + mix(p ^ 0xBB67AE8584CAA73BL));
        }
        return h;
    }

    /**
     * The SplitMix64 finaliser (variant 13 of Stafford's mixers): a bijection on 64-bit values.
     *
     * @param z the value to mix
     * @return the mixed value
     */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Returns the current counter; {@link #mix(long)} of {@code counter + k * GOLDEN} is the k-th draw. */
    long counter() {
        return state;
    }

    /** Moves the counter on by {@code draws} draws (used after an inlined loop drew that many). */
    void skip(long draws) {
        state += draws * GOLDEN;
    }

    /** Returns the next 64 random bits. */
    long nextLong() {
        return mix(state += GOLDEN);
    }

    /** Returns a uniform double in {@code [0, 1)}. */
    double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    /**
     * Returns a uniform double in {@code [low, high)}.
     *
     * @param low the smallest value
     * @param high the bound
     * @return the value
     */
    double uniform(double low, double high) {
        return low + (high - low) * nextDouble();
    }

    /**
     * Returns a uniform int in {@code [0, bound)} (Lemire's multiply-shift; the bias is below 2^-32).
     *
     * @param bound the exclusive bound, {@code > 0}
     * @return the value
     */
    int nextInt(int bound) {
        return (int) (((nextLong() >>> 32) * bound) >>> 32);
    }

    /** Returns a standard normal value (Box-Muller with StrictMath, so the bits are the same everywhere). */
    double nextGaussian() {
        double u = 1.0 - nextDouble(); // (0, 1]
        double v = nextDouble();
        return StrictMath.sqrt(-2.0 * StrictMath.log(u)) * StrictMath.cos(2.0 * StrictMath.PI * v);
    }

    /**
     * Returns the number of events of a Poisson process with the given mean (Knuth's method; fine for
     * the small means used here).
     *
     * @param mean the expected count, {@code >= 0}
     * @return the count
     */
    int nextPoisson(double mean) {
        double limit = StrictMath.exp(-mean);
        int k = 0;
        double p = nextDouble();
        while (p > limit) {
            k++;
            p *= nextDouble();
        }
        return k;
    }
}
