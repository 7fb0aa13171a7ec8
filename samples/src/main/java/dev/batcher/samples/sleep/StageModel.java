package dev.batcher.samples.sleep;

import java.util.List;
import java.util.SplittableRandom;
import org.ojalgo.matrix.store.R064Store;

/**
 * The classifier: multinomial logistic (softmax) regression on the standardised features, or with
 * {@code hidden > 0} a one-hidden-layer perceptron with ReLU units, trained on the mean cross-entropy
 * plus L2 weight decay on the weights (not the biases). Weights are {@code inputs x outputs}, so a
 * batch {@code X} ({@code n x inputs}) maps to {@code X W + b}. Parameters are ojalgo {@link
 * R064Store}s, initialised Glorot-uniform from a seed; all arithmetic is sequential double precision
 * with {@link StrictMath}, so training is the same bits on every run.
 */
final class StageModel {
    private final int inputs;
    private final int hidden;
    private final int classes;
    /** W, b, or W1, b1, W2, b2. */
    private final R064Store[] parameters;

    private StageModel(int inputs, int hidden, int classes, R064Store[] parameters) {
        this.inputs = inputs;
        this.hidden = hidden;
        this.classes = classes;
        this.parameters = parameters;
    }

    /**
     * Returns a freshly initialised model.
     *
     * @param inputs features per item
     * @param hidden hidden units, or 0 for softmax regression
     * @param classes the number of classes
     * @param seed the initialisation seed
     */
    static StageModel initial(int inputs, int hidden, int classes, long seed) {
        if (inputs < 1 || hidden < 0 || classes < 2) {
            throw new IllegalArgumentException("model of " + inputs + " inputs, " + hidden + " hidden units, " + classes
                    + " classes (expected: inputs >= 1, hidden >= 0, classes >= 2)");
        }
        SplittableRandom random = new SplittableRandom(seed);
        int[][] shapes = shapes(inputs, hidden, classes);
        R064Store[] p = new R064Store[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            p[i] = Mat.zeros(shapes[i][0], shapes[i][1]);
            if (i % 2 == 0) {
                double limit = StrictMath.sqrt(6.0 / (shapes[i][0] + shapes[i][1]));
                for (int j = 0; j < p[i].data.length; j++) {
                    p[i].data[j] = (2 * random.nextDouble() - 1) * limit;
                }
            }
        }
        return new StageModel(inputs, hidden, classes, p);
    }

