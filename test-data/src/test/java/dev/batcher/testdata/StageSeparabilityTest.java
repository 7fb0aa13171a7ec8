package dev.batcher.testdata;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checks that the generated signal carries its stages: per-channel log band powers of each 30 s
 * epoch (Welch, 2 s segments, radix-2 FFT) classify the stages of a recording the classifier never
 * saw, and the textbook markers (posterior alpha, frontal delta, spindles, chin tone) are where
 * they belong.
 */
@Timeout(120)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StageSeparabilityTest {
    /** Channels every channel set has. */
    private static final List<String> COMMON = List.of("C3", "C4", "F3", "F4");
    private static final double[][] BANDS = {{0.5, 2}, {2, 4}, {4, 7}, {8, 12}, {12, 14}, {15, 30}};
    private static final int DELTA = 0;
    private static final int ALPHA = 3;
    private static final int SIGMA = 4;
    private static final int SEGMENT = 512;
    private static final int STAGES = 5;

    /** One epoch: its stage, its recording, and log band powers by channel. */
    private record Epoch(int stage, int recording, Map<String, double[]> logPowers) {
        double[] features() {
            double[] f = new double[COMMON.size() * BANDS.length];
            for (int c = 0; c < COMMON.size(); c++) {
                System.arraycopy(logPowers.get(COMMON.get(c)), 0, f, c * BANDS.length, BANDS.length);
            }
            return f;
        }
    }

    private final List<Epoch> epochs = new ArrayList<>();
    private int recordings;

    @BeforeAll
    void generateAndMeasure(@TempDir Path dir) {
        // Four recordings: long enough for every stage; four consecutive channel sets always
        // include one with occipital and EMG channels.
        GenerationReport report = SyntheticDataset.generate(dir.resolve("dataset"),
                GeneratorOptions.builder().seed(11).recordings(4).hours(1.5, 2.0).threads(2).build());
        recordings = report.recordings().size();
        for (int r = 0; r < recordings; r++) {
            GeneratedRecording recording = report.recordings().get(r);
            Recordings.Read read = Recordings.read(recording.file());
            double fs = recording.signal().sampleRate();
            int perEpoch = (int) (30 * fs);
            int first = (int) ((recording.labels().startNanos() - recording.signal().startNanos()) / 1_000_000_000L
                    * (long) fs);
            List<String> channels = recording.signal().channels();
            for (int e = 0; e < read.labels().length; e++) {
                Map<String, double[]> powers = new HashMap<>();
                for (int c = 0; c < channels.size(); c++) {
                    powers.put(channels.get(c), logBandPowers(read.signal()[c], first + e * perEpoch, perEpoch, fs,
                            recording.signal().resolution()));
                }
                epochs.add(new Epoch(read.labels()[e], r, powers));
            }
        }
    }

    @Test
    void bandPowers_heldOutRecordings_nearestCentroidClassifiesStagesWellAbove80Percent() {
        int[] present = new int[STAGES];
        int correct = 0;
        int[][] confusion = new int[STAGES][STAGES];
        for (int held = 0; held < recordings; held++) {
            NearestCentroid model = NearestCentroid.fit(training(held));
            for (Epoch epoch : epochs) {
                if (epoch.recording() == held) {
                    int predicted = model.predict(epoch.features());
                    confusion[epoch.stage()][predicted]++;
                    present[epoch.stage()]++;
                    if (predicted == epoch.stage()) {
                        correct++;
                    }
                }
            }
        }
        double accuracy = (double) correct / epochs.size();
        String report = "accuracy " + accuracy + ", confusion (rows true W N1 N2 N3 REM) "
                + Arrays.deepToString(confusion);
        assertTrue(Arrays.stream(present).allMatch(n -> n >= 10), "every stage occurs: " + Arrays.toString(present));
        assertTrue(accuracy > 0.88, report);
        for (int s = 0; s < STAGES; s++) {
            double recall = (double) confusion[s][s] / present[s];
            int stage = s;
            assertTrue(recall > 0.6, () -> "recall of " + SyntheticDataset.STAGES.get(stage) + ": " + report);
        }
    }

    @Test
    void bandPowers_wake_alphaIsStrongerOverOccipitalThanCentralChannels() {
        double occipital = mean(Stage.WAKE, "O1", ALPHA);
        double central = mean(Stage.WAKE, "C3", ALPHA);

        assertTrue(occipital > central + 0.7, () -> "log alpha power O1 " + occipital + " vs C3 " + central);
        assertTrue(mean(Stage.WAKE, "O1", ALPHA) > mean(Stage.N2, "O1", ALPHA) + 2.0);
    }

    @Test
    void bandPowers_n3_hasFarMoreFrontalDeltaThanN2() {
        assertTrue(mean(Stage.N3, "F3", DELTA) > mean(Stage.N2, "F3", DELTA) + 1.5);
    }

    @Test
    void bandPowers_n2_hasMoreSigmaThanN1AndWake() {
        assertTrue(mean(Stage.N2, "C3", SIGMA) > mean(Stage.N1, "C3", SIGMA) + 0.5);
        assertTrue(mean(Stage.N2, "C3", SIGMA) > mean(Stage.WAKE, "C3", SIGMA));
    }

    @Test
    void bandPowers_chinEmg_isHighestAwakeAndLowestInRem() {
        double wake = mean(Stage.WAKE, "EMG", BANDS.length - 1);
        double n2 = mean(Stage.N2, "EMG", BANDS.length - 1);
        double rem = mean(Stage.REM, "EMG", BANDS.length - 1);

        assertTrue(wake > n2 && n2 > rem, () -> "log EMG beta-band power W " + wake + " N2 " + n2 + " REM " + rem);
        assertTrue(wake > rem + 3.0, () -> "W " + wake + " REM " + rem);
    }

    private List<Epoch> training(int held) {
        return epochs.stream().filter(e -> e.recording() != held).toList();
    }

    /** The mean log power in {@code band} of {@code channel} over the epochs of {@code stage} that have it. */
    private double mean(Stage stage, String channel, int band) {
        double sum = 0;
        int n = 0;
        for (Epoch epoch : epochs) {
            double[] p = epoch.logPowers().get(channel);
            if (epoch.stage() == stage.ordinal() && p != null) {
                sum += p[band];
                n++;
            }
        }
        assertTrue(n >= 10, () -> stage + " epochs with " + channel + ": too few");
        return sum / n;
    }

    /** Nearest centroid on z-scored features: a linear classifier with a shared, diagonal covariance. */
    private record NearestCentroid(double[] mean, double[] sd, double[][] centroids) {
        static NearestCentroid fit(List<Epoch> training) {
            int nf = training.get(0).features().length;
            double[] mean = new double[nf];
            double[] sd = new double[nf];
            for (Epoch e : training) {
                double[] f = e.features();
                for (int j = 0; j < nf; j++) {
                    mean[j] += f[j] / training.size();
                }
            }
            for (Epoch e : training) {
                double[] f = e.features();
                for (int j = 0; j < nf; j++) {
                    sd[j] += (f[j] - mean[j]) * (f[j] - mean[j]) / training.size();
                }
            }
            for (int j = 0; j < nf; j++) {
                sd[j] = Math.sqrt(sd[j]);
            }
            double[][] centroids = new double[STAGES][nf];
            int[] counts = new int[STAGES];
            for (Epoch e : training) {
                double[] f = e.features();
                counts[e.stage()]++;
                for (int j = 0; j < nf; j++) {
                    centroids[e.stage()][j] += (f[j] - mean[j]) / sd[j];
                }
            }
            for (int s = 0; s < STAGES; s++) {
                assertTrue(counts[s] > 0, "training has stage " + s);
                for (int j = 0; j < nf; j++) {
                    centroids[s][j] /= counts[s];
                }
            }
            return new NearestCentroid(mean, sd, centroids);
        }

        int predict(double[] f) {
            int best = -1;
            double bestDistance = Double.POSITIVE_INFINITY;
            for (int s = 0; s < centroids.length; s++) {
                double d = 0;
                for (int j = 0; j < f.length; j++) {
                    double t = (f[j] - mean[j]) / sd[j] - centroids[s][j];
                    d += t * t;
                }
                if (d < bestDistance) {
                    bestDistance = d;
                    best = s;
                }
            }
            return best;
        }
    }

    /** Welch estimate: the mean periodogram of non-overlapping 2 s segments, summed over each band. */
    static double[] logBandPowers(short[] x, int start, int length, double fs, double resolution) {
        double[] power = new double[SEGMENT / 2 + 1];
        double[] re = new double[SEGMENT];
        double[] im = new double[SEGMENT];
        for (int s = 0; s + SEGMENT <= length; s += SEGMENT) {
            double mean = 0;
            for (int i = 0; i < SEGMENT; i++) {
                mean += x[start + s + i];
            }
            mean /= SEGMENT;
            for (int i = 0; i < SEGMENT; i++) {
                re[i] = (x[start + s + i] - mean) * resolution;
                im[i] = 0;
            }
            fft(re, im);
            for (int k = 0; k <= SEGMENT / 2; k++) {
                power[k] += re[k] * re[k] + im[k] * im[k];
            }
        }
        double[] bands = new double[BANDS.length];
        for (int b = 0; b < BANDS.length; b++) {
            double sum = 1e-9;
            for (int k = 0; k <= SEGMENT / 2; k++) {
                double hz = k * fs / SEGMENT;
                if (hz >= BANDS[b][0] && hz < BANDS[b][1]) {
                    sum += power[k];
                }
            }
            bands[b] = Math.log(sum);
        }
        return bands;
    }

    /** In-place iterative radix-2 FFT. */
    static void fft(double[] re, double[] im) {
        int n = re.length;
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) {
                j ^= bit;
            }
            j ^= bit;
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
            double angle = -2 * Math.PI / len;
            double wr = Math.cos(angle);
            double wi = Math.sin(angle);
            for (int i = 0; i < n; i += len) {
                double cr = 1;
                double ci = 0;
                for (int k = 0; k < len / 2; k++) {
                    int u = i + k;
                    int v = u + len / 2;
                    double tr = re[v] * cr - im[v] * ci;
                    double ti = re[v] * ci + im[v] * cr;
                    re[v] = re[u] - tr;
                    im[v] = im[u] - ti;
                    re[u] += tr;
                    im[u] += ti;
                    double next = cr * wr - ci * wi;
                    ci = cr * wi + ci * wr;
                    cr = next;
                }
            }
        }
    }

    @Test
    void fft_pureTone_putsItsPowerInOneBin() {
        double[] re = new double[SEGMENT];
        double[] im = new double[SEGMENT];
        for (int i = 0; i < SEGMENT; i++) {
            re[i] = Math.sin(2 * Math.PI * 20 * i / SEGMENT);
        }
        fft(re, im);
        assertEquals(SEGMENT / 2.0, Math.hypot(re[20], im[20]), 1e-9);
        assertEquals(0.0, Math.hypot(re[21], im[21]), 1e-9);
    }
}
