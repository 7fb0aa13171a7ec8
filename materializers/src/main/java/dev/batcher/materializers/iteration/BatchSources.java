package dev.batcher.materializers.iteration;

import dev.batcher.api.ChannelSelection;
import dev.batcher.api.SourceConfig;
import dev.batcher.materializers.dataset.LabeledSignal;
import java.util.ArrayList;
import java.util.List;

/** Builds the batch source that a {@link SourceConfig} describes, over a dataset's labeled signals. */
public final class BatchSources {
    private BatchSources() {}

    /**
     * Builds the source over a dataset's labeled signals.
     *
     * @param config the source's description
     * @param signals the labeled signals, in table order
     * @return the source
     * @throws IterationException if the settings do not fit the signals; the message names the values
     */
    public static BatchSource build(SourceConfig config, List<LabeledSignal> signals) {
        if (config instanceof SourceConfig.Random r) {
            return random(r, signals);
        }
        if (config instanceof SourceConfig.Sequential s) {
            return new SequentialBatches(SignalFilter.apply(s.signals(), signals), s.batchSize(), seconds(s.batchSeconds()),
                    selection(s.channels()));
        }
        if (config instanceof SourceConfig.Specs s) {
            Windows.requireItemSelectionsFit(signals, s.specs());
            return new SpecListBatches(s.specs());
        }
        SourceConfig.Sharded s = (SourceConfig.Sharded) config;
        if (s.source() == null) {
            throw new IterationException("source: null (expected: the source to shard, such as {\"type\": \"random\", ...})");
        }
        return new ShardedBatches(build(s.source(), signals), s.rank(), s.worldSize(), ShardedBatches.Uneven.parse(s.uneven()));
    }

    /** Random batches from the rows the source's {@code signals} filter keeps; weights index the whole table. */
    private static BatchSource random(SourceConfig.Random r, List<LabeledSignal> table) {
        int[] kept = SignalFilter.kept(r.signals(), table);
        double[] signalWeights = r.signalWeights();
        List<double[]> labelWeights = r.labelWeights();
        List<LabeledSignal> signals = new ArrayList<>();
        double[] weights = signalWeights == null || signalWeights.length != table.size() ? signalWeights : new double[kept.length];
        List<double[]> labels = labelWeights == null || labelWeights.size() != table.size() ? labelWeights : new ArrayList<>();
        for (int k = 0; k < kept.length; k++) {
            signals.add(table.get(kept[k]));
            if (weights != signalWeights) {
                weights[k] = signalWeights[kept[k]];
            }
            if (labels != labelWeights) {
                labels.add(labelWeights.get(kept[k]));
            }
        }
        return new RandomBatches(signals, new RandomBatchesConfig(r.batchSize(), seconds(r.batchSeconds()),
                r.numChannels(), selection(r.channels()), weights, labels));
    }

    private static long seconds(double seconds) {
        if (!(seconds > 0) || Double.isInfinite(seconds)) {
            throw new IterationException("batchSeconds: " + seconds + " (expected: finite and > 0)");
        }
        return Math.round(seconds * 1e9);
    }

    private static ChannelSelection selection(String text) {
        return text == null || text.isBlank() ? ChannelSelection.all() : ChannelSelection.parse(text);
    }
}
