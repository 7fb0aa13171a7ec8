package dev.batcher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The materialise benchmark runs on tiny data and reports every figure with a ratio; the figures are not checked. */
class MaterializeBenchTest {
    @TempDir
    Path dir;

    @Test
    void run_quick_reportsEveryFigureWithARatio() {
        List<String> lines = MaterializeBench.run(new String[] {"--quick", "--dir=" + dir});
        String all = String.join("\n", lines);
        assertTrue(lines.get(0).startsWith("# MaterializeBench: JDK "), lines.get(0));
        List<Figure> figures = Lines.figures(lines);
        assertEquals(10, figures.size(), all);
        for (String threads : List.of("1 thread", "2 threads")) {
            List<Figure> these = figures.stream().filter(f -> f.name().contains(", " + threads)).toList();
            assertEquals(5, these.size(), all);
            assertEquals(4, these.stream().filter(f -> f.unit().equals("batches/s")).count(), all);
            assertEquals(1, these.stream().filter(f -> f.unit().equals("MB/s")
                    && f.baseline().startsWith("System.arraycopy of the 7.9 MB output")).count(), all);
            assertEquals(2, these.stream().filter(f -> f.baseline().startsWith("FileChannel pread")).count(), all);
            assertEquals(2, these.stream().filter(f -> f.baseline().startsWith("the same with Kernels.scalar()")).count(),
                    all);
            assertEquals(2, these.stream().filter(f -> f.name().contains("+resample 128 Hz +normalize")).count(), all);
        }
    }
}
