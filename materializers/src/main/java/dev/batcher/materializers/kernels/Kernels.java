package dev.batcher.materializers.kernels;

/**
 * The numeric kernels of materialisation: decoding stored samples to float, linear combinations of
 * channels (montages, FIR filters), and per-channel z-scoring.
 *
 * <p>Each kernel has two paths, chosen when the instance is obtained: a Vector API path ({@link
 * #vector()}) and a plain scalar path ({@link #scalar()}). <b>The two give bit-identical output</b>,
 * on any CPU and on any JDK from 17 on: both perform the same separately rounded IEEE operations in
 * the same order (never a fused multiply-add), and no result depends on the hardware vector width
 * (elementwise kernels keep each output in its own lane; the reductions of {@link #normalize} use a
 * fixed logical layout). The one thing not pinned down is the sign and payload of a NaN result
 * where two NaNs meet in one operation, or a NaN meets an invalid operation such as {@code 0 *
 * inf}: Java leaves those bits open (the JIT may swap the operands of a commutative operation, and
 * CPUs differ in the NaN they generate), so such a result is a NaN on both paths, nothing more. A
 * single NaN operand passes through with its payload (quieted) on both paths.
 *
 * <p>Instances are immutable and thread-safe; the kernels allocate nothing except in {@link
 * #normalize} (a 64-byte scratch array on the vector path).
 *
 * <p>System properties:
 *
 * <ul>
 *   <li>{@value #PATH_PROPERTY}{@code =scalar} makes {@link #defaults()} return the scalar path;
 *   <li>{@value #BITS_PROPERTY}{@code =128|256|512} forces the vector width (read once, when the
 *       vector path is first used; another value is ignored with a warning). It is a diagnostic: it
 *       cannot change results, only speed. Without it the width is the JVM's preferred one (512
 *       bits on AVX-512), the fastest measured: 256 bits was slower on AVX-512 for decode, montage
 *       and resampling, and narrowing the vectors was no cure for the JDK 17 slowdowns described
 *       in {@code VectorKernels} ({@code docs/benchmarks.md}, 2026-11-22).
 * </ul>
 */
public final class Kernels {
    /** The system property that selects the path {@link #defaults()} returns: {@code vector} or {@code scalar}. */
    public static final String PATH_PROPERTY = "batcher.kernels";
    /** The system property that forces the vector width in bits: {@code 128}, {@code 256} or {@code 512}. */
    public static final String BITS_PROPERTY = "batcher.kernels.vectorBits";

    private static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final Kernels SCALAR = new Kernels(KernelPath.SCALAR);
    private static final Kernels VECTOR = vectorModulePresent() ? new Kernels(KernelPath.VECTOR) : null;

    private final KernelPath path;
    private final boolean vector;

    private Kernels(KernelPath path) {
        this.path = path;
        this.vector = path == KernelPath.VECTOR;
    }

    private static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /**
     * Returns the Vector API kernels.
     *
     * @return the vector path
     * @throws UnsupportedOperationException if the JVM was started without {@code --add-modules
     *     jdk.incubator.vector}
     */
    public static Kernels vector() {
        if (VECTOR == null) {
            throw new UnsupportedOperationException("the vector kernels need the " + VECTOR_MODULE
                    + " module (expected: the JVM started with --add-modules " + VECTOR_MODULE + ")");
        }
        return VECTOR;
    }

    /**
     * Returns the scalar kernels, which need nothing beyond the JDK.
     *
     * @return the scalar path
     */
    public static Kernels scalar() {
        return SCALAR;
    }

    /**
     * Returns the kernels to use by default: the vector path, unless the system property {@value
     * #PATH_PROPERTY} is {@code scalar} or the {@code jdk.incubator.vector} module is absent. The
     * property is read on every call. Since the paths agree bit for bit, the choice only affects
     * speed.
     *
     * @return the default path
     * @throws IllegalArgumentException if {@value #PATH_PROPERTY} is set to something other than
     *     {@code vector} or {@code scalar}
     */
    public static Kernels defaults() {
        String chosen = System.getProperty(PATH_PROPERTY);
        if (chosen == null || chosen.isBlank() || chosen.trim().equalsIgnoreCase("vector")) {
            return VECTOR != null ? VECTOR : SCALAR;
        }
        if (chosen.trim().equalsIgnoreCase("scalar")) {
            return SCALAR;
        }
        throw new IllegalArgumentException(PATH_PROPERTY + ": " + chosen + " (expected: vector or scalar)");
    }

