package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.kernels.Kernels;
import io.jhdf.api.Dataset;
import io.jhdf.api.dataset.ChunkedDataset;
import io.jhdf.dataset.chunked.ChunkedDatasetBase;
import io.jhdf.exceptions.HdfFilterException;
import io.jhdf.filter.PipelineFilterWithData;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Decodes a chunk for {@link ChunkedWindows}, leaving a final shuffle undone when it can: the window
 * copy then unshuffles just the cells it needs, straight into the window's rows.
 *
 * <p>Why: on shuffle+gzip data a random 30 s window covers about two chunks but needs about half of
 * each, and jhdf's pipeline unshuffles every chunk whole into a fresh array before the window copies
 * its part out. A JFR allocation profile of a daemon serving such batches (docs/benchmarks.md) had
 * 23% of all allocated bytes in the unshuffled arrays and 20% in the inflater's output copies, and
 * the unshuffle loop was the hottest Java frame. Here a chunk is inflated once, from jhdf's raw chunk
 * buffer straight into an array of the chunk's exact size (the one the chunk cache keeps), and stays
 * shuffled.
 *
 * <p>The deferred plan applies when shuffle is the first filter of the pipeline (so its decoding is
 * the last step), its element size is the sample size, and the other filters are deflate and
 * Fletcher-32. Any other pipeline is decoded by jhdf, fully, as before. Like jhdf 0.13.0, every filter
 * of the pipeline is applied to every chunk (chunk filter masks are not read).
 */
final class ChunkDecoder {
    /**
     * How a dataset's chunks are decoded; the same for every chunk of the dataset.
     *
     * @param shuffled the element size whose shuffle is left undone (2 or 4), or 0 when chunks are decoded fully
     * @param inner the filters after the shuffle in encoding order, undone from the last, when {@code shuffled > 0}
     */
    record Plan(int shuffled, List<PipelineFilterWithData> inner) {
        static final Plan FULL = new Plan(0, List.of());
    }

    private static final Fletcher32Filter FLETCHER32 = new Fletcher32Filter();
    /** The int16 unshuffle's kernels (the Vector API's ran about 9x the scalar loop in a micro-benchmark here). */
    private static final Kernels KERNELS = Kernels.defaults();

    private ChunkDecoder() {
    }

    /** Returns how to decode the chunks of {@code dataset}, whose samples are {@code size} bytes. */
    static Plan plan(Dataset dataset, int size) {
        if (!(dataset instanceof ChunkedDatasetBase base)) {
            return Plan.FULL;
        }
        List<PipelineFilterWithData> filters = base.getFilters();
        if (filters == null || filters.isEmpty() || filters.get(0).getId() != ShuffleFilter.ID) {
            return Plan.FULL;
        }
        int[] data = filters.get(0).getFilterData();
        if (data == null || data.length < 1 || data[0] != size) {
            return Plan.FULL;
        }
        for (PipelineFilterWithData f : filters.subList(1, filters.size())) {
            if (f.getId() != InflateFilter.ID && f.getId() != Fletcher32Filter.ID) {
                return Plan.FULL;
            }
        }
        return new Plan(size, List.copyOf(filters.subList(1, filters.size())));
    }

    /**
     * Decodes the chunk at {@code offset}: fully (jhdf's pipeline) or, under a deferred plan, all but
     * the shuffle, into an array of {@code expected} bytes.
     *
     * @throws HdfFilterException if a filter fails (a corrupt stream, a checksum mismatch) or the chunk
     *     inflates to other than {@code expected} bytes
     */
    static byte[] decode(ChunkedDataset dataset, Plan plan, int[] offset, int expected) {
        if (plan.shuffled() == 0) {
            return dataset.getDecompressedChunk(offset);
        }
        ByteBuffer raw = dataset.getRawChunkBuffer(offset);
        byte[] bytes = null;
        for (int i = plan.inner().size() - 1; i >= 0; i--) {
            PipelineFilterWithData f = plan.inner().get(i);
            if (f.getId() == InflateFilter.ID) {
                // The last step before the shuffle inflates into the array the cache keeps; an earlier one cannot know its size.
                bytes = InflateFilter.inflate(bytes == null ? raw : ByteBuffer.wrap(bytes), i == 0 ? expected : -1);
            } else {
                bytes = FLETCHER32.decode(bytes == null ? copy(raw) : bytes, f.getFilterData());
            }
        }
        return bytes == null ? copy(raw) : bytes;
    }

    private static byte[] copy(ByteBuffer raw) {
        byte[] b = new byte[raw.remaining()];
        raw.duplicate().get(b);
        return b;
    }

    /**
     * Copies {@code len} int16 values of a shuffled chunk of {@code n} elements, from element {@code from}, into {@code out}.
     * A shuffled chunk holds byte 0 of every element, then byte 1 of every element.
     */
    static void unshuffleShorts(byte[] chunk, int n, int from, boolean littleEndian, short[] out, int at, int len) {
        KERNELS.unshuffle16(chunk, littleEndian ? from : n + from, littleEndian ? n + from : from, out, at, len);
    }

    /** As {@link #unshuffleShorts}, for float32 values (four byte planes). */
    static void unshuffleFloats(byte[] chunk, int n, int from, boolean littleEndian, float[] out, int at, int len) {
        int b0 = littleEndian ? from : 3 * n + from;
        int b1 = littleEndian ? n + from : 2 * n + from;
        int b2 = littleEndian ? 2 * n + from : n + from;
        int b3 = littleEndian ? 3 * n + from : from;
        for (int j = 0; j < len; j++) {
            out[at + j] = Float.intBitsToFloat((chunk[b0 + j] & 0xff) | (chunk[b1 + j] & 0xff) << 8
                    | (chunk[b2 + j] & 0xff) << 16 | chunk[b3 + j] << 24);
        }
    }
}
