package dev.batcher.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The deployment tests' checking client: its command line, and the TAKE lines it prints (see {@link CheckingClientMain}). */
final class Takes {
    private static final Pattern TAKE = Pattern.compile("TAKE \\d+ \\S+ (\\d+) (\\d+) ([01])");

    private Takes() {}

    /** A JVM command line of the test's classpath, whose temporary files (workers' caches included) go to {@code tmp}. */
    static List<String> java(Path tmp, String xmx, String mainClass, String... args) {
        List<String> c = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx" + xmx, "-XX:+UseSerialGC", "-Djava.io.tmpdir=" + tmp, "-cp",
                System.getProperty("java.class.path"), mainClass));
        c.addAll(List.of(args));
        return c;
    }

    /**
     * Parses a TAKE line.
     *
     * @return {start epoch ms, duration ms, 1 if in shared memory}
     * @throws IllegalArgumentException if it is not a TAKE line
     */
    static long[] parse(String line) {
        Matcher m = TAKE.matcher(line);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a TAKE line: " + line);
        }
        return new long[] {Long.parseLong(m.group(1)), Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
    }

    /** The longest take that overlapped [from, to]. */
    static long longest(List<long[]> takes, long from, long to) {
        return takes.stream().filter(x -> x[0] <= to && x[0] + x[1] >= from).mapToLong(x -> x[1]).max().orElse(0);
    }

    /** The median of {@code values} (sorted in place), 0 if there are none. */
    static long median(long[] values) {
        java.util.Arrays.sort(values);
        return values.length == 0 ? 0 : values[values.length / 2];
    }

    /** Generates and indexes the small dataset the checking client reads: 3 recordings of 10 to 20 minutes at 128 Hz. */
    static Path dataset(Path dir, long seed) throws java.io.IOException {
        dev.batcher.testdata.SyntheticDataset.generate(dir, dev.batcher.testdata.GeneratorOptions.builder().seed(seed).recordings(3)
                .hours(10 / 60.0, 20 / 60.0).sampleRate(128).threads(2).build());
        dev.batcher.materializers.dataset.DatasetIndexer.index(dir);
        return dir;
    }
}
