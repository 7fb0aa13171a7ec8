package dev.batcher.bench;

import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.metadata.SignalInfo;
import dev.batcher.testdata.FileFormat;
import dev.batcher.testdata.GenerationReport;
import dev.batcher.testdata.GeneratedRecording;
import dev.batcher.testdata.Layout;
import dev.batcher.testdata.SyntheticDataset;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Consumer;

/**
 * EDF window reads against the HDF5 contiguous path on the same samples: the generator writes one
 * dataset twice with the same seed and options, as contiguous HDF5 and as EDF (Sleep-EDF layout, 30 s
 * data records), so both hold the same int16 samples (checked on the first windows before timing).
 * Windows of 8 channels x 7680 samples (30 s at 256 Hz) at random offsets are read through
 * {@link RecordingFiles#readSignal}: from the EDF group {@code /256Hz} (the whole records covering the
 * window in one positional read) and from the HDF5 dataset {@code /signals/eeg} (its contiguous fast
 * path). The ratio is HDF5 time / EDF time, measured in the same run in alternating rounds (see
 * {@link Harness}); the goal is at least 0.9.
 *
 * <p>Run with {@code java -cp <classpath> dev.batcher.service.bench.EdfReadBench [options]}: {@code --gb=X}
 * (GB of int16 samples per format, default 1), {@code --seconds=X}, {@code --windows=N},
 * {@code --threads=1,2}, {@code --dir=PATH} (kept), {@code --quick}.
 */
public final class EdfReadBench {
    static final int CHANNELS = 8;
    static final int SAMPLES = 7680;
    private static final int ROUNDS = 10;

    private EdfReadBench() {
    }

    /** One window: a recording's files and the first sample. */
    private record Window(String h5, String edf, long start) {
    }

    /**
     * Runs the benchmark.
     *
     * @param args {@code --dir=PATH}, {@code --gb=X}, {@code --seconds=X}, {@code --windows=N},
     *     {@code --threads=N[,N...]}, {@code --quick}
     * @param out receives each line as it is produced
     * @return the report lines
     * @throws IllegalStateException if the two formats do not hold the same samples
     */
    public static List<String> run(String[] args, Consumer<String> out) {
        BenchArgs a = BenchArgs.parse(args, "windows", 1024, 8);
        List<String> lines = new ArrayList<>();
        Consumer<String> emit = line -> {
            lines.add(line);
            out.accept(line);
        };
        Path dir = a.dir() != null ? a.dir() : BenchData.temporaryDir();
        try {
            emit.accept(Figure.comment(String.format(Locale.ROOT, "EdfReadBench: JDK %s, %d CPUs; windows of %d ch x %d int16 "
                            + "at random offsets, %d distinct; ratio = HDF5 contiguous time / EDF time; median of %d rounds, "
                            + "%.2f s per figure", Runtime.version(), Runtime.getRuntime().availableProcessors(), CHANNELS,
                    SAMPLES, a.count(), ROUNDS, a.seconds())));
            GenerationReport h5 = SyntheticDataset.generate(dir.resolve("hdf5"), BenchData.options(Layout.CONTIGUOUS, a.gb()));
            GenerationReport edf = SyntheticDataset.generate(dir.resolve("edf"),
                    BenchData.options(Layout.CONTIGUOUS, a.gb()).toBuilder().format(FileFormat.EDF).build());
            DatasetIndexer.index(dir.resolve("edf"));
            emit.accept(Figure.comment(String.format(Locale.ROOT, "generated %d recordings: %.0f MB HDF5, %.0f MB EDF",
                    h5.recordings().size(), h5.totalBytes() / 1e6, edf.totalBytes() / 1e6)));
            try (RecordingFiles hdf = new RecordingFiles(List.of(dir.resolve("hdf5")), 64);
                 RecordingFiles eds = new RecordingFiles(List.of(dir.resolve("edf")), 64)) {
                List<Window> windows = windows(h5, edf, eds, a.count());
                BenchData.warm(List.of(dir.resolve("hdf5"), dir.resolve("edf")));
                check(hdf, eds, windows);
                LongAdder sink = new LongAdder();
                try (Harness harness = new Harness(a.warmupNanos(), a.measureNanos(), ROUNDS, a.maxThreads())) {
                    for (int threads : a.threads()) {
                        Harness.Timing t = harness.compare(threads,
                                (thread, i) -> sink.add(read(eds, windows.get((int) (i % windows.size())), true)),
                                (thread, i) -> sink.add(read(hdf, windows.get((int) (i % windows.size())), false)));
                        emit.accept(new Figure("reads EDF " + CHANNELS + "x" + SAMPLES + " int16, " + BenchArgs.threads(threads),
                                t.candidateRate(2.0 * CHANNELS * SAMPLES, 1e6), "MB/s", t.ratio(),
                                "HDF5 contiguous, same samples (" + Figure.number(t.baselineRate(2.0 * CHANNELS * SAMPLES, 1e6))
                                        + " MB/s)").line());
                    }
                }
                emit.accept(Figure.comment("checksum " + Long.toHexString(sink.sum())));
            }
        } finally {
            if (a.dir() == null) {
                BenchData.deleteTree(dir);
            }
        }
        return lines;
    }

    private static List<Window> windows(GenerationReport h5, GenerationReport edf, RecordingFiles eds, int count) {
        List<Window> eligible = new ArrayList<>();
        List<Long> lengths = new ArrayList<>();
        for (int r = 0; r < h5.recordings().size(); r++) {
            GeneratedRecording e = edf.recordings().get(r);
            String name = dir(e).relativize(e.file()).toString();
            SignalInfo info = eds.signalInfo(name, "/256Hz");
            if (info.channels().size() >= CHANNELS && info.samples() >= SAMPLES) {
                GeneratedRecording h = h5.recordings().get(r);
                eligible.add(new Window(dir(h).relativize(h.file()).toString(), name, 0));
                lengths.add(info.samples());
            }
        }
        SplittableRandom random = new SplittableRandom(7);
        List<Window> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            int f = random.nextInt(eligible.size());
            Window w = eligible.get(f);
            out.add(new Window(w.h5(), w.edf(), random.nextLong(lengths.get(f) - SAMPLES + 1)));
        }
        return out;
    }

    private static Path dir(GeneratedRecording r) {
        return r.file().getParent();
    }

    private static long read(RecordingFiles files, Window w, boolean edf) {
        RawWindow raw = files.readSignal(edf ? w.edf() : w.h5(), edf ? "/256Hz" : SyntheticDataset.SIGNAL_DATASET,
                0, CHANNELS, w.start(), SAMPLES);
        return raw.shorts()[CHANNELS - 1][SAMPLES - 1];
    }

    private static void check(RecordingFiles hdf, RecordingFiles eds, List<Window> windows) {
        for (Window w : windows.subList(0, Math.min(4, windows.size()))) {
            short[][] a = hdf.readSignal(w.h5(), SyntheticDataset.SIGNAL_DATASET, 0, CHANNELS, w.start(), SAMPLES).shorts();
            short[][] b = eds.readSignal(w.edf(), "/256Hz", 0, CHANNELS, w.start(), SAMPLES).shorts();
            if (!Arrays.deepEquals(a, b)) {
                throw new IllegalStateException("window " + w + ": HDF5 and EDF samples differ (expected: the same samples)");
            }
        }
    }

    /**
     * Runs the benchmark and prints its report.
     *
     * @param args as for {@link #run}
     */
    public static void main(String[] args) {
        run(args, System.out::println);
    }
}
