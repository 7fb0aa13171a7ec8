package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RawBuffers;
import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.metadata.SampleType;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.object.datatype.DataType;
import io.jhdf.object.datatype.FixedPoint;
import io.jhdf.object.datatype.FloatingPoint;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads windows of two-dimensional chunked int16/float32 datasets chunk by chunk through a
 * {@link ChunkCache}, so that windows sharing a chunk (in one batch, or close in time) decode it once.
 * {@link ChunkDecoder} decodes each chunk, leaving a final shuffle undone where it can; this copies the
 * window's part of each chunk out in the dataset's byte order, unshuffling just those cells. The values
 * are those of jhdf's {@code getData(offset, shape)}: chunks are stored whole, edge chunks included,
 * and only the cells inside the window are copied.
 */
final class ChunkedWindows {
    private ChunkedWindows() {
    }

    /** Tells whether {@link #read} reads this dataset: 2-d, chunked, int16/float32 in a known byte order. */
    static boolean readable(Dataset dataset, SampleType type) {
        if (!(dataset instanceof ChunkedDataset chunked) || dataset.getDimensions().length != 2) {
            return false;
        }
        int[] chunk = chunked.getChunkDimensions();
        if (chunk.length != 2 || chunk[0] < 1 || chunk[1] < 1) {
            return false;
        }
        ByteOrder order = order(dataset.getDataType());
        return order != null && dataset.getDataType().getSize() == (type == SampleType.INT16 ? 2 : 4);
    }

    private static ByteOrder order(DataType type) {
        ByteOrder order;
        if (type instanceof FixedPoint fixed && fixed.isSigned() && fixed.getBitOffset() == 0
                && fixed.getBitPrecision() == 16 && type.getSize() == 2) {
            order = fixed.getByteOrder();
        } else if (type instanceof FloatingPoint floating && floating.getBitOffset() == 0
                && floating.getBitPrecision() == 32 && type.getSize() == 4) {
            order = floating.getByteOrder();
        } else {
            return null;
        }
        return order == ByteOrder.LITTLE_ENDIAN || order == ByteOrder.BIG_ENDIAN ? order : null;
    }

    /**
     * Reads a checked window (inside the dataset) of a dataset {@link #readable} says yes to, into
     * {@code into}'s arrays unless it is null (every value of the window is written).
     *
     * @throws IllegalStateException if a decoded chunk is not of the chunk's full size
     * @throws InterruptedException if interrupted while waiting for another thread's decode of a chunk
     * @throws RuntimeException what jhdf throws decoding a chunk
     */
    static RawWindow read(ChunkCache cache, Handle handle, String path, Dataset dataset, SampleType type, Window window,
                          RawBuffers into) throws InterruptedException {
        ChunkedDataset chunked = (ChunkedDataset) dataset;
        int[] chunk = chunked.getChunkDimensions();
        ByteOrder order = order(dataset.getDataType());
        int size = type == SampleType.INT16 ? 2 : 4;
        int rows = (int) window.rows();
        int count = (int) window.count();
        int firstRow = Math.toIntExact(window.firstRow());
        int start = Math.toIntExact(window.start());
        short[][] shorts = type != SampleType.INT16 ? null : into == null ? new short[rows][count] : into.shorts(rows, count);
        float[][] floats = type == SampleType.INT16 ? null : into == null ? new float[rows][count] : into.floats(rows, count);
        int elements = Math.multiplyExact(chunk[0], chunk[1]);
        int expected = Math.multiplyExact(elements, size);
        ChunkDecoder.Plan plan = ChunkDecoder.plan(dataset, size);
        boolean shuffled = plan.shuffled() > 0;
        boolean little = order == ByteOrder.LITTLE_ENDIAN;
        for (int cr = firstRow / chunk[0] * chunk[0]; cr < firstRow + rows; cr += chunk[0]) {
            for (int cc = start / chunk[1] * chunk[1]; cc < start + count; cc += chunk[1]) {
                int[] offset = {cr, cc};
                byte[] bytes = cache.get(new ChunkCache.Key(handle, path, cr, cc),
                        () -> ChunkDecoder.decode(chunked, plan, offset, expected));
                if (bytes.length != expected) {
                    throw new IllegalStateException("chunk at " + cr + ", " + cc + " of " + path + ": " + bytes.length
                            + " bytes decoded (expected: " + expected + ", the chunk's full size)");
                }
                ByteBuffer b = shuffled ? null : ByteBuffer.wrap(bytes).order(order);
                int r0 = Math.max(cr, firstRow);
                int r1 = Math.min(cr + chunk[0], firstRow + rows);
                int c0 = Math.max(cc, start);
                int c1 = Math.min(cc + chunk[1], start + count);
                for (int r = r0; r < r1; r++) {
                    int from = (r - cr) * chunk[1] + (c0 - cc);
                    if (shuffled && shorts != null) {
                        ChunkDecoder.unshuffleShorts(bytes, elements, from, little, shorts[r - firstRow], c0 - start, c1 - c0);
                    } else if (shuffled) {
                        ChunkDecoder.unshuffleFloats(bytes, elements, from, little, floats[r - firstRow], c0 - start, c1 - c0);
                    } else if (shorts != null) {
                        b.asShortBuffer().get(from, shorts[r - firstRow], c0 - start, c1 - c0);
                    } else {
                        b.asFloatBuffer().get(from, floats[r - firstRow], c0 - start, c1 - c0);
                    }
                }
            }
        }
        return shorts != null ? RawWindow.ofShorts(shorts) : RawWindow.ofFloats(floats);
    }
}
