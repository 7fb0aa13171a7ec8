package dev.batcher.materializers.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness runs and reports every figure with a ratio (the figures themselves are not checked). */
class KernelBenchTest {
    @Test
    void run_quick_reportsEveryFigureWithARatio() {
        List<String> lines = KernelBench.run(new String[] {"--quick"});
        assertTrue(lines.get(0).startsWith("KernelBench: JDK "), lines.get(0));
        List<String> figures = lines.subList(1, lines.size());
        assertEquals(12, figures.size(), String.join("\n", lines));
        for (String figure : figures) {
            assertTrue(figure.matches(".*: vector [0-9.]+ GB/s .*, ratio [0-9.]+x"), figure);
        }
        assertEquals(2, figures.stream().filter(l -> l.contains("System.arraycopy")).count());
        assertEquals(2, figures.stream().filter(l -> l.contains("ojalgo")).count());
        assertEquals(2, figures.stream().filter(l -> l.startsWith("resample")).count());
        assertEquals(2, figures.stream().filter(l -> l.startsWith("normalize")).count());
    }

    @Test
    void run_unknownOption_throwsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelBench.run(new String[] {"--fast"}));
        assertEquals("argument: --fast (expected: --warmup-ms=N, --measure-ms=N, --windows=N or --quick)",
                e.getMessage());
    }

    @Test
    void run_nonPositiveWindows_throwsNamingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelBench.run(new String[] {"--windows=0"}));
        assertEquals("--windows: 0 (expected: a positive integer)", e.getMessage());
    }
}
