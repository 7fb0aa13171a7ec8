package dev.batcher.materializers.kernels;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;
import org.slf4j.LoggerFactory;

/**
 * The Vector API path. Every kernel is elementwise across lanes (so the hardware width cannot
 * change a result) except the reductions of {@link #normalize}, which use a fixed logical width of
 * eight double lanes (two 256-bit double vectors) whatever the hardware offers. Each vector
 * operation is a separately rounded IEEE operation, the same ones in the same order as {@link
 * ScalarKernels}; no fused multiply-add. Vectors are kept in locals (never in arrays, which box
 * them). Tails shorter than a vector run the scalar formula, which is the same arithmetic.
 *
 * <p>Loading this class needs the {@code jdk.incubator.vector} module; {@link Kernels} only touches
 * it on the vector path.
 */
final class VectorKernels {
    /** The float species: the preferred one, or the width named by {@value Kernels#BITS_PROPERTY}. */
    static final VectorSpecies<Float> F = floatSpecies();
    /** Shorts with the same lane count as {@link #F}, for the int16 decode. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(F.vectorBitSize() / 2));
    /** Four floats, widened to {@link #D} for the reductions. */
    static final VectorSpecies<Float> F4 = FloatVector.SPECIES_128;
    /** Four doubles: two of them make the eight logical lanes of the reductions. */
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_256;

    private static final int V = F.length();

    private VectorKernels() {}

    private static VectorSpecies<Float> floatSpecies() {
        String bits = System.getProperty(Kernels.BITS_PROPERTY);
        if (bits == null || bits.isBlank()) {
            VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
            // The int16 decode needs a short vector of half the width; 64-bit floats have none.
            return preferred.vectorBitSize() < 128 ? FloatVector.SPECIES_128 : preferred;
        }
        switch (bits.trim()) {
            case "128":
                return FloatVector.SPECIES_128;
            case "256":
                return FloatVector.SPECIES_256;
            case "512":
                return FloatVector.SPECIES_512;
            default:
                LoggerFactory.getLogger(VectorKernels.class).warn("ignoring {}: {} (expected: 128, 256 or 512)",
                        Kernels.BITS_PROPERTY, bits);
                return FloatVector.SPECIES_PREFERRED.vectorBitSize() < 128
                        ? FloatVector.SPECIES_128 : FloatVector.SPECIES_PREFERRED;
        }
    }

    static int bits() {
        return F.vectorBitSize();
    }

    static void decode(short[] src, int srcOff, float[] dst, int dstOff, int n, float scale, float offset) {
        FloatVector sc = FloatVector.broadcast(F, scale);
        FloatVector of = FloatVector.broadcast(F, offset);
        int i = 0;
        for (; i <= n - 4 * V; i += 4 * V) {
            int s = srcOff + i;
            int d = dstOff + i;
            FloatVector a = (FloatVector) ShortVector.fromArray(S, src, s).convertShape(VectorOperators.S2F, F, 0);
            FloatVector b = (FloatVector) ShortVector.fromArray(S, src, s + V).convertShape(VectorOperators.S2F, F, 0);
            FloatVector c = (FloatVector) ShortVector.fromArray(S, src, s + 2 * V).convertShape(VectorOperators.S2F, F, 0);
            FloatVector e = (FloatVector) ShortVector.fromArray(S, src, s + 3 * V).convertShape(VectorOperators.S2F, F, 0);
            a.mul(sc).add(of).intoArray(dst, d);
            b.mul(sc).add(of).intoArray(dst, d + V);
            c.mul(sc).add(of).intoArray(dst, d + 2 * V);
            e.mul(sc).add(of).intoArray(dst, d + 3 * V);
        }
        for (; i <= n - V; i += V) {
            FloatVector a = (FloatVector) ShortVector.fromArray(S, src, srcOff + i).convertShape(VectorOperators.S2F, F, 0);
            a.mul(sc).add(of).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = (float) src[srcOff + i] * scale + offset;
        }
    }

