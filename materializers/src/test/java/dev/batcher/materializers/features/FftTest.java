package dev.batcher.materializers.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@Timeout(30)
class FftTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8, 16, 64, 256, 1024})
    void transform_randomInput_matchesNaiveDft(int n) {
        SplittableRandom random = new SplittableRandom(n);
        double[] re = new double[n];
        double[] im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = random.nextDouble(-1, 1);
            im[i] = random.nextDouble(-1, 1);
        }
        double[][] expected = naiveDft(re, im);

        new Fft(n).transform(re, im);

        double tolerance = 1e-12 * n;
        for (int k = 0; k < n; k++) {
            assertEquals(expected[0][k], re[k], tolerance, "re[" + k + "]");
            assertEquals(expected[1][k], im[k], tolerance, "im[" + k + "]");
        }
    }

    @Test
    void transform_sameInputTwice_givesTheSameBits() {
        double[] re1 = new double[512];
        double[] im1 = new double[512];
        SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 512; i++) {
            re1[i] = random.nextGaussian();
        }
        double[] re2 = re1.clone();
        double[] im2 = im1.clone();

        new Fft(512).transform(re1, im1);
        new Fft(512).transform(re2, im2);

        assertArrayEquals(re1, re2);
        assertArrayEquals(im1, im2);
    }

    @Test
    void constructor_notAPowerOfTwo_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Fft(200));
        assertEquals("n: 200 (expected: a power of two >= 1)", e.getMessage());
    }

    @Test
    void ceilPowerOfTwo_values_roundUp() {
        assertEquals(1, Fft.ceilPowerOfTwo(1));
        assertEquals(2, Fft.ceilPowerOfTwo(2));
        assertEquals(256, Fft.ceilPowerOfTwo(200));
        assertEquals(512, Fft.ceilPowerOfTwo(512));
        assertEquals(1024, Fft.ceilPowerOfTwo(513));
    }

    /** X[k] = sum_j x[j] exp(-2 pi i j k / n), the definition, in double precision. */
    static double[][] naiveDft(double[] re, double[] im) {
        int n = re.length;
        double[][] out = new double[2][n];
        for (int k = 0; k < n; k++) {
            double sr = 0;
            double si = 0;
            for (int j = 0; j < n; j++) {
                double angle = -2 * Math.PI * ((long) j * k % n) / n;
                double c = Math.cos(angle);
                double s = Math.sin(angle);
                sr += re[j] * c - im[j] * s;
                si += re[j] * s + im[j] * c;
            }
            out[0][k] = sr;
            out[1][k] = si;
        }
        return out;
    }
}
