package dev.batcher.materializers.iteration;

import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatchSourcesTest {
    private static ItemSpec item(String recording, String signal, String channels) {
        return new ItemSpec(recording, recording + ".h5", signal, 0, 7680, ChannelSelection.parse(channels), "/labels/stage",
                0, 1, 0);
    }

    @Test
    void specsBuild_itemSelectionsItsSignalLacks_failsListingEveryOffendingItem() {
        // a has C3, C4, O1, O2, M1, M2; b has F3, F4, C3, C4; c has C3, C4, EMG.
        List<BatchSpec> specs = List.of(
                new BatchSpec(List.of(item("a", "/signals/eeg", "names:C3"), item("b", "signals/eeg", "names:O1"))),
                new BatchSpec(List.of(item("c", "/signals/eeg", "montage:C3-M2"), item("ghost", "/signals/eeg", "names:X"))));
        IterationException e = assertThrows(IterationException.class, () -> BatchSources.build(new SourceConfig.Specs(specs), Signals.three()));
        assertTrue(e.getMessage().startsWith("channels: 2 of 3 items reading labeled signals select channels their signal lacks"),
                e.getMessage());
        assertTrue(e.getMessage().contains("; batch 0 item 1, recording b (b.h5, signals/eeg): channel 'O1' not found"),
                e.getMessage());
        assertTrue(e.getMessage().contains("; batch 1 item 0, recording c (c.h5, /signals/eeg): "), e.getMessage());
        // An item outside the table (ghost.h5) is checked when it is read, not here.
        BatchSource fine = BatchSources.build(new SourceConfig.Specs(List.of(new BatchSpec(List.of(item("a", "/signals/eeg", "names:O1,M2"),
                item("ghost", "/signals/eeg", "names:X"))))), Signals.three());
        assertInstanceOf(Step.Next.class, fine.next(BatchState.initial(0)));
        assertEquals(2, ((Step.Next) fine.next(BatchState.initial(0))).spec().items().size());
    }
}
