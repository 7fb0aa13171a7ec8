package dev.batcher.bench;

import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.testdata.Layout;
import dev.batcher.testdata.SyntheticDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import java.util.zip.Inflater;

/**
 * How fast windows come out of recording files: 8 channels x 7680 int16 samples (30 s at 256 Hz) at
 * random offsets, read through {@link RecordingFiles#readSignal} (its positional-read fast path for the
 * contiguous layout, jhdf for the others), from files of each layout
 * the generator writes, on 1 and 2 threads. Each figure is in MB/s of int16 delivered (1 MB =
 * 10<sup>6</sup> bytes) and is a ratio against a baseline measured in the same run (see {@link
 * Harness} for the method):
 * <ul>
 *   <li>every layout against {@code FileChannel} positional reads of the same bytes at the same
 *       offsets from the contiguous file (8 reads of 15360 bytes into a reused heap buffer per
 *       window): what the page cache and memory allow;
 *   <li>the deflate layouts also against {@code java.util.zip.Inflater} inflating the chunks that
 *       the same windows touch, compressed beforehand in memory with {@code Deflater} level 4 from
 *       the same samples (byte-shuffled first for {@code SHUFFLE_DEFLATE}), one reused output buffer
 *       per thread: what inflate alone costs. A window usually straddles two chunks of 8192 samples,
 *       so about twice its bytes are inflated; the line says how much.
 * </ul>
 * A ratio near 1 against the first says the reads are bounded by memory; near 1 against the second,
 * by inflate.
 *
 * <p>The data: four datasets generated with the same seed and options, so the layouts hold the same
 * samples (checked on the first windows before timing), then read once so the page cache holds
 * them. Windows are drawn with a fixed seed from the recordings with at least 8 channels, rows 0 to
 * 7; all figures cycle through the same {@code --windows} windows (the inflate figures through the
 * first 256 of them, to bound the memory the compressed chunks take).
 *
 * <p>Run with {@code bin/batcher bench reads} or {@code java -cp <classpath>
 * dev.batcher.bench.ReadBench [options]}. Options: {@code --dir=PATH} (where the data is
 * generated and kept for later runs; default a temporary directory deleted afterwards), {@code
 * --gb=X} (GB of int16 samples per layout, default 1), {@code --seconds=X} (per figure, warm-up
 * included, default 2), {@code --windows=N} (default 1024), {@code --threads=1,2}, {@code --quick}
 * (tiny data and times, for tests).
 */
public final class ReadBench extends DataBench {
    static final int CHANNELS = 8;
    static final int SAMPLES = 7680;
    static final int WINDOW_BYTES = 2 * CHANNELS * SAMPLES;
    private static final int ROUNDS = 10;
    static final int INFLATE_WINDOWS = 256;
    private static final int CHECKED_WINDOWS = 4;
    private static final List<Layout> LAYOUTS =
            List.of(Layout.CONTIGUOUS, Layout.CHUNKED, Layout.CHUNKED_DEFLATE, Layout.SHUFFLE_DEFLATE);

    /** One window: a recording (by index into the eligible files) and the first sample. */
    record Window(int file, long start) {
    }


    final List<String> names = new ArrayList<>();
    final List<BenchData.Contiguous> layouts = new ArrayList<>();
    final List<FileChannel> channels = new ArrayList<>();
    final Map<Layout, RecordingFiles> files = new EnumMap<>(Layout.class);
    final Map<Layout, Path> dirs = new EnumMap<>(Layout.class);
    final List<Window> windows = new ArrayList<>();
    final List<Inflater> inflaters = new ArrayList<>();

    private ReadBench(BenchArgs args, Consumer<String> out) {
        super(args, out);
    }

