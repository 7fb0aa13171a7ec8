package dev.batcher.samples.sleep;

import org.ojalgo.matrix.store.R064Store;

/**
 * The Adam optimiser (Kingma and Ba, 2015) with bias correction: per parameter, running averages of
 * the gradient ({@code m}) and of its square ({@code v}), and the update {@code p -= lr * m_hat /
 * (sqrt(v_hat) + eps)}. Sequential double arithmetic with {@link StrictMath}, so updates are the
 * same bits on every run.
 */
final class Adam {
    static final double BETA1 = 0.9;
    static final double BETA2 = 0.999;
    static final double EPSILON = 1e-8;

    private final double learningRate;
    private long steps;
    private final double[][] m;
    private final double[][] v;

    /** Starts from zero moments for parameters of these sizes. */
    Adam(double learningRate, int[] sizes) {
        this(learningRate, 0, zeros(sizes), zeros(sizes));
    }

    /** Restores the state from a checkpoint. */
    Adam(double learningRate, long steps, double[][] m, double[][] v) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate: " + learningRate + " (expected: finite and > 0)");
        }
        this.learningRate = learningRate;
        this.steps = steps;
        this.m = deepCopy(m);
        this.v = deepCopy(v);
    }

    private static double[][] zeros(int[] sizes) {
        double[][] a = new double[sizes.length][];
        for (int i = 0; i < sizes.length; i++) {
            a[i] = new double[sizes[i]];
        }
        return a;
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    long steps() {
        return steps;
    }

    double[][] firstMoments() {
        return deepCopy(m);
    }

    double[][] secondMoments() {
        return deepCopy(v);
    }

    /** Applies one update to {@code parameters} from {@code gradients} (same shapes, same order). */
    void step(R064Store[] parameters, R064Store[] gradients) {
        if (parameters.length != m.length || gradients.length != m.length) {
            throw new IllegalArgumentException(parameters.length + " parameters and " + gradients.length
                    + " gradients (expected: " + m.length + " of each)");
        }
        steps++;
        double correction1 = 1 - StrictMath.pow(BETA1, steps);
        double correction2 = 1 - StrictMath.pow(BETA2, steps);
        for (int i = 0; i < parameters.length; i++) {
            double[] p = parameters[i].data;
            double[] g = gradients[i].data;
            double[] mi = m[i];
            double[] vi = v[i];
            for (int j = 0; j < p.length; j++) {
                mi[j] = BETA1 * mi[j] + (1 - BETA1) * g[j];
                vi[j] = BETA2 * vi[j] + (1 - BETA2) * g[j] * g[j];
                double mHat = mi[j] / correction1;
                double vHat = vi[j] / correction2;
                p[j] -= learningRate * mHat / (StrictMath.sqrt(vHat) + EPSILON);
            }
        }
    }
}
