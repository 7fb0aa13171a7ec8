package dev.batcher.materializers.hdf5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jhdf.exceptions.HdfFilterException;
import io.jhdf.filter.DeflatePipelineFilter;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.Deflater;
import org.junit.jupiter.api.Test;

class InflateFilterTest {
    private static byte[] samples(int n, long seed) {
        byte[] b = new byte[n];
        Random r = new Random(seed);
        for (int i = 0; i < n; i += 2) {
            short s = (short) (r.nextInt(600) - 300);
            b[i] = (byte) s;
            if (i + 1 < n) {
                b[i + 1] = (byte) (s >> 8);
            }
        }
        return b;
    }

    private static byte[] deflate(byte[] data, int level) {
        Deflater d = new Deflater(level);
        d.setInput(data);
        d.finish();
        byte[] out = new byte[data.length * 2 + 64];
        int n = d.deflate(out);
        d.end();
        return Arrays.copyOf(out, n);
    }

    @Test
    void decode_chunksOfManySizes_giveTheBytesJhdfsFilterGives() {
        InflateFilter ours = new InflateFilter();
        DeflatePipelineFilter jhdf = new DeflatePipelineFilter();
        // Below, at and far above the first scratch buffer (64 KiB), one after another on the same thread.
        for (int size : new int[] {0, 1, 4096, 65536, 131072, 1 << 20, 7}) {
            byte[] raw = samples(size, size);
            byte[] encoded = deflate(raw, 4);
            assertArrayEquals(raw, ours.decode(encoded, new int[] {4}), "size " + size);
            if (size > 0) { // jhdf's filter refuses an empty chunk ("Zero bytes inflated"); ours returns no bytes
                assertArrayEquals(jhdf.decode(encoded, new int[] {4}), ours.decode(encoded, new int[] {4}), "size " + size);
            }
        }
    }

    @Test
    void decode_truncatedStream_failsNamingTheChunk() {
        byte[] encoded = deflate(samples(100_000, 1), 4);
        HdfFilterException e = assertThrows(HdfFilterException.class,
                () -> new InflateFilter().decode(Arrays.copyOf(encoded, encoded.length / 2), new int[] {4}));
        assertTrue(e.getMessage().startsWith("deflate: the chunk of " + encoded.length / 2 + " bytes ends before"), e.getMessage());
    }

    @Test
    void decode_notZlib_failsNamingTheChunk() {
        HdfFilterException e = assertThrows(HdfFilterException.class,
                () -> new InflateFilter().decode(new byte[] {1, 2, 3, 4, 5, 6, 7, 8}, new int[0]));
        assertTrue(e.getMessage().startsWith("deflate: the chunk of 8 bytes is not a valid zlib stream"), e.getMessage());
    }

    @Test
    void encode_isJhdfsAndRoundTrips() {
        byte[] raw = samples(50_000, 9);
        byte[] encoded = new InflateFilter().encode(raw, new int[] {4});
        assertArrayEquals(new DeflatePipelineFilter().encode(raw, new int[] {4}), encoded);
        assertArrayEquals(raw, new InflateFilter().decode(encoded, new int[] {4}));
    }
}