    /**
     * Returns which path this instance runs.
     *
     * @return {@link KernelPath#VECTOR} or {@link KernelPath#SCALAR}
     */
    public KernelPath path() {
        return path;
    }

    /**
     * Joins the two byte planes of shuffled little-endian int16 values (HDF5's shuffle filter stores
     * the low byte of every value, then the high byte of every value):
     * {@code dst[dstOff + i] = (short) ((src[lowOff + i] & 0xff) | (src[highOff + i] << 8))} for
     * {@code i} in {@code [0, n)}. For big-endian values pass the planes the other way round.
     *
     * @param src the shuffled bytes
     * @param lowOff where the low bytes of the {@code n} values start
     * @param highOff where their high bytes start
     * @param dst where the values go
     * @param dstOff the first value to write
     * @param n how many values
     * @throws NullPointerException if {@code src} or {@code dst} is null
     * @throws IllegalArgumentException if {@code n < 0}
     * @throws IndexOutOfBoundsException if {@code [lowOff, lowOff + n)} or {@code [highOff, highOff + n)}
     *     is not inside {@code src}, or {@code [dstOff, dstOff + n)} is not inside {@code dst}
     */
    public void unshuffle16(byte[] src, int lowOff, int highOff, short[] dst, int dstOff, int n) {
        Checks.notNull(src, "src");
        Checks.notNull(dst, "dst");
        Checks.count("n", n);
        Checks.range("lowOff", lowOff, n, "src", src.length);
        Checks.range("highOff", highOff, n, "src", src.length);
        Checks.range("dstOff", dstOff, n, "dst", dst.length);
        if (vector) {
            VectorKernels.unshuffle16(src, lowOff, highOff, dst, dstOff, n);
        } else {
            ScalarKernels.unshuffle16(src, lowOff, highOff, dst, dstOff, n);
        }
    }

    /**
     * Decodes int16 samples: {@code dst[dstOff + i] = (float) src[srcOff + i] * scale + offset} for
     * {@code i} in {@code [0, n)}, as a rounded multiply followed by a rounded add (no fused
     * multiply-add).
     *
     * @param src the stored samples
     * @param srcOff the first sample to read
     * @param dst where the floats go
     * @param dstOff the first float to write
     * @param n how many samples
     * @param scale the factor (physical units per step)
     * @param offset added after scaling
     * @throws NullPointerException if {@code src} or {@code dst} is null
     * @throws IllegalArgumentException if {@code n < 0}
     * @throws IndexOutOfBoundsException if {@code [srcOff, srcOff + n)} is not inside {@code src} or
     *     {@code [dstOff, dstOff + n)} is not inside {@code dst}
     */
    public void decode(short[] src, int srcOff, float[] dst, int dstOff, int n, float scale, float offset) {
        Checks.notNull(src, "src");
        Checks.notNull(dst, "dst");
        Checks.count("n", n);
        Checks.range("srcOff", srcOff, n, "src", src.length);
        Checks.range("dstOff", dstOff, n, "dst", dst.length);
        if (vector) {
            VectorKernels.decode(src, srcOff, dst, dstOff, n, scale, offset);
        } else {
            ScalarKernels.decode(src, srcOff, dst, dstOff, n, scale, offset);
        }
    }

    /**
     * Decodes float32 samples: {@code dst[dstOff + i] = src[srcOff + i] * scale + offset}, a rounded
     * multiply followed by a rounded add. {@code src} and {@code dst} may be the same array (in-place
     * decoding) if the ranges are identical or do not overlap.
     *
     * @param src the stored samples
     * @param srcOff the first sample to read
     * @param dst where the floats go
     * @param dstOff the first float to write
     * @param n how many samples
     * @param scale the factor
     * @param offset added after scaling
     * @throws NullPointerException if {@code src} or {@code dst} is null
     * @throws IllegalArgumentException if {@code n < 0}
     * @throws IndexOutOfBoundsException if {@code [srcOff, srcOff + n)} is not inside {@code src} or
     *     {@code [dstOff, dstOff + n)} is not inside {@code dst}
     */
    public void decode(float[] src, int srcOff, float[] dst, int dstOff, int n, float scale, float offset) {
        Checks.notNull(src, "src");
        Checks.notNull(dst, "dst");
        Checks.count("n", n);
        Checks.range("srcOff", srcOff, n, "src", src.length);
        Checks.range("dstOff", dstOff, n, "dst", dst.length);
        if (vector) {
            VectorKernels.decode(src, srcOff, dst, dstOff, n, scale, offset);
        } else {
            ScalarKernels.decode(src, srcOff, dst, dstOff, n, scale, offset);
        }
    }

