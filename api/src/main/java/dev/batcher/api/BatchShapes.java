package dev.batcher.api;

import java.util.Arrays;

/**
 * The shapes of a batch's two tensors and where they sit in its flat form: x, float32
 * little-endian, from byte 0; y, int32 little-endian, from byte {@link #yOffset()} (right after x);
 * {@link #bytes()} in all. This flat form is the payload of the wire protocol's {@code BATCH} and
 * {@code JOB_RESULT} frames and the content of a shared-memory slot; the protocol writes and reads
 * the shapes in frame headers (and adds its own limit on the payload size).
 *
 * @param xShape the shape of x, batch dimension first
 * @param yShape the shape of y, batch dimension first
 */
public record BatchShapes(int[] xShape, int[] yShape) {
    /**
     * Checks the shapes and copies them.
     *
     * @throws NullPointerException if a shape is null
     * @throws IllegalArgumentException if a shape is empty or has a negative dimension
     */
    public BatchShapes {
        xShape = check("xShape", xShape);
        yShape = check("yShape", yShape);
    }

    private static int[] check(String name, int[] shape) {
        int[] copy = shape.clone();
        if (copy.length == 0 || Arrays.stream(copy).anyMatch(d -> d < 0)) {
            throw new IllegalArgumentException(name + ": " + Arrays.toString(copy)
                    + " (expected: a non-empty array of dimensions >= 0, batch first)");
        }
        return copy;
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
        return elements(xShape);
    }

    /** Returns the number of elements of y. */
    public long yElements() {
        return elements(yShape);
    }

    /** Returns the bytes of x. */
    public long xBytes() {
        return 4 * xElements();
    }

    /** Returns where y starts: right after x. */
    public long yOffset() {
        return xBytes();
    }

    /** Returns the bytes of x and y together: {@code 4 × (elements of x + elements of y)}. */
    public long bytes() {
        return xBytes() + 4 * yElements();
    }

    /**
     * Returns the product of the dimensions, saturating at {@code Long.MAX_VALUE / 8} so that the
     * byte counts above stay positive for any shape.
     *
     * @param shape dimensions, each {@code >= 0}
     * @return the number of elements
     */
    public static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d != 0 && n > Long.MAX_VALUE / 8 / d) {
                n = Long.MAX_VALUE / 8;
            } else {
                n *= d;
            }
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BatchShapes s && Arrays.equals(xShape, s.xShape) && Arrays.equals(yShape, s.yShape);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(xShape) + Arrays.hashCode(yShape);
    }

    @Override
    public String toString() {
        return "BatchShapes[x=float32" + Arrays.toString(xShape) + ", y=int32" + Arrays.toString(yShape) + "]";
    }
}
