package dev.batcher.materializers.assembly;

import dev.batcher.materializers.format.RawBuffers;
import java.util.Arrays;

/**
 * One thread's reused arrays for processing items, so that a batch is not a stream of fresh, zeroed,
 * item-sized arrays. Why: a JFR allocation profile of a daemon serving 30 s windows had a quarter of all
 * allocated bytes in decoded input rows (each zeroed, then overwritten) and more in the selected
 * channels; reused, they stay in the core's cache. Arrays over {@value #MAX_FLOATS} floats are not kept.
 */
final class Scratch {
    /** The most floats of one kind a thread keeps (8 channels of 10 min at 256 Hz is 1.2 M). */
    static final int MAX_FLOATS = 1 << 21;
    private static final ThreadLocal<Scratch> THREAD = ThreadLocal.withInitial(Scratch::new);

    /**
     * The item this thread is reading in the batch's wait for it and will write out next, or -1: a read of
     * that item on this thread may keep its x in {@link #output} (helpers and fetch threads read other
     * items, and their results wait).
     */
    int sinking = -1;
    /** Raw windows as read, decoded into {@link #rows} at once. */
    final RawBuffers raw = new RawBuffers();
    private float[][] rows = new float[0][];
    private float[] output = new float[0];

    private Scratch() {
    }

    /** Returns this thread's scratch. */
    static Scratch get() {
        return THREAD.get();
    }

    /**
     * Returns {@code count} rows of at least {@code samples} floats, overwritten by the caller before they are
     * read and not kept past the item; new ones when over the bound.
     */
    float[][] rows(int count, int samples) {
        if ((long) count * samples > MAX_FLOATS) {
            return new float[count][samples];
        }
        if (rows.length < count) {
            rows = Arrays.copyOf(rows, count);
        }
        for (int k = 0; k < count; k++) {
            if (rows[k] == null || rows[k].length < samples) {
                rows[k] = new float[samples];
            }
        }
        return count == rows.length ? rows : Arrays.copyOf(rows, count);
    }

    /**
     * Returns an array of exactly {@code floats} floats (it is an item's x, whose length is its size), valid
     * until this thread's next call; a new one when over the bound.
     */
    float[] output(int floats) {
        if (floats > MAX_FLOATS) {
            return new float[floats];
        }
        if (output.length != floats) {
            output = new float[floats];
        }
        return output;
    }
}
