package dev.batcher.samples.sleep;

import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.testdata.GeneratorOptions;
import dev.batcher.testdata.SyntheticDataset;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The small generated dataset the trainer tests use: 3 recordings of half an hour at 128 Hz. With seed 3
 * the last recording, held out, has wake, N1, N2 and N3 epochs, none of them more than half.
 */
final class TinyDataset {
    private TinyDataset() {
    }

    /** Generates and indexes the dataset in {@code dir}; returns {@code dir}. */
    static Path generate(Path dir) {
        SyntheticDataset.generate(dir, GeneratorOptions.builder().seed(3).recordings(3).hours(0.5, 0.5).sampleRate(128)
                .threads(1).build());
        DatasetIndexer.index(dir);
        return dir;
    }

    /** Returns the options for a short run on {@code dataset} followed by {@code more}. */
    static String[] args(Path dataset, String... more) {
        List<String> args = new ArrayList<>(List.of("--dataset", dataset.toString(), "--holdout", "1", "--batch-size", "16",
                "--eval-batch-size", "32", "--stats-batches", "4", "--progress-seconds", "0"));
        args.addAll(Arrays.asList(more));
        return args.toArray(String[]::new);
    }
}
