package dev.batcher.bench;

import dev.batcher.materializers.channels.ChannelPlan;
import dev.batcher.materializers.channels.ChannelSelectors;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.kernels.Resampler;
import dev.batcher.api.ChannelSelection;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.ojalgo.matrix.store.R032Store;

/**
 * A small benchmark of the kernels, each figure against a baseline measured in the same run: for
 * one window (8 channels x 7680 int16 samples) and for 64 windows (3.9M samples, larger than the
 * caches), decode (vector vs {@code System.arraycopy} of the float output, vector vs scalar),
 * montage (20 derivations of 8 channels, vector vs scalar and vs ojalgo's {@code R032Store}
 * multiply), resampling 256 to 128 Hz and z-scoring (vector vs scalar).
 *
 * <p>Method: each case is warmed up, then timed in rounds that alternate candidate and baseline
 * (so that drift on a shared machine hits both); the figure is the median round. GB/s counts the
 * bytes of <em>input</em> the kernel reads (int16 for decode, float32 otherwise) per second, and for
 * the {@code arraycopy} baseline the float bytes it copies (the decode's output). The ratio {@code
 * baseline time / candidate time} is the candidate's speed relative to the baseline ({@code > 1}:
 * faster).
 *
 * <p>Output: a {@code #} header line, then one {@link Figure} line per figure, {@code name  value
 * GB/s  ratio x  baseline (its GB/s)}.
 *
 * <p>Run with {@code java --add-modules jdk.incubator.vector -cp <classpath>
 * dev.batcher.bench.KernelBench [options]}. Options: {@code --warmup-ms=N} (default
 * 1500), {@code --measure-ms=N} (per case, default 2000), {@code --windows=N} (the large size,
 * default 64), {@code --quick} (short times and 2 windows, for tests).
 */
public final class KernelBench {
    private static final int CHANNELS = 8;
    private static final int SAMPLES = 7680;
    private static final int WINDOW = CHANNELS * SAMPLES;
    private static final int ROUNDS = 10;

    private final long warmupNanos;
    private final long measureNanos;
    private final int windows;
    private final List<String> lines = new ArrayList<>();
    private final Consumer<String> listener;
    private final SplittableRandom random = new SplittableRandom(1);
    private final Kernels vector = Kernels.vector();
    private final Kernels scalar = Kernels.scalar();
    /** Written by every case so that no result is dead. */
    private float sink;

    private KernelBench(long warmupMs, long measureMs, int windows, Consumer<String> listener) {
        this.warmupNanos = warmupMs * 1_000_000L;
        this.measureNanos = measureMs * 1_000_000L;
        this.windows = windows;
        this.listener = listener;
    }

    /**
     * Runs the benchmark and returns its report, one line per figure after a header line.
     *
     * @param args options: {@code --warmup-ms=N}, {@code --measure-ms=N}, {@code --windows=N},
     *     {@code --quick}
     * @return the report lines
     * @throws IllegalArgumentException if an option is unknown or its value is not a positive
     *     integer
     * @throws UnsupportedOperationException if the JVM lacks {@code --add-modules
     *     jdk.incubator.vector}
     */
    public static List<String> run(String[] args) {
        return run(args, line -> { });
    }

    /**
     * Runs the benchmark, handing each line to {@code listener} as soon as it is measured.
     *
     * @param args options: {@code --warmup-ms=N}, {@code --measure-ms=N}, {@code --windows=N},
     *     {@code --quick}
     * @param listener receives each report line as it is produced
     * @return the report lines
     * @throws IllegalArgumentException if an option is unknown or its value is not a positive
     *     integer
     * @throws UnsupportedOperationException if the JVM lacks {@code --add-modules
     *     jdk.incubator.vector}
     */
    public static List<String> run(String[] args, Consumer<String> listener) {
        long warmupMs = 1500;
        long measureMs = 2000;
        int windows = 64;
        for (String arg : args) {
            if (arg.equals("--quick")) {
                warmupMs = 30;
                measureMs = 30;
                windows = 2;
            } else if (arg.startsWith("--warmup-ms=")) {
                warmupMs = positive(arg);
            } else if (arg.startsWith("--measure-ms=")) {
                measureMs = positive(arg);
            } else if (arg.startsWith("--windows=")) {
                windows = (int) positive(arg);
            } else {
                throw new IllegalArgumentException("argument: " + arg
                        + " (expected: --warmup-ms=N, --measure-ms=N, --windows=N or --quick)");
            }
        }
        KernelBench bench = new KernelBench(warmupMs, measureMs, windows, listener);
        bench.runAll();
        return List.copyOf(bench.lines);
    }

    /**
     * Runs the benchmark and prints its report.
     *
     * @param args as for {@link #run}
     * @throws IllegalArgumentException if an option is unknown or its value is not a positive
     *     integer
     * @throws UnsupportedOperationException if the JVM lacks {@code --add-modules
     *     jdk.incubator.vector}
     */
    public static void main(String[] args) {
        run(args, System.out::println);
    }

