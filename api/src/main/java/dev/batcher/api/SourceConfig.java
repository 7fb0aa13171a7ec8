package dev.batcher.api;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.List;

/**
 * A batch source described as data, so that it can sit in a config file or cross the network and be
 * built against a dataset where it is used. In JSON the {@code type} field picks the kind:
 * <pre>{@code
 * {"type": "random", "batchSize": 32, "batchSeconds": 30, "channels": "names:C3,C4"}
 * {"type": "random", "batchSize": 32, "batchSeconds": 30, "signals": "kind:EEG", "channels": "kind:EEG"}
 * {"type": "sequential", "batchSize": 64, "batchSeconds": 30, "channels": "all"}
 * {"type": "specs", "specs": [ ... ]}
 * {"type": "sharded", "rank": 0, "worldSize": 2, "uneven": "pad", "source": { ... }}
 * }</pre>
 * The materializers module builds it into a batch source ({@code BatchSources.build}) against a
 * dataset's labeled signals; the settings are checked there, where the signals are known.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
    @JsonSubTypes.Type(value = SourceConfig.Random.class, name = "random"),
    @JsonSubTypes.Type(value = SourceConfig.Sequential.class, name = "sequential"),
    @JsonSubTypes.Type(value = SourceConfig.Specs.class, name = "specs"),
    @JsonSubTypes.Type(value = SourceConfig.Sharded.class, name = "sharded")
})
public sealed interface SourceConfig permits SourceConfig.Random, SourceConfig.Sequential, SourceConfig.Specs,
        SourceConfig.Sharded {

    /**
     * Random batches (built as the materializers' {@code RandomBatches}).
     *
     * @param batchSize items per batch
     * @param batchSeconds the window length in seconds, a whole number of label periods
     * @param numChannels channels drawn per item without replacement, or null
     * @param channels the channel selection's text form when {@code numChannels} is null (null: all)
     * @param signalWeights one weight per labeled signal, or null
     * @param labelWeights one weight per label epoch per labeled signal, or null
     * @param signals which labeled signals to draw from ({@code all}, {@code name:/100Hz}, {@code kind:EEG};
     *     null: all), see the materializers' {@code SignalFilter}; the weights still index the whole table
     */
    record Random(int batchSize, double batchSeconds, Integer numChannels, String channels,
            double[] signalWeights, List<double[]> labelWeights, String signals) implements SourceConfig {
        /** The canonical constructor, which JSON uses. */
        @com.fasterxml.jackson.annotation.JsonCreator
        public Random {
        }

        /** Random batches from every labeled signal ({@code signals} null). */
        public Random(int batchSize, double batchSeconds, Integer numChannels, String channels,
                      double[] signalWeights, List<double[]> labelWeights) {
            this(batchSize, batchSeconds, numChannels, channels, signalWeights, labelWeights, null);
        }

        /** Compares by value, weights included (a record alone would compare arrays by identity). */
        @Override
        public boolean equals(Object o) {
            return o instanceof Random r && batchSize == r.batchSize
                    && Double.compare(batchSeconds, r.batchSeconds) == 0
                    && java.util.Objects.equals(numChannels, r.numChannels)
                    && java.util.Objects.equals(channels, r.channels)
                    && java.util.Objects.equals(signals, r.signals)
                    && java.util.Arrays.equals(signalWeights, r.signalWeights)
                    && (labelWeights == null ? r.labelWeights == null
                            : r.labelWeights != null && java.util.Arrays.deepEquals(labelWeights.toArray(), r.labelWeights.toArray()));
        }

        @Override
        public int hashCode() {
            int h = java.util.Objects.hash(batchSize, batchSeconds, numChannels, channels, signals);
            h = 31 * h + java.util.Arrays.hashCode(signalWeights);
            return 31 * h + (labelWeights == null ? 0 : java.util.Arrays.deepHashCode(labelWeights.toArray()));
        }
    }

    /**
     * Sequential evaluation windows (built as the materializers' {@code SequentialBatches}).
     *
     * @param batchSize windows per batch
     * @param batchSeconds the window length in seconds, a whole number of label periods
     * @param channels the channel selection's text form (null: all)
     * @param signals which labeled signals to read, as for {@link Random} (null: all)
     */
    record Sequential(int batchSize, double batchSeconds, String channels, String signals) implements SourceConfig {
        /** The canonical constructor, which JSON uses. */
        @com.fasterxml.jackson.annotation.JsonCreator
        public Sequential {
        }

        /** Sequential windows of every labeled signal ({@code signals} null). */
        public Sequential(int batchSize, double batchSeconds, String channels) {
            this(batchSize, batchSeconds, channels, null);
        }
    }

    /**
     * An explicit list of batches (built as the materializers' {@code SpecListBatches}). Building it checks the channel
     * selection of every item that names a labeled signal of the table (by file and signal dataset)
     * against that signal's channels; items reading signals outside the table are checked when read.
     *
     * @param specs the batches, in order
     */
    record Specs(List<BatchSpec> specs) implements SourceConfig {}

    /**
     * One rank's share of another source, for data-parallel training; see the materializers' {@code ShardedBatches}
     * for the global state and what a change of world size on resume does.
     *
     * @param rank this rank, {@code 0 <= rank < worldSize}
     * @param worldSize the number of ranks, {@code >= 1}
     * @param uneven {@code "pad"} (the default, when null) or {@code "drop"}: what the ranks do with
     *     an incomplete last round of a finite source
     * @param source the source of the global sequence
     */
    record Sharded(int rank, int worldSize, String uneven, SourceConfig source) implements SourceConfig {}

}
