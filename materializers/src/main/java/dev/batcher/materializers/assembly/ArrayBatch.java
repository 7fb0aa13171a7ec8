package dev.batcher.materializers.assembly;

import dev.batcher.api.Batch;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;

/** A batch held in Java arrays, as the in-process materializer makes it. */
public final class ArrayBatch implements Batch {
    private final int[] xShape;
    private final int[] yShape;
    private float[] x;
    private int[] y;

    /**
     * Wraps arrays without copying; the batch takes ownership of them.
     *
     * @param xShape the shape of x
     * @param x x's elements, row-major
     * @param yShape the shape of y
     * @param y y's elements, row-major
     * @throws IllegalArgumentException if an array's length is not the product of its shape
     */
    public ArrayBatch(int[] xShape, float[] x, int[] yShape, int[] y) {
        this.xShape = xShape.clone();
        this.yShape = yShape.clone();
        if (elements(xShape) != x.length || elements(yShape) != y.length) {
            throw new IllegalArgumentException("x: " + x.length + " and y: " + y.length + " elements (expected: "
                    + elements(xShape) + " for shape " + Arrays.toString(xShape) + " and " + elements(yShape)
                    + " for shape " + Arrays.toString(yShape) + ")");
        }
        this.x = x;
        this.y = y;
    }

    static long elements(int[] shape) {
        long n = 1;
        for (int d : shape) {
            n *= d;
        }
        return n;
    }

    @Override
    public int[] xShape() {
        return xShape.clone();
    }

    @Override
    public int[] yShape() {
        return yShape.clone();
    }

    @Override
    public FloatBuffer x() {
        float[] a = x;
        if (a == null) {
            throw new IllegalStateException("batch is closed");
        }
        return FloatBuffer.wrap(a).asReadOnlyBuffer();
    }

    @Override
    public IntBuffer y() {
        int[] a = y;
        if (a == null) {
            throw new IllegalStateException("batch is closed");
        }
        return IntBuffer.wrap(a).asReadOnlyBuffer();
    }

    @Override
    public void close() {
        x = null;
        y = null;
    }

    @Override
    public String toString() {
        return "ArrayBatch[x=" + Arrays.toString(xShape) + ", y=" + Arrays.toString(yShape) + (x == null ? ", closed]" : "]");
    }
}