    private static long positive(String arg) {
        String value = arg.substring(arg.indexOf('=') + 1);
        try {
            long v = Long.parseLong(value);
            if (v > 0 && v <= Integer.MAX_VALUE) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(arg.substring(0, arg.indexOf('=')) + ": " + value
                + " (expected: a positive integer)");
    }

    private void runAll() {
        emit(Figure.comment(String.format(Locale.ROOT, "KernelBench: JDK %s, %s, %d CPUs; GB/s = input bytes read per "
                + "second (arraycopy: bytes copied); ratio = baseline time / candidate time; median of %d alternating rounds",
                Runtime.version(), vector, Runtime.getRuntime().availableProcessors(), ROUNDS)));
        for (int w : new int[] {1, windows}) {
            decode(w);
            montage(w);
            resample(w);
            normalize(w);
        }
    }

    private String size(int w) {
        return w == 1 ? "1 window (8 ch x 7680)" : w + " windows (" + (long) w * WINDOW / 1000 / 1000.0 + "M)";
    }

    private void decode(int w) {
        int n = w * WINDOW;
        short[] src = new short[n];
        for (int i = 0; i < n; i++) {
            src[i] = (short) random.nextInt();
        }
        float[] dst = new float[n];
        float[] copy = new float[n];
        long bytes = 2L * n;
        Runnable decodeVector = () -> vector.decode(src, 0, dst, 0, n, 0.195f, -3f);
        Runnable decodeScalar = () -> scalar.decode(src, 0, dst, 0, n, 0.195f, -3f);
        Runnable arraycopy = () -> System.arraycopy(dst, 0, copy, 0, n);
        compare("decode int16 " + size(w), bytes, "vector", decodeVector,
                "System.arraycopy of the float output", arraycopy, 4L * n);
        compare("decode int16 " + size(w), bytes, "vector", decodeVector, "scalar", decodeScalar, bytes);
        sink += dst[n - 1] + copy[n - 1];
    }

    private void montage(int w) {
        List<String> derivations = new ArrayList<>();
        List<String> names = List.of("Fp1", "Fp2", "C3", "C4", "O1", "O2", "M1", "M2");
        for (int r = 0; r < 20; r++) {
            String a = names.get(r % 8);
            String b = names.get((r * 3 + 1) % 8);
            String c = names.get((r * 5 + 2) % 8);
            derivations.add(r % 4 == 0 ? a + "-" + b : r % 4 == 1 ? a + "-(" + b + "+" + c + ")/2"
                    : r % 4 == 2 ? "0.5*" + a + "+0.5*" + c : a);
        }
        ChannelPlan plan = ChannelSelectors.plan(new ChannelSelection("montage", derivations), names);
        float[][][] inputs = new float[w][][];
        float[][] inputsColumnMajor = new float[w][];
        for (int i = 0; i < w; i++) {
            inputs[i] = gaussians(CHANNELS, SAMPLES);
            inputsColumnMajor[i] = new float[WINDOW];
            for (int c = 0; c < CHANNELS; c++) {
                System.arraycopy(inputs[i][c], 0, inputsColumnMajor[i], c * SAMPLES, SAMPLES);
            }
        }
        int rows = plan.outputChannels();
        float[] out = new float[w * rows * SAMPLES];
        long bytes = 4L * w * WINDOW;
        Runnable planVector = () -> {
            for (int i = 0; i < w; i++) {
                plan.apply(vector, inputs[i], out, i * rows * SAMPLES, SAMPLES);
            }
        };
        Runnable planScalar = () -> {
            for (int i = 0; i < w; i++) {
                plan.apply(scalar, inputs[i], out, i * rows * SAMPLES, SAMPLES);
            }
        };
        // ojalgo: Y^T [7680 x 20] = X^T [7680 x 8] * M^T [8 x 20]; column-major, so X^T wraps the
        // row-major channels as they are and Y^T is row-major Y.
        int m = plan.inputs().length;
        if (m != CHANNELS) {
            throw new IllegalStateException("montage reads " + m + " channels (expected: " + CHANNELS + ")");
        }
        R032Store mt = R032Store.FACTORY.make(m, rows);
        float[] response = new float[rows];
        for (int c = 0; c < m; c++) {
            // The plan is linear: its response to a unit impulse on input c is column c of M.
            float[][] unit = new float[m][1];
            unit[c][0] = 1f;
            plan.apply(scalar, unit, response, 0, 1);
            for (int r = 0; r < rows; r++) {
                mt.set(c, r, response[r]);
            }
        }
        R032Store[] xt = new R032Store[w];
        R032Store[] yt = new R032Store[w];
        for (int i = 0; i < w; i++) {
            xt[i] = R032Store.wrap(inputsColumnMajor[i], SAMPLES);
            yt[i] = R032Store.FACTORY.make(SAMPLES, rows);
        }
        Runnable ojalgo = () -> {
            for (int i = 0; i < w; i++) {
                yt[i].fillByMultiplying(xt[i], mt);
            }
        };
        String what = "montage " + rows + "x8 (" + terms(plan) + " non-zero terms) " + size(w);
        compare(what, bytes, "vector", planVector, "scalar", planScalar, bytes);
        compare(what, bytes, "vector", planVector, "ojalgo R032Store.fillByMultiplying (dense)", ojalgo, bytes);
        sink += out[out.length - 1] + yt[0].data[0];
    }

    /** Counts the non-zero terms of a montage plan by applying it to unit impulses. */
    private int terms(ChannelPlan plan) {
        int count = 0;
        float[] response = new float[plan.outputChannels()];
        for (int c = 0; c < plan.inputs().length; c++) {
            float[][] unit = new float[plan.inputs().length][1];
            unit[c][0] = 1f;
            plan.apply(scalar, unit, response, 0, 1);
            for (float v : response) {
                count += v != 0 ? 1 : 0;
            }
        }
        return count;
    }

    private void resample(int w) {
        Resampler resampler = Resampler.of(256, 128);
        float[][] in = new float[w][];
        for (int i = 0; i < w; i++) {
            in[i] = gaussians(1, WINDOW)[0];
        }
        int outLen = resampler.outputLength(SAMPLES);
        float[] out = new float[w * CHANNELS * outLen];
        long bytes = 4L * w * WINDOW;
        Runnable resampleVector = () -> resampleAll(resampler, vector, in, out, outLen);
        Runnable resampleScalar = () -> resampleAll(resampler, scalar, in, out, outLen);
        compare("resample 256->128 Hz (" + resampler.tapsPerOutput() + " taps) " + size(w), bytes, "vector",
                resampleVector, "scalar", resampleScalar, bytes);
        sink += out[out.length - 1];
    }

    private static void resampleAll(Resampler resampler, Kernels k, float[][] in, float[] out, int outLen) {
        for (int i = 0; i < in.length; i++) {
            for (int c = 0; c < CHANNELS; c++) {
                resampler.apply(k, in[i], c * SAMPLES, SAMPLES, out, (i * CHANNELS + c) * outLen);
            }
        }
    }

    private void normalize(int w) {
        float[] data = gaussians(1, w * WINDOW)[0];
        for (int i = 0; i < data.length; i++) {
            data[i] = data[i] * 30 + 500;
        }
        long bytes = 4L * w * WINDOW;
        Runnable normalizeVector = () -> {
            for (int ch = 0; ch < w * CHANNELS; ch++) {
                vector.normalize(data, ch * SAMPLES, SAMPLES);
            }
        };
        Runnable normalizeScalar = () -> {
            for (int ch = 0; ch < w * CHANNELS; ch++) {
                scalar.normalize(data, ch * SAMPLES, SAMPLES);
            }
        };
        compare("normalize " + size(w), bytes, "vector", normalizeVector, "scalar", normalizeScalar, bytes);
        sink += data[data.length - 1];
    }

    private float[][] gaussians(int rows, int samples) {
        float[][] a = new float[rows][samples];
        for (float[] row : a) {
            for (int s = 0; s < samples; s++) {
                row[s] = (float) (random.nextGaussian() * 50);
            }
        }
        return a;
    }

    /**
     * Warms up both, times alternating rounds, and adds one line with both figures and the ratio.
     * {@code bytes} is the candidate's input; {@code baselineBytes} the baseline's (its input, or
     * for a copy the bytes copied).
     */
    private void compare(String what, long bytes, String candidateName, Runnable candidate, String baselineName,
            Runnable baseline, long baselineBytes) {
        long end = System.nanoTime() + warmupNanos;
        while (System.nanoTime() < end) {
            candidate.run();
            baseline.run();
        }
        long roundNanos = Math.max(1, measureNanos / (2L * ROUNDS));
        int candidateReps = repetitions(candidate, roundNanos);
        int baselineReps = repetitions(baseline, roundNanos);
        double[] c = new double[ROUNDS];
        double[] b = new double[ROUNDS];
        for (int r = 0; r < ROUNDS; r++) {
            c[r] = time(candidate, candidateReps);
            b[r] = time(baseline, baselineReps);
        }
        double cNanos = Harness.median(c);
        double bNanos = Harness.median(b);
        emit(new Figure(what + ": " + candidateName, bytes / cNanos, "GB/s", bNanos / cNanos,
                String.format(Locale.ROOT, "%s (%s GB/s)", baselineName, Figure.number(baselineBytes / bNanos))).line());
    }

    private void emit(String line) {
        lines.add(line);
        listener.accept(line);
    }

    private static int repetitions(Runnable op, long roundNanos) {
        long t0 = System.nanoTime();
        op.run();
        long once = Math.max(1, System.nanoTime() - t0);
        return (int) Math.max(1, Math.min(1_000_000, roundNanos / once));
    }

    /** Nanoseconds per run, over {@code reps} runs. */
    private static double time(Runnable op, int reps) {
        long t0 = System.nanoTime();
        for (int i = 0; i < reps; i++) {
            op.run();
        }
        return (double) (System.nanoTime() - t0) / reps;
    }

    @Override
    public String toString() {
        return "KernelBench[sink " + sink + "]";
    }
}