    /**
     * Returns a model with these parameters, in the order of {@link #parameterNames}, each {@code
     * rows x columns} values row-major.
     *
     * @throws IllegalArgumentException if a shape does not fit; the message names the parameter
     */
    static StageModel restore(int inputs, int hidden, int classes, List<double[]> rowMajor) {
        int[][] shapes = shapes(inputs, hidden, classes);
        List<String> names = parameterNames(hidden);
        if (rowMajor.size() != shapes.length) {
            throw new IllegalArgumentException(rowMajor.size() + " parameter arrays (expected: " + shapes.length + ", "
                    + names + ")");
        }
        R064Store[] p = new R064Store[shapes.length];
        for (int i = 0; i < shapes.length; i++) {
            int rows = shapes[i][0];
            int cols = shapes[i][1];
            double[] values = rowMajor.get(i);
            if (values.length != rows * cols) {
                throw new IllegalArgumentException(names.get(i) + ": " + values.length + " values (expected: " + rows + "x"
                        + cols + ")");
            }
            p[i] = Mat.zeros(rows, cols);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    p[i].data[c * rows + r] = values[r * cols + c];
                }
            }
        }
        return new StageModel(inputs, hidden, classes, p);
    }

    /** Returns the shapes of the parameters, in order. */
    static int[][] shapes(int inputs, int hidden, int classes) {
        if (hidden == 0) {
            return new int[][] {{inputs, classes}, {1, classes}};
        }
        return new int[][] {{inputs, hidden}, {1, hidden}, {hidden, classes}, {1, classes}};
    }

    /** Returns the parameters' names, in order. */
    static List<String> parameterNames(int hidden) {
        return hidden == 0 ? List.of("W", "b") : List.of("W1", "b1", "W2", "b2");
    }

    int inputs() {
        return inputs;
    }

    int hidden() {
        return hidden;
    }

    int classes() {
        return classes;
    }

    /** Returns the live parameters, for the optimiser. */
    R064Store[] parameters() {
        return parameters;
    }

    /** Returns the number of values of each parameter, in order. */
    int[] parameterSizes() {
        int[] sizes = new int[parameters.length];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = parameters[i].data.length;
        }
        return sizes;
    }

    /** Returns the parameter {@code i} row-major. */
    double[] rowMajor(int i) {
        return rowMajor(parameters[i]);
    }

    static double[] rowMajor(R064Store a) {
        int rows = a.getRowDim();
        int cols = a.getColDim();
        double[] out = new double[rows * cols];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                out[r * cols + c] = a.data[c * rows + r];
            }
        }
        return out;
    }

    /** Returns every parameter row-major, concatenated in order. */
    double[] flatten() {
        int total = 0;
        for (R064Store p : parameters) {
            total += p.data.length;
        }
        double[] out = new double[total];
        int at = 0;
        for (int i = 0; i < parameters.length; i++) {
            double[] v = rowMajor(i);
            System.arraycopy(v, 0, out, at, v.length);
            at += v.length;
        }
        return out;
    }

    /** The mean cross-entropy of a batch and how many of its items the model got right. */
    record Loss(double loss, int correct) {
    }

    /** Intermediate values of a forward pass. */
    private record Forward(R064Store preActivation, R064Store hidden, R064Store logits) {
    }

    private Forward forward(R064Store x) {
        if (x.getColDim() != inputs) {
            throw new IllegalArgumentException("features: " + x.getColDim() + " per item (expected: " + inputs + ")");
        }
        if (hidden == 0) {
            R064Store z = Mat.multiply(x, parameters[0]);
            Mat.addRow(z, parameters[1]);
            return new Forward(null, x, z);
        }
        R064Store z1 = Mat.multiply(x, parameters[0]);
        Mat.addRow(z1, parameters[1]);
        R064Store h = Mat.zeros(z1.getRowDim(), hidden);
        for (int j = 0; j < h.data.length; j++) {
            h.data[j] = Math.max(0, z1.data[j]);
        }
        R064Store z2 = Mat.multiply(h, parameters[2]);
        Mat.addRow(z2, parameters[3]);
        return new Forward(z1, h, z2);
    }

    /**
     * Computes the loss of a batch and the gradients of the loss plus {@code weightDecay / 2 * |W|^2}.
     *
     * @param x standardised features, {@code n x inputs}, {@code n >= 1}
     * @param y the class of each row, in {@code [0, classes)}
     * @param weightDecay the L2 coefficient on the weights
     * @param gradients filled with one gradient per parameter, same shapes
     * @return the mean cross-entropy (without the decay term) and the number of rows predicted right
     */
    Loss gradients(R064Store x, int[] y, double weightDecay, R064Store[] gradients) {
        int n = x.getRowDim();
        if (y.length != n || n == 0) {
            throw new IllegalArgumentException(y.length + " labels for " + n + " rows (expected: equal, >= 1)");
        }
        Forward f = forward(x);
        R064Store z = f.logits();
        R064Store g = Mat.zeros(n, classes);
        double loss = 0;
        int correct = 0;
        for (int r = 0; r < n; r++) {
            int label = y[r];
            if (label < 0 || label >= classes) {
                throw new IllegalArgumentException("label: " + label + " (expected: 0 to " + (classes - 1) + ")");
            }
            double max = Double.NEGATIVE_INFINITY;
            int best = 0;
            for (int c = 0; c < classes; c++) {
                double v = z.data[c * n + r];
                if (v > max) {
                    max = v;
                    best = c;
                }
            }
            double sum = 0;
            for (int c = 0; c < classes; c++) {
                double e = StrictMath.exp(z.data[c * n + r] - max);
                g.data[c * n + r] = e;
                sum += e;
            }
            loss += StrictMath.log(sum) - (z.data[label * n + r] - max);
            for (int c = 0; c < classes; c++) {
                g.data[c * n + r] = (g.data[c * n + r] / sum - (c == label ? 1 : 0)) / n;
            }
            if (best == label) {
                correct++;
            }
        }
        int last = parameters.length - 2;
        gradients[last] = Mat.multiply(Mat.transpose(f.hidden()), g);
        addDecay(gradients[last], parameters[last], weightDecay);
        gradients[last + 1] = Mat.columnSums(g);
        if (hidden > 0) {
            R064Store dh = Mat.multiply(g, Mat.transpose(parameters[2]));
            for (int j = 0; j < dh.data.length; j++) {
                if (!(f.preActivation().data[j] > 0)) {
                    dh.data[j] = 0;
                }
            }
            gradients[0] = Mat.multiply(Mat.transpose(x), dh);
            addDecay(gradients[0], parameters[0], weightDecay);
            gradients[1] = Mat.columnSums(dh);
        }
        return new Loss(loss / n, correct);
    }

    private static void addDecay(R064Store gradient, R064Store weights, double weightDecay) {
        if (weightDecay != 0) {
            for (int j = 0; j < gradient.data.length; j++) {
                gradient.data[j] += weightDecay * weights.data[j];
            }
        }
    }

    /** Returns the most probable class of each row of {@code x} (ties: the lowest class). */
    int[] predict(R064Store x) {
        R064Store z = forward(x).logits();
        int n = z.getRowDim();
        int[] out = new int[n];
        for (int r = 0; r < n; r++) {
            int best = 0;
            for (int c = 1; c < classes; c++) {
                if (z.data[c * n + r] > z.data[best * n + r]) {
                    best = c;
                }
            }
            out[r] = best;
        }
        return out;
    }
}
