package dev.batcher.materializers.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Ratio finding, frequency response, timing and the reference arithmetic of {@link Resampler}. */
class ResamplerTest {
    private static final Kernels K = Kernels.vector();

    @ParameterizedTest
    @CsvSource({"256, 128, 1, 2", "256, 100, 25, 64", "100, 256, 64, 25", "200, 300, 3, 2", "250, 250, 1, 1",
        "44100, 48000, 160, 147", "0.5, 2.5, 5, 1"})
    void of_rationalRates_findsLowestTerms(double from, double to, int up, int down) {
        Resampler r = Resampler.of(from, to);
        assertEquals(up, r.upFactor());
        assertEquals(down, r.downFactor());
        assertEquals(from, r.fromHz());
        assertEquals(to, r.toHz());
    }

    @Test
    void of_noSmallRatio_throwsNamingTheRates() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Resampler.of(256, 100.3));
        assertEquals("toHz / fromHz: 100.3 / 256.0 (expected: a ratio L/M with integers 1 <= L, M <= 1000)",
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Resampler.of(1, 1001));
    }

    @Test
    void of_nonPositiveOrNonFiniteRate_throwsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Resampler.of(-1, 100));
        assertEquals("fromHz: -1.0 (expected: > 0 and finite)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Resampler.of(100, Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> Resampler.of(Double.POSITIVE_INFINITY, 100));
        assertThrows(IllegalArgumentException.class, () -> Resampler.of(100, 0));
    }

    @ParameterizedTest
    @CsvSource({"256, 128, 7680, 3840", "256, 128, 7681, 3841", "256, 100, 7680, 3000", "100, 256, 3000, 7680",
        "200, 300, 1, 2", "200, 300, 0, 0"})
    void outputLength_variousInputs_isCeilOfScaledLength(double from, double to, int in, int out) {
        assertEquals(out, Resampler.of(from, to).outputLength(in));
    }

    @Test
    void outputLength_negative_throws() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Resampler.of(256, 128).outputLength(-3));
        assertEquals("inputLength: -3 (expected: >= 0)", e.getMessage());
    }

    @Test
    void taps_everyPhase_sumToOneAndAreSymmetricAtPhaseZero() {
        Resampler r = Resampler.of(100, 256);
        for (int phase = 0; phase < r.upFactor(); phase++) {
            double sum = 0;
            for (float t : r.phaseTaps(phase)) {
                sum += t;
            }
            assertEquals(1, sum, 1e-6, "phase " + phase);
        }
        float[] zero = Resampler.of(256, 128).phaseTaps(0);
        int h = Resampler.of(256, 128).halfWidth();
        assertEquals(2 * h, zero.length);
        for (int j = 0; j < 2 * h - 1; j++) {
            assertEquals(zero[j], zero[2 * h - 2 - j], "tap " + j);
        }
    }

    @ParameterizedTest
    @CsvSource({"256, 128, 70", "256, 128, 80", "256, 128, 100", "256, 128, 127", "256, 100, 60", "256, 100, 110",
        "512, 128, 90"})
    void apply_toneAboveNewNyquist_attenuatedMoreThan40dB(double from, double to, double toneHz) {
        Resampler r = Resampler.of(from, to);
        double gainDb = toneGainDb(r, toneHz);
        assertTrue(gainDb < -40, r + " " + toneHz + " Hz: " + gainDb + " dB");
    }

    @ParameterizedTest
    @CsvSource({"256, 128, 1", "256, 128, 10", "256, 128, 40", "256, 128, 50", "256, 100, 30", "100, 256, 5",
        "100, 256, 39", "200, 300, 75"})
    void apply_inBandTone_passesWithinOneDecibel(double from, double to, double toneHz) {
        Resampler r = Resampler.of(from, to);
        double gainDb = toneGainDb(r, toneHz);
        assertTrue(Math.abs(gainDb) < 1, r + " " + toneHz + " Hz: " + gainDb + " dB");
    }

    @ParameterizedTest
    @CsvSource({"256, 128, 10", "100, 256, 7", "256, 100, 20", "200, 300, 30"})
    void apply_inBandTone_matchesTheToneAtOutputTimes(double from, double to, double toneHz) {
        Resampler r = Resampler.of(from, to);
        int n = 4096;
        float[] in = tone(n, from, toneHz);
        float[] out = new float[r.outputLength(n)];
        r.apply(K, in, 0, n, out, 0);
        int margin = (int) Math.ceil(r.halfWidth() * to / from) + 1;
        double worst = 0;
        for (int m = margin; m < out.length - margin; m++) {
            double expected = Math.sin(2 * Math.PI * toneHz * m / to);
            worst = Math.max(worst, Math.abs(out[m] - expected));
        }
        assertTrue(worst < 0.01, r + ": worst error " + worst);
    }

    @Test
    void apply_randomInput_matchesDoubleReferenceWithZeroPadding() {
        SplittableRandom random = new SplittableRandom(3);
        for (double[] rates : new double[][] {{256, 128}, {256, 100}, {100, 256}, {200, 300}}) {
            Resampler r = Resampler.of(rates[0], rates[1]);
            int n = 777;
            float[] in = new float[n];
            for (int i = 0; i < n; i++) {
                in[i] = (float) random.nextGaussian();
            }
            float[] out = new float[r.outputLength(n)];
            r.apply(K, in, 0, n, out, 0);
            int l = r.upFactor();
            int mm = r.downFactor();
            int h = r.halfWidth();
            for (int m = 0; m < out.length; m++) {
                long base = (long) m * mm / l;
                int phase = (int) ((long) m * mm % l);
                float[] taps = r.phaseTaps(phase);
                double expected = 0;
                double magnitude = 0;
                for (int j = 0; j < taps.length; j++) {
                    long k = base - h + 1 + j;
                    double x = k < 0 || k >= n ? 0 : in[(int) k];
                    expected += taps[j] * x;
                    magnitude += Math.abs(taps[j] * x);
                }
                assertEquals(expected, out[m], 1e-5 * Math.max(1, magnitude), r + " output " + m);
            }
        }
    }

    @Test
    void apply_equalRates_copies() {
        Resampler r = Resampler.of(128, 128);
        float[] in = {1f, 2f, 3f, 4f};
        float[] out = new float[3];
        r.apply(K, in, 1, 3, out, 0);
        assertArrayEquals(new float[] {2f, 3f, 4f}, out);
        assertEquals(0, r.halfWidth());
    }

    @Test
    void apply_outputRangeTooSmall_throwsNamingOutputLength() {
        Resampler r = Resampler.of(256, 128);
        IndexOutOfBoundsException e = assertThrows(IndexOutOfBoundsException.class,
                () -> r.apply(K, new float[100], 0, 100, new float[50], 1));
        assertEquals("outOff: 1 (expected: >= 0 and outOff + outputLength(inLen) <= out.length, with "
                + "outputLength(inLen) 50 and out.length 50)", e.getMessage());
    }

    @Test
    void apply_inputRangeOutside_throws() {
        Resampler r = Resampler.of(256, 128);
        assertThrows(IndexOutOfBoundsException.class, () -> r.apply(K, new float[10], 5, 6, new float[10], 0));
        assertThrows(IllegalArgumentException.class, () -> r.apply(K, new float[10], 0, -1, new float[10], 0));
        assertThrows(NullPointerException.class, () -> r.apply(null, new float[10], 0, 1, new float[10], 0));
    }

    /** The RMS gain in dB of a tone through the resampler, over outputs clear of the edges. */
    private static double toneGainDb(Resampler r, double toneHz) {
        int n = 8192;
        float[] in = tone(n, r.fromHz(), toneHz);
        float[] out = new float[r.outputLength(n)];
        r.apply(K, in, 0, n, out, 0);
        int margin = (int) Math.ceil(r.halfWidth() * r.toHz() / r.fromHz()) + 1;
        double squares = 0;
        for (int m = margin; m < out.length - margin; m++) {
            squares += (double) out[m] * out[m];
        }
        double rms = Math.sqrt(squares / (out.length - 2 * margin));
        return 20 * Math.log10(rms / Math.sqrt(0.5));
    }

    private static float[] tone(int n, double rate, double hz) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) Math.sin(2 * Math.PI * hz * i / rate);
        }
        return a;
    }
}
