package dev.batcher.bench;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code batcher bench}: run the benchmarks and print one line per figure, each a ratio against a baseline. */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Measure the kernels, window reads per HDF5 layout, batch materialisation and the service end to end.",
                "Prints one line per figure: 'name  value unit  ratio x  baseline', where",
                "ratio = baseline time / candidate time for the same work, both measured in",
                "this run in alternating rounds (> 1: faster than the baseline). Lines that",
                "start with # are headers and notes. Compare ratios, not figures across runs",
                "or machines. docs/benchmarks.md explains each line."})
final class BenchCommand implements Callable<Integer> {
    /** What to measure. */
    enum What { kernels, reads, edf, materialize, service, scale, stall, s3, all }

    @Parameters(index = "0", arity = "0..1", defaultValue = "all", paramLabel = "WHAT",
            description = "kernels, reads, edf, materialize, service, scale, stall, s3 or all (default: ${DEFAULT-VALUE}; all"
                    + " leaves out edf, which writes the same samples as HDF5 and EDF to compare their window reads, scale,"
                    + " which starts daemons for W = 1, 2, 4, ... up to the cores, stall, which freezes a worker"
                    + " process, and s3, which needs a store: see --bucket).")
    What what;

    @Option(names = "--seconds", defaultValue = "2", paramLabel = "S",
            description = "Time per figure, warm-up included (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--dir", paramLabel = "DIR",
            description = "Where reads and materialize generate their data, kept for the next run with the same --gb "
                    + "(default: a temporary directory, deleted afterwards).")
    Path dir;

    @Option(names = "--gb", defaultValue = "1", paramLabel = "GB",
            description = "Gigabytes of int16 samples to generate per HDF5 layout (default: ${DEFAULT-VALUE}).")
    double gb;

    @Option(names = "--threads", split = ",", defaultValue = "1,2", paramLabel = "N",
            description = "Thread counts for reads and materialize (default: ${DEFAULT-VALUE}).")
    List<Integer> threads;

    @Option(names = "--windows", defaultValue = "1024", paramLabel = "N",
            description = "Distinct random windows the read figures cycle through (default: ${DEFAULT-VALUE}).")
    int windows;

    @Option(names = "--batches", defaultValue = "16", paramLabel = "N",
            description = "Distinct random batches the materialize figures cycle through (default: ${DEFAULT-VALUE}).")
    int batches;

    @Option(names = "--bucket", paramLabel = "BUCKET",
            description = "For s3: an existing bucket of the store the environment names (AWS_ENDPOINT_URL, credentials; "
                    + "see docs/operations.md); the benchmark writes under bench-s3/ in it.")
    String bucket;

    @Option(names = "--quick", description = "Tiny data and times (overrides --seconds, --gb, --windows, --batches): checks "
            + "that the benchmarks run; the figures mean nothing.")
    boolean quick;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = new PrintWriter(spec.commandLine().getOut(), true);
        run(out::println);
        return 0;
    }

    /**
     * Runs the chosen benchmarks.
     *
     * @param out receives each line as soon as it is measured
     * @return every line
     * @throws IllegalArgumentException if an option is out of range
     */
    List<String> run(Consumer<String> out) throws Exception {
        check(seconds > 0 && !Double.isInfinite(seconds), "--seconds", seconds, "a positive number");
        check(gb > 0 && !Double.isInfinite(gb), "--gb", gb, "a positive number");
        check(windows > 0, "--windows", windows, "a positive integer");
        check(batches > 0, "--batches", batches, "a positive integer");
        check(!threads.isEmpty() && threads.stream().allMatch(t -> t > 0), "--threads", threads, "positive integers");
        List<String> lines = new ArrayList<>();
        Consumer<String> both = line -> {
            lines.add(line);
            out.accept(line);
        };
        boolean data = what != What.kernels;
        Path scratch = dir != null || !data ? dir : temporaryDir();
        if (dir != null && data) {
            try {
                Files.createDirectories(dir); // kept for the next run: made on the first
            } catch (IOException e) {
                throw new UncheckedIOException("--dir: " + dir + " (expected: a directory this user can create or"
                        + " write: " + e + ")", e);
            }
        }
        try {
            if (what == What.kernels || what == What.all) {
                KernelBench.run(quick ? new String[] {"--quick"} : new String[] {
                    "--warmup-ms=" + Math.max(1, Math.round(seconds * 250)),
                    "--measure-ms=" + Math.max(1, Math.round(seconds * 750))}, both);
            }
            if (what == What.reads || what == What.all) {
                ReadBench.run(args(scratch, "--windows=" + windows), both);
            }
            if (what == What.edf) {
                // A folder of its own: it writes hdf5/ and edf/ copies of one dataset, apart from the layouts reads keeps.
                EdfReadBench.run(args(scratch.resolve("edf-reads"), "--windows=" + windows), both);
            }
            if (what == What.materialize || what == What.all) {
                MaterializeBench.run(args(scratch, "--batches=" + batches), both);
            }
            if (what == What.service || what == What.all) {
                ServiceBench.run(null, scratch, quick ? 0.5 : 2 * seconds, quick ? 4 : 32, quick, both);
            }
            if (what == What.scale) {
                ScaleBench.run(scratch, quick ? 0.5 : 2 * seconds, quick, both);
            }
            if (what == What.stall) {
                StallBench.run(scratch, quick ? 1 : seconds, quick ? 4 : 32, quick, both);
            }
            if (what == What.s3) {
                check(bucket != null, "--bucket", bucket, "an existing bucket for bench s3");
                S3Bench.run(bucket, scratch, quick ? 8 : batches * 4, quick, both);
            }
        } finally {
            if (dir == null && scratch != null) {
                deleteTree(scratch);
            }
        }
        return lines;
    }

    private String[] args(Path scratch, String count) {
        List<String> a = new ArrayList<>();
        a.add("--dir=" + scratch);
        a.add("--threads=" + threads.stream().map(String::valueOf).collect(Collectors.joining(",")));
        if (quick) {
            a.add("--quick");
        } else {
            a.add(String.format(Locale.ROOT, "--seconds=%s", seconds));
            a.add(String.format(Locale.ROOT, "--gb=%s", gb));
            a.add(count);
        }
        return a.toArray(new String[0]);
    }

    private static void check(boolean ok, String option, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(option + ": " + value + " (expected: " + expected + ")");
        }
    }

    private static Path temporaryDir() {
        try {
            return Files.createTempDirectory("batcher-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("temporary directory: cannot create one (use --dir)", e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("temporary directory: " + root + " (could not delete it)", e);
        }
    }
}
