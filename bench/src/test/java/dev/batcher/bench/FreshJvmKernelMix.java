package dev.batcher.bench;

import dev.batcher.materializers.kernels.KernelPath;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.kernels.Resampler;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * The kernels of "materialise with resampling to 128 Hz and z-scoring", interleaved as the
 * materializer runs them (per item: decode 8 int16 channels with the resampler's margin, resample
 * each channel 256 to 128 Hz, z-score each output channel; 32 items per batch), each run in fresh
 * JVMs, alternating the vector path and the scalar path (the same-time baseline).
 *
 * <p>Why fresh JVMs: on JDK 17 whether C2 turns the Vector API calls into vector instructions
 * depended on the type profiles and deoptimisation history that the JVM had gathered when it
 * compiled the kernels, so the vector path was fast in some JVMs and 3-10x slower than scalar in
 * others (see {@code docs/benchmarks.md}, 2026-11-22). One long run in one JVM cannot show that;
 * {@link KernelBench}, which times each kernel on its own, did not. This is the regression check.
 *
 * <p>Run (after {@code mvn -o -pl batcher -am install -DskipTests}, which also compiles the test
 * classes): {@code java -cp "bench/target/classes:bench/target/test-classes:bench/target/lib/*"
 * dev.batcher.bench.FreshJvmKernelMix [options]}. Options: {@code --jvms=N} (vector
 * JVMs, each followed by a scalar one; default 10), {@code --seconds=S} (per JVM, default 8), {@code
 * --java=PATH} (the child JVM; default this one's), {@code --cp=CLASSPATH} (the child class path,
 * for example an older jar in front; default this JVM's), {@code --jvm-arg=ARG} (repeatable, for
 * example {@code --jvm-arg=-Dbatcher.kernels.vectorBits=256}).
 *
 * <p>Output: one line per child, {@code vector|scalar  steady  <median batches/s>  per second: <rates>},
 * where steady is the median of the per-second rates of the second half of the run; then the
 * minimum, median and maximum steady rate of each path.
 */
public final class FreshJvmKernelMix {
    private static final int ITEMS = 32;
    private static final int CHANNELS = 8;
    private static final int SAMPLES = 7680;

    private FreshJvmKernelMix() {}

    /**
     * Runs the children, or with {@code --child=vector|scalar --seconds=S} the workload itself.
     *
     * @param args the options in the class comment
     * @throws IOException if a child cannot be started or read
     * @throws InterruptedException if interrupted while waiting for a child
     */
    public static void main(String[] args) throws IOException, InterruptedException {
        run(args, System.out::println);
    }

    /**
     * Runs the children and hands each output line to {@code out}.
     *
     * @param args the options in the class comment
     * @param out receives the report lines
     * @return the steady rates, vector ones first then scalar ones, for tests
     * @throws IOException if a child cannot be started or read
     * @throws InterruptedException if interrupted while waiting for a child
     */
    static List<double[]> run(String[] args, Consumer<String> out) throws IOException, InterruptedException {
        int jvms = 10;
        double seconds = 8;
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("java.class.path");
        String child = null;
        List<String> jvmArgs = new ArrayList<>();
        for (String arg : args) {
            String value = arg.substring(arg.indexOf('=') + 1);
            if (arg.startsWith("--jvms=")) {
                jvms = Integer.parseInt(value);
            } else if (arg.startsWith("--seconds=")) {
                seconds = Double.parseDouble(value);
            } else if (arg.startsWith("--java=")) {
                java = value;
            } else if (arg.startsWith("--cp=")) {
                cp = value;
            } else if (arg.startsWith("--jvm-arg=")) {
                jvmArgs.add(value);
            } else if (arg.startsWith("--child=")) {
                child = value;
            } else {
                throw new IllegalArgumentException("argument: " + arg + " (expected: --jvms=N, --seconds=S, "
                        + "--java=PATH, --cp=CLASSPATH, --jvm-arg=ARG or --child=vector|scalar)");
            }
        }
        if (child != null) {
            out.accept(workload(child.equals("scalar") ? Kernels.scalar() : Kernels.vector(), seconds));
            return List.of();
        }
        double[] vector = new double[jvms];
        double[] scalar = new double[jvms];
        for (int i = 0; i < jvms; i++) {
            vector[i] = child(java, cp, jvmArgs, "vector", seconds, out);
            scalar[i] = child(java, cp, jvmArgs, "scalar", seconds, out);
        }
        out.accept(summary("vector", vector));
        out.accept(summary("scalar", scalar));
        return List.of(vector, scalar);
    }

