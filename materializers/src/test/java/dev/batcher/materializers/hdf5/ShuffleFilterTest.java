package dev.batcher.materializers.hdf5;

import io.jhdf.filter.ByteShuffleFilter;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The shuffle decoder against jhdf's own, byte for byte, for every element size and leftover length. */
class ShuffleFilterTest {
    @Test
    void decode_anySizeAndLength_sameBytesAsJhdf() {
        Random random = new Random(5);
        ByteShuffleFilter jhdf = new ByteShuffleFilter();
        ShuffleFilter ours = new ShuffleFilter();
        for (int size : new int[] {1, 2, 3, 4, 8}) {
            for (int length : new int[] {0, 1, 7, 64, 1000, 4099, 131072}) {
                byte[] plain = new byte[length];
                random.nextBytes(plain);
                byte[] shuffled = jhdf.encode(plain, new int[] {size});
                assertArrayEquals(jhdf.decode(shuffled.clone(), new int[] {size}), ours.decode(shuffled.clone(), new int[] {size}),
                        "size " + size + ", length " + length);
                assertArrayEquals(plain, ours.decode(shuffled, new int[] {size}), "round trip, size " + size + ", length " + length);
            }
        }
    }
}
