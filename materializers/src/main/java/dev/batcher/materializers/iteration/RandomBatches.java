package dev.batcher.materializers.iteration;

import dev.batcher.api.BatchState;
import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * An infinite stream of random batches (OndaBatches' {@code RandomBatches}). Each item:
 * <ol>
 *   <li>samples a labeled signal, uniformly or by {@code signalWeights};
 *   <li>samples a label epoch of it, uniformly or by that signal's {@code labelWeights};
 *   <li>places a window of {@code batchDuration} that contains the epoch, uniformly among the
 *       placements on the label grid that lie wholly inside the label span;
 *   <li>takes {@code numChannels} channels without replacement, in drawn order, or uses the
 *       configured channel selection.
 * </ol>
 * Batch {@code b} draws only from the counter-based stream keyed by {@code (seed, b)}, so any state
 * can be resumed in O(1).
 */
public final class RandomBatches implements BatchSource {
    private final List<LabeledSignal> signals;
    private final RandomBatchesConfig config;
    private final long durationNanos;
    private final int[] epochsPerWindow;
    private final WeightedIndex signalWeights;
    private final WeightedIndex[] labelWeights;

    /**
     * Creates the source and validates the configuration against the signals.
     *
     * @param signals the labeled signals to draw from, in table order
     * @param config the batch size, duration, channels and weights
     * @throws IterationException if there are no signals; if the duration is not a whole number of
     *     label periods or samples, or is longer than a label span; if {@code numChannels} exceeds a
     *     signal's channel count, or (without {@code numChannels}) the channel selection does not fit a
     *     signal (both list every offending recording); if the weights' lengths do not match the signals or their epochs,
     *     or a weight is negative, or all are zero. Messages name the values.
     */
    public RandomBatches(List<LabeledSignal> signals, RandomBatchesConfig config) {
        this.signals = List.copyOf(signals);
        this.config = Objects.requireNonNull(config, "config");
        Windows.requireSignals(this.signals);
        this.durationNanos = config.batchDurationNanos();
        this.epochsPerWindow = new int[this.signals.size()];
        List<String> tooFew = new ArrayList<>();
        for (int i = 0; i < this.signals.size(); i++) {
            LabeledSignal s = this.signals.get(i);
            epochsPerWindow[i] = Windows.epochsPerWindow(s, durationNanos);
            if (config.numChannels() != null && config.numChannels() > s.signal().channels().size()) {
                tooFew.add(s.signal().channels().size() + " in recording " + s.recording() + " (" + s.file() + ")");
            }
        }
        if (!tooFew.isEmpty()) {
            throw new IterationException("numChannels: " + config.numChannels() + " (expected: <= the channels of every "
                    + "labeled signal; " + tooFew.size() + " have fewer: " + String.join(", ", tooFew) + ")");
        }
        if (config.numChannels() == null) {
            Windows.requireSelectionFits(this.signals, config.channels());
        }
        double[] sw = config.signalWeights();
        if (sw != null && sw.length != this.signals.size()) {
            throw new IterationException("signalWeights: " + sw.length + " weights (expected: one per labeled signal, "
                    + this.signals.size() + ")");
        }
        this.signalWeights = WeightedIndex.of("signalWeights", sw);
        List<double[]> lw = config.labelWeights();
        this.labelWeights = new WeightedIndex[this.signals.size()];
        if (lw != null) {
            if (lw.size() != this.signals.size()) {
                throw new IterationException("labelWeights: " + lw.size() + " arrays (expected: one per labeled signal, "
                        + this.signals.size() + ")");
            }
            for (int i = 0; i < lw.size(); i++) {
                long epochs = this.signals.get(i).labelEpochs();
                double[] w = lw.get(i);
                if (w != null && w.length != epochs) {
                    throw new IterationException("labelWeights[" + i + "]: " + w.length + " weights (expected: one per label epoch of "
                            + this.signals.get(i).recording() + ", " + epochs + ")");
                }
                labelWeights[i] = WeightedIndex.of("labelWeights[" + i + "]", w);
            }
        }
    }

    /** Returns the configuration. */
    public RandomBatchesConfig config() {
        return config;
    }

    /**
     * Returns batch {@code state.batch()} of the stream seeded by {@code state.seed()}, and the state
     * after it. Never ends.
     */
    @Override
    public Step next(BatchState state) {
        List<ItemSpec> items = new ArrayList<>(config.batchSize());
        for (Draw draw : draws(state)) {
            items.add(draw.item());
        }
        return new Step.Next(new BatchSpec(items), state.next());
    }

    /** One item and what it was drawn from; tests check the epoch lies inside the window. */
    record Draw(int signal, long epoch, ItemSpec item) {}

    List<Draw> draws(BatchState state) {
        CounterRandom random = new CounterRandom(state.seed(), state.batch());
        List<Draw> draws = new ArrayList<>(config.batchSize());
        for (int i = 0; i < config.batchSize(); i++) {
            draws.add(drawItem(random));
        }
        return draws;
    }

    private Draw drawItem(CounterRandom random) {
        int s = WeightedIndex.draw(signalWeights, signals.size(), random);
        LabeledSignal signal = signals.get(s);
        long epochs = signal.labelEpochs();
        long epoch = labelWeights[s] == null ? random.nextLong(epochs) : labelWeights[s].draw(random);
        int k = epochsPerWindow[s];
        long lo = Math.max(0, epoch - k + 1);
        long hi = Math.min(epoch, epochs - k);
        long first = lo + random.nextLong(hi - lo + 1);
        return new Draw(s, epoch, Windows.item(signal, first, k, 0, channels(signal, random)));
    }

    private ChannelSelection channels(LabeledSignal signal, CounterRandom random) {
        Integer n = config.numChannels();
        if (n == null) {
            return config.channels();
        }
        List<String> available = signal.signal().channels();
        int[] order = new int[available.size()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        List<String> drawn = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int j = i + random.nextInt(order.length - i);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
            drawn.add(available.get(order[i]));
        }
        return ChannelSelection.names(drawn);
    }
}
