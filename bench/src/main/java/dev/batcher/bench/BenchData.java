package dev.batcher.bench;

import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.testdata.GenerationReport;
import dev.batcher.testdata.GeneratorOptions;
import dev.batcher.testdata.Layout;
import dev.batcher.testdata.SyntheticDataset;
import io.jhdf.HdfFile;
import io.jhdf.api.dataset.ContiguousDataset;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * The benchmarks' data: synthetic datasets generated with the test-data generator, one directory per
 * layout ({@code contiguous/}, {@code chunked/}, {@code chunked_deflate/}, {@code shuffle_deflate/}),
 * all from the same seed and options, so the layouts hold the same samples. Each directory carries a
 * marker file naming the options it was generated with; a later run with the same options reuses it.
 */
final class BenchData {
    /** The marker file written into each generated directory. */
    static final String MARKER = "bench-data.properties";
    static final long SEED = 1;
    /** Mean channels per recording over the generator's five channel templates (8, 6, 11, 9, 8). */
    private static final double MEAN_CHANNELS = 8.4;
    private static final double SAMPLE_RATE = 256;
    private static final double BYTES_PER_HOUR = 2 * MEAN_CHANNELS * SAMPLE_RATE * 3600;
    private static final double MAX_HOURS_PER_RECORDING = 4;

    private BenchData() {
    }

    /**
     * Returns the generator options for about {@code gb} GB of int16 samples: at least five
     * recordings (one of each channel template), each at most 4 hours (at least 150 s), at 256 Hz,
     * chunks of all channels by 8192 samples, deflate level 4, seed 1.
     */
    static GeneratorOptions options(Layout layout, double gb) {
        double bytes = gb * 1e9;
        int recordings = (int) Math.max(5, Math.ceil(bytes / (MAX_HOURS_PER_RECORDING * BYTES_PER_HOUR)));
        double hours = Math.min(GeneratorOptions.MAX_HOURS,
                Math.max(GeneratorOptions.MIN_HOURS, bytes / (recordings * BYTES_PER_HOUR)));
        return GeneratorOptions.builder().seed(SEED).recordings(recordings).hours(hours, hours).sampleRate(SAMPLE_RATE)
                .layout(layout).chunkShape(0, 8192).deflateLevel(4)
                .threads(Runtime.getRuntime().availableProcessors()).build();
    }

    private static String describe(GeneratorOptions o) {
        return String.format(Locale.ROOT, "seed=%d%nrecordings=%d%nhours=%s%nsampleRate=%s%nlayout=%s%nchunk=%dx%d%n"
                        + "deflateLevel=%d%n", o.seed(), o.recordings(), Double.toString(o.minHours()),
                Double.toString(o.sampleRate()), o.layout(), o.chunkChannels(), o.chunkSamples(), o.deflateLevel());
    }

    /**
     * Returns the directory of one layout's data under {@code dir}, generating (and indexing) it unless
     * an earlier run left data of the same options there.
     *
     * @param dir the benchmark data directory
     * @param layout the layout
     * @param gb gigabytes of int16 samples
     * @param log receives a comment line about what was generated or reused
     * @return the dataset directory, with its {@code labeled_signals.csv}
     * @throws IllegalArgumentException if the layout's directory holds files that are not benchmark data
     * @throws UncheckedIOException if the directory cannot be read or written
     */
    static Path prepare(Path dir, Layout layout, double gb, Consumer<String> log) {
        GeneratorOptions options = options(layout, gb);
        String expected = describe(options);
        Path d = dir.resolve(layout.name().toLowerCase(Locale.ROOT));
        Path marker = d.resolve(MARKER);
        try {
            if (Files.isRegularFile(marker) && Files.readString(marker).equals(expected)) {
                log.accept(Figure.comment("reusing " + layout + " data in " + d));
                return d;
            }
            clear(d);
            GenerationReport report = SyntheticDataset.generate(d, options);
            DatasetIndexer.index(d);
            Files.writeString(marker, expected);
            log.accept(Figure.comment(String.format(Locale.ROOT,
                    "generated %s: %d recordings of %.2f h, %.0f MB of int16 samples, %.0f MB on disk, in %.1f s (%s)",
                    layout, report.recordings().size(), options.minHours(), report.sampleBytes() / 1e6,
                    report.totalBytes() / 1e6, report.elapsed().toMillis() / 1e3, d)));
            return d;
        } catch (IOException e) {
            throw new UncheckedIOException("benchmark data: " + d + " (expected: a readable, writable directory)", e);
        }
    }

