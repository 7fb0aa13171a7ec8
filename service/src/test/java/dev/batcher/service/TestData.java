package dev.batcher.service;

import dev.batcher.materializers.dataset.DatasetIndexer;
import dev.batcher.testdata.GeneratorOptions;
import dev.batcher.testdata.SyntheticDataset;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** A small generated dataset shared by the service tests of one JVM (generated once, deleted at exit). */
public final class TestData {
    private static Path dataset;

    private TestData() {}

    /** Returns the dataset directory: 3 recordings of 10 to 20 minutes at 128 Hz. */
    public static synchronized Path dataset() {
        if (dataset == null) {
            try {
                Path dir = Files.createTempDirectory("batcher-test-data");
                Path ds = dir.resolve("ds");
                SyntheticDataset.generate(ds, GeneratorOptions.builder().seed(7).recordings(3).hours(10 / 60.0, 20 / 60.0)
                        .sampleRate(128).threads(2).build());
                DatasetIndexer.index(ds);
                Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(dir)));
                dataset = ds;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return dataset;
    }

    private static void delete(Path dir) {
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // best effort at exit
        }
    }
}