    /**
     * Writes a linear combination of rows: for {@code i} in {@code [0, n)},
     *
     * <pre>{@code
     * acc = inputs[termInputs[0]][termOffsets[0] + i] * coefficients[0];
     * for (t = 1; t < terms; t++)
     *     acc = acc + inputs[termInputs[t]][termOffsets[t] + i] * coefficients[t];
     * dst[dstOff + i] = acc;
     * }</pre>
     *
     * each product and each sum separately rounded, terms in the given order. With no terms the
     * range is zero-filled. This is the kernel behind montage derivations (one term per input
     * channel) and the polyphase FIR filter of {@link Resampler} (one term per tap, each reading the
     * input at its own offset). {@code dst} must not overlap any input range that is read.
     *
     * @param inputs the rows terms read from; rows no term names may be null
     * @param termInputs for each term, the index of its row in {@code inputs}
     * @param termOffsets for each term, the element of its row that lines up with {@code i = 0}
     * @param coefficients for each term, its factor
     * @param terms how many terms (the first {@code terms} entries of the three arrays are used)
     * @param dst where the sums go
     * @param dstOff the first element to write
     * @param n how many elements
     * @throws NullPointerException if an array, or a row a term names, is null
     * @throws IllegalArgumentException if {@code terms < 0} or {@code n < 0}
     * @throws IndexOutOfBoundsException if a term array is shorter than {@code terms}, a term names a
     *     row outside {@code inputs}, a term's range {@code [termOffsets[t], termOffsets[t] + n)} is
     *     not inside its row, or {@code [dstOff, dstOff + n)} is not inside {@code dst}
     */
    public void combine(float[][] inputs, int[] termInputs, int[] termOffsets, float[] coefficients, int terms,
            float[] dst, int dstOff, int n) {
        Checks.notNull(inputs, "inputs");
        Checks.notNull(termInputs, "termInputs");
        Checks.notNull(termOffsets, "termOffsets");
        Checks.notNull(coefficients, "coefficients");
        Checks.notNull(dst, "dst");
        Checks.count("terms", terms);
        Checks.count("n", n);
        Checks.atLeast("termInputs.length", termInputs.length, "terms", terms);
        Checks.atLeast("termOffsets.length", termOffsets.length, "terms", terms);
        Checks.atLeast("coefficients.length", coefficients.length, "terms", terms);
        for (int t = 0; t < terms; t++) {
            int row = termInputs[t];
            if (row < 0 || row >= inputs.length) {
                throw new IndexOutOfBoundsException("termInputs[" + t + "]: " + row
                        + " (expected: >= 0 and < inputs.length " + inputs.length + ")");
            }
            float[] x = inputs[row];
            if (x == null) {
                throw new NullPointerException("inputs[" + row + "] (named by termInputs[" + t + "])");
            }
            Checks.termRange(t, termOffsets[t], n, row, x.length);
        }
        Checks.range("dstOff", dstOff, n, "dst", dst.length);
        if (vector) {
            VectorKernels.combine(inputs, termInputs, termOffsets, coefficients, terms, dst, dstOff, n);
        } else {
            ScalarKernels.combine(inputs, termInputs, termOffsets, coefficients, terms, dst, dstOff, n);
        }
    }

