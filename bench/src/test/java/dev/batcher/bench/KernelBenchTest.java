package dev.batcher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The harness runs and reports every figure with a ratio (the figures themselves are not checked). */
class KernelBenchTest {
    @Test
    void run_quick_reportsEveryFigureWithARatio() {
        List<String> streamed = new ArrayList<>();
        List<String> lines = KernelBench.run(new String[] {"--quick"}, streamed::add);
        assertEquals(lines, streamed);
        assertTrue(lines.get(0).startsWith("# KernelBench: JDK "), lines.get(0));
        List<String> figures = lines.subList(1, lines.size());
        assertEquals(12, figures.size(), String.join("\n", lines));
        for (String line : figures) {
            Figure figure = Figure.parse(line);
            assertTrue(figure.name().contains(": vector"), line);
            assertEquals("GB/s", figure.unit(), line);
            assertTrue(figure.ratio() > 0, line);
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
