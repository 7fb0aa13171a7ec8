package dev.batcher.materializers.channels.testing;

import dev.batcher.materializers.channels.ChannelPlan;
import dev.batcher.materializers.channels.ChannelSelectorProvider;
import dev.batcher.materializers.kernels.Kernels;
import java.util.List;

/** {@code test-broken}: returns a plan whose inputs are not ascending. */
public final class BrokenProvider implements ChannelSelectorProvider {
    /** Creates the provider. */
    public BrokenProvider() {}

    @Override
    public String name() {
        return "test-broken";
    }

    @Override
    public ChannelPlan plan(List<String> available, List<String> arguments) {
        return new ChannelPlan() {
            @Override
            public int outputChannels() {
                return 2;
            }

            @Override
            public List<String> outputNames() {
                return List.of("a", "b");
            }

            @Override
            public int[] inputs() {
                return new int[] {1, 0};
            }

            @Override
            public void apply(Kernels k, float[][] decodedInputs, float[] out, int outOffset, int samples) {
                throw new UnsupportedOperationException();
            }
        };
    }
}
