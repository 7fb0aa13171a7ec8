package dev.batcher.api;

import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * A materialised batch: {@code x}, float32 {@code [batch, channels, samples]} (or the featuriser's
 * shape after the batch dimension), and {@code y}, int32 {@code [batch, label channels, label
 * samples]}, each contiguous and row-major. A batch owns its memory; {@link #close} releases it, and
 * the views must not be used after that.
 */
public interface Batch extends AutoCloseable {

    /** Returns the shape of x, batch dimension first. */
    int[] xShape();

    /** Returns the shape of y, batch dimension first. */
    int[] yShape();

    /**
     * Returns a read-only view of x, positioned at 0, without copying.
     *
     * @throws IllegalStateException if the batch is closed
     */
    FloatBuffer x();

    /**
     * Returns a read-only view of y, positioned at 0, without copying. Label {@code -1} marks an
     * epoch that an earlier window of a sequential source already covered.
     *
     * @throws IllegalStateException if the batch is closed
     */
    IntBuffer y();

    /** Releases the batch's memory. Idempotent. */
    @Override
    void close();
}
