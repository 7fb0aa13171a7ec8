package dev.batcher.materializers.hdf5;

import io.jhdf.exceptions.HdfFilterException;
import io.jhdf.filter.DeflatePipelineFilter;
import io.jhdf.filter.Filter;
import io.jhdf.filter.FilterManager;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * HDF5's deflate filter (id 1), decoding with the JDK's {@link Inflater} as jhdf's own does, but with
 * one inflater per thread, reset between chunks, inflating the whole chunk in one call into a
 * per-thread buffer sized by the previous chunk. jhdf 0.13.0's filter creates and ends a native
 * inflater for every chunk, inflates 4 KiB per call (32 native calls for a 128 KiB chunk) and copies
 * the result twice through a {@code ByteArrayOutputStream}; this one copies it once, into the exact
 * array the filter returns, or not at all when the caller knows the inflated size ({@link #inflate},
 * which {@code ChunkDecoder} uses with the chunk's size). The bytes are the same: only the buffering differs.
 *
 * <p>Installed like {@link Fletcher32Filter}, after jhdf's filters and those found by {@code ServiceLoader}.
 * Encoding (jhdf writing a deflate dataset) is jhdf's own.
 */
final class InflateFilter implements Filter {
    /** The filter id of deflate in HDF5. */
    static final int ID = 1;
    private static final int MIN_SCRATCH = 64 * 1024;
    /** Writing (the test-data generator writes deflate datasets with jhdf) stays jhdf's. */
    private static final Filter JHDF = new DeflatePipelineFilter();

    private static final ThreadLocal<Inflater> INFLATER = ThreadLocal.withInitial(Inflater::new);
    private static final ThreadLocal<byte[]> SCRATCH = ThreadLocal.withInitial(() -> new byte[MIN_SCRATCH]);

    /** Registers this filter for id 1 with jhdf, replacing jhdf's own. Idempotent. */
    static void install() {
        FilterManager.addFilter(new InflateFilter());
    }

    @Override
    public int getId() {
        return ID;
    }

    @Override
    public String getName() {
        return "deflate";
    }

    @Override
    public byte[] decode(byte[] encoded, int[] filterData) {
        return inflate(ByteBuffer.wrap(encoded), -1);
    }

    /**
     * Inflates a zlib stream on this thread's inflater.
     *
     * @param encoded the stream, from its position to its limit (the position is not moved)
     * @param expected the inflated size when known: the stream is inflated straight into an array of that
     *     size; or -1: through this thread's scratch buffer, then copied to an array of the size it had
     * @return the inflated bytes
     * @throws HdfFilterException if the stream is not valid zlib, ends early, or (with {@code expected})
     *     inflates to another size
     */
    static byte[] inflate(ByteBuffer encoded, int expected) {
        Inflater inflater = INFLATER.get();
        inflater.reset();
        int length = encoded.remaining();
        inflater.setInput(encoded.duplicate());
        byte[] out = expected >= 0 ? new byte[expected] : SCRATCH.get();
        int n = 0;
        try {
            while (!inflater.finished()) {
                if (n == out.length) {
                    if (expected >= 0) {
                        if (inflater.inflate(new byte[1]) > 0) {
                            throw new HdfFilterException("deflate: the chunk of " + length + " bytes inflates to more than "
                                    + expected + " bytes (expected: " + expected + ", the chunk's size)");
                        }
                        if (!inflater.finished()) {
                            throw new HdfFilterException("deflate: the chunk of " + length + " bytes ends before its"
                                    + " compressed stream does (" + n + " bytes inflated)");
                        }
                        break;
                    }
                    out = Arrays.copyOf(out, out.length * 2);
                    SCRATCH.set(out);
                }
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new HdfFilterException("deflate: the chunk of " + length + " bytes ends before its"
                            + " compressed stream does (" + n + " bytes inflated)");
                }
                n += got;
            }
        } catch (DataFormatException e) {
            throw new HdfFilterException("deflate: the chunk of " + length + " bytes is not a valid zlib stream ("
                    + e.getMessage() + ", after " + n + " bytes inflated)", e);
        }
        if (expected >= 0) {
            if (n != expected) {
                throw new HdfFilterException("deflate: the chunk of " + length + " bytes inflates to " + n
                        + " bytes (expected: " + expected + ", the chunk's size)");
            }
            return out;
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public byte[] encode(byte[] data, int[] filterData) {
        return JHDF.encode(data, filterData);
    }
}
