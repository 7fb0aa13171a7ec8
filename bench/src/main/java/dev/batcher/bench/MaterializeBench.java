package dev.batcher.bench;

import dev.batcher.materializers.iteration.BatchSources;
import dev.batcher.materializers.channels.ChannelSelectors;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.iteration.BatchSource;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.iteration.Step;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ItemSpec;
import dev.batcher.testdata.Layout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;

/**
 * How fast {@link Materializer} turns batch specs into tensors: random batches of 32 items, {@code
 * names:C3,C4,O1,O2,F3,F4,M1,M2} (8 channels), 30 s windows at 256 Hz, so x is float32 {@code [32, 8,
 * 7680]} (7.9 MB), from a generated contiguous dataset in the page cache, on 1 and 2 threads. Each
 * figure is a ratio against a baseline measured in the same run (see {@link Harness} for the method):
 * <ul>
 *   <li>batches/s against {@code FileChannel} positional reads of the same int16 bytes (the rows
 *       each item's channel plan reads, at the same offsets, into a reused heap buffer): what is left
 *       once the bytes are in memory;
 *   <li>MB/s of float32 output against {@code System.arraycopy} of the output's bytes (between two
 *       arrays per thread): the cost of touching that much memory once;
 *   <li>vector kernels ({@link Kernels#vector()}) against scalar ones ({@link Kernels#scalar()}),
 *       end to end;
 *   <li>with resampling to 128 Hz and z-scoring on ({@code --target-rate 128 --normalize}; x is then
 *       {@code [32, 8, 3840]}), against the same raw reads, and vector against scalar.
 * </ul>
 * Materialising also reads each item's labels (a few bytes); the raw baseline does not.
 *
 * <p>Run with {@code bin/batcher bench materialize} or {@code java --add-modules jdk.incubator.vector
 * -cp <classpath> dev.batcher.bench.MaterializeBench [options]}. Options: {@code --dir=PATH}
 * (where the data is generated and kept for later runs; default a temporary directory deleted
 * afterwards), {@code --gb=X} (GB of int16 samples, default 1), {@code --seconds=X} (per figure,
 * warm-up included, default 2), {@code --batches=N} (distinct batches cycled through, default 16),
 * {@code --threads=1,2}, {@code --quick} (tiny data and times, for tests).
 */
public final class MaterializeBench extends DataBench {
    /** The channels every item selects. */
    static final List<String> NAMES = List.of("C3", "C4", "O1", "O2", "F3", "F4", "M1", "M2");
    static final int BATCH = 32;
    static final int SAMPLES = 7680;
    private static final int ROUNDS = 10;
    private static final long BATCH_SEED = 7;

    private final Map<String, FileChannel> channels = new HashMap<>();
    private final Map<String, BenchData.Contiguous> layouts = new HashMap<>();
    private RecordingFiles files;

    /** The raw reads of one batch: channel, offset and length of each row read. */
    private record Reads(FileChannel[] channels, long[] offsets, int[] lengths, long bytes) {
    }

    private MaterializeBench(BenchArgs args, Consumer<String> out) {
        super(args, out);
    }

    /**
     * Runs the benchmark and returns its report: {@code #} comment lines (the header, the data) and one
     * {@link Figure} line per figure.
     *
     * @param args options: {@code --dir=PATH}, {@code --gb=X}, {@code --seconds=X}, {@code --batches=N},
     *     {@code --threads=N[,N...]}, {@code --quick}
     * @return the report lines
     * @throws IllegalArgumentException if an option is unknown or its value invalid, or {@code --dir}
     *     holds files other than benchmark data
     * @throws UncheckedIOException if the data cannot be written or read
     * @throws UnsupportedOperationException if the JVM lacks {@code --add-modules jdk.incubator.vector}
     */
    public static List<String> run(String[] args) {
        return run(args, line -> { });
    }

    /**
     * Runs the benchmark, handing each line to {@code listener} as soon as it is known.
     *
     * @param args as for {@link #run(String[])}
     * @param listener receives each report line as it is produced
     * @return the report lines
     * @throws IllegalArgumentException if an option is unknown or its value invalid, or {@code --dir}
     *     holds files other than benchmark data
     * @throws UncheckedIOException if the data cannot be written or read
     * @throws UnsupportedOperationException if the JVM lacks {@code --add-modules jdk.incubator.vector}
     */
    public static List<String> run(String[] args, Consumer<String> listener) {
        return DataBench.run(BenchArgs.parse(args, "batches", 16, 2), MaterializeBench::new, listener);
    }

    /**
     * Runs the benchmark and prints its report.
     *
     * @param args as for {@link #run(String[])}
     */
    public static void main(String[] args) {
        run(args, System.out::println);
    }

