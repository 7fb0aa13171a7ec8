package dev.batcher.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.service.cli.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code batcher bench}: help, a quick run of everything, and option errors. Never checks speed. */
class BenchCommandTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {
        List<String> lines() {
            return Arrays.stream(out.split("\\R")).filter(l -> !l.isEmpty()).toList();
        }
    }

    private static Run execute(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void help_describesWhatAndOptions() {
        Run r = execute("bench", "--help");
        assertEquals(0, r.code(), r.err());
        for (String s : List.of("Usage: batcher bench", "kernels, reads, edf, materialize, service, scale,", "--seconds=S", "--dir=DIR",
                "--gb=GB", "--threads=N", "--quick", "ratio = baseline time / candidate time")) {
            assertTrue(r.out().contains(s), "missing '" + s + "' in\n" + r.out());
        }
        assertTrue(execute("--help").out().contains("bench"), "Main lists the bench subcommand");
    }

    @Test
    void all_quick_printsEveryBenchmarksFigures() {
        Run r = execute("bench", "all", "--quick", "--dir", dir.toString());
        assertEquals(0, r.code(), r.err());
        List<String> lines = r.lines();
        String all = String.join("\n", lines);
        for (String header : List.of("# KernelBench: ", "# ReadBench: ", "# MaterializeBench: ", "# ServiceBench: ")) {
            assertEquals(1, lines.stream().filter(l -> l.startsWith(header)).count(), all);
        }
        List<Figure> figures = lines.stream().filter(l -> !Figure.isComment(l)).map(Figure::parse).toList();
        assertEquals(12 + 12 + 10 + 12, figures.size(), all);
        assertTrue(figures.stream().allMatch(f -> f.ratio() > 0), all);
        assertTrue(Files.isRegularFile(dir.resolve("contiguous/bench-data.properties")), "--dir keeps the data");
    }

    @Test
    void scale_quick_printsBothPoolsForEachWorkerCountUpToTheCores() {
        Run r = execute("bench", "scale", "--quick", "--dir", dir.toString());
        assertEquals(0, r.code(), r.err());
        List<Figure> figures = r.lines().stream().filter(l -> !Figure.isComment(l)).map(Figure::parse).toList();
        List<String> expected = new java.util.ArrayList<>();
        for (int w = 1; w <= Runtime.getRuntime().availableProcessors(); w *= 2) {
            expected.add("scale W=" + w + " in-process slots");
            expected.add("scale W=" + w + " worker processes");
        }
        assertEquals(expected, figures.stream().map(f -> f.name().substring(0, f.name().indexOf(','))).toList(), r.out());
        assertTrue(figures.stream().allMatch(f -> f.unit().equals("batches/s") && f.ratio() > 0
                && f.baseline().startsWith("LocalBatcher in one thread (")), r.out());
        long warmUps = r.lines().stream().filter(l -> Figure.isComment(l)
                && l.matches("# W=\\d+ (in-process slots|worker processes): warm-up (steady|not steady) after \\d+ windows.*")).count();
        assertEquals(expected.size(), warmUps, "one warm-up line per daemon, saying whether its rate settled: " + r.out());
    }

    @Test
    void stall_quick_printsTheLongestTakeWithAFrozenWorker() {
        Path missing = dir.resolve("made-by-bench");
        Run r = execute("bench", "stall", "--quick", "--dir", missing.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(Files.isDirectory(missing), "--dir is made when missing");
        List<Figure> figures = r.lines().stream().filter(l -> !Figure.isComment(l)).map(Figure::parse).toList();
        assertEquals(1, figures.size(), r.out());
        assertTrue(figures.get(0).name().startsWith("longest take with 1 of 3 workers frozen"), r.out());
        assertEquals("ms", figures.get(0).unit(), r.out());
        assertTrue(figures.get(0).value() > 0 && figures.get(0).ratio() > 0, r.out());
    }

    @Test
    void edf_quick_printsEdfReadsAgainstHdf5ContiguousInAFolderOfItsOwn() {
        Run r = execute("bench", "edf", "--quick", "--dir", dir.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(1, r.lines().stream().filter(l -> l.startsWith("# EdfReadBench: ")).count(), r.out());
        List<Figure> figures = r.lines().stream().filter(l -> !Figure.isComment(l)).map(Figure::parse).toList();
        assertEquals(List.of("reads EDF 8x7680 int16, 1 thread", "reads EDF 8x7680 int16, 2 threads"),
                figures.stream().map(Figure::name).toList(), r.out());
        assertTrue(figures.stream().allMatch(f -> f.ratio() > 0 && f.baseline().startsWith("HDF5 contiguous, same samples")),
                r.out());
        assertTrue(Files.isDirectory(dir.resolve("edf-reads/edf")), "--dir keeps the data under edf-reads/");
    }

    @Test
    void kernels_quick_printsOnlyKernelFigures() {
        Run r = execute("bench", "kernels", "--quick");
        assertEquals(0, r.code(), r.err());
        List<Figure> figures = r.lines().stream().filter(l -> !Figure.isComment(l)).map(Figure::parse).toList();
        assertEquals(12, figures.size(), r.out());
        assertTrue(figures.stream().allMatch(f -> f.unit().equals("GB/s")), r.out());
    }

    @Test
    void badOptions_exitWithTheirNames() {
        Run seconds = execute("bench", "kernels", "--seconds", "0");
        assertEquals(2, seconds.code());
        assertTrue(seconds.err().contains("--seconds: 0.0 (expected: a positive number)"), seconds.err());
        Run what = execute("bench", "disks");
        assertEquals(2, what.code());
        assertTrue(what.err().contains("disks"), what.err());
        Run threads = execute("bench", "reads", "--threads", "1,0", "--quick");
        assertEquals(2, threads.code());
        assertTrue(threads.err().contains("--threads: [1, 0] (expected: positive integers)"), threads.err());
    }
}
