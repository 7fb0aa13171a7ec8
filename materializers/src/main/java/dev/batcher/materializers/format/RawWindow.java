package dev.batcher.materializers.format;

import dev.batcher.materializers.metadata.SampleType;

import java.util.Objects;

/**
 * A window of raw signal samples as stored on disk, {@code [channels][samples]}: either int16
 * ({@link #shorts()}) or float32 ({@link #floats()}), never decoded with resolution and offset. The
 * arrays are handed over without copying; the caller owns them.
 */
public final class RawWindow {
    private final SampleType type;
    private final short[][] shorts;
    private final float[][] floats;
    private final int channels;
    private final int samples;

    private RawWindow(SampleType type, short[][] shorts, float[][] floats, int channels, int samples) {
        this.type = type;
        this.shorts = shorts;
        this.floats = floats;
        this.channels = channels;
        this.samples = samples;
    }

    /**
     * Wraps int16 samples.
     *
     * @param samples {@code [channels][samples]}, every row the same length
     * @return the window
     * @throws IllegalArgumentException if there are no rows or the rows differ in length
     */
    public static RawWindow ofShorts(short[][] samples) {
        Objects.requireNonNull(samples, "samples");
        int n = checkRows(samples.length, samples.length == 0 ? 0 : samples[0].length);
        for (short[] row : samples) {
            checkRow(row.length, n);
        }
        return new RawWindow(SampleType.INT16, samples, null, samples.length, n);
    }

    /**
     * Wraps float32 samples.
     *
     * @param samples {@code [channels][samples]}, every row the same length
     * @return the window
     * @throws IllegalArgumentException if there are no rows or the rows differ in length
     */
    public static RawWindow ofFloats(float[][] samples) {
        Objects.requireNonNull(samples, "samples");
        int n = checkRows(samples.length, samples.length == 0 ? 0 : samples[0].length);
        for (float[] row : samples) {
            checkRow(row.length, n);
        }
        return new RawWindow(SampleType.FLOAT32, null, samples, samples.length, n);
    }

    private static int checkRows(int rows, int firstLength) {
        if (rows == 0) {
            throw new IllegalArgumentException("channels: 0 (expected: > 0)");
        }
        return firstLength;
    }

    private static void checkRow(int length, int expected) {
        if (length != expected) {
            throw new IllegalArgumentException("row length: " + length + " (expected: " + expected + ", as row 0)");
        }
    }

    /** Returns the element type on disk, which says whether {@link #shorts()} or {@link #floats()} holds the data. */
    public SampleType type() {
        return type;
    }

    /** Returns the number of channels (rows). */
    public int channels() {
        return channels;
    }

    /** Returns the number of samples per channel. */
    public int samples() {
        return samples;
    }

    /**
     * Returns the int16 samples, {@code [channels][samples]}.
     *
     * @return the samples, not copied
     * @throws IllegalStateException if the window holds float32 samples
     */
    public short[][] shorts() {
        if (shorts == null) {
            throw new IllegalStateException("type: " + type + " (expected: INT16 for shorts())");
        }
        return shorts;
    }

    /**
     * Returns the float32 samples, {@code [channels][samples]}.
     *
     * @return the samples, not copied
     * @throws IllegalStateException if the window holds int16 samples
     */
    public float[][] floats() {
        if (floats == null) {
            throw new IllegalStateException("type: " + type + " (expected: FLOAT32 for floats())");
        }
        return floats;
    }

    /** Returns the type and shape, for example {@code RawWindow[INT16, 8 x 7680]}. */
    @Override
    public String toString() {
        return "RawWindow[" + type + ", " + channels + " x " + samples + "]";
    }
}
