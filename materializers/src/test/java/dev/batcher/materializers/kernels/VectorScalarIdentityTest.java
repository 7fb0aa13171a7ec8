package dev.batcher.materializers.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Proves that the vector and the scalar path give the same bits ({@link Float#floatToRawIntBits})
 * for every kernel, over random data, lengths with tails of every size, offsets, and special
 * values (signed zeros, subnormals, infinities, NaN, overflow).
 *
 * <p>Decoding compares raw bits everywhere, NaN payloads included: each operation meets at most one
 * NaN. The other kernels can combine two NaNs (or a NaN and an invalid operation such as {@code 0 *
 * inf}) in one addition, and then Java itself does not fix which operand's sign and payload survive
 * (C2 may swap the operands of a commutative operation, and either path may be compiled either way),
 * so there the test requires identical raw bits for every non-NaN result and NaN for NaN, as {@link
 * Kernels} documents.
 */
class VectorScalarIdentityTest {
    private static final Kernels VECTOR = Kernels.vector();
    private static final Kernels SCALAR = Kernels.scalar();
    private static final int[] LENGTHS = {0, 1, 2, 3, 5, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 63, 64, 65, 127,
        128, 129, 255, 257, 1000, 1023, 7681};
    private static final int[] OFFSETS = {0, 1, 3, 8, 13};
    private static final float[] SPECIALS = {0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL,
        Float.MAX_VALUE, -Float.MAX_VALUE, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.NaN,
        Float.intBitsToFloat(0x7fc01234), 1e-40f, 3.4e38f, -1e-45f, 1f, -1f};

    private final SplittableRandom random = new SplittableRandom(42);

    @Test
    void unshuffle16_randomPlanesAllTailsAndOffsets_vectorEqualsScalarAndTheDefinition() {
        for (int n : LENGTHS) {
            for (int off : OFFSETS) {
                byte[] src = new byte[2 * n + 3 * off + 1];
                for (int i = 0; i < src.length; i++) {
                    src[i] = (byte) random.nextInt();
                }
                int low = off;
                int high = 2 * off + n;
                short[] a = new short[n + off + 1];
                short[] b = a.clone();
                VECTOR.unshuffle16(src, low, high, a, off, n);
                SCALAR.unshuffle16(src, low, high, b, off, n);
                assertArrayEquals(b, a, "unshuffle16 n=" + n + " off=" + off);
                for (int i = 0; i < n; i++) {
                    short want = (short) (((src[high + i] & 0xff) << 8) | (src[low + i] & 0xff));
                    assertEquals(want, b[off + i], "value " + i + " of n=" + n);
                }
            }
        }
    }

    @Test
    void decodeShort_randomDataAllTailsAndOffsets_vectorEqualsScalarBits() {
        float[][] params = {{0.195f, -12.5f}, {1f, 0f}, {-3.7e-3f, 1e6f}, {1e-42f, 0f}, {3e36f, -1f},
            {Float.NaN, 0f}, {2f, Float.POSITIVE_INFINITY}, {-0f, -0f}};
        for (int n : LENGTHS) {
            for (int off : OFFSETS) {
                short[] src = new short[n + off + 2];
                for (int i = 0; i < src.length; i++) {
                    src[i] = (short) random.nextInt();
                }
                if (n > 2) {
                    src[off] = Short.MIN_VALUE;
                    src[off + n - 1] = Short.MAX_VALUE;
                    src[off + n / 2] = 0;
                }
                for (float[] p : params) {
                    float[] a = new float[n + 2 * off + 1];
                    float[] b = a.clone();
                    VECTOR.decode(src, off, a, 2 * off, n, p[0], p[1]);
                    SCALAR.decode(src, off, b, 2 * off, n, p[0], p[1]);
                    assertSameRawBits(b, a, "decode(short) n=" + n + " off=" + off + " scale=" + p[0] + " offset=" + p[1]);
                }
            }
        }
    }

    @Test
    void decodeFloat_randomAndSpecialValues_vectorEqualsScalarBits() {
        float[][] params = {{0.5f, 0.25f}, {1f, 0f}, {-1e-30f, 3f}, {1e30f, -1e30f}, {Float.MIN_VALUE, 0f}};
        for (int n : LENGTHS) {
            for (int off : OFFSETS) {
                float[] src = randomFloats(n + off + 3, true);
                for (float[] p : params) {
                    float[] a = new float[n + off];
                    float[] b = a.clone();
                    VECTOR.decode(src, off, a, off, n, p[0], p[1]);
                    SCALAR.decode(src, off, b, off, n, p[0], p[1]);
                    assertSameRawBits(b, a, "decode(float) n=" + n + " off=" + off + " scale=" + p[0]);
                }
            }
        }
    }

    @Test
    void decodeFloat_inPlace_vectorEqualsScalarBits() {
        float[] src = randomFloats(1001, true);
        float[] a = src.clone();
        float[] b = src.clone();
        VECTOR.decode(a, 0, a, 0, a.length, 1.5f, -2f);
        SCALAR.decode(b, 0, b, 0, b.length, 1.5f, -2f);
        assertSameRawBits(b, a, "in-place decode");
    }

    @Test
    void combine_randomTermsOffsetsAndSpecials_vectorEqualsScalarBits() {
        for (int n : LENGTHS) {
            for (int trial = 0; trial < 6; trial++) {
                int rows = 1 + random.nextInt(6);
                float[][] inputs = new float[rows][];
                for (int r = 0; r < rows; r++) {
                    inputs[r] = randomFloats(n + 20, trial % 2 == 0);
                }
                int terms = random.nextInt(12);
                int[] termInputs = new int[terms];
                int[] termOffsets = new int[terms];
                float[] coefficients = new float[terms];
                for (int t = 0; t < terms; t++) {
                    termInputs[t] = random.nextInt(rows);
                    termOffsets[t] = random.nextInt(21);
                    coefficients[t] = t % 4 == 3 ? SPECIALS[random.nextInt(9)] : (float) (random.nextDouble() * 4 - 2);
                }
                int dstOff = random.nextInt(9);
                float[] a = new float[n + dstOff + 3];
                Arrays.fill(a, 7f);
                float[] b = a.clone();
                VECTOR.combine(inputs, termInputs, termOffsets, coefficients, terms, a, dstOff, n);
                SCALAR.combine(inputs, termInputs, termOffsets, coefficients, terms, b, dstOff, n);
                assertSameBits(b, a, "combine n=" + n + " terms=" + terms + " trial=" + trial);
            }
        }
    }

    @Test
    void combineSingleRow_randomOffsetsAndSpecials_vectorEqualsScalarAndMultiRowBits() {
        for (int n : LENGTHS) {
            for (int trial = 0; trial < 6; trial++) {
                float[] input = randomFloats(n + 120, trial % 2 == 0);
                int terms = trial == 5 ? 102 : random.nextInt(12);
                int[] termOffsets = new int[terms];
                float[] coefficients = new float[terms];
                for (int t = 0; t < terms; t++) {
                    termOffsets[t] = random.nextInt(121);
                    coefficients[t] = (float) (random.nextDouble() * 4 - 2);
                }
                int dstOff = random.nextInt(9);
                float[] a = new float[n + dstOff + 3];
                float[] b = a.clone();
                float[] c = a.clone();
                VECTOR.combine(input, termOffsets, coefficients, terms, a, dstOff, n);
                SCALAR.combine(input, termOffsets, coefficients, terms, b, dstOff, n);
                VECTOR.combine(new float[][] {input}, new int[terms], termOffsets, coefficients, terms, c, dstOff, n);
                assertSameBits(b, a, "single-row combine n=" + n + " terms=" + terms);
                assertSameBits(c, a, "single-row vs multi-row combine n=" + n + " terms=" + terms);
            }
        }
    }

    @Test
    void axpy_randomAndSpecialValues_vectorEqualsScalarBits() {
        for (int n : LENGTHS) {
            for (int off : OFFSETS) {
                float[] x = randomFloats(n + off, true);
                float[] y = randomFloats(n + 2 * off, true);
                for (float alpha : new float[] {0.3f, -2f, 0f, 1e30f, Float.MIN_VALUE}) {
                    float[] a = y.clone();
                    float[] b = y.clone();
                    VECTOR.axpy(alpha, x, off, a, 2 * off, n);
                    SCALAR.axpy(alpha, x, off, b, 2 * off, n);
                    assertSameBits(b, a, "axpy n=" + n + " off=" + off + " a=" + alpha);
                }
            }
        }
    }

    @Test
    void normalize_randomScalesAndOffsets_vectorEqualsScalarBits() {
        double[][] shapes = {{1, 0}, {1e-3, 1e4}, {1e5, -3}, {1e-20, 1}, {3e-38, 0}, {1e30, 0}};
        for (int n : LENGTHS) {
            for (int off : OFFSETS) {
                for (double[] shape : shapes) {
                    float[] data = new float[n + off + 4];
                    for (int i = 0; i < data.length; i++) {
                        data[i] = (float) (random.nextGaussian() * shape[0] + shape[1]);
                    }
                    float[] a = data.clone();
                    float[] b = data.clone();
                    VECTOR.normalize(a, off, n);
                    SCALAR.normalize(b, off, n);
                    assertSameBits(b, a, "normalize n=" + n + " off=" + off + " scale=" + shape[0]);
                }
            }
        }
    }

    @Test
    void normalize_specialValuesAndConstants_vectorEqualsScalarBits() {
        for (int n : LENGTHS) {
            float[][] cases = {randomFloats(n, true), constant(n, 5f), constant(n, Float.MIN_VALUE),
                tinySpread(n), constant(n, Float.NaN)};
            for (float[] data : cases) {
                float[] a = data.clone();
                float[] b = data.clone();
                VECTOR.normalize(a, 0, n);
                SCALAR.normalize(b, 0, n);
                assertSameBits(b, a, "normalize special n=" + n);
            }
        }
    }

    @Test
    void resample_severalRatiosAndLengths_vectorEqualsScalarBits() {
        double[][] rates = {{256, 128}, {256, 100}, {100, 256}, {200, 300}, {250, 1000}, {512, 128}, {1, 1}};
        for (double[] r : rates) {
            Resampler resampler = Resampler.of(r[0], r[1]);
            for (int n : new int[] {0, 1, 2, 7, 33, 100, 1001, 7680}) {
                float[] in = randomFloats(n + 5, false);
                int outLen = resampler.outputLength(n);
                float[] a = new float[outLen + 3];
                float[] b = new float[outLen + 3];
                resampler.apply(VECTOR, in, 5, n, a, 3);
                resampler.apply(SCALAR, in, 5, n, b, 3);
                assertSameBits(b, a, resampler + " n=" + n);
            }
        }
    }

    @Test
    void allKernels_afterManyCallsCompiledByC2_vectorEqualsScalarBits() {
        // Enough calls for the JIT's top tier to compile both paths, then compare what it produces.
        int n = 263;
        short[] shorts = new short[n];
        for (int i = 0; i < n; i++) {
            shorts[i] = (short) random.nextInt();
        }
        float[][] rows = {randomFloats(n + 8, false), randomFloats(n + 8, false), randomFloats(n + 8, false)};
        int[] termInputs = {2, 0, 1, 0};
        int[] termOffsets = {0, 3, 8, 1};
        float[] coefficients = {0.5f, -1.25f, 1f / 3, 3e-3f};
        float[] data = randomFloats(n, false);
        float[][] out = new float[2][n];
        float[][] norm = new float[2][];
        for (int round = 0; round < 12_000; round++) {
            for (int p = 0; p < 2; p++) {
                Kernels k = p == 0 ? VECTOR : SCALAR;
                k.decode(shorts, 0, out[p], 0, n, 0.195f, round);
                k.combine(rows, termInputs, termOffsets, coefficients, 4, out[p], 0, n);
                norm[p] = data.clone();
                k.normalize(norm[p], 0, n);
            }
            if (round % 3000 == 2999) {
                assertSameRawBits(out[1], out[0], "combine after " + round + " rounds");
                assertSameRawBits(norm[1], norm[0], "normalize after " + round + " rounds");
                VECTOR.decode(shorts, 0, out[0], 0, n, 0.195f, round);
                SCALAR.decode(shorts, 0, out[1], 0, n, 0.195f, round);
                assertSameRawBits(out[1], out[0], "decode after " + round + " rounds");
            }
        }
    }

    private float[] randomFloats(int n, boolean specials) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * Math.pow(10, random.nextInt(7) - 3));
            if (specials && random.nextInt(16) == 0) {
                a[i] = SPECIALS[random.nextInt(SPECIALS.length)];
            }
        }
        return a;
    }

    private static float[] constant(int n, float value) {
        float[] a = new float[n];
        Arrays.fill(a, value);
        return a;
    }

    private static float[] tinySpread(int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (i % 3) * Float.MIN_VALUE;
        }
        return a;
    }

    /** Raw bits equal everywhere, NaN payloads included. */
    static void assertSameRawBits(float[] expected, float[] actual, String what) {
        assertBits(expected, actual, what, false);
    }

    /** Raw bits equal for every non-NaN element; NaN where the other path has NaN. */
    static void assertSameBits(float[] expected, float[] actual, String what) {
        assertBits(expected, actual, what, true);
    }

    private static void assertBits(float[] expected, float[] actual, String what, boolean anyNaN) {
        assertEquals(expected.length, actual.length, what + ": length");
        for (int i = 0; i < expected.length; i++) {
            int e = Float.floatToRawIntBits(expected[i]);
            int a = Float.floatToRawIntBits(actual[i]);
            boolean bothNaN = Float.isNaN(expected[i]) && Float.isNaN(actual[i]);
            if (e != a && !(anyNaN && bothNaN)) {
                fail(what + ": element " + i + " scalar " + expected[i] + " (0x" + Integer.toHexString(e)
                        + ") vector " + actual[i] + " (0x" + Integer.toHexString(a) + ")");
            }
        }
    }
}
