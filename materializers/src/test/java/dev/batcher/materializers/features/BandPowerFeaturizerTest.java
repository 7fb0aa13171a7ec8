package dev.batcher.materializers.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.features.BandPowerFeaturizer.Band;
import java.util.List;
import java.util.ServiceLoader;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

@Timeout(30)
class BandPowerFeaturizerTest {
    private final BandPowerFeaturizer featurizer = new BandPowerFeaturizer();

    /**
     * Rates and lengths that exercise an odd and an even number of segments, zero padding (100 Hz: 200
     * sample segments in 256-point transforms), no overlap and a custom band list.
     */
    @ParameterizedTest
    @CsvSource(delimiter = ';', value = {
        "128; 3840; ''",
        "256; 7680; ''",
        "100; 3000; ''",
        "128; 3900; overlap=0",
        "200; 2000; segment=1.5|bands=slow:0.3-1,fast:20-45|broadband=0.1-50",
    })
    void apply_noisyRhythms_matchesNaiveWelchReference(double rate, int samples, String args) {
        List<String> arguments = args.isEmpty() ? List.of() : List.of(args.split("\\|"));
        int channels = 3;
        float[] item = rhythms(channels, samples, rate, 7);
        Featurizer.Plan plan = featurizer.plan(channels, samples, rate, arguments);
        int bands = BandPowerFeaturizer.outputBands(arguments).size();
        float[] out = new float[2 + channels * bands];

        plan.apply(item, out, 2);

        assertArrayEquals(new int[] {channels, bands}, plan.shape());
        double[] expected = reference(item, channels, samples, rate, arguments);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], out[2 + i], 1e-5 * Math.max(1, Math.abs(expected[i])), "feature " + i);
        }
        assertEquals(0f, out[0]);
        assertEquals(0f, out[1]);
    }

    @Test
    void apply_sineInsideAlpha_givesHalfTheSquaredAmplitudeThere() {
        int samples = 30 * 256;
        float[] item = new float[samples];
        for (int j = 0; j < samples; j++) {
            item[j] = (float) (20 * Math.sin(2 * Math.PI * 10.0 * j / 256 + 0.3));
        }
        float[] out = new float[6];

        featurizer.plan(1, samples, 256, List.of()).apply(item, out, 0);

        assertEquals(Math.log(200), out[2], 0.01, "alpha");
        assertEquals(Math.log(200), out[5], 0.01, "broadband");
        assertTrue(out[0] < Math.log(200) - 20, "delta holds no leakage: " + out[0]);
        assertTrue(out[4] < Math.log(200) - 20, "beta holds no leakage: " + out[4]);
    }

    @Test
    void apply_allZeroChannel_givesLogOfTheFloor() {
        float[] out = new float[6];

        featurizer.plan(1, 3840, 128, List.of("floor=1e-6")).apply(new float[3840], out, 0);

        for (float v : out) {
            assertEquals((float) Math.log(1e-6), v);
        }
    }

    @Test
    void apply_sameItemTwice_givesTheSameBits() {
        float[] item = rhythms(4, 7680, 256, 3);
        float[] a = new float[24];
        float[] b = new float[24];

        featurizer.plan(4, 7680, 256, List.of()).apply(item, a, 0);
        new BandPowerFeaturizer().plan(4, 7680, 256, List.of()).apply(item, b, 0);

        assertArrayEquals(a, b);
    }

    @Test
    void plan_sameShapeTwice_isCached() {
        assertSame(featurizer.plan(2, 3840, 128, List.of()), featurizer.plan(2, 3840, 128, List.of()));
    }

    @Test
    void outputBands_defaults_areFiveBandsThenBroadband() {
        List<Band> bands = BandPowerFeaturizer.outputBands(List.of());

        assertEquals(List.of("delta", "theta", "alpha", "sigma", "beta", "broadband"),
                bands.stream().map(Band::name).toList());
        assertEquals(new Band("sigma", 12, 15), bands.get(3));
    }

    @Test
    void outputBands_overridden_replaceTheDefaults() {
        assertEquals(List.of(new Band("a", 1, 3), new Band("4-8Hz", 4, 8)),
                BandPowerFeaturizer.outputBands(List.of("bands=a:1-3, 4-8", "broadband=none")));
    }

    @Test
    void plan_unknownKey_namesTheKeys() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> featurizer.plan(1, 3840, 128, List.of("window=hamming")));
        assertEquals("bandpower argument: 'window=hamming': unknown key 'window' (expected: one of [bands, broadband, "
                + "segment, overlap, floor])", e.getMessage());
    }

    @Test
    void plan_malformedBand_namesTheArgument() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> featurizer.plan(1, 3840, 128, List.of("bands=8..12")));
        assertTrue(e.getMessage().startsWith("bandpower argument: 'bands=8..12': band '8..12' (expected: low-high"),
                e.getMessage());
    }

    @Test
    void plan_itemShorterThanASegment_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> featurizer.plan(1, 100, 128, List.of()));
        assertTrue(e.getMessage().startsWith("bandpower: item of 100 samples"), e.getMessage());
    }

    @Test
    void plan_bandAboveNyquist_namesTheBand() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> featurizer.plan(1, 600, 20, List.of()));
        assertTrue(e.getMessage().startsWith("bandpower band sigma 12.0-15.0 Hz: no frequency bin"), e.getMessage());
        assertTrue(e.getMessage().contains("Nyquist frequency 10.0 Hz"), e.getMessage());
    }

    @Test
    void plan_overlapOfOne_isRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> featurizer.plan(1, 3840, 128, List.of("overlap=1")));
        assertEquals("bandpower overlap: 1.0 (expected: >= 0 and < 1)", e.getMessage());
    }

    @Test
    void serviceLoader_featurizers_includeBandpower() {
        List<String> names = ServiceLoader.load(Featurizer.class).stream().map(p -> p.get().name()).toList();

        assertTrue(names.contains("bandpower"), names.toString());
    }

    /** Alpha, delta and beta rhythms plus noise, different per channel. */
    private static float[] rhythms(int channels, int samples, double rate, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] item = new float[channels * samples];
        for (int c = 0; c < channels; c++) {
            double alpha = 5 + 10 * c;
            for (int j = 0; j < samples; j++) {
                double t = j / rate;
                item[c * samples + j] = (float) (alpha * Math.sin(2 * Math.PI * 10.3 * t) + 30 * Math.sin(2 * Math.PI * 1.1 * t + c)
                        + 3 * Math.sin(2 * Math.PI * 21 * t) + 4 * random.nextGaussian() + 50);
            }
        }
        return item;
    }

    /** Welch with the naive DFT, one segment at a time, straight from the formula in the class javadoc. */
    private static double[] reference(float[] item, int channels, int samples, double rate, List<String> arguments) {
        double segmentSeconds = 2;
        double overlap = 0.5;
        for (String a : arguments) {
            if (a.startsWith("segment=")) {
                segmentSeconds = Double.parseDouble(a.substring(8));
            } else if (a.startsWith("overlap=")) {
                overlap = Double.parseDouble(a.substring(8));
            }
        }
        List<Band> bands = BandPowerFeaturizer.outputBands(arguments);
        int l = (int) Math.round(segmentSeconds * rate);
        int n = Integer.highestOneBit(l - 1) << 1;
        int step = l - (int) Math.round(overlap * l);
        int segments = 1 + (samples - l) / step;
        double[] w = new double[l];
        double sw = 0;
        for (int j = 0; j < l; j++) {
            w[j] = 0.5 - 0.5 * Math.cos(2 * Math.PI * j / l);
            sw += w[j] * w[j];
        }
        double[] out = new double[channels * bands.size()];
        for (int c = 0; c < channels; c++) {
            double[] psd = new double[n / 2 + 1];
            for (int s = 0; s < segments; s++) {
                double[] re = new double[n];
                double[] im = new double[n];
                double mean = 0;
                for (int j = 0; j < l; j++) {
                    mean += item[c * samples + s * step + j];
                }
                mean /= l;
                for (int j = 0; j < l; j++) {
                    re[j] = (item[c * samples + s * step + j] - mean) * w[j];
                }
                double[][] x = FftTest.naiveDft(re, im);
                for (int k = 0; k <= n / 2; k++) {
                    double factor = k == 0 || k == n / 2 ? 1 : 2;
                    psd[k] += factor * (x[0][k] * x[0][k] + x[1][k] * x[1][k]) / (n * sw * segments);
                }
            }
            for (int b = 0; b < bands.size(); b++) {
                double p = 0;
                for (int k = 0; k <= n / 2; k++) {
                    double hz = k * rate / n;
                    if (hz >= bands.get(b).lowHz() && hz < bands.get(b).highHz()) {
                        p += psd[k];
                    }
                }
                out[c * bands.size() + b] = Math.log(p + 1e-20);
            }
        }
        return out;
    }
}