    @Override
    void runAll(Path dir) {
        Kernels vector = Kernels.vector();
        Kernels scalar = Kernels.scalar();
        emit(Figure.comment(String.format(Locale.ROOT, "MaterializeBench: JDK %s, %s, %d CPUs; random batches of %d x "
                        + "names:%s x %d samples, %d distinct; MB/s = 1e6 bytes per second; ratio = baseline time / "
                        + "candidate time; median of %d alternating rounds, %.2f s per figure",
                Runtime.version(), vector, Runtime.getRuntime().availableProcessors(), BATCH, String.join(",", NAMES),
                SAMPLES, args.count(), ROUNDS, args.seconds())));
        Path data = BenchData.prepare(dir, Layout.CONTIGUOUS, args.gb(), this::emit);
        Dataset ds = Dataset.load(data);
        List<LabeledSignal> signals = ds.signals().stream()
                .filter(s -> s.signal().channels().containsAll(NAMES) && s.signal().sampleRate() == 256).toList();
        if (signals.isEmpty()) {
            throw new IllegalStateException("benchmark data: no recording in " + data + " has the channels " + NAMES
                    + " at 256 Hz (expected: at least one)");
        }
        BatchSource source = BatchSources.build(
                new SourceConfig.Random(BATCH, 30.0, null, "names:" + String.join(",", NAMES), null, null), signals);
        List<BatchSpec> specs = new ArrayList<>();
        BatchState state = BatchState.initial(BATCH_SEED);
        for (int i = 0; i < args.count(); i++) {
            Step.Next next = (Step.Next) source.next(state);
            specs.add(next.spec());
            state = next.state();
        }
        files = new RecordingFiles(List.of(ds.root()), 64);
        List<Reads> reads = new ArrayList<>();
        for (BatchSpec spec : specs) {
            reads.add(reads(ds.root(), spec));
        }
        long warmed = BenchData.warm(List.of(data));
        emit(Figure.comment(String.format(Locale.ROOT, "%d of %d recordings have the channels; read %.0f MB of files once "
                        + "to warm the page cache; a batch reads %.1f MB of int16 (rows spanned by the channels)",
                signals.size(), ds.signals().size(), warmed / 1e6, reads.get(0).bytes / 1e6)));

        MaterializeOptions plain = MaterializeOptions.defaults();
        MaterializeOptions resampled = plain.withTargetRate(128.0).withNormalize(true);
        Materializer vectorPlain = new Materializer(files, plain, vector);
        Materializer scalarPlain = new Materializer(files, plain, scalar);
        Materializer vectorResampled = new Materializer(files, resampled, vector);
        Materializer scalarResampled = new Materializer(files, resampled, scalar);
        int outputFloats = check(vectorPlain, specs.get(0), SAMPLES);
        check(vectorResampled, specs.get(0), SAMPLES / 2);
        long outputBytes = 4L * outputFloats;

        String batch = "materialize " + BATCH + "x" + NAMES.size() + "x" + SAMPLES + " names:" + NAMES.size();
        try (Harness harness = new Harness(args.warmupNanos(), args.measureNanos(), ROUNDS, args.maxThreads())) {
            for (int threads : args.threads()) {
                String t = BenchArgs.threads(threads);
                int maxRow = reads.stream().flatMapToInt(r -> Arrays.stream(r.lengths)).max().orElse(1);
                ByteBuffer[] buffers = new ByteBuffer[threads];
                float[][] from = new float[threads][];
                float[][] to = new float[threads][];
                for (int i = 0; i < threads; i++) {
                    buffers[i] = ByteBuffer.allocate(maxRow);
                    from[i] = new float[outputFloats];
                    to[i] = new float[outputFloats];
                    Arrays.fill(from[i], i + 1);
                }
                Harness.Op raw = (thread, index) -> raw(buffers[thread], reads.get((int) (index % reads.size())));
                Harness.Op copy = (thread, index) -> {
                    System.arraycopy(from[thread], 0, to[thread], 0, outputFloats);
                    sink.add((long) to[thread][(int) (index % outputFloats)]);
                };
                double rawMb = reads.stream().mapToLong(Reads::bytes).average().orElse(0) / 1e6;

                Harness.Timing r = harness.compare(threads, op(vectorPlain, specs), raw);
                emit(new Figure(batch + ", vector, " + t, r.candidateRate(1, 1), "batches/s", r.ratio(),
                        "FileChannel pread of the same int16 bytes (" + Figure.number(r.baselineRate(1, 1))
                                + " batches/s, " + Figure.number(r.baselineRate(rawMb, 1)) + " MB/s)").line());
                Harness.Timing c = harness.compare(threads, op(vectorPlain, specs), copy);
                emit(new Figure(batch + ", vector, " + t + ", float32 output", c.candidateRate(outputBytes, 1e6), "MB/s",
                        c.ratio(), String.format(Locale.ROOT, "System.arraycopy of the %.1f MB output (%s MB/s)",
                                outputBytes / 1e6, Figure.number(c.baselineRate(outputBytes, 1e6)))).line());
                Harness.Timing s = harness.compare(threads, op(vectorPlain, specs), op(scalarPlain, specs));
                emit(new Figure(batch + ", vector vs scalar, " + t, s.candidateRate(1, 1), "batches/s", s.ratio(),
                        "the same with Kernels.scalar() (" + Figure.number(s.baselineRate(1, 1)) + " batches/s)").line());

                String rn = batch + " +resample 128 Hz +normalize";
                Harness.Timing rr = harness.compare(threads, op(vectorResampled, specs), raw);
                emit(new Figure(rn + ", vector, " + t, rr.candidateRate(1, 1), "batches/s", rr.ratio(),
                        "FileChannel pread of the same int16 bytes (" + Figure.number(rr.baselineRate(1, 1))
                                + " batches/s)").line());
                Harness.Timing rs = harness.compare(threads, op(vectorResampled, specs), op(scalarResampled, specs));
                emit(new Figure(rn + ", vector vs scalar, " + t, rs.candidateRate(1, 1), "batches/s", rs.ratio(),
                        "the same with Kernels.scalar() (" + Figure.number(rs.baselineRate(1, 1)) + " batches/s)").line());
            }
        }
        emit(Figure.comment("checksum " + Long.toHexString(sink.sum())));
    }

