package dev.batcher.bench;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The EDF read benchmark runs on tiny data (the same samples in both formats, checked) and reports its figures. */
class EdfReadBenchTest {
    @TempDir
    Path dir;

    @Test
    void run_quick_reportsEdfAgainstHdf5ContiguousPerThreadCount() {
        List<String> streamed = new ArrayList<>();
        List<String> lines = EdfReadBench.run(new String[] {"--quick", "--dir=" + dir}, streamed::add);
        assertEquals(lines, streamed);
        assertTrue(lines.get(0).startsWith("# EdfReadBench: JDK "), lines.get(0));
        List<Figure> figures = Lines.figures(lines);
        assertEquals(List.of("reads EDF 8x7680 int16, 1 thread", "reads EDF 8x7680 int16, 2 threads"),
                figures.stream().map(Figure::name).toList(), String.join("\n", lines));
        for (Figure f : figures) {
            assertEquals("MB/s", f.unit());
            assertTrue(f.baseline().startsWith("HDF5 contiguous, same samples"), f.toString());
        }
    }
}
