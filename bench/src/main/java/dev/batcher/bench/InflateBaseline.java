package dev.batcher.bench;

import dev.batcher.testdata.Layout;
import dev.batcher.testdata.SyntheticDataset;
import io.jhdf.HdfFile;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import static dev.batcher.bench.ReadBench.CHANNELS;
import static dev.batcher.bench.ReadBench.SAMPLES;
import static dev.batcher.bench.ReadBench.WINDOW_BYTES;

/**
 * The inflate baseline of one deflate layout: the chunks the first windows touch, built from the
 * contiguous file's bytes and deflated in memory, and per window the chunks to inflate.
 */
final class InflateBaseline {
    private final ReadBench bench;
    final Layout layout;
    final List<byte[][]> perWindow = new ArrayList<>();
    final int chunkBytes;
    long inflatedBytes;

    private record Key(int file, int rowChunk, long sampleChunk) {
    }

    InflateBaseline(ReadBench bench, Layout layout) {
        this.bench = bench;
        this.layout = layout;
        Map<Integer, int[]> chunkShapes = new HashMap<>();
        Map<Key, byte[]> compressed = new HashMap<>();
        int count = Math.min(ReadBench.INFLATE_WINDOWS, bench.windows.size());
        int maxChunk = 0;
        long rawBytes = 0;
        long deflatedBytes = 0;
        for (int i = 0; i < count; i++) {
            ReadBench.Window w = bench.windows.get(i);
            int[] shape = chunkShapes.computeIfAbsent(w.file(), this::chunkShape);
            List<byte[]> chunks = new ArrayList<>();
            for (int rc = 0; rc * shape[0] < CHANNELS; rc++) {
                for (long sc = w.start() / shape[1]; sc <= (w.start() + SAMPLES - 1) / shape[1]; sc++) {
                    Key key = new Key(w.file(), rc, sc);
                    byte[] c = compressed.get(key);
                    if (c == null) {
                        c = deflate(chunk(w.file(), shape, rc, sc));
                        compressed.put(key, c);
                        rawBytes += 2L * shape[0] * shape[1];
                        deflatedBytes += c.length;
                    }
                    chunks.add(c);
                    inflatedBytes += 2L * shape[0] * shape[1];
                    maxChunk = Math.max(maxChunk, 2 * shape[0] * shape[1]);
                }
            }
            perWindow.add(chunks.toArray(new byte[0][]));
        }
        this.chunkBytes = maxChunk;
        bench.emit(Figure.comment(String.format(Locale.ROOT, "%s: %d chunks of %s deflated in memory at level 4 to %.1f%% "
                        + "(%.1f MB); the first %d windows inflate %.2f bytes per byte delivered", layout,
                compressed.size(), describe(chunkShapes), 100.0 * deflatedBytes / rawBytes, deflatedBytes / 1e6, count,
                amplification())));
    }

    double amplification() {
        return (double) inflatedBytes / ((long) perWindow.size() * WINDOW_BYTES);
    }

    private String describe(Map<Integer, int[]> shapes) {
        return shapes.values().stream().map(s -> s[0] + "x" + s[1]).distinct().sorted()
                .reduce((a, b) -> a + ", " + b).orElse("none");
    }

    /** Reads the chunk shape of the layout's file. */
    private int[] chunkShape(int file) {
        Path path = bench.dirs.get(layout).resolve(bench.names.get(file));
        try (HdfFile hdf = new HdfFile(path)) {
            Dataset ds = hdf.getDatasetByPath(SyntheticDataset.SIGNAL_DATASET);
            if (!(ds instanceof ChunkedDataset c)) {
                throw new IllegalStateException("file: " + path + " (expected: a chunked signal dataset)");
            }
            return c.getChunkDimensions().clone();
        }
    }

    /** Builds a chunk's bytes as HDF5 stores them before filtering: row-major, zero-padded past the edges. */
    private byte[] chunk(int file, int[] shape, int rowChunk, long sampleChunk) {
        BenchData.Contiguous c = bench.layouts.get(file);
        byte[] bytes = new byte[2 * shape[0] * shape[1]];
        long first = sampleChunk * shape[1];
        int n = (int) Math.min(shape[1], c.samples() - first);
        for (int r = 0; r < shape[0]; r++) {
            int row = rowChunk * shape[0] + r;
            if (row >= c.rows()) {
                break;
            }
            ByteBuffer target = ByteBuffer.wrap(bytes, 2 * r * shape[1], 2 * n);
            try {
                BenchData.readFully(bench.channels.get(file), target, c.offset(row, first));
            } catch (IOException e) {
                throw new UncheckedIOException("benchmark data: " + bench.names.get(file) + " (expected: readable)", e);
            }
        }
        return layout == Layout.SHUFFLE_DEFLATE ? shuffle(bytes) : bytes;
    }

    /** The HDF5 shuffle filter for 2-byte elements: all first bytes, then all second bytes. */
    private static byte[] shuffle(byte[] bytes) {
        int n = bytes.length / 2;
        byte[] out = new byte[bytes.length];
        for (int i = 0; i < n; i++) {
            out[i] = bytes[2 * i];
            out[n + i] = bytes[2 * i + 1];
        }
        return out;
    }

    private static byte[] deflate(byte[] bytes) {
        Deflater deflater = new Deflater(4);
        try {
            deflater.setInput(bytes);
            deflater.finish();
            byte[] out = new byte[bytes.length + bytes.length / 100 + 64];
            int n = 0;
            while (!deflater.finished()) {
                if (n == out.length) {
                    out = java.util.Arrays.copyOf(out, out.length * 2);
                }
                n += deflater.deflate(out, n, out.length - n);
            }
            return java.util.Arrays.copyOf(out, n);
        } finally {
            deflater.end();
        }
    }

    /** Returns the baseline: inflate each chunk of the window into one reused buffer per thread. */
    Harness.Op op(int threads) {
        Inflater[] inflaters = new Inflater[threads];
        byte[][] outs = new byte[threads][chunkBytes];
        for (int t = 0; t < threads; t++) {
            inflaters[t] = new Inflater();
            bench.inflaters.add(inflaters[t]);
        }
        return (thread, index) -> {
            Inflater inflater = inflaters[thread];
            byte[] buffer = outs[thread];
            for (byte[] chunk : perWindow.get((int) (index % perWindow.size()))) {
                inflater.reset();
                inflater.setInput(chunk);
                int n = 0;
                while (!inflater.finished()) {
                    int k = inflater.inflate(buffer, n, buffer.length - n);
                    if (k == 0 && !inflater.finished() && (inflater.needsInput() || n == buffer.length)) {
                        throw new DataFormatException("chunk does not inflate to at most " + buffer.length + " bytes");
                    }
                    n += k;
                }
                bench.sink.add(buffer[n - 1]);
            }
        };
    }
}
