package dev.batcher.bench;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The options {@link ReadBench} and {@link MaterializeBench} share, parsed from {@code --name=value}
 * arguments.
 *
 * @param dir where benchmark data is generated and kept for later runs, or null for a temporary
 *     directory deleted afterwards
 * @param gb gigabytes of int16 samples per generated layout
 * @param seconds the time spent on each figure, warm-up included
 * @param count how many distinct windows (reads) or batches (materialise) the figures cycle through
 * @param threads the thread counts to measure, in order
 */
record BenchArgs(Path dir, double gb, double seconds, int count, List<Integer> threads) {
    /** {@code --quick}: tiny data and times, for tests; the figures mean nothing. */
    static final double QUICK_GB = 0.004;
    static final double QUICK_SECONDS = 0.04;

    /**
     * Parses the arguments. {@code --quick} sets tiny defaults that explicit options override,
     * whatever their order.
     *
     * @param args {@code --dir=PATH}, {@code --gb=X}, {@code --seconds=X}, {@code --<countName>=N},
     *     {@code --threads=1,2}, {@code --quick}
     * @param countName the name of the count option ({@code windows} or {@code batches})
     * @param defaultCount its default
     * @param quickCount its value under {@code --quick}
     * @return the options
     * @throws IllegalArgumentException naming the option if one is unknown or its value is invalid
     */
    static BenchArgs parse(String[] args, String countName, int defaultCount, int quickCount) {
        Path dir = null;
        double gb = 1.0;
        double seconds = 2.0;
        int count = defaultCount;
        List<Integer> threads = List.of(1, 2);
        for (String arg : args) {
            if (arg.equals("--quick")) {
                gb = QUICK_GB;
                seconds = QUICK_SECONDS;
                count = quickCount;
            }
        }
        String expected = "expected: --dir=PATH, --gb=X, --seconds=X, --" + countName + "=N, --threads=N[,N...] or --quick";
        for (String arg : args) {
            if (arg.equals("--quick")) {
                continue;
            }
            int eq = arg.indexOf('=');
            String name = eq < 0 ? arg : arg.substring(0, eq);
            String value = eq < 0 ? null : arg.substring(eq + 1);
            if (value == null) {
                throw new IllegalArgumentException("argument: " + arg + " (" + expected + ")");
            }
            switch (name) {
                case "--dir" -> {
                    try {
                        dir = Path.of(value);
                    } catch (InvalidPathException e) {
                        throw new IllegalArgumentException("--dir: " + value + " (expected: a directory path)", e);
                    }
                }
                case "--gb" -> gb = positiveDouble(name, value);
                case "--seconds" -> seconds = positiveDouble(name, value);
                case "--threads" -> {
                    List<Integer> t = new ArrayList<>();
                    for (String part : value.split(",", -1)) {
                        t.add(positiveInt(name, part, "a comma-separated list of positive integers, such as 1,2"));
                    }
                    threads = List.copyOf(t);
                }
                default -> {
                    if (name.equals("--" + countName)) {
                        count = positiveInt(name, value, "a positive integer");
                    } else {
                        throw new IllegalArgumentException("argument: " + arg + " (" + expected + ")");
                    }
                }
            }
        }
        return new BenchArgs(dir, gb, seconds, count, threads);
    }

    /** Returns the warm-up time of each figure: a quarter of {@link #seconds()}. */
    long warmupNanos() {
        return (long) (seconds * 0.25e9);
    }

    /** Returns the measured time of each figure: three quarters of {@link #seconds()}. */
    long measureNanos() {
        return Math.max(1, (long) (seconds * 0.75e9));
    }

    /** Returns the most threads any figure uses. */
    int maxThreads() {
        return threads.stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    private static double positiveDouble(String name, String value) {
        try {
            double v = Double.parseDouble(value);
            if (v > 0 && !Double.isInfinite(v)) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": " + value + " (expected: a positive number)");
    }

    private static int positiveInt(String name, String value, String expected) {
        try {
            int v = Integer.parseInt(value.strip());
            if (v > 0) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(name + ": " + value + " (expected: " + expected + ")");
    }

    /** Returns "1 thread" or "n threads". */
    static String threads(int n) {
        return n == 1 ? "1 thread" : n + " threads";
    }
}
