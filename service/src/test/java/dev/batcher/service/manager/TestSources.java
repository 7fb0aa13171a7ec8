package dev.batcher.service.manager;

import dev.batcher.materializers.iteration.BatchSource;
import dev.batcher.api.BatchState;
import dev.batcher.materializers.iteration.Step;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import java.util.List;

/** Sources whose batch {@code b} under seed {@code s} is recognisable by {@link #key}. */
final class TestSources {
    private TestSources() {}

    static BatchSpec spec(BatchState state) {
        return new BatchSpec(List.of(new ItemSpec("r" + state.seed(), "f" + (state.batch() % 3) + ".h5", "/signals/eeg",
                state.batch(), 10, ChannelSelection.all(), "/labels/stage", state.seed() + 1, 1, 0)));
    }

    static long key(BatchSpec spec) {
        ItemSpec i = spec.items().get(0);
        return i.sampleStart() * 1_000_003L + i.labelStart();
    }

    static long key(BatchState state) {
        return key(spec(state));
    }

    /** An infinite source, or a finite one of {@code n} batches when {@code n >= 0}. */
    static BatchSource source(long n) {
        return state -> n >= 0 && state.batch() >= n ? new Step.End(state) : new Step.Next(spec(state), state.next());
    }
}
