package dev.batcher.samples.sleep;

import org.ojalgo.matrix.store.R064Store;

/**
 * The few dense-matrix operations the model needs, on ojalgo's {@link R064Store} (column-major
 * {@code double}s). Products go through ojalgo's multiplication kernels in blocks of at most
 * {@value #BLOCK} product rows: ojalgo runs a product with more than 8 rows and more than 8 columns
 * on its thread pool, and training here is single-threaded by design (one thread, one fixed order of
 * operations, the same bits on every run). Every block is computed by one kernel in a fixed order, so
 * a product does not depend on the thread or the run.
 */
final class Mat {
    /** The most product rows ojalgo multiplies on the calling thread. */
    static final int BLOCK = 8;

    private Mat() {
    }

    /** Returns a zero matrix. */
    static R064Store zeros(int rows, int columns) {
        return R064Store.FACTORY.make(rows, columns);
    }

    /**
     * Returns {@code left * right}.
     *
     * @throws IllegalArgumentException if the inner dimensions differ
     */
    static R064Store multiply(R064Store left, R064Store right) {
        int m = left.getRowDim();
        int k = left.getColDim();
        int n = right.getColDim();
        if (right.getRowDim() != k) {
            throw new IllegalArgumentException("product of " + m + "x" + k + " and " + right.getRowDim() + "x" + n
                    + " (expected: inner dimensions equal)");
        }
        R064Store product = zeros(m, n);
        if (m <= BLOCK) {
            product.fillByMultiplying(left, right);
            return product;
        }
        for (int r0 = 0; r0 < m; r0 += BLOCK) {
            int rows = Math.min(BLOCK, m - r0);
            R064Store block = zeros(rows, k);
            for (int c = 0; c < k; c++) {
                System.arraycopy(left.data, c * m + r0, block.data, c * rows, rows);
            }
            R064Store part = zeros(rows, n);
            part.fillByMultiplying(block, right);
            for (int c = 0; c < n; c++) {
                System.arraycopy(part.data, c * rows, product.data, c * m + r0, rows);
            }
        }
        return product;
    }

    /** Returns the transpose, as a new matrix. */
    static R064Store transpose(R064Store a) {
        int m = a.getRowDim();
        int n = a.getColDim();
        R064Store t = zeros(n, m);
        for (int c = 0; c < n; c++) {
            for (int r = 0; r < m; r++) {
                t.data[r * n + c] = a.data[c * m + r];
            }
        }
        return t;
    }

    /** Adds {@code row} (a 1 x n matrix) to every row of {@code a}, in place. */
    static void addRow(R064Store a, R064Store row) {
        int m = a.getRowDim();
        int n = a.getColDim();
        for (int c = 0; c < n; c++) {
            double v = row.data[c];
            for (int r = 0; r < m; r++) {
                a.data[c * m + r] += v;
            }
        }
    }

    /** Returns the column sums of {@code a} as a 1 x n matrix, each summed from row 0 down. */
    static R064Store columnSums(R064Store a) {
        int m = a.getRowDim();
        int n = a.getColDim();
        R064Store sums = zeros(1, n);
        for (int c = 0; c < n; c++) {
            double s = 0;
            for (int r = 0; r < m; r++) {
                s += a.data[c * m + r];
            }
            sums.data[c] = s;
        }
        return sums;
    }

    /** Returns a copy of {@code values} ({@code rows} arrays of {@code columns}) as a matrix. */
    static R064Store of(double[][] values, int columns) {
        int m = values.length;
        R064Store a = zeros(m, columns);
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < columns; c++) {
                a.data[c * m + r] = values[r][c];
            }
        }
        return a;
    }

    /** Returns {@code a}, stored row-major, in column-major order; its shape must be that of {@code like}. */
    static double[] columnMajor(Checkpoint.Array a, Checkpoint.Array like) {
        if (a.rows() != like.rows() || a.columns() != like.columns()) {
            throw new IllegalArgumentException(a.name() + ": " + a.rows() + "x" + a.columns() + " (expected: "
                    + like.rows() + "x" + like.columns() + ", the shape of " + like.name() + ")");
        }
        double[] row = a.values();
        double[] col = new double[row.length];
        for (int r = 0; r < a.rows(); r++) {
            for (int c = 0; c < a.columns(); c++) {
                col[c * a.rows() + r] = row[r * a.columns() + c];
            }
        }
        return col;
    }

    /** Returns a column-major {@code rows x cols} array in row-major order. */
    static double[] rowMajor(double[] columnMajor, int rows, int cols) {
        double[] out = new double[columnMajor.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = columnMajor[c * rows + r];
            }
        }
        return out;
    }
}
