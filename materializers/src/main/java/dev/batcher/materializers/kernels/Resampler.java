package dev.batcher.materializers.kernels;

import java.util.Arrays;

/**
 * Changes a signal's sampling rate by a rational factor {@code L/M} (up by {@code L}, down by
 * {@code M}) with a polyphase FIR filter: a Kaiser-windowed sinc low-pass whose stop band begins at
 * the lower of the two Nyquist frequencies, so that a downsampled signal does not alias.
 *
 * <h2>Filter</h2>
 *
 * With {@code nyq = min(fromHz, toHz) / 2}: pass band up to {@code 0.8 * nyq}, cut-off (-6 dB) at
 * {@code 0.9 * nyq}, stop band from {@code nyq} on, designed for {@value #ATTENUATION_DB} dB of
 * stop-band attenuation (Kaiser {@code beta = 0.1102 * (A - 8.7)}, length from Kaiser's formula).
 * Each of the {@code L} phases is normalised to unit gain at DC. The design uses only {@link
 * StrictMath} and IEEE arithmetic, so the taps (stored as float) are the same on every JVM.
 *
 * <h2>Timing and edges</h2>
 *
 * Output sample {@code m} lies at input time {@code m * M / L} (in input samples): the first output
 * coincides with the first input and the filter is symmetric, so there is no delay. Each output is
 * a weighted sum of the inputs within {@link #halfWidth()} samples of its time. Inputs outside
 * {@code [0, inLen)} count as <b>zeros</b>, so outputs within {@code halfWidth()} input samples of
 * either end are pulled towards zero; to avoid that, resample a window with that much margin on
 * each side and crop the result.
 *
 * <h2>Determinism</h2>
 *
 * Each output is a sum over the taps in a fixed order ({@link Kernels#combine(float[], int[],
 * float[], int, float[], int, int)}), so the vector path (whose lanes hold different outputs of the
 * same phase) and the scalar path agree bit for bit.
 *
 * <p>Instances are immutable and thread-safe. Equal rates give an identity resampler, which copies.
 */
public final class Resampler {
    /** The largest up or down factor {@link #of} accepts. */
    public static final int MAX_FACTOR = 1000;
    /** The designed stop-band attenuation, in dB. */
    public static final double ATTENUATION_DB = 80;

    private static final double RATIO_TOLERANCE = 1e-9;

    private final double fromHz;
    private final double toHz;
    private final int up;
    private final int down;
    private final int half;
    private final int taps;
    /** The filter, by phase: {@code phaseTaps[phi][j]} weighs input {@code base - half + 1 + j}. */
    private final float[][] phaseTaps;
    /**
     * For each output class r (outputs r, r + L, r + 2L, ...) and tap j: the component of the
     * de-interleaved input the tap reads, its offset in that component, and the coefficient.
     */
    private final int[][] classComponents;
    private final int[][] classOffsets;
    private final float[][] classCoefficients;

    private Resampler(double fromHz, double toHz, int up, int down) {
        this.fromHz = fromHz;
        this.toHz = toHz;
        this.up = up;
        this.down = down;
        if (up == down) {
            half = 0;
            taps = 0;
            phaseTaps = new float[0][];
            classComponents = new int[0][];
            classOffsets = new int[0][];
            classCoefficients = new float[0][];
            return;
        }
        double nyquist = 0.5 * Math.min(1.0, (double) up / down); // cycles per input sample
        double cutoff = 0.9 * nyquist;
        double transition = 0.2 * nyquist;
        double length = (ATTENUATION_DB - 7.95) / (2.285 * 2 * StrictMath.PI * transition);
        half = Math.max(2, (int) StrictMath.ceil(length / 2));
        taps = 2 * half;
        double beta = 0.1102 * (ATTENUATION_DB - 8.7);
        double i0Beta = besselI0(beta);
        phaseTaps = new float[up][taps];
        double[] h = new double[taps];
        for (int phase = 0; phase < up; phase++) {
            double sum = 0;
            for (int j = 0; j < taps; j++) {
                double t = (double) phase / up + (half - 1 - j); // output time minus input time
                double r = t / half;
                double window = r * r >= 1 ? 0 : besselI0(beta * StrictMath.sqrt(1 - r * r)) / i0Beta;
                h[j] = sinc(2 * cutoff * t) * window;
                sum += h[j];
            }
            for (int j = 0; j < taps; j++) {
                phaseTaps[phase][j] = (float) (h[j] / sum);
            }
        }
        // Output m = r + L*q has phase (r*M) % L and base (r*M)/L + q*M. With the padded input split
        // into M interleaved components, tap j of every output of class r reads component
        // (base_r + j) % M at element (base_r + j) / M + q: consecutive q are consecutive elements.
        classComponents = new int[up][taps];
        classOffsets = new int[up][taps];
        classCoefficients = new float[up][];
        for (int r = 0; r < up; r++) {
            long rm = (long) r * down;
            int base = (int) (rm / up);
            int phase = (int) (rm % up);
            for (int j = 0; j < taps; j++) {
                classComponents[r][j] = (base + j) % down;
                classOffsets[r][j] = (base + j) / down;
            }
            classCoefficients[r] = phaseTaps[phase];
        }
    }

