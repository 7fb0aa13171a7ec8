package dev.batcher.materializers.metadata;

import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Where the elements of a contiguous, unfiltered two-dimensional dataset lie in its file, so that a
 * window of it can be read with plain byte-range reads (a positional read of a local file, a ranged GET
 * of an object) without parsing the file's HDF5 structure again. Element {@code [row, column]} starts at
 * byte {@code offset + (row * columns + column) * elementSize()}.
 *
 * <p>The element type is written as a NumPy type string: a byte order character ({@code <} little,
 * {@code >} big, {@code |} not applicable for one-byte types), a kind ({@code i} signed integer,
 * {@code u} unsigned integer, {@code f} IEEE float) and the size in bytes, for example {@code <i2} for
 * little-endian int16 or {@code >f4} for big-endian float32. The layout is recorded per dataset at index
 * time (see {@code docs/dataset-format.md}).
 *
 * @param offset the file position of element {@code [0, 0]} (data address plus user block)
 * @param dtype the element type, for example {@code <i2}
 * @param rows the first dimension
 * @param columns the second dimension
 */
public record StorageLayout(long offset, String dtype, long rows, long columns) {
    /**
     * Checks the layout.
     *
     * @throws IllegalArgumentException if the offset is negative, the dtype is not one of
     *     {@code [<>|][iuf][1248]} with a float of 4 or 8 bytes, a dimension is below 1, or the extent does
     *     not fit a {@code long} of bytes
     */
    public StorageLayout {
        Objects.requireNonNull(dtype, "dtype");
        if (offset < 0) {
            throw new IllegalArgumentException("offset: " + offset + " (expected: >= 0)");
        }
        if (!dtype.matches("[<>|][iu][1248]|[<>][f][48]")) {
            throw new IllegalArgumentException("dtype: '" + dtype + "' (expected: a NumPy type string such as <i2, >f4, |u1)");
        }
        if (rows < 1 || columns < 1) {
            throw new IllegalArgumentException("shape: [" + rows + ", " + columns + "] (expected: both >= 1)");
        }
        try {
            Math.addExact(offset, Math.multiplyExact(Math.multiplyExact(rows, columns), (long) (dtype.charAt(2) - '0')));
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("shape: [" + rows + ", " + columns + "] at offset " + offset
                    + " (expected: an extent of fewer than 2^63 bytes)", e);
        }
    }

    /** Returns the size of one element in bytes. */
    public int elementSize() {
        return dtype.charAt(2) - '0';
    }

    /** Returns the byte order of multi-byte elements (little endian for one-byte ones). */
    public ByteOrder order() {
        return dtype.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
    }

    /** Returns the kind: {@code 'i'} signed integer, {@code 'u'} unsigned integer, {@code 'f'} float. */
    public char kind() {
        return dtype.charAt(1);
    }

    /** Returns the sample type if this is int16 or float32, else null. */
    public SampleType sampleType() {
        if (kind() == 'i' && elementSize() == 2) {
            return SampleType.INT16;
        }
        if (kind() == 'f' && elementSize() == 4) {
            return SampleType.FLOAT32;
        }
        return null;
    }

    /** Returns the file position of element {@code [row, column]}. */
    public long position(long row, long column) {
        return offset + (row * columns + column) * elementSize();
    }

    /** Returns the number of bytes of the whole dataset. */
    public long bytes() {
        return rows * columns * elementSize();
    }

    /**
     * Returns the NumPy type string for an element of {@code size} bytes.
     *
     * @param kind {@code 'i'}, {@code 'u'} or {@code 'f'}
     * @param size 1, 2, 4 or 8
     * @param order the byte order
     * @return for example {@code <i2}
     */
    public static String dtype(char kind, int size, ByteOrder order) {
        char o = size == 1 ? '|' : order == ByteOrder.BIG_ENDIAN ? '>' : '<';
        return "" + o + kind + size;
    }
}
