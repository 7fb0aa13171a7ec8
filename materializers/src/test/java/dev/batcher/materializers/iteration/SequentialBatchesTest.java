package dev.batcher.materializers.iteration;

import dev.batcher.api.BatchState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class SequentialBatchesTest {
    private final List<LabeledSignal> signals = Signals.three();

    @Test
    void constructor_selectionSomeSignalsCannotSatisfy_failsListingEveryOffendingRecording() {
        // a has O1 and O2; b and c have neither.
        IterationException e = assertThrows(IterationException.class, () -> new SequentialBatches(signals, 5,
                4 * Signals.EPOCH, ChannelSelection.parse("names:C3,O2")));
        assertTrue(e.getMessage().startsWith("channels: names:C3,O2 does not fit 2 of 3 labeled signals"), e.getMessage());
        assertTrue(e.getMessage().contains("recording b (b.h5, /signals/eeg): channel 'O2' not found"), e.getMessage());
        assertTrue(e.getMessage().contains("recording c (c.h5, /signals/eeg): channel 'O2' not found"), e.getMessage());
        // Montage terms and selectors from the SPI are planned the same way.
        IterationException montage = assertThrows(IterationException.class, () -> new SequentialBatches(signals, 5,
                4 * Signals.EPOCH, ChannelSelection.parse("montage:C3-M2")));
        assertTrue(montage.getMessage().contains("does not fit 2 of 3"), montage.getMessage());
        assertTrue(montage.getMessage().contains("recording b (b.h5, /signals/eeg)"), montage.getMessage());
        IterationException spi = assertThrows(IterationException.class, () -> new SequentialBatches(signals, 5,
                4 * Signals.EPOCH, ChannelSelection.parse("car:F3,C3")));
        assertTrue(spi.getMessage().contains("does not fit 2 of 3"), spi.getMessage());
        assertTrue(spi.getMessage().contains("recording a (a.h5, /signals/eeg): channel 'F3' not found"), spi.getMessage());
        assertTrue(spi.getMessage().contains("recording c (c.h5, /signals/eeg): channel 'F3' not found"), spi.getMessage());
        // Signals with the same channels share one entry.
        List<LabeledSignal> twins = List.of(Signals.signal("x", List.of("C3"), 0, 10), Signals.signal("y", List.of("C3"), 0, 10),
                Signals.signal("z", List.of("C3", "C4"), 0, 10));
        IterationException grouped = assertThrows(IterationException.class, () -> new SequentialBatches(twins, 5,
                4 * Signals.EPOCH, ChannelSelection.parse("names:C4")));
        assertTrue(grouped.getMessage().contains("does not fit 2 of 3 labeled signals"), grouped.getMessage());
        assertTrue(grouped.getMessage().contains("; recordings x (x.h5, /signals/eeg), y (y.h5, /signals/eeg): channel 'C4' not found"),
                grouped.getMessage());
        // What every signal has is fine.
        SequentialBatches fits = new SequentialBatches(signals, 5, 4 * Signals.EPOCH, ChannelSelection.parse("names:C3,C4"));
        assertInstanceOf(Step.Next.class, fits.next(BatchState.initial(0)));
    }

    @Test
    void next_untilEnd_coversEveryEpochOfEverySpanExactlyOnce() {
        SequentialBatches source = new SequentialBatches(signals, 5, 4 * Signals.EPOCH, ChannelSelection.all());
        int[][] covered = new int[signals.size()][];
        for (int i = 0; i < signals.size(); i++) {
            covered[i] = new int[(int) signals.get(i).labelEpochs()];
        }
        BatchState state = BatchState.initial(0);
        long batches = 0;
        while (source.next(state) instanceof Step.Next next) {
            batches++;
            for (ItemSpec item : next.spec().items()) {
                int s = indexOf(item.recording());
                LabeledSignal signal = signals.get(s);
                long first = item.labelStart() - signal.labelSampleAt(signal.labelSpan().startNanos());
                assertTrue(first >= 0 && first + item.labelCount() <= signal.labelEpochs(), item.toString());
                for (int e = item.labelSkip(); e < item.labelCount(); e++) {
                    covered[s][(int) (first + e)]++;
                }
            }
            state = next.state();
        }
        for (int[] c : covered) {
            for (int n : c) {
                assertEquals(1, n);
            }
        }
        assertEquals(source.batches(), batches);
        Step.End end = assertInstanceOf(Step.End.class, source.next(state));
        assertEquals(new BatchState(0, batches), end.last());
        // 40/4 + ceil(17/4) + ceil(123/4) = 10 + 5 + 31 windows
        assertEquals(46, source.windows());
    }

    @Test
    void next_lastBatch_mayHoldFewerItems() {
        SequentialBatches source = new SequentialBatches(signals, 5, 4 * Signals.EPOCH, ChannelSelection.all());
        BatchSpec last = ((Step.Next) source.next(new BatchState(0, 9))).spec();
        assertEquals(1, last.items().size());
    }

    @Test
    void next_resumeMidway_equalsUninterrupted() {
        SequentialBatches source = new SequentialBatches(signals, 3, 2 * Signals.EPOCH, ChannelSelection.parse("names:C3,C4"));
        BatchState state = BatchState.initial(0);
        for (int i = 0; i < 20; i++) {
            state = ((Step.Next) source.next(state)).state();
        }
        assertEquals(source.next(state), source.next(BatchState.parse("seed=0,batch=20")));
    }

    @Test
    void constructor_windowLongerThanASpan_namesIt() {
        IterationException e = assertThrows(IterationException.class,
                () -> new SequentialBatches(signals, 5, 20 * Signals.EPOCH, ChannelSelection.all()));
        assertTrue(e.getMessage().contains("recording b"), e.getMessage());
    }

    @Test
    void specList_pastTheEnd_endsWithTheLastState() {
        SequentialBatches seq = new SequentialBatches(signals, 5, 4 * Signals.EPOCH, ChannelSelection.all());
        BatchSpec a = ((Step.Next) seq.next(new BatchState(0, 0))).spec();
        BatchSpec b = ((Step.Next) seq.next(new BatchState(0, 1))).spec();
        SpecListBatches list = new SpecListBatches(List.of(a, b));
        assertEquals(a, ((Step.Next) list.next(BatchState.initial(0))).spec());
        assertEquals(new Step.End(new BatchState(0, 2)), list.next(new BatchState(0, 2)));
    }

    private int indexOf(String recording) {
        for (int i = 0; i < signals.size(); i++) {
            if (signals.get(i).recording().equals(recording)) {
                return i;
            }
        }
        throw new AssertionError(recording);
    }
}