    /**
     * Returns a resampler from one rate to another. The ratio {@code toHz / fromHz} must equal
     * {@code L / M} for integers {@code 1 <= L, M <=} {@value #MAX_FACTOR} (to a relative 1e-9);
     * the smallest such pair is used.
     *
     * @param fromHz the input rate
     * @param toHz the output rate
     * @return the resampler
     * @throws IllegalArgumentException if a rate is not finite and positive, or the ratio is not
     *     such a fraction
     */
    public static Resampler of(double fromHz, double toHz) {
        checkRate("fromHz", fromHz);
        checkRate("toHz", toHz);
        double ratio = toHz / fromHz;
        for (int m = 1; m <= MAX_FACTOR; m++) {
            long l = Math.round(ratio * m);
            if (l >= 1 && l <= MAX_FACTOR
                    && Math.abs(l * fromHz - m * toHz) <= RATIO_TOLERANCE * Math.max(l * fromHz, m * toHz)) {
                return new Resampler(fromHz, toHz, (int) l, m);
            }
        }
        throw new IllegalArgumentException("toHz / fromHz: " + toHz + " / " + fromHz
                + " (expected: a ratio L/M with integers 1 <= L, M <= " + MAX_FACTOR + ")");
    }

    private static void checkRate(String name, double hz) {
        if (!(hz > 0) || Double.isInfinite(hz)) {
            throw new IllegalArgumentException(name + ": " + hz + " (expected: > 0 and finite)");
        }
    }

    /** sin(pi x) / (pi x), with StrictMath. */
    private static double sinc(double x) {
        if (x == 0) {
            return 1;
        }
        double px = StrictMath.PI * x;
        return StrictMath.sin(px) / px;
    }

