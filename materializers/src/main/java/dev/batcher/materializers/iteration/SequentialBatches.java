package dev.batcher.materializers.iteration;

import dev.batcher.api.BatchState;
import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A finite source for evaluation: consecutive windows that cover every label span once, in table
 * order, {@code batchSize} windows a batch (the last batch may hold fewer).
 *
 * <p>Windows tile each label span from its start. When the span is not a whole number of windows,
 * one more window ends at the span's end; the epochs it shares with the window before it are marked
 * by {@link ItemSpec#labelSkip()}, and the materializer writes label {@code -1} for them, so every
 * epoch is counted once.
 *
 * <p>The state's seed is carried but unused; batch {@code b} holds windows {@code [b * batchSize,
 * (b + 1) * batchSize)} of the whole sequence, found by binary search, so any state resumes in O(log n).
 */
public final class SequentialBatches implements BatchSource {
    private final List<LabeledSignal> signals;
    private final int batchSize;
    private final ChannelSelection channels;
    private final int[] epochsPerWindow;
    /** firstWindow[i] is the index of signal i's first window; firstWindow[n] is the total. */
    private final long[] firstWindow;

    /**
     * Creates the source.
     *
     * @param signals the labeled signals, in table order
     * @param batchSize windows per batch ({@code > 0})
     * @param batchDurationNanos the window length: a whole number of label periods
     * @param channels the channel selection of every item
     * @throws IterationException if there are no signals, {@code batchSize <= 0}, or the duration is
     *     not a whole number of label periods or samples, or longer than a label span; or if the channel
     *     selection does not fit a signal (the message lists every offending recording)
     */
    public SequentialBatches(List<LabeledSignal> signals, int batchSize, long batchDurationNanos, ChannelSelection channels) {
        this.signals = List.copyOf(signals);
        Windows.requireSignals(this.signals);
        Windows.requirePositive("batchSize", batchSize);
        Windows.requirePositive("batchDurationNanos", batchDurationNanos);
        this.batchSize = batchSize;
        this.channels = Objects.requireNonNull(channels, "channels");
        Windows.requireSelectionFits(this.signals, channels);
        this.epochsPerWindow = new int[this.signals.size()];
        this.firstWindow = new long[this.signals.size() + 1];
        for (int i = 0; i < this.signals.size(); i++) {
            LabeledSignal s = this.signals.get(i);
            int k = Windows.epochsPerWindow(s, batchDurationNanos);
            epochsPerWindow[i] = k;
            long windows = (s.labelEpochs() + k - 1) / k;
            firstWindow[i + 1] = firstWindow[i] + windows;
        }
    }

    /** Returns the number of windows in the whole sequence. */
    public long windows() {
        return firstWindow[signals.size()];
    }

    /** Returns the number of batches before the end. */
    public long batches() {
        return (windows() + batchSize - 1) / batchSize;
    }

    @Override
    public Step next(BatchState state) {
        long first = state.batch() * batchSize;
        if (state.batch() >= batches()) {
            return new Step.End(state);
        }
        long last = Math.min(first + batchSize, windows());
        List<ItemSpec> items = new ArrayList<>((int) (last - first));
        for (long w = first; w < last; w++) {
            items.add(window(w));
        }
        return new Step.Next(new BatchSpec(items), state.next());
    }

    private ItemSpec window(long w) {
        int s = Arrays.binarySearch(firstWindow, w);
        s = s >= 0 ? s : -s - 2;
        // Signals with the same first window index (none here, every span has >= 1 window) are skipped.
        while (firstWindow[s + 1] <= w) {
            s++;
        }
        LabeledSignal signal = signals.get(s);
        int k = epochsPerWindow[s];
        long epochs = signal.labelEpochs();
        long start = (w - firstWindow[s]) * k;
        int skip = 0;
        if (start + k > epochs) {
            long aligned = epochs - k;
            skip = (int) (start - aligned);
            start = aligned;
        }
        return Windows.item(signal, start, k, skip, channels);
    }
}
