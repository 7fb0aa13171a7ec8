package dev.batcher.materializers.format;

import dev.batcher.materializers.format.RecordingReadException.Reason;
import dev.batcher.materializers.format.RecordingReadException.Window;
import dev.batcher.materializers.metadata.LabelInfo;

import java.util.Arrays;

/** The label rules {@link RecordingFiles} applies to every format: windows of recorded grids, values against the encoding. */
final class LabelChecks {
    private LabelChecks() {
    }

    /** Returns samples {@code [start, start + count)} of every channel of a recorded grid, checked. */
    static int[][] window(LabelGrid grid, String file, String path, long start, int count) {
        LabelInfo info = grid.info();
        if (count < 1 || start < 0 || start + count > info.samples()) {
            throw new RecordingReadException(Reason.OUT_OF_RANGE, file, path, new Window(0, info.channels().size(), start, count),
                    "start + count: " + (start + count) + " (expected: a window of >= 1 label samples inside [0, "
                            + info.samples() + "), the label grid recorded at index time)", null);
        }
        int[][] labels = new int[grid.values().length][];
        for (int c = 0; c < labels.length; c++) {
            labels[c] = Arrays.copyOfRange(grid.values()[c], (int) start, (int) start + count);
        }
        return labels;
    }

    /**
     * Checks that every label value names an entry of the encoding, or is {@code -1} (no label: the
     * value sequential windows also give the epochs they repeat).
     */
    static void checkEncoding(String file, String path, LabelInfo info, long start, int[][] labels) {
        int names = info.encoding().size();
        for (int c = 0; c < labels.length; c++) {
            int[] row = labels[c];
            for (int i = 0; i < row.length; i++) {
                int v = row[i];
                if (v < -1 || v >= names) {
                    throw new RecordingReadException(Reason.WRONG_DATASET, file, path,
                            new Window(c, 1, start + i, 1), "label channel " + info.channels().get(c) + ", epoch "
                            + (start + i) + ": value " + v + " (expected: 0.." + (names - 1) + ", an index into encoding "
                            + info.encoding() + ", or -1 for no label)", null);
                }
            }
        }
    }

}