    /** Materialises one batch and checks its shape; returns the floats in x. */
    private static int check(Materializer m, BatchSpec spec, int samples) {
        try (Batch b = m.materialize(spec)) {
            int[] expected = {BATCH, NAMES.size(), samples};
            if (!Arrays.equals(expected, b.xShape())) {
                throw new IllegalStateException("x shape: " + Arrays.toString(b.xShape()) + " (expected: "
                        + Arrays.toString(expected) + ")");
            }
            return b.x().remaining();
        }
    }

    private Harness.Op op(Materializer m, List<BatchSpec> specs) {
        return (thread, index) -> {
            try (Batch b = m.materialize(specs.get((int) (index % specs.size())))) {
                sink.add(Float.floatToRawIntBits(b.x().get(b.x().limit() - 1)));
            }
        };
    }

    /** Works out which rows of which file each item reads, as the materializer's channel plan does. */
    private Reads reads(Path root, BatchSpec spec) {
        List<FileChannel> chs = new ArrayList<>();
        List<Long> offsets = new ArrayList<>();
        List<Integer> lengths = new ArrayList<>();
        long bytes = 0;
        for (ItemSpec item : spec.items()) {
            SignalInfo info = files.signalInfo(item.file(), item.signal());
            int[] inputs = ChannelSelectors.plan(item.channels(), info.channels()).inputs();
            int first = inputs[0];
            int last = inputs[inputs.length - 1];
            Path path = root.resolve(item.file());
            FileChannel ch = channel(path);
            BenchData.Contiguous c = layouts.computeIfAbsent(path.toString(), p -> BenchData.contiguous(path));
            for (int row = first; row <= last; row++) {
                chs.add(ch);
                offsets.add(c.offset(row, item.sampleStart()));
                lengths.add(2 * item.sampleCount());
                bytes += 2L * item.sampleCount();
            }
        }
        return new Reads(chs.toArray(new FileChannel[0]), offsets.stream().mapToLong(Long::longValue).toArray(),
                lengths.stream().mapToInt(Integer::intValue).toArray(), bytes);
    }

    private FileChannel channel(Path path) {
        return channels.computeIfAbsent(path.toString(), p -> {
            try {
                return FileChannel.open(path, StandardOpenOption.READ);
            } catch (IOException e) {
                throw new UncheckedIOException("benchmark data: " + path + " (expected: readable)", e);
            }
        });
    }

    private void raw(ByteBuffer buffer, Reads reads) throws IOException {
        for (int i = 0; i < reads.offsets.length; i++) {
            buffer.clear().limit(reads.lengths[i]);
            BenchData.readFully(reads.channels[i], buffer, reads.offsets[i]);
        }
        sink.add(buffer.get(0));
    }

    @Override
    void close() {
        if (files != null) {
            files.close();
        }
        for (FileChannel c : channels.values()) {
            try {
                c.close();
            } catch (IOException e) {
                // closing a read-only channel; nothing to recover
            }
        }
    }
}