    static void decode(float[] src, int srcOff, float[] dst, int dstOff, int n, float scale, float offset) {
        FloatVector sc = FloatVector.broadcast(F, scale);
        FloatVector of = FloatVector.broadcast(F, offset);
        int i = 0;
        for (; i <= n - 4 * V; i += 4 * V) {
            int s = srcOff + i;
            int d = dstOff + i;
            FloatVector a = FloatVector.fromArray(F, src, s);
            FloatVector b = FloatVector.fromArray(F, src, s + V);
            FloatVector c = FloatVector.fromArray(F, src, s + 2 * V);
            FloatVector e = FloatVector.fromArray(F, src, s + 3 * V);
            a.mul(sc).add(of).intoArray(dst, d);
            b.mul(sc).add(of).intoArray(dst, d + V);
            c.mul(sc).add(of).intoArray(dst, d + 2 * V);
            e.mul(sc).add(of).intoArray(dst, d + 3 * V);
        }
        for (; i <= n - V; i += V) {
            FloatVector.fromArray(F, src, srcOff + i).mul(sc).add(of).intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            dst[dstOff + i] = src[srcOff + i] * scale + offset;
        }
    }

    /**
     * Rows of up to four terms (most montage derivations) run loops with the rows in locals, which
     * lets the JIT hoist the bounds checks; longer ones run {@link #combineGeneric}. The sums are
     * the same either way: left to right, in term order.
     */
    static void combine(float[][] inputs, int[] termInputs, int[] termOffsets, float[] coefficients,
            int terms, float[] dst, int dstOff, int n) {
        switch (terms) {
            case 0:
                Arrays.fill(dst, dstOff, dstOff + n, 0f);
                return;
            case 1:
                combine1(inputs[termInputs[0]], termOffsets[0], coefficients[0], dst, dstOff, n);
                return;
            case 2:
                combine2(inputs[termInputs[0]], termOffsets[0], coefficients[0],
                        inputs[termInputs[1]], termOffsets[1], coefficients[1], dst, dstOff, n);
                return;
            case 3:
                combine3(inputs[termInputs[0]], termOffsets[0], coefficients[0],
                        inputs[termInputs[1]], termOffsets[1], coefficients[1],
                        inputs[termInputs[2]], termOffsets[2], coefficients[2], dst, dstOff, n);
                return;
            case 4:
                combine4(inputs[termInputs[0]], termOffsets[0], coefficients[0],
                        inputs[termInputs[1]], termOffsets[1], coefficients[1],
                        inputs[termInputs[2]], termOffsets[2], coefficients[2],
                        inputs[termInputs[3]], termOffsets[3], coefficients[3], dst, dstOff, n);
                return;
            default:
                combineGeneric(inputs, termInputs, termOffsets, coefficients, terms, dst, dstOff, n);
        }
    }

