package dev.batcher.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.batcher.materializers.assembly.ArrayBatch;
import org.junit.jupiter.api.Test;

/** The check behind the deployment tests is bit for bit: it tells apart what == on floats would not. */
class CheckingClientMainTest {
    static ArrayBatch batch(float[] x, int[] y) {
        return new ArrayBatch(new int[] {1, 1, x.length}, x, new int[] {1, 1, y.length}, y);
    }

    @Test
    void difference_equalBits_isNull() {
        assertNull(CheckingClientMain.difference(batch(new float[] {1f, Float.NaN}, new int[] {3}),
                batch(new float[] {1f, Float.NaN}, new int[] {3})));
    }

    @Test
    void difference_oneUlpSignedZeroLabelOrShape_namesWhere() {
        assertEquals("x element 1: 2.0000002 (expected: 2.0)", CheckingClientMain.difference(batch(new float[] {1f, 2f}, new int[] {3}),
                batch(new float[] {1f, Math.nextUp(2f)}, new int[] {3})));
        assertEquals("x element 0: -0.0 (expected: 0.0)", CheckingClientMain.difference(batch(new float[] {0f}, new int[] {3}),
                batch(new float[] {-0f}, new int[] {3})));
        assertEquals("y element 0: 4 (expected: 3)",
                CheckingClientMain.difference(batch(new float[] {0f}, new int[] {3}), batch(new float[] {0f}, new int[] {4})));
        assertEquals("x shape [1, 1, 2] (expected: [1, 1, 1])", CheckingClientMain.difference(batch(new float[] {0f}, new int[] {3}),
                batch(new float[] {0f, 0f}, new int[] {3})));
    }
}