    /**
     * Empties a layout directory of benchmark data left by an earlier run with other options. Deletes
     * only the files the benchmark writes, and only where its marker is present.
     */
    private static void clear(Path d) throws IOException {
        if (!Files.exists(d)) {
            return;
        }
        boolean ours = Files.isRegularFile(d.resolve(MARKER));
        List<Path> entries = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(d)) {
            stream.forEach(entries::add);
        }
        if (entries.isEmpty()) {
            return;
        }
        for (Path p : entries) {
            String name = p.getFileName().toString();
            boolean benchFile = name.equals(MARKER) || name.equals(Dataset.TABLE)
                    || name.matches("rec-\\d+\\.h5(\\.tmp)?");
            if (!ours || !benchFile || !Files.isRegularFile(p)) {
                throw new IllegalArgumentException("--dir: " + d + " holds " + name
                        + " (expected: missing, empty, or benchmark data written by an earlier run)");
            }
        }
        Files.delete(d.resolve(MARKER));
        for (Path p : entries) {
            Files.deleteIfExists(p);
        }
    }

    /** Returns the signal files (.h5, .edf) of a generated directory, sorted by name. */
    static List<String> files(Path d) {
        try (Stream<Path> s = Files.list(d)) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".h5") || n.endsWith(".edf")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("benchmark data: " + d + " (expected: a readable directory)", e);
        }
    }

    /**
     * Reads every file under the directories once, so that the page cache holds them.
     *
     * @return the bytes read
     */
    static long warm(List<Path> dirs) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(1 << 20);
        long total = 0;
        for (Path d : dirs) {
            for (String name : files(d)) {
                try (FileChannel ch = FileChannel.open(d.resolve(name), StandardOpenOption.READ)) {
                    long pos = 0;
                    int n;
                    while ((n = ch.read(buffer.clear(), pos)) > 0) {
                        pos += n;
                    }
                    total += pos;
                } catch (IOException e) {
                    throw new UncheckedIOException("benchmark data: " + d.resolve(name) + " (expected: readable)", e);
                }
            }
        }
        return total;
    }

    /**
     * Where a contiguous signal dataset's samples lie in its file.
     *
     * @param address the absolute file offset of sample {@code [0, 0]}
     * @param rows the channels (rows)
     * @param samples the samples per channel; row {@code r} starts at {@code address + 2 * r * samples}
     */
    record Contiguous(long address, int rows, long samples) {
        /** Returns the file offset of int16 sample {@code [row, sample]}. */
        long offset(int row, long sample) {
            return address + 2 * (row * samples + sample);
        }
    }

    /**
     * Finds where the signal dataset of a contiguous file lies.
     *
     * @throws IllegalStateException if the dataset is not contiguous int16
     */
    static Contiguous contiguous(Path file) {
        try (HdfFile hdf = new HdfFile(file)) {
            io.jhdf.api.Dataset ds = hdf.getDatasetByPath(SyntheticDataset.SIGNAL_DATASET);
            if (!(ds instanceof ContiguousDataset c) || ds.getDataType().getSize() != 2) {
                throw new IllegalStateException("file: " + file + " (expected: a contiguous int16 "
                        + SyntheticDataset.SIGNAL_DATASET + " dataset)");
            }
            long[] dims = ds.getDimensionsAsLong();
            return new Contiguous(hdf.getUserBlockSize() + c.getDataAddress(), Math.toIntExact(dims[0]), dims[1]);
        }
    }

    /** Fills {@code buffer} (from its position to its limit) from {@code position} of the channel. */
    static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long pos = position;
        while (buffer.hasRemaining()) {
            int n = channel.read(buffer, pos);
            if (n < 0) {
                throw new EOFException("end of file at " + pos + " (expected: " + buffer.remaining() + " more bytes)");
            }
            pos += n;
        }
    }

    /** Creates a temporary directory for data deleted afterwards. */
    static Path temporaryDir() {
        try {
            return Files.createTempDirectory("batcher-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("temporary directory: cannot create one", e);
        }
    }

    /** Deletes a directory tree; failures are reported as an unchecked exception. */
    static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("temporary directory: " + dir + " (could not delete it)", e);
        }
    }
}