    /**
     * Writes a linear combination of shifted copies of one row (a FIR filter in correlation form):
     * for {@code i} in {@code [0, n)},
     *
     * <pre>{@code
     * acc = input[termOffsets[0] + i] * coefficients[0];
     * for (t = 1; t < terms; t++)
     *     acc = acc + input[termOffsets[t] + i] * coefficients[t];
     * dst[dstOff + i] = acc;
     * }</pre>
     *
     * each product and each sum separately rounded, terms in the given order: the same arithmetic as
     * {@link #combine(float[][], int[], int[], float[], int, float[], int, int)} with every term
     * naming the same row, but faster for many terms. {@link Resampler} runs on it. {@code dst} must
     * not overlap any range of {@code input} that is read.
     *
     * @param input the row every term reads
     * @param termOffsets for each term, the element of {@code input} that lines up with {@code i = 0}
     * @param coefficients for each term, its factor
     * @param terms how many terms (the first {@code terms} entries of the two arrays are used)
     * @param dst where the sums go
     * @param dstOff the first element to write
     * @param n how many elements
     * @throws NullPointerException if an array is null
     * @throws IllegalArgumentException if {@code terms < 0} or {@code n < 0}
     * @throws IndexOutOfBoundsException if a term array is shorter than {@code terms}, a term's range
     *     {@code [termOffsets[t], termOffsets[t] + n)} is not inside {@code input}, or {@code [dstOff,
     *     dstOff + n)} is not inside {@code dst}
     */
    public void combine(float[] input, int[] termOffsets, float[] coefficients, int terms, float[] dst, int dstOff,
            int n) {
        Checks.notNull(input, "input");
        Checks.notNull(termOffsets, "termOffsets");
        Checks.notNull(coefficients, "coefficients");
        Checks.notNull(dst, "dst");
        Checks.count("terms", terms);
        Checks.count("n", n);
        Checks.atLeast("termOffsets.length", termOffsets.length, "terms", terms);
        Checks.atLeast("coefficients.length", coefficients.length, "terms", terms);
        for (int t = 0; t < terms; t++) {
            Checks.termRange(t, termOffsets[t], n, -1, input.length);
        }
        Checks.range("dstOff", dstOff, n, "dst", dst.length);
        if (vector) {
            VectorKernels.combine(input, termOffsets, coefficients, terms, dst, dstOff, n);
        } else {
            ScalarKernels.combine(input, termOffsets, coefficients, terms, dst, dstOff, n);
        }
    }

    /**
     * Adds a scaled row to another: {@code y[yOff + i] = y[yOff + i] + x[xOff + i] * a}, the product
     * and the sum separately rounded.
     *
     * @param a the factor
     * @param x the row to scale
     * @param xOff the first element of {@code x} to read
     * @param y the row to add to, in place
     * @param yOff the first element of {@code y} to update
     * @param n how many elements
     * @throws NullPointerException if {@code x} or {@code y} is null
     * @throws IllegalArgumentException if {@code n < 0}
     * @throws IndexOutOfBoundsException if {@code [xOff, xOff + n)} is not inside {@code x} or {@code
     *     [yOff, yOff + n)} is not inside {@code y}
     */
    public void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        Checks.notNull(x, "x");
        Checks.notNull(y, "y");
        Checks.count("n", n);
        Checks.range("xOff", xOff, n, "x", x.length);
        Checks.range("yOff", yOff, n, "y", y.length);
        if (vector) {
            VectorKernels.axpy(a, x, xOff, y, yOff, n);
        } else {
            ScalarKernels.axpy(a, x, xOff, y, yOff, n);
        }
    }

    /**
     * Z-scores one channel in place: {@code x = (x - mean) * invStd}, where the mean and the
     * population variance are reduced in double and the update is done in float.
     *
     * <p>The reductions have a fixed order that does not depend on the hardware: element {@code i}
     * of the {@code 8 * floor(n / 8)} leading elements is added to logical lane {@code i % 8}, the
     * lanes are combined as {@code ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7))}, and the
     * remaining elements are added in order. The variance is the same reduction over {@code ((double)
     * x - mean)^2} (two passes). Then {@code mean32 = (float) mean} and {@code invStd = (float) (1 /
     * sqrt(variance))}, and each element becomes {@code (x - mean32) * invStd} in float.
     *
     * <p>A channel whose variance is zero (constant, or {@code n == 1}) or so small that {@code
     * invStd} overflows becomes all zeros, never NaN. A channel holding a NaN or an infinity becomes
     * all NaN. {@code n == 0} does nothing.
     *
     * @param data the samples
     * @param off the channel's first sample
     * @param n the channel's length
     * @throws NullPointerException if {@code data} is null
     * @throws IllegalArgumentException if {@code n < 0}
     * @throws IndexOutOfBoundsException if {@code [off, off + n)} is not inside {@code data}
     */
    public void normalize(float[] data, int off, int n) {
        Checks.notNull(data, "data");
        Checks.count("n", n);
        Checks.range("off", off, n, "data", data.length);
        if (n == 0) {
            return;
        }
        if (vector) {
            VectorKernels.normalize(data, off, n);
        } else {
            ScalarKernels.normalize(data, off, n);
        }
    }

    /**
     * Describes the path, and for the vector path its width, for example {@code Kernels[VECTOR,
     * 512 bits]}.
     */
    @Override
    public String toString() {
        return vector ? "Kernels[VECTOR, " + VectorKernels.bits() + " bits]" : "Kernels[SCALAR]";
    }
}