    /** The modified Bessel function of the first kind, order 0, by its power series. */
    static double besselI0(double x) {
        double sum = 1;
        double term = 1;
        double q = x * x / 4;
        for (int k = 1; k < 500; k++) {
            term = term * q / ((double) k * k);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return sum;
    }

    /**
     * Returns the input rate.
     *
     * @return the rate {@link #of} was given first
     */
    public double fromHz() {
        return fromHz;
    }

    /**
     * Returns the output rate.
     *
     * @return the rate {@link #of} was given second
     */
    public double toHz() {
        return toHz;
    }

    /**
     * Returns the up factor {@code L}.
     *
     * @return {@code L}, in lowest terms with {@link #downFactor()}
     */
    public int upFactor() {
        return up;
    }

    /**
     * Returns the down factor {@code M}.
     *
     * @return {@code M}, in lowest terms with {@link #upFactor()}
     */
    public int downFactor() {
        return down;
    }

    /**
     * Returns how far, in input samples, the filter reaches on each side of an output's time: the
     * margin a window needs on each side for its outputs not to see the zero padding. {@code 0} for
     * an identity resampler.
     *
     * @return the half width in input samples
     */
    public int halfWidth() {
        return half;
    }

    /**
     * Returns the taps each output is the weighted sum of ({@code 2 * halfWidth()}).
     *
     * @return the taps per output
     */
    public int tapsPerOutput() {
        return taps;
    }

    /** Returns a copy of phase {@code phase}'s taps, oldest input first (for tests). */
    float[] phaseTaps(int phase) {
        return phaseTaps[phase].clone();
    }

    /**
     * Returns the number of outputs for an input of {@code inputLength} samples: {@code
     * ceil(inputLength * L / M)}, the outputs whose time lies inside the input.
     *
     * @param inputLength the input length
     * @return the output length
     * @throws IllegalArgumentException if {@code inputLength < 0} or the output would not fit in an
     *     array
     */
    public int outputLength(int inputLength) {
        Checks.count("inputLength", inputLength);
        long out = ((long) inputLength * up + down - 1) / down;
        if (out > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("inputLength: " + inputLength
                    + " (expected: an output length " + out + " that fits in an array)");
        }
        return (int) out;
    }

    /**
     * Resamples {@code in[inOff, inOff + inLen)} into {@code out[outOff, outOff +
     * outputLength(inLen))}. Works in a per-thread scratch copy of the input (about {@code inLen + 2
     * * halfWidth()} floats), kept between calls unless it exceeds 2<sup>20</sup> floats.
     *
     * @param k the kernels to run the filter with
     * @param in the input samples
     * @param inOff the first input sample
     * @param inLen the number of input samples
     * @param out where the output goes
     * @param outOff the first output element to write
     * @throws NullPointerException if {@code k}, {@code in} or {@code out} is null
     * @throws IllegalArgumentException if {@code inLen < 0} or the output would not fit in an array
     * @throws IndexOutOfBoundsException if {@code [inOff, inOff + inLen)} is not inside {@code in}
     *     or {@code [outOff, outOff + outputLength(inLen))} is not inside {@code out}
     */
    public void apply(Kernels k, float[] in, int inOff, int inLen, float[] out, int outOff) {
        Checks.notNull(k, "k");
        Checks.notNull(in, "in");
        Checks.notNull(out, "out");
        Checks.count("inLen", inLen);
        Checks.range("inOff", inOff, inLen, "in", in.length);
        int outLen = outputLength(inLen);
        if (outOff < 0 || outOff > out.length - outLen) {
            throw new IndexOutOfBoundsException("outOff: " + outOff + " (expected: >= 0 and outOff + "
                    + "outputLength(inLen) <= out.length, with outputLength(inLen) " + outLen
                    + " and out.length " + out.length + ")");
        }
        if (outLen == 0) {
            return;
        }
        if (up == down) {
            System.arraycopy(in, inOff, out, outOff, inLen);
            return;
        }
        // The padded input P[u] = in[u - pad] (zero outside), split into M components
        // C[s][v] = P[v * M + s], stored one after the other in one array: C[s][v] = split[s * stride + v].
        int pad = half - 1;
        long lastBase = ((long) (outLen - 1) * down) / up;
        long padded = Math.max(lastBase + taps, (long) pad + inLen);
        int stride = (int) ((padded + down - 1) / down);
        Scratch scratch = Scratch.get();
        float[] split = scratch.split(Math.multiplyExact(stride, down));
        for (int s = 0; s < down; s++) {
            // Input i lands at u = pad + i: component u % M, element u / M.
            int first = Math.floorMod(s - pad, down);
            int start = s * stride + (pad + first) / down;
            int end = s * stride + stride;
            int to = start;
            if (down == 1) {
                System.arraycopy(in, inOff, split, start, inLen);
                to += inLen;
            } else {
                for (int i = first; i < inLen; i += down) {
                    split[to++] = in[inOff + i];
                }
            }
            Arrays.fill(split, s * stride, start, 0f);
            Arrays.fill(split, to, end, 0f);
        }
        int[] offsets = scratch.offsets(taps);
        float[] phaseOut = up == 1 ? null : scratch.phaseOut((outLen + up - 1) / up);
        for (int r = 0; r < up && r < outLen; r++) {
            int count = (outLen - r + up - 1) / up;
            int[] components = classComponents[r];
            int[] within = classOffsets[r];
            for (int j = 0; j < taps; j++) {
                offsets[j] = components[j] * stride + within[j];
            }
            if (up == 1) {
                k.combine(split, offsets, classCoefficients[r], taps, out, outOff, count);
            } else {
                k.combine(split, offsets, classCoefficients[r], taps, phaseOut, 0, count);
                for (int q = 0, o = outOff + r; q < count; q++, o += up) {
                    out[o] = phaseOut[q];
                }
            }
        }
    }

    /**
     * Per-thread working arrays, reused across calls (allocating and zeroing them each time cost
     * more than the copy into them). Arrays above {@link #KEEP} elements are not kept.
     */
    private static final class Scratch {
        static final int KEEP = 1 << 20;
        private static final ThreadLocal<Scratch> LOCAL = ThreadLocal.withInitial(Scratch::new);
        private float[] split = new float[0];
        private float[] phaseOut = new float[0];
        private int[] offsets = new int[0];

        static Scratch get() {
            return LOCAL.get();
        }

        float[] split(int length) {
            if (split.length >= length) {
                return split;
            }
            float[] a = new float[length];
            if (length <= KEEP) {
                split = a;
            }
            return a;
        }

        float[] phaseOut(int length) {
            if (phaseOut.length >= length) {
                return phaseOut;
            }
            float[] a = new float[length];
            if (length <= KEEP) {
                phaseOut = a;
            }
            return a;
        }

        int[] offsets(int length) {
            if (offsets.length >= length) {
                return offsets;
            }
            int[] a = new int[length];
            if (length <= KEEP) {
                offsets = a;
            }
            return a;
        }
    }

    /** Describes the resampler, for example {@code Resampler[256.0 Hz -> 128.0 Hz, L/M 1/2, 102 taps]}. */
    @Override
    public String toString() {
        return "Resampler[" + fromHz + " Hz -> " + toHz + " Hz, L/M " + up + "/" + down + ", " + taps + " taps]";
    }
}
