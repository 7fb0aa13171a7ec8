package dev.batcher.materializers.channels.testing;

import dev.batcher.materializers.channels.ChannelPlan;
import dev.batcher.materializers.channels.ChannelSelectorProvider;
import java.util.List;

/** {@code test-failing}: throws an unchecked exception that is not a ChannelSelectionException. */
public final class FailingProvider implements ChannelSelectorProvider {
    /** Creates the provider. */
    public FailingProvider() {}

    @Override
    public String name() {
        return "test-failing";
    }

    @Override
    public ChannelPlan plan(List<String> available, List<String> arguments) {
        throw new IllegalStateException("boom");
    }
}
