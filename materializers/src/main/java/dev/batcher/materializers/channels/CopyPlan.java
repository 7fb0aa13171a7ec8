package dev.batcher.materializers.channels;

import dev.batcher.materializers.kernels.Kernels;
import java.util.Arrays;
import java.util.List;

/**
 * The plan of {@code all}, {@code names} and {@code fill}: each output row is a copy of one input
 * or, for {@code fill}'s missing channels, zeros. Copies are exact, so no kernel is involved.
 */
final class CopyPlan extends AbstractPlan {
    /** For each output row, the index into the inputs it copies, or -1 for a zero row. */
    private final int[] rowSources;
    private final String selector;

    CopyPlan(String selector, List<String> outputNames, int[] inputs, int[] rowSources) {
        super(outputNames, inputs);
        this.selector = selector;
        this.rowSources = rowSources.clone();
    }

    @Override
    void applyChecked(Kernels k, float[][] decodedInputs, float[] out, int outOffset, int samples) {
        for (int r = 0; r < rowSources.length; r++) {
            int to = outOffset + r * samples;
            if (rowSources[r] < 0) {
                Arrays.fill(out, to, to + samples, 0f);
            } else {
                System.arraycopy(decodedInputs[rowSources[r]], 0, out, to, samples);
            }
        }
    }

    @Override
    public String toString() {
        return selector + " plan: " + outputChannels() + " outputs " + outputNames() + " from inputs "
                + Arrays.toString(inputs());
    }
}
