package dev.batcher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The read benchmark runs on tiny data and reports every figure with a ratio; the figures are not checked. */
class ReadBenchTest {
    @TempDir
    Path dir;

    @Test
    void run_quick_reportsEveryLayoutAgainstRawAndInflate() {
        List<String> streamed = new ArrayList<>();
        List<String> lines = ReadBench.run(new String[] {"--quick", "--dir=" + dir}, streamed::add);
        assertEquals(lines, streamed);
        assertTrue(lines.get(0).startsWith("# ReadBench: JDK "), lines.get(0));
        List<Figure> figures = Lines.figures(lines);
        assertEquals(12, figures.size(), String.join("\n", lines));
        for (String layout : List.of("CONTIGUOUS", "CHUNKED", "CHUNKED_DEFLATE", "SHUFFLE_DEFLATE")) {
            for (String threads : List.of("1 thread", "2 threads")) {
                String name = "reads " + layout + " 8x7680 int16, " + threads;
                Figure f = figures.stream().filter(x -> x.name().equals(name)).findFirst().orElseThrow(
                        () -> new AssertionError("no figure '" + name + "' in\n" + String.join("\n", lines)));
                assertEquals("MB/s", f.unit());
                assertTrue(f.baseline().startsWith("FileChannel pread of the same bytes"), f.toString());
            }
        }
        assertEquals(4, figures.stream().filter(f -> f.name().contains(" vs inflate, ")
                && f.baseline().startsWith("Inflater on the same chunks")).count(), String.join("\n", lines));
    }

    @Test
    void run_sameDirTwice_reusesTheData() {
        ReadBench.run(new String[] {"--quick", "--threads=1", "--dir=" + dir});
        List<String> again = ReadBench.run(new String[] {"--quick", "--threads=1", "--dir=" + dir});
        assertEquals(4, again.stream().filter(l -> l.startsWith("# reusing ")).count(), String.join("\n", again));
        assertEquals(6, Lines.figures(again).size(), String.join("\n", again));
    }

    @Test
    void run_dirWithOtherFiles_throwsNamingIt() throws IOException {
        Files.createDirectories(dir.resolve("contiguous"));
        Files.writeString(dir.resolve("contiguous/notes.txt"), "mine");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ReadBench.run(new String[] {"--quick", "--dir=" + dir}));
        assertTrue(e.getMessage().contains("holds notes.txt (expected: missing, empty, or benchmark data"), e.getMessage());
        assertEquals("mine", Files.readString(dir.resolve("contiguous/notes.txt")));
    }

    @Test
    void run_badOptions_throwNamingThem() {
        IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class,
                () -> ReadBench.run(new String[] {"--batches=3"}));
        assertEquals("argument: --batches=3 (expected: --dir=PATH, --gb=X, --seconds=X, --windows=N, "
                + "--threads=N[,N...] or --quick)", unknown.getMessage());
        IllegalArgumentException threads = assertThrows(IllegalArgumentException.class,
                () -> ReadBench.run(new String[] {"--threads=1,0"}));
        assertEquals("--threads: 0 (expected: a comma-separated list of positive integers, such as 1,2)",
                threads.getMessage());
        IllegalArgumentException gb = assertThrows(IllegalArgumentException.class,
                () -> ReadBench.run(new String[] {"--gb=-1"}));
        assertEquals("--gb: -1 (expected: a positive number)", gb.getMessage());
    }
}
