package dev.batcher.materializers.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Correctness of each kernel against naive double-precision references, and the argument checks. */
class KernelsTest {
    private final SplittableRandom random = new SplittableRandom(7);

    private static Kernels kernels(KernelPath path) {
        return path == KernelPath.VECTOR ? Kernels.vector() : Kernels.scalar();
    }

    @Test
    void factories_eachPath_reportItsPath() {
        assertEquals(KernelPath.VECTOR, Kernels.vector().path());
        assertEquals(KernelPath.SCALAR, Kernels.scalar().path());
        assertTrue(Kernels.vector().toString().startsWith("Kernels[VECTOR, "));
    }

    @Test
    void defaults_propertyScalarOrUnset_choosesThatPath() {
        String old = System.getProperty(Kernels.PATH_PROPERTY);
        try {
            System.clearProperty(Kernels.PATH_PROPERTY);
            assertSame(Kernels.vector(), Kernels.defaults());
            System.setProperty(Kernels.PATH_PROPERTY, "scalar");
            assertSame(Kernels.scalar(), Kernels.defaults());
            System.setProperty(Kernels.PATH_PROPERTY, "vector");
            assertSame(Kernels.vector(), Kernels.defaults());
            System.setProperty(Kernels.PATH_PROPERTY, "gpu");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, Kernels::defaults);
            assertEquals("batcher.kernels: gpu (expected: vector or scalar)", e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(Kernels.PATH_PROPERTY);
            } else {
                System.setProperty(Kernels.PATH_PROPERTY, old);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void decodeShort_randomSamples_matchesDoubleReference(KernelPath path) {
        int n = 1037;
        short[] src = new short[n];
        for (int i = 0; i < n; i++) {
            src[i] = (short) random.nextInt();
        }
        float[] dst = new float[n];
        kernels(path).decode(src, 0, dst, 0, n, 0.195f, -12.5f);
        for (int i = 0; i < n; i++) {
            double expected = src[i] * (double) 0.195f + -12.5;
            assertEquals(expected, dst[i], 1e-6 * Math.max(1, Math.abs(expected)), "element " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void decodeShort_offsets_touchOnlyTheRange(KernelPath path) {
        short[] src = {9, 9, 1, 2, 3, 9};
        float[] dst = new float[7];
        Arrays.fill(dst, -1f);
        kernels(path).decode(src, 2, dst, 3, 3, 2f, 0.5f);
        assertEquals(List.of(-1f, -1f, -1f, 2.5f, 4.5f, 6.5f, -1f), boxed(dst));
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void decodeFloat_randomSamples_matchesDoubleReference(KernelPath path) {
        int n = 999;
        float[] src = gaussians(n, 100);
        float[] dst = new float[n];
        kernels(path).decode(src, 0, dst, 0, n, 1.25f, 3f);
        for (int i = 0; i < n; i++) {
            double expected = src[i] * 1.25 + 3;
            assertEquals(expected, dst[i], 1e-5 * Math.max(1, Math.abs(expected)), "element " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void combine_randomTerms_matchesDoubleReference(KernelPath path) {
        int n = 7680 + 13;
        float[][] inputs = {gaussians(n + 4, 50), gaussians(n + 4, 50), gaussians(n + 4, 50)};
        int[] termInputs = {2, 0, 1, 0};
        int[] termOffsets = {0, 4, 1, 2};
        float[] coefficients = {0.5f, -1f, 0.25f, 2f};
        float[] dst = new float[n + 1];
        kernels(path).combine(inputs, termInputs, termOffsets, coefficients, 4, dst, 1, n);
        assertEquals(0f, dst[0]);
        for (int i = 0; i < n; i++) {
            double expected = 0;
            double magnitude = 0;
            for (int t = 0; t < 4; t++) {
                double term = (double) coefficients[t] * inputs[termInputs[t]][termOffsets[t] + i];
                expected += term;
                magnitude += Math.abs(term);
            }
            assertEquals(expected, dst[1 + i], 1e-6 * Math.max(1, magnitude), "element " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void combineSingleRow_manyTerms_matchesDoubleReference(KernelPath path) {
        int n = 3000 + 7;
        float[] input = gaussians(n + 200, 20);
        int terms = 101;
        int[] offsets = new int[terms];
        float[] coefficients = new float[terms];
        for (int t = 0; t < terms; t++) {
            offsets[t] = 2 * t % 199;
            coefficients[t] = (float) random.nextGaussian();
        }
        float[] dst = new float[n];
        kernels(path).combine(input, offsets, coefficients, terms, dst, 0, n);
        for (int i = 0; i < n; i++) {
            double expected = 0;
            double magnitude = 0;
            for (int t = 0; t < terms; t++) {
                double term = (double) coefficients[t] * input[offsets[t] + i];
                expected += term;
                magnitude += Math.abs(term);
            }
            assertEquals(expected, dst[i], 1e-5 * Math.max(1, magnitude), "element " + i);
        }
    }

    @Test
    void unshuffle16_highPlanePastTheEnd_throwsNamingTheOffset() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Kernels.vector().unshuffle16(new byte[10], 0, 6, new short[5], 0, 5));
        assertTrue(e.getMessage().startsWith("highOff: 6 (expected:"), e.getMessage());
    }

    @Test
    void combineSingleRow_termOutsideTheRow_throwsNamingTheTerm() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Kernels.vector().combine(new float[10], new int[] {0, 6}, new float[] {1, 1}, 2, new float[5], 0, 5));
        assertEquals("termOffsets[1]: 6 (expected: >= 0 and termOffsets[1] + n <= input.length, with n 5 and "
                + "input.length 10)", e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void combine_noTerms_zeroFillsTheRange(KernelPath path) {
        float[] dst = {5f, 5f, 5f, 5f};
        kernels(path).combine(new float[0][], new int[0], new int[0], new float[0], 0, dst, 1, 2);
        assertEquals(List.of(5f, 0f, 0f, 5f), boxed(dst));
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void axpy_randomRows_matchesDoubleReference(KernelPath path) {
        int n = 301;
        float[] x = gaussians(n, 10);
        float[] y = gaussians(n, 10);
        float[] before = y.clone();
        kernels(path).axpy(-0.75f, x, 0, y, 0, n);
        for (int i = 0; i < n; i++) {
            double expected = before[i] - 0.75 * x[i];
            assertEquals(expected, y[i], 1e-5 * Math.max(1, Math.abs(before[i]) + Math.abs(x[i])), "element " + i);
        }
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void normalize_randomChannel_matchesDoubleReference(KernelPath path) {
        int n = 7681;
        float[] data = gaussians(n + 2, 30);
        for (int i = 0; i < data.length; i++) {
            data[i] += 4000;
        }
        float[] original = data.clone();
        kernels(path).normalize(data, 1, n);
        double mean = 0;
        for (int i = 1; i <= n; i++) {
            mean += original[i];
        }
        mean /= n;
        double variance = 0;
        for (int i = 1; i <= n; i++) {
            variance += (original[i] - mean) * (original[i] - mean);
        }
        double std = Math.sqrt(variance / n);
        for (int i = 1; i <= n; i++) {
            assertEquals((original[i] - mean) / std, data[i], 1e-3, "element " + i);
        }
        assertEquals(original[0], data[0]);
        assertEquals(original[n + 1], data[n + 1]);
        double outMean = 0;
        double outSquares = 0;
        for (int i = 1; i <= n; i++) {
            outMean += data[i];
            outSquares += (double) data[i] * data[i];
        }
        assertEquals(0, outMean / n, 1e-4);
        assertEquals(1, outSquares / n, 1e-4);
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void normalize_constantChannel_becomesZerosWithoutNaN(KernelPath path) {
        for (int n : new int[] {1, 7, 8, 100}) {
            float[] data = new float[n];
            Arrays.fill(data, 3.25f);
            kernels(path).normalize(data, 0, n);
            for (float v : data) {
                assertEquals(0f, v, "n=" + n);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void normalize_varianceTooSmallForFloatInverse_becomesZeros(KernelPath path) {
        float[] data = {0f, Float.MIN_VALUE, 0f, Float.MIN_VALUE, 0f, Float.MIN_VALUE, 0f, Float.MIN_VALUE, 0f};
        kernels(path).normalize(data, 0, data.length);
        for (float v : data) {
            assertEquals(0f, v);
        }
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void normalize_channelWithNaN_becomesAllNaN(KernelPath path) {
        float[] data = gaussians(20, 1);
        data[5] = Float.NaN;
        kernels(path).normalize(data, 0, data.length);
        for (float v : data) {
            assertTrue(Float.isNaN(v));
        }
    }

    @ParameterizedTest
    @EnumSource(KernelPath.class)
    void normalize_emptyRange_doesNothing(KernelPath path) {
        float[] data = {1f, 2f};
        kernels(path).normalize(data, 2, 0);
        assertEquals(List.of(1f, 2f), boxed(data));
    }

    @Test
    void decode_negativeCount_throwsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Kernels.vector().decode(new short[4], 0, new float[4], 0, -1, 1f, 0f));
        assertEquals("n: -1 (expected: >= 0)", e.getMessage());
    }

    @Test
    void decode_sourceRangeOutside_throwsNamingOffsetAndLength() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Kernels.scalar().decode(new short[4], 2, new float[8], 0, 3, 1f, 0f));
        assertEquals("srcOff: 2 (expected: >= 0 and srcOff + n <= src.length, with n 3 and src.length 4)",
                e.getMessage());
    }

    @Test
    void decode_nullDestination_throwsNullPointerNamingIt() {
        NullPointerException e = assertThrows(NullPointerException.class,
                () -> Kernels.vector().decode(new float[4], 0, null, 0, 1, 1f, 0f));
        assertEquals("dst", e.getMessage());
    }

    @Test
    void combine_termOutsideItsRow_throwsNamingTheTerm() {
        float[][] inputs = {new float[10], new float[5]};
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Kernels.vector().combine(inputs, new int[] {0, 1}, new int[] {0, 1}, new float[] {1, 1}, 2,
                        new float[5], 0, 5));
        assertEquals("termOffsets[1]: 1 (expected: >= 0 and termOffsets[1] + n <= inputs[1].length, with n 5 "
                + "and inputs[1].length 5)", e.getMessage());
    }

    @Test
    void combine_termNamesMissingRow_throwsNamingTheTerm() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Kernels.scalar().combine(new float[1][4], new int[] {1}, new int[] {0}, new float[] {1}, 1,
                        new float[4], 0, 4));
        assertEquals("termInputs[0]: 1 (expected: >= 0 and < inputs.length 1)", e.getMessage());
    }

    @Test
    void combine_termArraysTooShort_throws() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Kernels.scalar().combine(new float[1][4], new int[] {0}, new int[] {0}, new float[] {1}, 2,
                        new float[4], 0, 4));
        assertEquals("termInputs.length: 1 (expected: >= terms 2)", e.getMessage());
    }

    @Test
    void normalize_negativeOffset_throws() {
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> Kernels.vector().normalize(new float[4], -1, 2));
        assertFalse(e.getMessage().isEmpty());
        assertTrue(e.getMessage().startsWith("off: -1 (expected: >= 0"), e.getMessage());
    }

    private float[] gaussians(int n, double sigma) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (random.nextGaussian() * sigma);
        }
        return a;
    }

    private static List<Float> boxed(float[] a) {
        Float[] boxed = new Float[a.length];
        for (int i = 0; i < a.length; i++) {
            boxed[i] = a[i];
        }
        return Arrays.asList(boxed);
    }
}
