package dev.batcher.materializers.onda;

import dev.batcher.bench.Harness;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.storage.DatasetLocation;
import dev.batcher.materializers.storage.Storage;
import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.WritableDataset;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Window reads of Onda {@code lpcm} files against the HDF5 contiguous path on the same samples: 8
 * channels x 7680 int16 (30 s at 256 Hz) at 1024 random offsets in 4 recordings of 1 h, read from the
 * page cache through {@link OndaDataset#read} (one positional read, then de-interleaving) and through
 * {@link RecordingFiles#readSignal} (HDF5's positional-read fast path, rows already channel-major), on
 * 1 and 2 threads, in alternating rounds ({@link Harness}); the ratio is HDF5 time / Onda time.
 *
 * <p>It lives in the bench module's test sources (for {@link Harness}) in the package of the
 * materializers' Onda test writers, which it uses. Run from the repository root (the test writers need
 * {@code java.nio} opened):
 * <pre>
 * mvn -q -o install -DskipTests
 * MAVEN_OPTS=--add-opens=java.base/java.nio=ALL-UNNAMED mvn -q -o -pl bench exec:java \
 *     -Dexec.classpathScope=test -Dexec.mainClass=dev.batcher.materializers.onda.OndaReadBench
 * </pre>
 */
public final class OndaReadBench {
    private static final int CHANNELS = 8;
    private static final int WINDOW = 7680;
    private static final int SAMPLES = 256 * 3600;
    private static final int RECORDINGS = 4;
    private static final int WINDOWS = 1024;

    private OndaReadBench() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("onda-read-bench");
        try {
            run(dir);
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }

    private static void run(Path dir) throws Exception {
        List<OndaFixture.Sig> sigs = new ArrayList<>();
        Random random = new Random(1);
        for (int r = 0; r < RECORDINGS; r++) {
            long[][] raw = new long[CHANNELS][SAMPLES];
            short[][] rows = new short[CHANNELS][SAMPLES];
            for (int c = 0; c < CHANNELS; c++) {
                for (int t = 0; t < SAMPLES; t++) {
                    rows[c][t] = (short) random.nextInt();
                    raw[c][t] = rows[c][t];
                }
            }
            OndaFixture.writeSamples(dir, "onda/rec" + r + ".lpcm", OndaFixture.lpcm(LpcmType.INT16, raw));
            Files.createDirectories(dir.resolve("h5"));
            try (WritableHdfFile f = HdfFile.write(dir.resolve("h5/rec" + r + ".h5"))) {
                WritableDataset d = f.putDataset("eeg", rows);
                d.putAttribute("channels", new String[] {"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"});
                d.putAttribute("sample_rate", 256.0);
                d.putAttribute("resolution", 0.1);
                d.putAttribute("offset", 0.0);
                d.putAttribute("unit", new String[] {"uV"});
                d.putAttribute("start_ns", 0.0);
                d.putAttribute("labels", new String[] {"/eeg"});
            }
            sigs.add(new OndaFixture.Sig(new UUID(9, r), "rec" + r + ".lpcm", "lpcm", 0, OndaFixture.stopOf(0, SAMPLES, 256),
                    "eeg", "eeg", List.of("c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7"), "microvolt", 0.1, 0, "int16", 256));
        }
        OndaFixture.writeSignals(dir.resolve("onda/b.onda.signals.arrow"), OndaFixture.signalColumns(sigs), true);
        int[] file = new int[WINDOWS];
        long[] start = new long[WINDOWS];
        for (int i = 0; i < WINDOWS; i++) {
            file[i] = random.nextInt(RECORDINGS);
            start[i] = random.nextInt(SAMPLES - WINDOW);
        }
        try (Storage storage = new Storage(null, dir.resolve("cache"), 1L << 20);
             RecordingFiles h5 = new RecordingFiles(List.of(dir.resolve("h5")), 8);
             Harness harness = new Harness(1_000_000_000L, 4_000_000_000L, 10, 2)) {
            OndaDataset ds = OndaDataset.open(DatasetLocation.of(dir.resolve("onda")), storage);
            for (int i = 0; i < WINDOWS; i++) {   // same samples, and both files in the page cache
                RawWindow a = ds.read(ds.signals().get(file[i]), 0, CHANNELS, start[i], WINDOW);
                RawWindow b = h5.readSignal("rec" + file[i] + ".h5", "/eeg", 0, CHANNELS, start[i], WINDOW);
                for (int c = 0; c < CHANNELS; c++) {
                    if (!Arrays.equals(a.shorts()[c], b.shorts()[c])) {
                        throw new IllegalStateException("window " + i + " channel " + c + ": Onda and HDF5 differ");
                    }
                }
            }
            System.out.printf(Locale.ROOT, "# OndaReadBench: JDK %s, %d CPUs, load average %.1f; %d ch x %d int16 windows, "
                            + "MB/s of int16 delivered; ratio = HDF5 contiguous time / Onda lpcm time%n", Runtime.version(),
                    Runtime.getRuntime().availableProcessors(),
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(), CHANNELS, WINDOW);
            for (int threads : new int[] {1, 2}) {
                Harness.Timing t = harness.compare(threads,
                        (th, idx) -> ds.read(ds.signals().get(file[(int) (idx % WINDOWS)]), 0, CHANNELS,
                                start[(int) (idx % WINDOWS)], WINDOW),
                        (th, idx) -> h5.readSignal("rec" + file[(int) (idx % WINDOWS)] + ".h5", "/eeg", 0, CHANNELS,
                                start[(int) (idx % WINDOWS)], WINDOW));
                System.out.printf(Locale.ROOT, "threads %d: onda lpcm %.0f MB/s, hdf5 contiguous %.0f MB/s, ratio %.2f%n",
                        threads, t.candidateRate(CHANNELS * WINDOW * 2, 1e6), t.baselineRate(CHANNELS * WINDOW * 2, 1e6), t.ratio());
            }
        }
    }
}
