package dev.batcher.materializers.materialize;

import java.util.Arrays;

/**
 * The shapes of a batch and where its tensors sit in its wire form: x, float32 little-endian, from
 * byte 0; y, int32 little-endian, from byte {@link #yOffset()} (right after x); {@link #bytes()} in
 * all.
 *
 * @param xShape the shape of x, batch dimension first
 * @param yShape the shape of y, batch dimension first
 */
public record BatchLayout(int[] xShape, int[] yShape) {
    /**
     * Copies the shapes.
     *
     * @throws IllegalArgumentException if a dimension is negative
     */
    public BatchLayout {
        xShape = xShape.clone();
        yShape = yShape.clone();
        for (int d : xShape) {
            if (d < 0) {
                throw new IllegalArgumentException("xShape: " + Arrays.toString(xShape) + " (expected: dimensions >= 0)");
            }
        }
        for (int d : yShape) {
            if (d < 0) {
                throw new IllegalArgumentException("yShape: " + Arrays.toString(yShape) + " (expected: dimensions >= 0)");
            }
        }
    }

    @Override
    public int[] xShape() {
        return xShape.clone();
    }

    @Override
    public int[] yShape() {
        return yShape.clone();
    }

    /** Returns the number of elements of x. */
    public long xElements() {
        return ArrayBatch.elements(xShape);
    }

    /** Returns the number of elements of y. */
    public long yElements() {
        return ArrayBatch.elements(yShape);
    }

    /** Returns the bytes of x. */
    public long xBytes() {
        return 4 * xElements();
    }

    /** Returns where y starts: right after x. */
    public long yOffset() {
        return xBytes();
    }

    /** Returns the bytes of x and y together. */
    public long bytes() {
        return xBytes() + 4 * yElements();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchLayout l && Arrays.equals(xShape, l.xShape) && Arrays.equals(yShape, l.yShape);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(xShape) + Arrays.hashCode(yShape);
    }

    @Override
    public String toString() {
        return "BatchLayout[x=" + Arrays.toString(xShape) + ", y=" + Arrays.toString(yShape) + "]";
    }
}
