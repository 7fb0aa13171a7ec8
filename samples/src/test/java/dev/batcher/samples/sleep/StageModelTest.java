package dev.batcher.samples.sleep;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.ojalgo.matrix.store.R064Store;

@Timeout(30)
class StageModelTest {

    private static R064Store random(int rows, int cols, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        R064Store a = Mat.zeros(rows, cols);
        for (int i = 0; i < a.data.length; i++) {
            a.data[i] = r.nextDouble(-2, 2);
        }
        return a;
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 5, 8, 9, 17, 64})
    void multiply_anyRowCount_matchesTheNaiveProduct(int rows) {
        R064Store a = random(rows, 13, rows);
        R064Store b = random(13, 11, rows + 100);

        R064Store p = Mat.multiply(a, b);

        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < 11; j++) {
                double s = 0;
                for (int k = 0; k < 13; k++) {
                    s += a.get(i, k) * b.get(k, j);
                }
                assertEquals(s, p.get(i, j), 1e-12, "(" + i + ", " + j + ")");
            }
        }
    }

    @Test
    void transpose_matrix_swapsRowsAndColumns() {
        R064Store a = random(3, 5, 1);

        R064Store t = Mat.transpose(a);

        assertEquals(5, t.getRowDim());
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 5; j++) {
                assertEquals(a.get(i, j), t.get(j, i));
            }
        }
    }

    /** Central differences of the loss plus weight decay against the analytic gradients. */
    @ParameterizedTest
    @ValueSource(ints = {0, 4})
    void gradients_smallModel_matchFiniteDifferences(int hidden) {
        int inputs = 6;
        int classes = 5;
        double decay = 0.01;
        StageModel model = StageModel.initial(inputs, hidden, classes, 3);
        R064Store x = random(10, inputs, 4);
        int[] y = {0, 1, 2, 3, 4, 4, 3, 2, 1, 0};
        R064Store[] gradients = new R064Store[model.parameters().length];
        model.gradients(x, y, decay, gradients);

        for (int p = 0; p < gradients.length; p++) {
            double[] values = model.parameters()[p].data;
            for (int j = 0; j < values.length; j++) {
                double keep = values[j];
                double h = 1e-6;
                values[j] = keep + h;
                double up = objective(model, x, y, decay);
                values[j] = keep - h;
                double down = objective(model, x, y, decay);
                values[j] = keep;
                assertEquals((up - down) / (2 * h), gradients[p].data[j], 1e-6, "parameter " + p + " value " + j);
            }
        }
    }

    private static double objective(StageModel model, R064Store x, int[] y, double decay) {
        double loss = model.gradients(x, y, 0, new R064Store[model.parameters().length]).loss();
        for (int p = 0; p < model.parameters().length; p += 2) {
            for (double w : model.parameters()[p].data) {
                loss += decay / 2 * w * w;
            }
        }
        return loss;
    }

    @Test
    void restore_rowMajorParameters_givesTheSameModel() {
        StageModel model = StageModel.initial(7, 3, 5, 11);
        java.util.List<double[]> values = new java.util.ArrayList<>();
        for (int i = 0; i < model.parameters().length; i++) {
            values.add(model.rowMajor(i));
        }

        StageModel back = StageModel.restore(7, 3, 5, values);

        assertArrayEquals(model.flatten(), back.flatten());
        R064Store x = random(9, 7, 2);
        assertArrayEquals(model.predict(x), back.predict(x));
    }
}
