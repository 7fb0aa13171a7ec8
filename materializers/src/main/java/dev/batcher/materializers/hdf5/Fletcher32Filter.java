package dev.batcher.materializers.hdf5;

import io.jhdf.filter.Filter;
import io.jhdf.filter.FilterManager;

import java.util.Arrays;
import java.util.Locale;

/**
 * HDF5's Fletcher32 filter (id 3), verifying: it checks the checksum stored after each chunk and
 * fails on a mismatch, where jhdf 0.13.0's own filter for id 3 only logs that checksums will not be
 * verified and passes the bytes through.
 *
 * <p>Layout of a chunk written with the filter (the checksum covers the bytes before it, as the
 * previous filter of the pipeline left them):
 * <pre>
 * +--------------------------+-------------------------------+
 * | data (n bytes)           | fletcher32(data), 4 bytes, LE |
 * +--------------------------+-------------------------------+
 * </pre>
 * The sum runs over big-endian 16-bit words (a trailing odd byte is the high byte of a last word),
 * both sums folded to 16 bits, checksum {@code sum2 << 16 | sum1}. Like libhdf5, a chunk also
 * passes when the stored value equals the checksum with the bytes of each 16-bit half swapped (what
 * libhdf5 before 1.6.3 wrote on little-endian machines).
 *
 * <p>jhdf's {@link FilterManager} keeps one filter per id, the last one added winning: its own
 * filters first, then those found by {@code ServiceLoader}. {@link #install()} adds this one after
 * both, so it wins whatever the class path holds. Stateless, so one instance serves every thread.
 */
final class Fletcher32Filter implements Filter {
    /** The filter id of Fletcher32 in HDF5. */
    static final int ID = 3;
    private static final int CHECKSUM_BYTES = 4;

    /** Registers the verifying filter for id 3 with jhdf, replacing jhdf's own. Idempotent. */
    static void install() {
        FilterManager.addFilter(new Fletcher32Filter());
    }

    @Override
    public int getId() {
        return ID;
    }

    @Override
    public String getName() {
        return "fletcher32";
    }

    /**
     * Checks the checksum at the end of {@code encoded} and returns the bytes before it.
     *
     * @throws ChecksumException if the chunk is shorter than a checksum or the checksum does not match
     */
    @Override
    public byte[] decode(byte[] encoded, int[] filterData) {
        if (encoded.length < CHECKSUM_BYTES) {
            throw new ChecksumException("fletcher32: a chunk of " + encoded.length
                    + " bytes (expected: at least 4, the stored checksum)");
        }
        int n = encoded.length - CHECKSUM_BYTES;
        int stored = (encoded[n] & 0xff) | (encoded[n + 1] & 0xff) << 8 | (encoded[n + 2] & 0xff) << 16
                | (encoded[n + 3] & 0xff) << 24;
        int computed = checksum(encoded, n);
        if (stored != computed && stored != swapHalves(computed)) {
            throw new ChecksumException(String.format(Locale.ROOT,
                    "fletcher32 checksum: 0x%08x computed (expected: 0x%08x, the checksum stored with the chunk; "
                            + "data error detected by Fletcher32 checksum; the data is corrupt)", computed, stored));
        }
        return Arrays.copyOf(encoded, n);
    }

    /** Returns the Fletcher32 checksum of {@code data[0, length)} as HDF5 computes it. */
    static int checksum(byte[] data, int length) {
        long sum1 = 0;
        long sum2 = 0;
        int words = length / 2;
        int i = 0;
        while (words > 0) {
            // 360 words at most between folds keep both sums far from overflowing (as in libhdf5).
            int block = Math.min(words, 360);
            words -= block;
            for (int k = 0; k < block; k++, i += 2) {
                sum1 += (data[i] & 0xff) << 8 | (data[i + 1] & 0xff);
                sum2 += sum1;
            }
            sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        }
        if ((length & 1) != 0) {
            sum1 += (data[length - 1] & 0xff) << 8;
            sum2 += sum1;
            sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
            sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        }
        sum1 = (sum1 & 0xffff) + (sum1 >>> 16);
        sum2 = (sum2 & 0xffff) + (sum2 >>> 16);
        return (int) (sum2 << 16 | sum1);
    }

    /** Swaps the two bytes of each 16-bit half: the checksum libhdf5 before 1.6.3 stored. */
    private static int swapHalves(int v) {
        return (v & 0xff00ff00) >>> 8 | (v & 0x00ff00ff) << 8;
    }

    /** A chunk's checksum does not match its data; {@link ChunkCheck} adds the file, dataset and chunk. */
    static final class ChecksumException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ChecksumException(String message) {
            super(message, null, false, false);
        }
    }
}
