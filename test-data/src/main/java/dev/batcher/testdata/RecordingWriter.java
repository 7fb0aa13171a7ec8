package dev.batcher.testdata;

import io.jhdf.HdfFile;
import io.jhdf.WritableHdfFile;
import io.jhdf.api.DatasetCreationOptions;
import io.jhdf.api.WritableDataset;
import io.jhdf.api.WritableGroup;
import java.nio.file.Path;

/** Writes one recording's HDF5 file with jhdf, in the dataset format the readers expect. */
final class RecordingWriter {
    private RecordingWriter() {
    }

    /**
     * Writes {@code file}. jhdf keeps the arrays until {@code close()}, where it writes everything.
     *
     * @param file the file to create; must not exist (jhdf does not truncate)
     * @param plan the recording
     * @param samples its {@code [channels, samples]} signal
     * @param options the layout options
     * @throws io.jhdf.exceptions.HdfException if jhdf fails to write
     */
    static void write(Path file, RecordingPlan plan, short[][] samples, GeneratorOptions options) {
        try (WritableHdfFile hdf = HdfFile.write(file)) {
            hdf.putAttribute("recording", plan.name());

            WritableGroup signals = hdf.putGroup("signals");
            WritableDataset eeg = signals.putDataset(SyntheticDataset.SIGNAL_NAME, samples, signalOptions(plan, options));
            eeg.putAttribute("channels", plan.channels().toArray(new String[0]));
            eeg.putAttribute("sample_rate", plan.sampleRate());
            eeg.putAttribute("resolution", plan.resolution());
            eeg.putAttribute("offset", plan.offset());
            eeg.putAttribute("unit", SyntheticDataset.UNIT);
            eeg.putAttribute("start_ns", (double) plan.signalStartNanos());
            eeg.putAttribute("labels", SyntheticDataset.LABEL_DATASET);

            WritableGroup labels = hdf.putGroup("labels");
            WritableDataset stage = labels.putDataset(SyntheticDataset.LABEL_NAME, new byte[][] {plan.labels()});
            stage.putAttribute("sample_rate", SyntheticDataset.LABEL_SAMPLE_RATE);
            stage.putAttribute("start_ns", (double) plan.labelStartNanos());
            stage.putAttribute("encoding", Stage.ENCODING.toArray(new String[0]));
            stage.putAttribute("channels", new String[] {SyntheticDataset.LABEL_CHANNEL});
        }
    }

    private static DatasetCreationOptions signalOptions(RecordingPlan plan, GeneratorOptions options) {
        Layout layout = options.layout();
        if (!layout.chunked()) {
            return DatasetCreationOptions.DEFAULT;
        }
        int channels = plan.channels().size();
        int chunkChannels = options.chunkChannels() == 0 ? channels : Math.min(options.chunkChannels(), channels);
        int chunkSamples = Math.min(options.chunkSamples(), plan.samples());
        DatasetCreationOptions.Builder builder = DatasetCreationOptions.builder()
                .chunkDimensions(chunkChannels, chunkSamples);
        if (layout == Layout.SHUFFLE_DEFLATE) {
            builder.shuffle();
        }
        if (layout.deflated()) {
            builder.deflate(options.deflateLevel());
        }
        return builder.build();
    }
}