    private static double child(String java, String cp, List<String> jvmArgs, String path, double seconds,
            Consumer<String> out) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector"));
        command.addAll(jvmArgs);
        command.addAll(List.of("-cp", cp, FreshJvmKernelMix.class.getName(), "--child=" + path,
                "--seconds=" + seconds));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String line;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            line = r.readLine();
        }
        if (process.waitFor() != 0 || line == null) {
            throw new IllegalStateException("child JVM failed: " + command);
        }
        out.accept(line);
        return Double.parseDouble(line.split(" +")[2]);
    }

    /** Runs the workload on {@code k} for {@code seconds} and describes the rates. */
    static String workload(Kernels k, double seconds) {
        Resampler resampler = Resampler.of(256, 128);
        // The materializer reads a margin of whole decimation steps on each side of the window.
        int pad = (resampler.halfWidth() + 1) / 2 * 2;
        int read = SAMPLES + 2 * pad;
        int total = resampler.outputLength(read);
        int m = resampler.outputLength(SAMPLES);
        SplittableRandom random = new SplittableRandom(3);
        short[][] raw = new short[CHANNELS][read];
        for (short[] row : raw) {
            for (int i = 0; i < read; i++) {
                row[i] = (short) (random.nextInt(2000) - 1000);
            }
        }
        List<Double> rates = new ArrayList<>();
        float sink = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long tick = start;
        int batches = 0;
        int counted = 0;
        while (true) {
            for (int item = 0; item < ITEMS; item++) {
                float[] selected = new float[CHANNELS * read];
                for (int c = 0; c < CHANNELS; c++) {
                    k.decode(raw[c], 0, selected, c * read, read, 0.195f, -1f);
                }
                float[] full = new float[total];
                float[] resampled = new float[CHANNELS * m];
                for (int c = 0; c < CHANNELS; c++) {
                    resampler.apply(k, selected, c * read, read, full, 0);
                    System.arraycopy(full, pad / 2, resampled, c * m, m);
                }
                for (int c = 0; c < CHANNELS; c++) {
                    k.normalize(resampled, c * m, m);
                }
                sink += resampled[item];
            }
            batches++;
            long now = System.nanoTime();
            if (now - tick >= 1_000_000_000L) {
                rates.add((batches - counted) / ((now - tick) / 1e9));
                counted = batches;
                tick = now;
            }
            if (now >= end) {
                break;
            }
        }
        double[] second = rates.subList(rates.size() / 2, rates.size()).stream().mapToDouble(Double::doubleValue)
                .toArray();
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%-6s  steady %6.1f  per second:",
                k.path() == KernelPath.VECTOR ? "vector" : "scalar",
                second.length == 0 ? 0 : Harness.median(second)));
        for (double r : rates) {
            line.append(String.format(Locale.ROOT, " %.1f", r));
        }
        line.append(String.format(Locale.ROOT, "  (%s, JDK %s, checksum %08x)", k, Runtime.version(),
                Float.floatToRawIntBits(sink)));
        return line.toString();
    }

    private static String summary(String path, double[] steady) {
        double[] sorted = steady.clone();
        Arrays.sort(sorted);
        return String.format(Locale.ROOT, "# %s steady batches/s over %d JVMs: min %.1f, median %.1f, max %.1f",
                path, sorted.length, sorted[0], Harness.median(sorted), sorted[sorted.length - 1]);
    }
}
