package dev.batcher.materializers.onda;

import com.github.luben.zstd.ZstdOutputStream;
import dev.batcher.materializers.onda.ArrowTableWriter.Column;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.function.Function;

/**
 * Builds Onda datasets for tests, to the published schema ({@code onda.signal@2},
 * {@code onda.annotation@1}): sample files as interleaved little-endian LPCM (zstd-compressed as a
 * stream without a content size, as Julia's CodecZstd writes), tables with {@link ArrowTableWriter}.
 */
final class OndaFixture {
    /** One signal row and its raw samples ({@code [channels][samples]} as long bits or doubles). */
    record Sig(UUID recording, String filePath, String format, long startNs, long stopNs, String sensorType,
               String sensorLabel, List<String> channels, String unit, double resolution, double offset,
               String sampleType, double rate) {
    }

    /** One annotation row. */
    record Ann(UUID recording, UUID id, long startNs, long stopNs, String value) {
    }

    private OndaFixture() {
    }

    /** Returns {@code samples} raw values per channel of {@code type}, including its extremes. */
    static long[][] rawInts(LpcmType type, int channels, int samples, long seed) {
        Random r = new Random(seed);
        long[][] out = new long[channels][samples];
        for (int c = 0; c < channels; c++) {
            for (int t = 0; t < samples; t++) {
                long v = r.nextLong();
                out[c][t] = switch (type) {
                    case INT8 -> (byte) v;
                    case UINT8 -> v & 0xFF;
                    case INT16 -> (short) v;
                    case UINT16 -> v & 0xFFFF;
                    case INT32 -> (int) v;
                    case UINT32 -> v & 0xFFFF_FFFFL;
                    case INT64, UINT64 -> v;
                    case FLOAT32 -> Float.floatToRawIntBits((float) r.nextGaussian() * 100);
                    case FLOAT64 -> Double.doubleToRawLongBits(r.nextGaussian() * 100);
                };
            }
        }
        // The extremes of the type in the first samples of channel 0.
        if (type != LpcmType.FLOAT32 && type != LpcmType.FLOAT64 && samples >= 2) {
            int bits = type.width() * 8;
            boolean unsigned = type.name().startsWith("U");
            out[0][0] = unsigned ? 0 : (bits == 64 ? Long.MIN_VALUE : -(1L << (bits - 1)));
            out[0][1] = unsigned ? (bits == 64 ? -1L : (1L << bits) - 1) : (bits == 64 ? Long.MAX_VALUE : (1L << (bits - 1)) - 1);
        }
        return out;
    }

    /** Encodes raw values (float types as their bits) as interleaved little-endian LPCM. */
    static byte[] lpcm(LpcmType type, long[][] raw) {
        int channels = raw.length;
        int samples = raw[0].length;
        ByteBuffer b = ByteBuffer.allocate(channels * samples * type.width()).order(ByteOrder.LITTLE_ENDIAN);
        for (int t = 0; t < samples; t++) {
            for (int c = 0; c < channels; c++) {
                long v = raw[c][t];
                switch (type.width()) {
                    case 1 -> b.put((byte) v);
                    case 2 -> b.putShort((short) v);
                    case 4 -> b.putInt((int) v);
                    default -> b.putLong(v);
                }
            }
        }
        return b.array();
    }

    /** Compresses with a zstd stream (no content size in the frame header). */
    static byte[] zst(byte[] data) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (OutputStream out = new ZstdOutputStream(bytes, 3)) {
            out.write(data);
        }
        return bytes.toByteArray();
    }

    /** Returns the stop of a span of {@code samples} samples from {@code startNs}, as Onda.jl computes it. */
    static long stopOf(long startNs, long samples, double rate) {
        return startNs + (long) Math.ceil(samples * 1e9 / rate);
    }

    /** Returns the signals table's columns, in schema order. */
    static List<Column> signalColumns(List<Sig> sigs) {
        List<Column> cols = new ArrayList<>();
        cols.add(new Column(ArrowTableWriter.uuid("recording"), map(sigs, Sig::recording)));
        cols.add(new Column(ArrowTableWriter.text("file_path"), map(sigs, Sig::filePath)));
        cols.add(new Column(ArrowTableWriter.text("file_format"), map(sigs, Sig::format)));
        cols.add(new Column(ArrowTableWriter.span("span"), map(sigs, s -> new long[] {s.startNs(), s.stopNs()})));
        cols.add(new Column(ArrowTableWriter.text("sensor_type"), map(sigs, Sig::sensorType)));
        cols.add(new Column(ArrowTableWriter.text("sensor_label"), map(sigs, Sig::sensorLabel)));
        cols.add(new Column(ArrowTableWriter.textList("channels"), map(sigs, Sig::channels)));
        cols.add(new Column(ArrowTableWriter.text("sample_unit"), map(sigs, Sig::unit)));
        cols.add(new Column(ArrowTableWriter.float64("sample_resolution_in_unit"), map(sigs, Sig::resolution)));
        cols.add(new Column(ArrowTableWriter.float64("sample_offset_in_unit"), map(sigs, Sig::offset)));
        cols.add(new Column(ArrowTableWriter.text("sample_type"), map(sigs, Sig::sampleType)));
        cols.add(new Column(ArrowTableWriter.float64("sample_rate"), map(sigs, Sig::rate)));
        return cols;
    }

    /** Returns the annotations table's columns. */
    static List<Column> annotationColumns(List<Ann> anns) {
        List<Column> cols = new ArrayList<>();
        cols.add(new Column(ArrowTableWriter.uuid("recording"), map(anns, Ann::recording)));
        cols.add(new Column(ArrowTableWriter.uuid("id"), map(anns, Ann::id)));
        cols.add(new Column(ArrowTableWriter.span("span"), map(anns, a -> new long[] {a.startNs(), a.stopNs()})));
        cols.add(new Column(ArrowTableWriter.text("value"), map(anns, Ann::value)));
        return cols;
    }

    static void writeSignals(Path table, List<Column> columns, boolean fileFormat) throws IOException {
        ArrowTableWriter.write(table, columns, Map.of(OndaTables.LEGOLAS_KEY, OndaTables.SIGNAL_V2), fileFormat, 2);
    }

    static void writeAnnotations(Path table, List<Column> columns, boolean fileFormat) throws IOException {
        ArrowTableWriter.write(table, columns, Map.of(OndaTables.LEGOLAS_KEY, OndaTables.ANNOTATION_V1), fileFormat, 3);
    }

    /** Writes a sample file (creating directories) and returns its path. */
    static Path writeSamples(Path root, String relative, byte[] bytes) throws IOException {
        Path p = root.resolve(relative);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    private static <T> List<Object> map(List<T> rows, Function<T, Object> f) {
        List<Object> out = new ArrayList<>();
        rows.forEach(r -> out.add(f.apply(r)));
        return out;
    }
}
