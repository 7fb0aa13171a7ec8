package dev.batcher.materializers.kernels;

import java.util.Arrays;

/**
 * The scalar path: plain Java loops that perform exactly the floating-point operations of {@link
 * VectorKernels}, in the same order, each separately rounded. Java (17+) never contracts {@code a *
 * b + c} into a fused multiply-add, so these loops are the reference the vector path must match bit
 * for bit. Arguments have been checked by {@link Kernels}.
 */
final class ScalarKernels {
    private ScalarKernels() {}

    static void unshuffle16(byte[] src, int lowOff, int highOff, short[] dst, int dstOff, int n) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = (short) ((src[lowOff + i] & 0xff) | (src[highOff + i] << 8));
        }
    }

    static void decode(short[] src, int srcOff, float[] dst, int dstOff, int n, float scale, float offset) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = (float) src[srcOff + i] * scale + offset;
        }
    }

    static void decode(float[] src, int srcOff, float[] dst, int dstOff, int n, float scale, float offset) {
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = src[srcOff + i] * scale + offset;
        }
    }

    /**
     * Term-major: the running sum lives in {@code dst} between terms. Storing a float and loading
     * it back is exact, so this is the same sequence of roundings as the vector path's
     * register-resident accumulators.
     */
    static void combine(float[][] inputs, int[] termInputs, int[] termOffsets, float[] coefficients,
            int terms, float[] dst, int dstOff, int n) {
        if (terms == 0) {
            Arrays.fill(dst, dstOff, dstOff + n, 0f);
            return;
        }
        float[] x = inputs[termInputs[0]];
        int xOff = termOffsets[0];
        float c = coefficients[0];
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = x[xOff + i] * c;
        }
        for (int t = 1; t < terms; t++) {
            x = inputs[termInputs[t]];
            xOff = termOffsets[t];
            c = coefficients[t];
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = dst[dstOff + i] + x[xOff + i] * c;
            }
        }
    }

    static void combine(float[] x, int[] termOffsets, float[] coefficients, int terms, float[] dst, int dstOff,
            int n) {
        if (terms == 0) {
            Arrays.fill(dst, dstOff, dstOff + n, 0f);
            return;
        }
        int xOff = termOffsets[0];
        float c = coefficients[0];
        for (int i = 0; i < n; i++) {
            dst[dstOff + i] = x[xOff + i] * c;
        }
        for (int t = 1; t < terms; t++) {
            xOff = termOffsets[t];
            c = coefficients[t];
            for (int i = 0; i < n; i++) {
                dst[dstOff + i] = dst[dstOff + i] + x[xOff + i] * c;
            }
        }
    }

    static void axpy(float a, float[] x, int xOff, float[] y, int yOff, int n) {
        for (int i = 0; i < n; i++) {
            y[yOff + i] = y[yOff + i] + x[xOff + i] * a;
        }
    }

    static void normalize(float[] data, int off, int n) {
        int blocks = n & ~(Normalization.LANES - 1);
        // Sum: eight logical double lanes, lane j takes elements 8k + j (mirrors VectorKernels).
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
        for (int i = 0; i < blocks; i += Normalization.LANES) {
            int p = off + i;
            s0 += data[p];
            s1 += data[p + 1];
            s2 += data[p + 2];
            s3 += data[p + 3];
            s4 += data[p + 4];
            s5 += data[p + 5];
            s6 += data[p + 6];
            s7 += data[p + 7];
        }
        double sum = Normalization.combine(s0, s1, s2, s3, s4, s5, s6, s7);
        for (int i = blocks; i < n; i++) {
            sum += data[off + i];
        }
        double mean = sum / n;
        double q0 = 0, q1 = 0, q2 = 0, q3 = 0, q4 = 0, q5 = 0, q6 = 0, q7 = 0;
        for (int i = 0; i < blocks; i += Normalization.LANES) {
            int p = off + i;
            double d0 = data[p] - mean;
            double d1 = data[p + 1] - mean;
            double d2 = data[p + 2] - mean;
            double d3 = data[p + 3] - mean;
            double d4 = data[p + 4] - mean;
            double d5 = data[p + 5] - mean;
            double d6 = data[p + 6] - mean;
            double d7 = data[p + 7] - mean;
            q0 += d0 * d0;
            q1 += d1 * d1;
            q2 += d2 * d2;
            q3 += d3 * d3;
            q4 += d4 * d4;
            q5 += d5 * d5;
            q6 += d6 * d6;
            q7 += d7 * d7;
        }
        double squares = Normalization.combine(q0, q1, q2, q3, q4, q5, q6, q7);
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
        for (int i = 0; i < n; i++) {
            data[off + i] = (data[off + i] - m) * invStd;
        }
    }
}
