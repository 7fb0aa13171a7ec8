package dev.batcher.samples.docs;

import dev.batcher.materializers.kernels.Kernels;
import java.util.List;

/**
 * The contract as docs/extending.md shows it. These nested interfaces shadow the real ones on
 * purpose; DocSnippetsTest compares their methods with those of
 * {@code dev.batcher.materializers.channels.ChannelSelectorProvider} and {@code ChannelPlan}.
 */
final class ExtendingContract {
    private ExtendingContract() {
    }

    // doc-snippet: docs/extending.md, the contract
    public interface ChannelSelectorProvider {
        String name();                                              // the selector name, e.g. "car"
        ChannelPlan plan(List<String> available, List<String> arguments);
    }

    public interface ChannelPlan {
        int outputChannels();
        List<String> outputNames();
        int[] inputs();      // ascending, distinct indices into `available` of the channels to read; may be empty
        void apply(Kernels k, float[][] decodedInputs /* aligned with inputs() */,
                   float[] out, int outOffset, int samples);      // writes outputChannels() rows, row-major
    }
    // end-doc-snippet
}
