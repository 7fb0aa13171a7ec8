package dev.batcher.materializers.hdf5;

import io.jhdf.exceptions.HdfFilterException;
import io.jhdf.filter.DeflatePipelineFilter;
import io.jhdf.filter.Filter;
import io.jhdf.filter.FilterManager;
import java.util.Arrays;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * HDF5's deflate filter (id 1), decoding with the JDK's {@link Inflater} as jhdf's own does, but with
 * one inflater per thread, reset between chunks, inflating the whole chunk in one call into a
 * per-thread buffer sized by the previous chunk. jhdf 0.13.0's filter creates and ends a native
 * inflater for every chunk, inflates 4 KiB per call (32 native calls for a 128 KiB chunk) and copies
 * the result twice through a {@code ByteArrayOutputStream}; this one copies it once, into the exact
 * array the filter returns. The bytes are the same: only the buffering differs.
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
        Inflater inflater = INFLATER.get();
        inflater.reset();
        inflater.setInput(encoded);
        byte[] out = SCRATCH.get();
        int n = 0;
        try {
            while (!inflater.finished()) {
                if (n == out.length) {
                    out = Arrays.copyOf(out, out.length * 2);
                    SCRATCH.set(out);
                }
                int got = inflater.inflate(out, n, out.length - n);
                if (got == 0 && !inflater.finished() && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw new HdfFilterException("deflate: the chunk of " + encoded.length + " bytes ends before its"
                            + " compressed stream does (" + n + " bytes inflated)");
                }
                n += got;
            }
        } catch (DataFormatException e) {
            throw new HdfFilterException("deflate: the chunk of " + encoded.length + " bytes is not a valid zlib stream ("
                    + e.getMessage() + ", after " + n + " bytes inflated)", e);
        }
        return Arrays.copyOf(out, n);
    }

    @Override
    public byte[] encode(byte[] data, int[] filterData) {
        return JHDF.encode(data, filterData);
    }
}
