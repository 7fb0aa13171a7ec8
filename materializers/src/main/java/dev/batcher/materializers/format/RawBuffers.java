package dev.batcher.materializers.format;

/**
 * Arrays a reader may fill with a raw window instead of allocating new ones, owned by one thread. A
 * window read into them ({@link RecordingReader#readSignal(String, String, RecordingReadException.Window, RawBuffers)})
 * is valid until that thread's next read into the same buffers; its caller decodes it at once.
 *
 * <p>Why: a batch of 32 windows of 8 channels x 30 s at 256 Hz is 3.9 MB of int16 read and then thrown
 * away. As fresh arrays, that was 93% of what a worker process allocated (JFR, docs/benchmarks.md): a
 * young collection every few hundred milliseconds and memory the CPU had to zero and pull into its
 * caches for every window. Windows of one batcher have one shape, so the arrays are reused as they are.
 *
 * <p>An array of a shape other than the last one replaces it; one over {@link #MAX_VALUES} values is
 * handed out and not kept, so a thread holds at most that many of each type.
 */
public final class RawBuffers {
    /** The most values of one type kept (8 channels of 10 min at 256 Hz is 1.2 M). */
    public static final int MAX_VALUES = 1 << 21;

    private short[][] shorts = new short[0][];
    private float[][] floats = new float[0][];

    /**
     * Returns {@code rows} rows of exactly {@code samples} int16 values each, with arbitrary contents, for the
     * caller to overwrite in full.
     *
     * @param rows the number of rows ({@code >= 1})
     * @param samples the length of each row ({@code >= 1})
     * @return the rows
     * @throws IllegalArgumentException if {@code rows} or {@code samples} is below 1
     */
    public short[][] shorts(int rows, int samples) {
        check(rows, samples);
        if (shorts.length == rows && shorts[0].length == samples) {
            return shorts;
        }
        short[][] fresh = new short[rows][samples];
        if ((long) rows * samples <= MAX_VALUES) {
            shorts = fresh;
        }
        return fresh;
    }

    /**
     * Returns {@code rows} rows of exactly {@code samples} float32 values each, as {@link #shorts}.
     *
     * @param rows the number of rows ({@code >= 1})
     * @param samples the length of each row ({@code >= 1})
     * @return the rows
     * @throws IllegalArgumentException if {@code rows} or {@code samples} is below 1
     */
    public float[][] floats(int rows, int samples) {
        check(rows, samples);
        if (floats.length == rows && floats[0].length == samples) {
            return floats;
        }
        float[][] fresh = new float[rows][samples];
        if ((long) rows * samples <= MAX_VALUES) {
            floats = fresh;
        }
        return fresh;
    }

    private static void check(int rows, int samples) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows: " + rows + " (expected: >= 1)");
        }
        if (samples < 1) {
            throw new IllegalArgumentException("samples: " + samples + " (expected: >= 1)");
        }
    }
}
