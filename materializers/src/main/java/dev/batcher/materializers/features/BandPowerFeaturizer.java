package dev.batcher.materializers.features;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The built-in {@code bandpower} featuriser: for each channel of an item, the natural log of the
 * signal power in each of a few frequency bands, from a Welch estimate. An item of {@code [channels,
 * samples]} becomes {@code [channels, bands]} floats, so a worker ships a few dozen numbers per item
 * instead of thousands of samples.
 *
 * <p><b>Estimate.</b> The item's channel is cut into segments of {@code segment} seconds ({@code L}
 * samples, rounded) that start every {@code L - round(overlap * L)} samples, as many as fit; each
 * segment has its mean removed, is multiplied by a periodic Hann window {@code w[j] = 0.5 - 0.5
 * cos(2 pi j / L)}, zero-padded to the next power of two {@code N} and transformed with a radix-2
 * FFT. The power in a band is
 * <pre>{@code
 * P = sum over bins k with low <= k * rate / N < high, 0 <= k <= N / 2, of
 *     c_k * mean over segments of |X_k|^2 / (N * sum_j w[j]^2)
 * }</pre>
 * with {@code c_k = 1} for {@code k = 0} and {@code k = N / 2} and 2 otherwise: the integral of the
 * one-sided power spectral density over the band (a sine of amplitude {@code A} inside a band gives
 * {@code P = A^2 / 2}, in the signal's unit squared). The output is {@code ln(P + floor)}.
 *
 * <p><b>Arguments</b> ({@code key=value}, any order, each at most once):
 * <ul>
 *   <li>{@code bands=[name:]low-high,...}: the bands in Hz, half-open {@code [low, high)} (default
 *       {@code delta:0.5-2,theta:4-8,alpha:8-12,sigma:12-15,beta:15-30});
 *   <li>{@code broadband=low-high} or {@code broadband=none}: one more band, last (default {@code
 *       0.5-30}); the difference of a band's output and this one is the log relative power;
 *   <li>{@code segment=SECONDS}: the segment length (default 2);
 *   <li>{@code overlap=FRACTION}: the overlap of consecutive segments, in {@code [0, 1)} (default
 *       0.5);
 *   <li>{@code floor=POWER}: added before the log, {@code > 0} (default 1e-20), so that an all-zero
 *       channel (a {@code fill:} channel a recording lacks) gives {@code ln(floor)}, not minus
 *       infinity.
 * </ul>
 *
 * <p><b>Determinism.</b> The window and twiddle tables are computed with {@link StrictMath}, the
 * arithmetic is sequential double precision in a fixed order and the log is {@link StrictMath#log},
 * so the features are the same bits on every worker, JVM and machine. Consecutive segments are
 * transformed two at a time as the real and imaginary parts of one complex FFT; the pairing is fixed
 * by segment index.
 *
 * <p>Registered in this module's {@code META-INF/services}, so every worker has it; select it with
 * {@code MaterializeOptions.withFeaturizer("bandpower", arguments)}. Thread-safe.
 */
public final class BandPowerFeaturizer implements Featurizer {
    /** The name {@link dev.batcher.api.MaterializeOptions#featurizer()} refers to. */
    public static final String NAME = "bandpower";

    /** The default bands: delta, theta, alpha, sigma and beta. */
    public static final List<Band> DEFAULT_BANDS = List.of(new Band("delta", 0.5, 2), new Band("theta", 4, 8),
            new Band("alpha", 8, 12), new Band("sigma", 12, 15), new Band("beta", 15, 30));

    /** The default broadband band, appended after the others. */
    public static final Band DEFAULT_BROADBAND = new Band("broadband", 0.5, 30);

    private static final double DEFAULT_SEGMENT_SECONDS = 2.0;
    private static final double DEFAULT_OVERLAP = 0.5;
    private static final double DEFAULT_FLOOR = 1e-20;
    private static final int MAX_CACHED_PLANS = 256;
    private static final List<String> KEYS = List.of("bands", "broadband", "segment", "overlap", "floor");

    private final ConcurrentHashMap<PlanKey, BandPlan> plans = new ConcurrentHashMap<>();

    /** Creates the featuriser; {@link java.util.ServiceLoader} calls this. */
    public BandPowerFeaturizer() {
    }

    /**
     * A frequency band, half-open: {@code [lowHz, highHz)}.
     *
     * @param name a label for reports, such as {@code alpha}
     * @param lowHz the lowest frequency in the band, {@code >= 0}
     * @param highHz the first frequency above the band, {@code > lowHz}
     */
    public record Band(String name, double lowHz, double highHz) {
        /**
         * Checks the band.
         *
         * @param name a label for reports
         * @param lowHz the lowest frequency in the band
         * @param highHz the first frequency above the band
         * @throws IllegalArgumentException if the name is blank or the limits are not finite with
         *     {@code 0 <= lowHz < highHz}
         */
        public Band {
            Objects.requireNonNull(name, "name");
            if (name.isBlank()) {
                throw new IllegalArgumentException("band name: '' (expected: non-blank)");
            }
            if (!(lowHz >= 0) || !(highHz > lowHz) || Double.isInfinite(highHz)) {
                throw new IllegalArgumentException("band " + name + ": " + lowHz + "-" + highHz
                        + " Hz (expected: finite, 0 <= low < high)");
            }
        }
    }

    /** Returns {@value #NAME}. */
    @Override
    public String name() {
        return NAME;
    }

    /**
     * Returns the bands of the output's columns, in order, for these arguments: the configured bands,
     * then the broadband band unless it is {@code none}.
     *
     * @param arguments the featuriser's arguments
     * @return the bands
     * @throws IllegalArgumentException if the arguments are malformed; the message names the argument
     */
    public static List<Band> outputBands(List<String> arguments) {
        return Settings.parse(arguments).bands;
    }

    /**
     * Prepares the estimate for items of one shape; plans are cached, so calling this for every item
     * is cheap.
     *
     * @throws IllegalArgumentException if the arguments are malformed, the item is shorter than one
     *     segment, or a band holds no frequency bin at this rate and segment length (for example a
     *     band above the Nyquist frequency); the message names the values
     */
    @Override
    public Featurizer.Plan plan(int channels, int samples, double sampleRateHz, List<String> arguments) {
        List<String> args = List.copyOf(arguments);
        PlanKey key = new PlanKey(channels, samples, sampleRateHz, args);
        BandPlan plan = plans.get(key);
        if (plan == null) {
            plan = new BandPlan(channels, samples, sampleRateHz, Settings.parse(args));
            if (plans.size() >= MAX_CACHED_PLANS) {
                plans.clear();
            }
            plans.putIfAbsent(key, plan);
        }
        return plan;
    }

    private record PlanKey(int channels, int samples, double rate, List<String> arguments) {
    }

    /** Parsed arguments. */
    private static final class Settings {
        final List<Band> bands;
        final double segmentSeconds;
        final double overlap;
        final double floor;

        private Settings(List<Band> bands, double segmentSeconds, double overlap, double floor) {
            this.bands = List.copyOf(bands);
            this.segmentSeconds = segmentSeconds;
            this.overlap = overlap;
            this.floor = floor;
        }

        static Settings parse(List<String> arguments) {
            List<Band> bands = DEFAULT_BANDS;
            Band broadband = DEFAULT_BROADBAND;
            double segment = DEFAULT_SEGMENT_SECONDS;
            double overlap = DEFAULT_OVERLAP;
            double floor = DEFAULT_FLOOR;
            List<String> seen = new ArrayList<>();
            for (String argument : arguments) {
                int eq = argument == null ? -1 : argument.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException(NAME + " argument: '" + argument + "' (expected: key=value with key one of "
                            + KEYS + ")");
                }
                String k = argument.substring(0, eq).trim();
                String v = argument.substring(eq + 1).trim();
                if (!KEYS.contains(k)) {
                    throw new IllegalArgumentException(NAME + " argument: '" + argument + "': unknown key '" + k
                            + "' (expected: one of " + KEYS + ")");
                }
                if (seen.contains(k)) {
                    throw new IllegalArgumentException(NAME + " argument: '" + argument + "': " + k + " given twice (expected: once)");
                }
                seen.add(k);
                switch (k) {
                    case "bands" -> bands = parseBands(argument, v);
                    case "broadband" -> broadband = v.equals("none") ? null : parseBand(argument, "broadband", v);
                    case "segment" -> segment = parseNumber(argument, v);
                    case "overlap" -> overlap = parseNumber(argument, v);
                    default -> floor = parseNumber(argument, v);
                }
            }
            if (!(segment > 0) || Double.isInfinite(segment)) {
                throw new IllegalArgumentException(NAME + " segment: " + segment + " s (expected: finite and > 0)");
            }
            if (!(overlap >= 0 && overlap < 1)) {
                throw new IllegalArgumentException(NAME + " overlap: " + overlap + " (expected: >= 0 and < 1)");
            }
            if (!(floor > 0) || Double.isInfinite(floor)) {
                throw new IllegalArgumentException(NAME + " floor: " + floor + " (expected: finite and > 0)");
            }
            List<Band> all = new ArrayList<>(bands);
            if (broadband != null) {
                all.add(broadband);
            }
            return new Settings(all, segment, overlap, floor);
        }

        private static List<Band> parseBands(String argument, String value) {
            List<Band> bands = new ArrayList<>();
            for (String item : value.split(",")) {
                String t = item.trim();
                int colon = t.indexOf(':');
                String name = colon < 0 ? t + "Hz" : t.substring(0, colon).trim();
                bands.add(parseBand(argument, name, colon < 0 ? t : t.substring(colon + 1).trim()));
            }
            return bands;
        }

        private static Band parseBand(String argument, String name, String range) {
            int dash = range.indexOf('-', 1);
            if (dash < 0) {
                throw new IllegalArgumentException(NAME + " argument: '" + argument + "': band '" + range
                        + "' (expected: low-high in Hz, such as 8-12)");
            }
            double low = parseNumber(argument, range.substring(0, dash));
            double high = parseNumber(argument, range.substring(dash + 1));
            try {
                return new Band(name, low, high);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(NAME + " argument: '" + argument + "': " + e.getMessage(), e);
            }
        }

        private static double parseNumber(String argument, String text) {
            try {
                return Double.parseDouble(text.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(NAME + " argument: '" + argument + "': '" + text.trim()
                        + "' (expected: a number)", e);
            }
        }
    }

    /** The estimate for one item shape: tables and bin ranges, immutable. */
    private static final class BandPlan implements Featurizer.Plan {
        private final int channels;
        private final int samples;
        private final int segment;
        private final int step;
        private final int segments;
        private final int bins;
        private final double[] window;
        private final double scale;
        private final int[] firstBin;
        private final int[] endBin;
        private final double floor;
        private final Fft fft;

        BandPlan(int channels, int samples, double rate, Settings settings) {
            if (channels < 0 || samples <= 0) {
                throw new IllegalArgumentException(NAME + ": item shape [" + channels + ", " + samples
                        + "] (expected: channels >= 0 and samples > 0)");
            }
            if (!(rate > 0) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException(NAME + ": sample rate " + rate + " Hz (expected: finite and > 0)");
            }
            this.channels = channels;
            this.samples = samples;
            this.segment = (int) Math.round(settings.segmentSeconds * rate);
            if (segment < 2) {
                throw new IllegalArgumentException(NAME + " segment: " + settings.segmentSeconds + " s at " + rate
                        + " Hz is " + segment + " samples (expected: >= 2)");
            }
            if (samples < segment) {
                throw new IllegalArgumentException(NAME + ": item of " + samples + " samples (" + samples / rate
                        + " s at " + rate + " Hz) (expected: at least one segment, " + segment + " samples = "
                        + settings.segmentSeconds + " s)");
            }
            this.step = Math.max(1, segment - (int) Math.round(settings.overlap * segment));
            this.segments = 1 + (samples - segment) / step;
            int n = Fft.ceilPowerOfTwo(segment);
            this.fft = new Fft(n);
            this.bins = n / 2 + 1;
            this.window = new double[segment];
            double sumSquares = 0;
            for (int j = 0; j < segment; j++) {
                window[j] = 0.5 - 0.5 * StrictMath.cos(2 * StrictMath.PI * j / segment);
                sumSquares += window[j] * window[j];
            }
            this.scale = 1.0 / ((double) n * sumSquares * segments);
            List<Band> bands = settings.bands;
            this.firstBin = new int[bands.size()];
            this.endBin = new int[bands.size()];
            for (int b = 0; b < bands.size(); b++) {
                Band band = bands.get(b);
                int first = -1;
                int end = -1;
                for (int k = 0; k < bins; k++) {
                    double hz = k * rate / n;
                    if (hz >= band.lowHz() && hz < band.highHz()) {
                        if (first < 0) {
                            first = k;
                        }
                        end = k + 1;
                    }
                }
                if (first < 0) {
                    throw new IllegalArgumentException(NAME + " band " + band.name() + " " + band.lowHz() + "-"
                            + band.highHz() + " Hz: no frequency bin (expected: a band containing a multiple of "
                            + rate / n + " Hz, the bin width of " + segment + "-sample segments padded to " + n
                            + " at " + rate + " Hz, up to the Nyquist frequency " + rate / 2 + " Hz)");
                }
                firstBin[b] = first;
                endBin[b] = end;
            }
            this.floor = settings.floor;
        }

        @Override
        public int[] shape() {
            return new int[] {channels, firstBin.length};
        }

        @Override
        public void apply(float[] item, float[] out, int outOffset) {
            if (item.length < (long) channels * samples) {
                throw new IllegalArgumentException("item: " + item.length + " values (expected: " + channels + " x "
                        + samples + ")");
            }
            int n = fft.size();
            double[] re = new double[n];
            double[] im = new double[n];
            double[] power = new double[bins];
            int bands = firstBin.length;
            for (int c = 0; c < channels; c++) {
                Arrays.fill(power, 0);
                int base = c * samples;
                for (int s = 0; s < segments; s += 2) {
                    load(item, base + s * step, re);
                    boolean pair = s + 1 < segments;
                    if (pair) {
                        load(item, base + (s + 1) * step, im);
                    } else {
                        Arrays.fill(im, 0);
                    }
                    fft.transform(re, im);
                    accumulate(re, im, power, pair);
                }
                for (int b = 0; b < bands; b++) {
                    double sum = 0;
                    for (int k = firstBin[b]; k < endBin[b]; k++) {
                        sum += (k == 0 || k == n / 2) ? power[k] : 2 * power[k];
                    }
                    out[outOffset + c * bands + b] = (float) StrictMath.log(sum * scale + floor);
                }
            }
        }

        /** Writes one detrended, windowed segment into {@code dst}, zero-padded. */
        private void load(float[] item, int from, double[] dst) {
            double mean = 0;
            for (int j = 0; j < segment; j++) {
                mean += item[from + j];
            }
            mean /= segment;
            for (int j = 0; j < segment; j++) {
                dst[j] = (item[from + j] - mean) * window[j];
            }
            Arrays.fill(dst, segment, dst.length, 0);
        }

        /**
         * Adds {@code |A_k|^2} (and {@code |B_k|^2} when {@code pair}) for {@code k <= n / 2}, where
         * {@code (re, im)} holds the transform of {@code a + i b}: {@code A_k = (Z_k + conj Z_(n-k)) / 2}
         * and {@code B_k = (Z_k - conj Z_(n-k)) / 2i}.
         */
        private void accumulate(double[] re, double[] im, double[] power, boolean pair) {
            int n = re.length;
            for (int k = 0; k < bins; k++) {
                int j = k == 0 ? 0 : n - k;
                if (pair) {
                    double ar = re[k] + re[j];
                    double ai = im[k] - im[j];
                    double br = im[k] + im[j];
                    double bi = re[k] - re[j];
                    power[k] += 0.25 * (ar * ar + ai * ai) + 0.25 * (br * br + bi * bi);
                } else {
                    power[k] += re[k] * re[k] + im[k] * im[k];
                }
            }
        }
    }
}
