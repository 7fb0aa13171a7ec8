package dev.batcher.testdata;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Measures generation throughput on a dataset of about 1.5 GB per layout, written to a temporary
 * directory and deleted afterwards. Off unless asked for:
 * <pre>
 * mvn -q -B -pl test-data surefire:test -Dtest=GenerationThroughputBenchmark -Dbatcher.bench=true \
 *     [-Dbatcher.bench.recordings=14] [-Dbatcher.bench.threads=2] [-Dbatcher.bench.deflateLevel=4] \
 *     [-Dbatcher.bench.layouts=CONTIGUOUS,SHUFFLE_DEFLATE]
 * </pre>
 * Besides wall-clock rates it prints the process CPU time, since the machine is shared: sample MB
 * per CPU second is the figure that survives other people's load.
 */
@EnabledIfSystemProperty(named = "batcher.bench", matches = "true")
class GenerationThroughputBenchmark {
    @Test
    @Timeout(1800)
    void generate_gigabyteDataset_printsThroughput() throws IOException {
        int recordings = Integer.getInteger("batcher.bench.recordings", 14);
        int threads = Integer.getInteger("batcher.bench.threads", 2);
        int deflateLevel = Integer.getInteger("batcher.bench.deflateLevel", 4);
        String layouts = System.getProperty("batcher.bench.layouts", "CONTIGUOUS,SHUFFLE_DEFLATE");
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        for (String name : layouts.split(",")) {
            Layout layout = Layout.valueOf(name.trim());
            Path dir = Files.createTempDirectory("batcher-bench-");
            try {
                GeneratorOptions options = GeneratorOptions.builder().seed(1).recordings(recordings).hours(6, 8)
                        .threads(threads).layout(layout).deflateLevel(deflateLevel).build();
                long cpu = os.getProcessCpuTime();
                GenerationReport report = SyntheticDataset.generate(dir.resolve("dataset"), options);
                double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
                System.out.printf(Locale.ROOT, "%-16s threads %d%s: %s; CPU %.1f s, %.1f MB of samples per CPU second%n",
                        layout, threads, layout.deflated() ? ", deflate " + deflateLevel : "", report, cpuSeconds,
                        report.sampleBytes() / 1e6 / cpuSeconds);
            } finally {
                delete(dir);
            }
        }
    }

    private static void delete(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
