package dev.batcher.samples.sleep;

import dev.batcher.api.Batch;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import org.ojalgo.matrix.store.R064Store;

/** A batch's labeled items as a feature matrix and their labels; items labeled -1 are dropped. */
record Features(R064Store x, int[] y, int features) {
    int rows() {
        return y.length;
    }

    static Features of(Batch batch) {
        int[] xs = batch.xShape();
        int[] ys = batch.yShape();
        int n = xs[0];
        int perItem = 1;
        for (int i = 1; i < xs.length; i++) {
            perItem *= xs[i];
        }
        int labels = 1;
        for (int i = 1; i < ys.length; i++) {
            labels *= ys[i];
        }
        if (labels != 1) {
            throw new IllegalStateException("batch y " + Arrays.toString(ys)
                    + " (expected: one label per item: windows one label period long)");
        }
        FloatBuffer x = batch.x();
        IntBuffer y = batch.y();
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (y.get(i) >= 0) {
                m++;
            }
        }
        R064Store matrix = Mat.zeros(m, perItem);
        int[] kept = new int[m];
        int r = 0;
        for (int i = 0; i < n; i++) {
            int label = y.get(i);
            if (label < 0) {
                continue;
            }
            kept[r] = label;
            for (int f = 0; f < perItem; f++) {
                matrix.data[f * m + r] = x.get(i * perItem + f);
            }
            r++;
        }
        return new Features(matrix, kept, perItem);
    }
}
