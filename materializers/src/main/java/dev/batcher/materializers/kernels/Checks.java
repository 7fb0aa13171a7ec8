package dev.batcher.materializers.kernels;

import java.util.Objects;

/** Argument checks with messages of the form {@code n: -1 (expected: >= 0)}. */
final class Checks {
    private Checks() {}

    /**
     * Checks a count.
     *
     * @throws IllegalArgumentException if {@code value < 0}
     */
    static void count(String name, int value) {
        if (value < 0) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
    }

    /**
     * Checks that {@code [off, off + n)} lies inside an array of {@code length} elements. {@code n}
     * has been checked already.
     *
     * @throws IndexOutOfBoundsException if not
     */
    static void range(String offName, int off, int n, String arrayName, int length) {
        if (off < 0 || off > length - n) {
            throw new IndexOutOfBoundsException(offName + ": " + off + " (expected: >= 0 and "
                    + offName + " + n <= " + arrayName + ".length, with n " + n + " and "
                    + arrayName + ".length " + length + ")");
        }
    }

    /**
     * Checks that term {@code t}'s range {@code [off, off + n)} lies inside its row; builds the
     * names only on failure (this runs once per term per call).
     *
     * @throws IndexOutOfBoundsException if not
     */
    static void termRange(int t, int off, int n, int row, int length) {
        if (off < 0 || off > length - n) {
            range("termOffsets[" + t + "]", off, n, row < 0 ? "input" : "inputs[" + row + "]", length);
        }
    }

    /**
     * Checks that an array holds at least {@code min} elements.
     *
     * @throws IndexOutOfBoundsException if not
     */
    static void atLeast(String lengthName, int length, String minName, int min) {
        if (length < min) {
            throw new IndexOutOfBoundsException(
                    lengthName + ": " + length + " (expected: >= " + minName + " " + min + ")");
        }
    }

    /**
     * Checks that an array is not null.
     *
     * @throws NullPointerException if it is
     */
    static <T> T notNull(T value, String name) {
        return Objects.requireNonNull(value, name);
    }
}