    private static void combine1(float[] x0, int o0, float c0, float[] dst, int d, int n) {
        FloatVector v0 = FloatVector.broadcast(F, c0);
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            FloatVector.fromArray(F, x0, o0 + i).mul(v0).intoArray(dst, d + i);
            FloatVector.fromArray(F, x0, o0 + i + V).mul(v0).intoArray(dst, d + i + V);
        }
        for (; i <= n - V; i += V) {
            FloatVector.fromArray(F, x0, o0 + i).mul(v0).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = x0[o0 + i] * c0;
        }
    }

    private static void combine2(float[] x0, int o0, float c0, float[] x1, int o1, float c1,
            float[] dst, int d, int n) {
        FloatVector v0 = FloatVector.broadcast(F, c0);
        FloatVector v1 = FloatVector.broadcast(F, c1);
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            FloatVector.fromArray(F, x0, o0 + i).mul(v0)
                    .add(FloatVector.fromArray(F, x1, o1 + i).mul(v1)).intoArray(dst, d + i);
            FloatVector.fromArray(F, x0, o0 + i + V).mul(v0)
                    .add(FloatVector.fromArray(F, x1, o1 + i + V).mul(v1)).intoArray(dst, d + i + V);
        }
        for (; i <= n - V; i += V) {
            FloatVector.fromArray(F, x0, o0 + i).mul(v0)
                    .add(FloatVector.fromArray(F, x1, o1 + i).mul(v1)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = x0[o0 + i] * c0 + x1[o1 + i] * c1;
        }
    }

    private static void combine3(float[] x0, int o0, float c0, float[] x1, int o1, float c1,
            float[] x2, int o2, float c2, float[] dst, int d, int n) {
        FloatVector v0 = FloatVector.broadcast(F, c0);
        FloatVector v1 = FloatVector.broadcast(F, c1);
        FloatVector v2 = FloatVector.broadcast(F, c2);
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            FloatVector.fromArray(F, x0, o0 + i).mul(v0)
                    .add(FloatVector.fromArray(F, x1, o1 + i).mul(v1))
                    .add(FloatVector.fromArray(F, x2, o2 + i).mul(v2)).intoArray(dst, d + i);
            FloatVector.fromArray(F, x0, o0 + i + V).mul(v0)
                    .add(FloatVector.fromArray(F, x1, o1 + i + V).mul(v1))
                    .add(FloatVector.fromArray(F, x2, o2 + i + V).mul(v2)).intoArray(dst, d + i + V);
        }
        for (; i <= n - V; i += V) {
            FloatVector.fromArray(F, x0, o0 + i).mul(v0)
                    .add(FloatVector.fromArray(F, x1, o1 + i).mul(v1))
                    .add(FloatVector.fromArray(F, x2, o2 + i).mul(v2)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = x0[o0 + i] * c0 + x1[o1 + i] * c1 + x2[o2 + i] * c2;
        }
    }

    private static void combine4(float[] x0, int o0, float c0, float[] x1, int o1, float c1,
            float[] x2, int o2, float c2, float[] x3, int o3, float c3, float[] dst, int d, int n) {
        FloatVector v0 = FloatVector.broadcast(F, c0);
        FloatVector v1 = FloatVector.broadcast(F, c1);
        FloatVector v2 = FloatVector.broadcast(F, c2);
        FloatVector v3 = FloatVector.broadcast(F, c3);
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            FloatVector.fromArray(F, x0, o0 + i).mul(v0)
                    .add(FloatVector.fromArray(F, x1, o1 + i).mul(v1))
                    .add(FloatVector.fromArray(F, x2, o2 + i).mul(v2))
                    .add(FloatVector.fromArray(F, x3, o3 + i).mul(v3)).intoArray(dst, d + i);
            FloatVector.fromArray(F, x0, o0 + i + V).mul(v0)
                    .add(FloatVector.fromArray(F, x1, o1 + i + V).mul(v1))
                    .add(FloatVector.fromArray(F, x2, o2 + i + V).mul(v2))
                    .add(FloatVector.fromArray(F, x3, o3 + i + V).mul(v3)).intoArray(dst, d + i + V);
        }
        for (; i <= n - V; i += V) {
            FloatVector.fromArray(F, x0, o0 + i).mul(v0)
                    .add(FloatVector.fromArray(F, x1, o1 + i).mul(v1))
                    .add(FloatVector.fromArray(F, x2, o2 + i).mul(v2))
                    .add(FloatVector.fromArray(F, x3, o3 + i).mul(v3)).intoArray(dst, d + i);
        }
        for (; i < n; i++) {
            dst[d + i] = x0[o0 + i] * c0 + x1[o1 + i] * c1 + x2[o2 + i] * c2 + x3[o3 + i] * c3;
        }
    }

    /**
     * Sample-major: for each block of eight vectors, the accumulators stay in registers while the
     * terms are added in order.
     */
    private static void combineGeneric(float[][] inputs, int[] termInputs, int[] termOffsets, float[] coefficients,
            int terms, float[] dst, int dstOff, int n) {
        int i = 0;
        for (; i <= n - 8 * V; i += 8 * V) {
            float[] x = inputs[termInputs[0]];
            int o = termOffsets[0] + i;
            FloatVector c = FloatVector.broadcast(F, coefficients[0]);
            FloatVector a0 = FloatVector.fromArray(F, x, o).mul(c);
            FloatVector a1 = FloatVector.fromArray(F, x, o + V).mul(c);
            FloatVector a2 = FloatVector.fromArray(F, x, o + 2 * V).mul(c);
            FloatVector a3 = FloatVector.fromArray(F, x, o + 3 * V).mul(c);
            FloatVector a4 = FloatVector.fromArray(F, x, o + 4 * V).mul(c);
            FloatVector a5 = FloatVector.fromArray(F, x, o + 5 * V).mul(c);
            FloatVector a6 = FloatVector.fromArray(F, x, o + 6 * V).mul(c);
            FloatVector a7 = FloatVector.fromArray(F, x, o + 7 * V).mul(c);
            for (int t = 1; t < terms; t++) {
                x = inputs[termInputs[t]];
                o = termOffsets[t] + i;
                c = FloatVector.broadcast(F, coefficients[t]);
                a0 = a0.add(FloatVector.fromArray(F, x, o).mul(c));
                a1 = a1.add(FloatVector.fromArray(F, x, o + V).mul(c));
                a2 = a2.add(FloatVector.fromArray(F, x, o + 2 * V).mul(c));
                a3 = a3.add(FloatVector.fromArray(F, x, o + 3 * V).mul(c));
                a4 = a4.add(FloatVector.fromArray(F, x, o + 4 * V).mul(c));
                a5 = a5.add(FloatVector.fromArray(F, x, o + 5 * V).mul(c));
                a6 = a6.add(FloatVector.fromArray(F, x, o + 6 * V).mul(c));
                a7 = a7.add(FloatVector.fromArray(F, x, o + 7 * V).mul(c));
            }
            int d = dstOff + i;
            a0.intoArray(dst, d);
            a1.intoArray(dst, d + V);
            a2.intoArray(dst, d + 2 * V);
            a3.intoArray(dst, d + 3 * V);
            a4.intoArray(dst, d + 4 * V);
            a5.intoArray(dst, d + 5 * V);
            a6.intoArray(dst, d + 6 * V);
            a7.intoArray(dst, d + 7 * V);
        }
        for (; i <= n - V; i += V) {
            FloatVector a = FloatVector.fromArray(F, inputs[termInputs[0]], termOffsets[0] + i)
                    .mul(FloatVector.broadcast(F, coefficients[0]));
            for (int t = 1; t < terms; t++) {
                a = a.add(FloatVector.fromArray(F, inputs[termInputs[t]], termOffsets[t] + i)
                        .mul(FloatVector.broadcast(F, coefficients[t])));
            }
            a.intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            float acc = inputs[termInputs[0]][termOffsets[0] + i] * coefficients[0];
            for (int t = 1; t < terms; t++) {
                acc = acc + inputs[termInputs[t]][termOffsets[t] + i] * coefficients[t];
            }
            dst[dstOff + i] = acc;
        }
    }

    /**
     * One input row with per-term offsets (a FIR filter): the row stays in a local for the whole
     * call, so the JIT hoists its bounds checks; eight accumulators per block, terms in order.
     */
    static void combine(float[] x, int[] termOffsets, float[] coefficients, int terms, float[] dst, int dstOff,
            int n) {
        if (terms == 0) {
            Arrays.fill(dst, dstOff, dstOff + n, 0f);
            return;
        }
        int i = 0;
        for (; i <= n - 8 * V; i += 8 * V) {
            int o = termOffsets[0] + i;
            FloatVector c = FloatVector.broadcast(F, coefficients[0]);
            FloatVector a0 = FloatVector.fromArray(F, x, o).mul(c);
            FloatVector a1 = FloatVector.fromArray(F, x, o + V).mul(c);
            FloatVector a2 = FloatVector.fromArray(F, x, o + 2 * V).mul(c);
            FloatVector a3 = FloatVector.fromArray(F, x, o + 3 * V).mul(c);
            FloatVector a4 = FloatVector.fromArray(F, x, o + 4 * V).mul(c);
            FloatVector a5 = FloatVector.fromArray(F, x, o + 5 * V).mul(c);
            FloatVector a6 = FloatVector.fromArray(F, x, o + 6 * V).mul(c);
            FloatVector a7 = FloatVector.fromArray(F, x, o + 7 * V).mul(c);
            for (int t = 1; t < terms; t++) {
                o = termOffsets[t] + i;
                c = FloatVector.broadcast(F, coefficients[t]);
                a0 = a0.add(FloatVector.fromArray(F, x, o).mul(c));
                a1 = a1.add(FloatVector.fromArray(F, x, o + V).mul(c));
                a2 = a2.add(FloatVector.fromArray(F, x, o + 2 * V).mul(c));
                a3 = a3.add(FloatVector.fromArray(F, x, o + 3 * V).mul(c));
                a4 = a4.add(FloatVector.fromArray(F, x, o + 4 * V).mul(c));
                a5 = a5.add(FloatVector.fromArray(F, x, o + 5 * V).mul(c));
                a6 = a6.add(FloatVector.fromArray(F, x, o + 6 * V).mul(c));
                a7 = a7.add(FloatVector.fromArray(F, x, o + 7 * V).mul(c));
            }
            int d = dstOff + i;
            a0.intoArray(dst, d);
            a1.intoArray(dst, d + V);
            a2.intoArray(dst, d + 2 * V);
            a3.intoArray(dst, d + 3 * V);
            a4.intoArray(dst, d + 4 * V);
            a5.intoArray(dst, d + 5 * V);
            a6.intoArray(dst, d + 6 * V);
            a7.intoArray(dst, d + 7 * V);
        }
        for (; i <= n - V; i += V) {
            FloatVector a = FloatVector.fromArray(F, x, termOffsets[0] + i).mul(FloatVector.broadcast(F, coefficients[0]));
            for (int t = 1; t < terms; t++) {
                a = a.add(FloatVector.fromArray(F, x, termOffsets[t] + i).mul(FloatVector.broadcast(F, coefficients[t])));
            }
            a.intoArray(dst, dstOff + i);
        }
        for (; i < n; i++) {
            float acc = x[termOffsets[0] + i] * coefficients[0];
            for (int t = 1; t < terms; t++) {
                acc = acc + x[termOffsets[t] + i] * coefficients[t];
            }
            dst[dstOff + i] = acc;
        }
    }

    static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        FloatVector av = FloatVector.broadcast(F, a);
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            FloatVector y0 = FloatVector.fromArray(F, y, yOff + i);
            FloatVector y1 = FloatVector.fromArray(F, y, yOff + i + V);
            y0.add(FloatVector.fromArray(F, x, xOff + i).mul(av)).intoArray(y, yOff + i);
            y1.add(FloatVector.fromArray(F, x, xOff + i + V).mul(av)).intoArray(y, yOff + i + V);
        }
        for (; i <= n - V; i += V) {
            FloatVector.fromArray(F, y, yOff + i).add(FloatVector.fromArray(F, x, xOff + i).mul(av))
                    .intoArray(y, yOff + i);
        }
        for (; i < n; i++) {
            y[yOff + i] = y[yOff + i] + x[xOff + i] * a;
        }
    }

    static void normalize(float[] data, int off, int n) {
        int blocks = n & ~(Normalization.LANES - 1);
        double[] lanes = new double[Normalization.LANES];
        // Sum: lanes 0-3 in lo, 4-7 in hi; lane j takes elements 8k + j, as in ScalarKernels.
        DoubleVector lo = DoubleVector.zero(D);
        DoubleVector hi = DoubleVector.zero(D);
        for (int i = 0; i < blocks; i += Normalization.LANES) {
            lo = lo.add(FloatVector.fromArray(F4, data, off + i).convertShape(VectorOperators.F2D, D, 0));
            hi = hi.add(FloatVector.fromArray(F4, data, off + i + 4).convertShape(VectorOperators.F2D, D, 0));
        }
        lo.intoArray(lanes, 0);
        hi.intoArray(lanes, 4);
        double sum = Normalization.combine(lanes[0], lanes[1], lanes[2], lanes[3], lanes[4], lanes[5], lanes[6], lanes[7]);
        for (int i = blocks; i < n; i++) {
            sum += data[off + i];
        }
        double mean = sum / n;
        DoubleVector mv = DoubleVector.broadcast(D, mean);
        lo = DoubleVector.zero(D);
        hi = DoubleVector.zero(D);
        for (int i = 0; i < blocks; i += Normalization.LANES) {
            DoubleVector d0 = ((DoubleVector) FloatVector.fromArray(F4, data, off + i)
                    .convertShape(VectorOperators.F2D, D, 0)).sub(mv);
            DoubleVector d1 = ((DoubleVector) FloatVector.fromArray(F4, data, off + i + 4)
                    .convertShape(VectorOperators.F2D, D, 0)).sub(mv);
            lo = lo.add(d0.mul(d0));
            hi = hi.add(d1.mul(d1));
        }
        lo.intoArray(lanes, 0);
        hi.intoArray(lanes, 4);
        double squares = Normalization.combine(lanes[0], lanes[1], lanes[2], lanes[3], lanes[4], lanes[5], lanes[6], lanes[7]);
        for (int i = blocks; i < n; i++) {
            double d = data[off + i] - mean;
            squares += d * d;
        }
        float invStd = Normalization.inverseStd(squares, n);
        if (invStd == 0f) {
            Arrays.fill(data, off, off + n, 0f);
            return;
        }
        float m = (float) mean;
        FloatVector mf = FloatVector.broadcast(F, m);
        FloatVector sf = FloatVector.broadcast(F, invStd);
        int i = 0;
        for (; i <= n - 2 * V; i += 2 * V) {
            FloatVector a = FloatVector.fromArray(F, data, off + i);
            FloatVector b = FloatVector.fromArray(F, data, off + i + V);
            a.sub(mf).mul(sf).intoArray(data, off + i);
            b.sub(mf).mul(sf).intoArray(data, off + i + V);
        }
        for (; i <= n - V; i += V) {
            FloatVector.fromArray(F, data, off + i).sub(mf).mul(sf).intoArray(data, off + i);
        }
        for (; i < n; i++) {
            data[off + i] = (data[off + i] - m) * invStd;
        }
    }
}
