package dev.batcher.service.cli;

import dev.batcher.api.SourceConfig;
import dev.batcher.api.MaterializeOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The command-line options that describe a batch source and its materialisation. */
final class SourceOptions {
    @Option(names = "--source", defaultValue = "random", description = "random or sequential (default: ${DEFAULT-VALUE}).")
    String kind;

    @Option(names = "--source-json", paramLabel = "FILE",
            description = "Read the source from a JSON file instead (see docs/api.md); overrides the other source options.")
    Path json;

    @Option(names = "--batch-size", defaultValue = "32", description = "Items per batch (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--seconds", defaultValue = "30", description = "Window length in seconds, a whole number of label periods (default: ${DEFAULT-VALUE}).")
    double seconds;

    @Option(names = "--channels", paramLabel = "SELECTION",
            description = "Channel selection: all, names:C3,C4, fill:C3,O1, montage:C3-M2,C4-M1 or kind:EEG,EOG (default: all).")
    String channels;

    @Option(names = "--signals", paramLabel = "FILTER",
            description = {"Which signal groups to draw from: all, name:/100Hz (an EDF file has one group per sample rate)",
                "or kind:EEG (groups with a channel labelled 'EEG ...'), so every item has one shape (default: all)."})
    String signals;

    @Option(names = "--num-channels", paramLabel = "N", description = "Random source: draw N channels per item without replacement.")
    Integer numChannels;

    @Option(names = "--target-rate", paramLabel = "HZ", description = "Resample every item to this rate.")
    Double targetRate;

    @Option(names = "--normalize", description = "Z-score each channel of each item.")
    boolean normalize;

    @Option(names = "--featurizer", paramLabel = "NAME", description = "Apply this featurizer to each item.")
    String featurizer;

    @Option(names = "--featurizer-arg", paramLabel = "ARG", description = "An argument of the featurizer (repeatable).")
    List<String> featurizerArgs = List.of();

    SourceConfig source() throws IOException {
        if (json != null) {
            return dev.batcher.client.BatcherJson.readFile(json, SourceConfig.class);
        }
        return switch (kind) {
            case "random" -> new SourceConfig.Random(batchSize, seconds, numChannels, channels, null, null, signals);
            case "sequential" -> new SourceConfig.Sequential(batchSize, seconds, channels, signals);
            default -> throw new IllegalArgumentException("--source: '" + kind + "' (expected: random or sequential)");
        };
    }

    MaterializeOptions options() {
        return new MaterializeOptions(targetRate, normalize, featurizer, featurizerArgs);
    }
}
