package dev.batcher.materializers.hdf5;

import io.jhdf.filter.ByteShuffleFilter;
import io.jhdf.filter.Filter;
import io.jhdf.filter.FilterManager;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * HDF5's shuffle filter (id 2) decoded with sequential writes. A shuffled chunk of {@code n} elements
 * of {@code size} bytes holds byte 0 of every element, then byte 1 of every element, and so on, then
 * any bytes left over from a length not a multiple of {@code size} unchanged. jhdf 0.13.0's filter
 * writes the output with a stride of {@code size} bytes (and was the hottest Java frame in a JFR
 * profile of shuffle+gzip batches); this one writes each element whole: for 2- and 4-byte elements
 * it assembles a short or int from its bytes and stores it with one little-endian array store. The
 * output bytes are the same.
 *
 * <p>Installed like {@link InflateFilter}; encoding stays jhdf's.
 */
final class ShuffleFilter implements Filter {
    /** The filter id of shuffle in HDF5. */
    static final int ID = 2;
    private static final Filter JHDF = new ByteShuffleFilter();
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    /** Registers this filter for id 2 with jhdf, replacing jhdf's own. Idempotent. */
    static void install() {
        FilterManager.addFilter(new ShuffleFilter());
    }

    @Override
    public int getId() {
        return ID;
    }

    @Override
    public String getName() {
        return "shuffle";
    }

    @Override
    public byte[] decode(byte[] encoded, int[] filterData) {
        int size = filterData[0];
        if (size <= 1) {
            return encoded;
        }
        int n = encoded.length / size;
        byte[] out = new byte[encoded.length];
        if (size == 2) {
            for (int i = 0; i < n; i++) {
                SHORTS.set(out, 2 * i, (short) ((encoded[i] & 0xff) | (encoded[n + i] << 8)));
            }
        } else if (size == 4) {
            int n2 = 2 * n;
            int n3 = 3 * n;
            for (int i = 0; i < n; i++) {
                INTS.set(out, 4 * i, (encoded[i] & 0xff) | (encoded[n + i] & 0xff) << 8
                        | (encoded[n2 + i] & 0xff) << 16 | encoded[n3 + i] << 24);
            }
        } else {
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < size; j++) {
                    out[i * size + j] = encoded[j * n + i];
                }
            }
        }
        int whole = n * size;
        System.arraycopy(encoded, whole, out, whole, encoded.length - whole);
        return out;
    }

    @Override
    public byte[] encode(byte[] data, int[] filterData) {
        return JHDF.encode(data, filterData);
    }
}
