// doc-snippet: docs/extending.md, the complete example (DocSnippetsTest registers and runs it)
package com.example.eeg;

import dev.batcher.materializers.channels.ChannelPlan;
import dev.batcher.materializers.channels.ChannelSelectionException;
import dev.batcher.materializers.channels.ChannelSelectorProvider;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.api.ChannelSelection;
import java.util.Arrays;
import java.util.List;

public final class CommonAverageProvider implements ChannelSelectorProvider {
    /** ServiceLoader needs a public no-argument constructor. */
    public CommonAverageProvider() {}

    @Override
    public String name() {
        return "car";
    }

    @Override
    public ChannelPlan plan(List<String> available, List<String> arguments) {
        List<String> outputs = arguments.isEmpty() ? available : arguments;
        int channels = available.size();
        float[][] coefficients = new float[outputs.size()][channels];
        for (int r = 0; r < outputs.size(); r++) {
            int channel = available.indexOf(outputs.get(r));
            if (channel < 0) {
                throw new ChannelSelectionException("channel '" + outputs.get(r) + "' not found",
                        new ChannelSelection(name(), arguments), outputs.get(r), available);
            }
            Arrays.fill(coefficients[r], -1f / channels);
            coefficients[r][channel] += 1f;
        }
        return new Plan(List.copyOf(outputs), coefficients, channels);
    }

    /** Immutable, so thread-safe: the cache shares it. */
    private static final class Plan implements ChannelPlan {
        private final List<String> outputNames;
        private final float[][] coefficients;
        private final int[] inputs;
        private final int[] offsets;

        Plan(List<String> outputNames, float[][] coefficients, int channels) {
            this.outputNames = outputNames;
            this.coefficients = coefficients;
            this.inputs = new int[channels];
            for (int c = 0; c < channels; c++) {
                inputs[c] = c;
            }
            this.offsets = new int[channels];
        }

        @Override
        public int outputChannels() {
            return outputNames.size();
        }

        @Override
        public List<String> outputNames() {
            return outputNames;
        }

        @Override
        public int[] inputs() {
            return inputs.clone();
        }

        @Override
        public void apply(Kernels k, float[][] decodedInputs, float[] out, int outOffset, int samples) {
            if (decodedInputs.length != inputs.length) {
                throw new IllegalArgumentException("decodedInputs.length: " + decodedInputs.length
                        + " (expected: inputs().length " + inputs.length + ")");
            }
            for (int r = 0; r < coefficients.length; r++) {
                // combine checks every range and adds the terms in input order, on either path.
                k.combine(decodedInputs, inputs, offsets, coefficients[r], inputs.length, out,
                        outOffset + r * samples, samples);
            }
        }
    }
}
// end-doc-snippet
