package dev.batcher.materializers.channels;

import dev.batcher.materializers.kernels.Kernels;
import java.util.List;
import java.util.Objects;

/** The built-in plans' common part: names, inputs, and the argument checks of {@link #apply}. */
abstract class AbstractPlan implements ChannelPlan {
    private final List<String> outputNames;
    private final int[] inputs;

    AbstractPlan(List<String> outputNames, int[] inputs) {
        this.outputNames = List.copyOf(outputNames);
        this.inputs = inputs.clone();
    }

    @Override
    public final int outputChannels() {
        return outputNames.size();
    }

    @Override
    public final List<String> outputNames() {
        return outputNames;
    }

    @Override
    public final int[] inputs() {
        return inputs.clone();
    }

    /** The number of inputs, without copying the array. */
    final int inputCount() {
        return inputs.length;
    }

    @Override
    public final void apply(Kernels k, float[][] decodedInputs, float[] out, int outOffset, int samples) {
        Objects.requireNonNull(k, "k");
        Objects.requireNonNull(decodedInputs, "decodedInputs");
        Objects.requireNonNull(out, "out");
        if (samples < 0) {
            throw new IllegalArgumentException("samples: " + samples + " (expected: >= 0)");
        }
        if (decodedInputs.length != inputs.length) {
            throw new IllegalArgumentException("decodedInputs.length: " + decodedInputs.length
                    + " (expected: inputs().length " + inputs.length + ")");
        }
        for (int i = 0; i < decodedInputs.length; i++) {
            if (decodedInputs[i] == null) {
                throw new NullPointerException("decodedInputs[" + i + "]");
            }
            if (decodedInputs[i].length < samples) {
                throw new IndexOutOfBoundsException("decodedInputs[" + i + "].length: " + decodedInputs[i].length
                        + " (expected: >= samples " + samples + ")");
            }
        }
        long size = (long) outputNames.size() * samples;
        if (outOffset < 0 || outOffset > out.length - size) {
            throw new IndexOutOfBoundsException("outOffset: " + outOffset + " (expected: >= 0 and outOffset + "
                    + "outputChannels() * samples <= out.length, with outputChannels() " + outputNames.size()
                    + ", samples " + samples + " and out.length " + out.length + ")");
        }
        applyChecked(k, decodedInputs, out, outOffset, samples);
    }

    /** {@link #apply} after its arguments have been checked. */
    abstract void applyChecked(Kernels k, float[][] decodedInputs, float[] out, int outOffset, int samples);
}