    /**
     * Runs the benchmark and returns its report: {@code #} comment lines (the header, the data) and one
     * {@link Figure} line per figure.
     *
     * @param args options: {@code --dir=PATH}, {@code --gb=X}, {@code --seconds=X}, {@code --windows=N},
     *     {@code --threads=N[,N...]}, {@code --quick}
     * @return the report lines
     * @throws IllegalArgumentException if an option is unknown or its value invalid, or {@code --dir}
     *     holds files other than benchmark data
     * @throws UncheckedIOException if the data cannot be written or read
     * @throws IllegalStateException if the layouts do not hold the same samples
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
     * @throws IllegalStateException if the layouts do not hold the same samples
     */
    public static List<String> run(String[] args, Consumer<String> listener) {
        return DataBench.run(BenchArgs.parse(args, "windows", 1024, 8), ReadBench::new, listener);
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
        emit(Figure.comment(String.format(Locale.ROOT, "ReadBench: JDK %s, %d CPUs; windows of %d ch x %d int16 at random "
                        + "offsets, %d distinct; MB/s = 1e6 bytes of int16 delivered per second; ratio = baseline time / "
                        + "candidate time; median of %d alternating rounds, %.2f s per figure",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), CHANNELS, SAMPLES, args.count(), ROUNDS,
                args.seconds())));
        for (Layout layout : LAYOUTS) {
            dirs.put(layout, BenchData.prepare(dir, layout, args.gb(), this::emit));
        }
        open();
        long warmed = BenchData.warm(new ArrayList<>(dirs.values()));
        emit(Figure.comment(String.format(Locale.ROOT, "read %.0f MB of files once to warm the page cache", warmed / 1e6)));
        check();
        Map<Layout, InflateBaseline> inflates = new EnumMap<>(Layout.class);
        for (Layout layout : LAYOUTS) {
            if (layout == Layout.CHUNKED_DEFLATE || layout == Layout.SHUFFLE_DEFLATE) {
                inflates.put(layout, new InflateBaseline(this, layout));
            }
        }
        try (Harness harness = new Harness(args.warmupNanos(), args.measureNanos(), ROUNDS, args.maxThreads())) {
            for (int threads : args.threads()) {
                ByteBuffer[] buffers = new ByteBuffer[threads];
                for (int t = 0; t < threads; t++) {
                    buffers[t] = ByteBuffer.allocate(2 * SAMPLES);
                }
                Harness.Op raw = (thread, index) -> raw(buffers[thread], windows.get((int) (index % windows.size())));
                for (Layout layout : LAYOUTS) {
                    Harness.Timing t = harness.compare(threads, jhdf(layout, windows.size()), raw);
                    emit(new Figure("reads " + layout + " " + CHANNELS + "x" + SAMPLES + " int16, " + BenchArgs.threads(threads),
                            t.candidateRate(WINDOW_BYTES, 1e6), "MB/s", t.ratio(),
                            "FileChannel pread of the same bytes from the contiguous file ("
                                    + Figure.number(t.baselineRate(WINDOW_BYTES, 1e6)) + " MB/s)").line());
                }
                for (InflateBaseline inflate : inflates.values()) {
                    Harness.Timing t = harness.compare(threads, jhdf(inflate.layout, inflate.perWindow.size()),
                            inflate.op(threads));
                    emit(new Figure("reads " + inflate.layout + " " + CHANNELS + "x" + SAMPLES + " int16 vs inflate, "
                            + BenchArgs.threads(threads), t.candidateRate(WINDOW_BYTES, 1e6), "MB/s", t.ratio(),
                            String.format(Locale.ROOT, "Inflater on the same chunks, deflated at level 4 in memory, "
                                            + "%.2f bytes inflated per byte delivered (%s MB/s delivered)",
                                    inflate.amplification(), Figure.number(t.baselineRate(WINDOW_BYTES, 1e6)))).line());
                }
            }
        }
        emit(Figure.comment("checksum " + Long.toHexString(sink.sum())));
    }

    /** Opens the files, finds the eligible recordings and draws the windows. */
    private void open() {
        Path contiguous = dirs.get(Layout.CONTIGUOUS);
        List<String> all = BenchData.files(contiguous);
        for (Layout layout : LAYOUTS) {
            files.put(layout, new RecordingFiles(List.of(dirs.get(layout)), Math.max(64, all.size())));
        }
        RecordingFiles reader = files.get(Layout.CONTIGUOUS);
        for (String name : all) {
            SignalInfo info = reader.signalInfo(name, SyntheticDataset.SIGNAL_DATASET);
            if (info.channels().size() < CHANNELS || info.samples() < SAMPLES) {
                continue;
            }
            Path path = contiguous.resolve(name);
            names.add(name);
            layouts.add(BenchData.contiguous(path));
            try {
                channels.add(FileChannel.open(path, StandardOpenOption.READ));
            } catch (IOException e) {
                throw new UncheckedIOException("benchmark data: " + path + " (expected: readable)", e);
            }
        }
        if (names.isEmpty()) {
            throw new IllegalStateException("benchmark data: no recording in " + contiguous + " has " + CHANNELS
                    + " channels and " + SAMPLES + " samples (expected: at least one)");
        }
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < args.count(); i++) {
            int f = random.nextInt(names.size());
            windows.add(new Window(f, random.nextLong(layouts.get(f).samples() - SAMPLES + 1)));
        }
    }

    /** Checks that every layout holds, at the first windows, the bytes the raw baseline reads. */
    private void check() {
        ByteBuffer buffer = ByteBuffer.allocate(2 * SAMPLES).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < Math.min(CHECKED_WINDOWS, windows.size()); i++) {
            Window w = windows.get(i);
            short[][] expected = new short[CHANNELS][SAMPLES];
            for (int r = 0; r < CHANNELS; r++) {
                read(w, r, buffer.clear());
                buffer.flip().asShortBuffer().get(expected[r]);
            }
            for (Layout layout : LAYOUTS) {
                short[][] actual = read(layout, w).shorts();
                if (!java.util.Arrays.deepEquals(expected, actual)) {
                    throw new IllegalStateException("benchmark data: " + layout + " " + names.get(w.file) + " samples ["
                            + w.start + ", " + (w.start + SAMPLES) + ") differ from the raw bytes of the contiguous file"
                            + " (expected: the same samples; the layouts come from the same seed)");
                }
            }
        }
    }

    private RawWindow read(Layout layout, Window w) {
        return files.get(layout).readSignal(names.get(w.file), SyntheticDataset.SIGNAL_DATASET, 0, CHANNELS, w.start,
                SAMPLES);
    }

    private Harness.Op jhdf(Layout layout, int count) {
        return (thread, index) -> {
            RawWindow raw = read(layout, windows.get((int) (index % count)));
            sink.add(raw.shorts()[CHANNELS - 1][SAMPLES - 1]);
        };
    }

    private void raw(ByteBuffer buffer, Window w) throws IOException {
        for (int r = 0; r < CHANNELS; r++) {
            buffer.clear();
            BenchData.readFully(channels.get(w.file), buffer, layouts.get(w.file).offset(r, w.start));
        }
        sink.add(buffer.get(2 * SAMPLES - 1));
    }

    private void read(Window w, int row, ByteBuffer buffer) {
        try {
            BenchData.readFully(channels.get(w.file), buffer, layouts.get(w.file).offset(row, w.start));
        } catch (IOException e) {
            throw new UncheckedIOException("benchmark data: " + names.get(w.file) + " (expected: readable)", e);
        }
    }

    @Override
    void close() {
        inflaters.forEach(Inflater::end);
        for (RecordingFiles f : files.values()) {
            f.close();
        }
        for (FileChannel c : channels) {
            try {
                c.close();
            } catch (IOException e) {
                // closing a read-only channel; nothing to recover
            }
        }
    }
}
