package dev.batcher.materializers.features;

/**
 * An in-place, iterative, radix-2 complex FFT of one size: {@code X[k] = sum_j x[j] exp(-2 pi i j k / n)},
 * unscaled. The twiddle factors are computed once with {@link StrictMath}, so the results are the same
 * bits on every JVM and machine. Immutable and thread-safe; {@link #transform} works in the caller's
 * arrays.
 */
final class Fft {
    private final int n;
    private final int[] reversed;
    private final double[] cos;
    private final double[] sin;

    /**
     * Prepares the tables for transforms of length {@code n}.
     *
     * @param n a power of two, {@code >= 1}
     * @throws IllegalArgumentException if {@code n} is not a power of two
     */
    Fft(int n) {
        if (n < 1 || Integer.bitCount(n) != 1) {
            throw new IllegalArgumentException("n: " + n + " (expected: a power of two >= 1)");
        }
        this.n = n;
        this.reversed = new int[n];
        int bits = Integer.numberOfTrailingZeros(n);
        for (int i = 0; i < n; i++) {
            reversed[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
        }
        int half = n / 2;
        this.cos = new double[half];
        this.sin = new double[half];
        for (int k = 0; k < half; k++) {
            double angle = 2 * StrictMath.PI * k / n;
            cos[k] = StrictMath.cos(angle);
            sin[k] = StrictMath.sin(angle);
        }
    }

    /** Returns the transform length. */
    int size() {
        return n;
    }

    /** Returns the smallest power of two {@code >= m}. */
    static int ceilPowerOfTwo(int m) {
        if (m < 1 || m > (1 << 30)) {
            throw new IllegalArgumentException("m: " + m + " (expected: 1 to 2^30)");
        }
        return m == 1 ? 1 : Integer.highestOneBit(m - 1) << 1;
    }

    /**
     * Replaces {@code (re, im)} by its discrete Fourier transform.
     *
     * @param re the real parts, length {@link #size()}
     * @param im the imaginary parts, length {@link #size()}
     * @throws IllegalArgumentException if an array has the wrong length
     */
    void transform(double[] re, double[] im) {
        if (re.length != n || im.length != n) {
            throw new IllegalArgumentException("re.length " + re.length + ", im.length " + im.length
                    + " (expected: both " + n + ")");
        }
        for (int i = 0; i < n; i++) {
            int j = reversed[i];
            if (i < j) {
                double t = re[i];
                re[i] = re[j];
                re[j] = t;
                t = im[i];
                im[i] = im[j];
                im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >>> 1;
            int stride = n / len;
            for (int start = 0; start < n; start += len) {
                for (int k = 0; k < half; k++) {
                    double wr = cos[k * stride];
                    double wi = -sin[k * stride];
                    int u = start + k;
                    int v = u + half;
                    double tr = re[v] * wr - im[v] * wi;
                    double ti = re[v] * wi + im[v] * wr;
                    re[v] = re[u] - tr;
                    im[v] = im[u] - ti;
                    re[u] += tr;
                    im[u] += ti;
                }
            }
        }
    }
}
