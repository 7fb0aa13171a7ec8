package dev.batcher.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The runner the benchmarks on generated data share ({@link ReadBench}, {@link MaterializeBench}):
 * their options ({@link BenchArgs}), their report (comment lines and one {@link Figure} line per
 * figure, collected and handed to a listener as soon as known), a sink that keeps the JIT from
 * dropping the work measured, and the data directory: {@code --dir}, kept for later runs, or a
 * temporary directory deleted afterwards.
 */
abstract class DataBench {
    /** The options. */
    final BenchArgs args;
    /** Receives a value of every result measured, so that none of the work is dead code. */
    final LongAdder sink = new LongAdder();
    private final Consumer<String> out;
    private final List<String> lines = new ArrayList<>();

    DataBench(BenchArgs args, Consumer<String> out) {
        this.args = args;
        this.out = out;
    }

    /**
     * Runs a benchmark: creates it, generates or reuses its data, measures, then releases its files
     * and deletes the data unless {@code --dir} named where to keep it.
     *
     * @param args the parsed options
     * @param bench creates the benchmark from its options and the listener
     * @param listener receives each report line as it is produced
     * @return the report lines
     */
    static List<String> run(BenchArgs args, BiFunction<BenchArgs, Consumer<String>, DataBench> bench,
            Consumer<String> listener) {
        DataBench b = bench.apply(args, listener);
        Path dir = args.dir() != null ? args.dir() : BenchData.temporaryDir();
        try {
            b.runAll(dir);
        } finally {
            b.close();
            if (args.dir() == null) {
                BenchData.deleteTree(dir);
            }
        }
        return List.copyOf(b.lines);
    }

    /** Adds a line to the report and hands it to the listener. */
    final void emit(String line) {
        lines.add(line);
        out.accept(line);
    }

    /**
     * Generates or reuses the data under {@code dir} and measures every figure.
     *
     * @param dir the data directory
     */
    abstract void runAll(Path dir);

    /** Releases what {@link #runAll} opened; called even when it failed. */
    abstract void close();
}
