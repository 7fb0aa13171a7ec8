package dev.batcher.materializers.hdf5;

import dev.batcher.api.Batch;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.materializers.format.RecordingFormats;
import dev.batcher.materializers.kernels.Kernels;
import io.jhdf.filter.ByteShuffleFilter;
import io.jhdf.filter.FilterManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A main, not a test: whole batches (32 random 30 s windows, 8 x 7680 int16 -> float32) materialised
 * from the shuffle+gzip files of {@code client/python/bench/peer.py} (6 recordings x 4 h x 8 channels,
 * chunks (8, 8192)) four ways, in alternating rounds, each on a fresh {@link RecordingFiles}: jhdf's
 * {@code getData} with jhdf's shuffle decoder (the baseline: main before this work, {@link InflateFilter}
 * already in), the same with {@link ShuffleFilter}, chunk by chunk through the chunk cache, and that with
 * one helper thread reading items ({@code Materializer}'s read executor). Prints the medians and their
 * ratios to the baseline.
 *
 * <pre>java -cp materializers/target/test-classes:materializers/target/classes:... \
 *     dev.batcher.materializers.hdf5.GzipBatchBench /work/perf-data/gzip 20 5</pre>
 */
public final class GzipBatchBench {
    private static final int SAMPLES = 3_686_400;
    private static final int WINDOW = 7680;

    private GzipBatchBench() {
    }

    private static BatchSpec batch(Random random) {
        List<ItemSpec> items = new ArrayList<>();
        for (int i = 0; i < 32; i++) {
            String file = "rec" + random.nextInt(6) + ".h5";
            int epoch = random.nextInt(SAMPLES / WINDOW);
            items.add(new ItemSpec(file.replace(".h5", ""), file, "/signals/eeg", (long) epoch * WINDOW, WINDOW,
                    ChannelSelection.all(), "/labels/stage", epoch, 1, 0));
        }
        return new BatchSpec(items);
    }

    /**
     * Runs the comparison.
     *
     * @param args {@code DIR BATCHES ROUNDS}
     * @throws Exception if a read fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int batches = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        String[] names = {"jhdf getData+shuffle", "getData, our shuffle", "chunk cache", "chunk cache + 1 helper"};
        List<List<Double>> rates = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
        ExecutorService helper = Executors.newFixedThreadPool(1);
        Random random = new Random(1);
        double sink = 0;
        try {
            for (int round = 0; round < rounds + 1; round++) {
                for (int w = 0; w < names.length; w++) {
                    // jhdf resolves a dataset's filters when it opens it: a fresh RecordingFiles per way and round.
                    FilterManager.addFilter(w == 0 ? new ByteShuffleFilter() : new ShuffleFilter());
                    try (RecordingFiles files = new RecordingFiles(List.of(dir), 16,
                            RecordingFormats.defaults().with(new Hdf5Format(w >= 2)))) {
                        Materializer m = w == 3
                                ? new Materializer(files, MaterializeOptions.defaults(), Kernels.defaults(), helper, 1)
                                : new Materializer(files, MaterializeOptions.defaults(), Kernels.defaults());
                        long t = System.nanoTime();
                        for (int b = 0; b < batches; b++) {
                            try (Batch batch = m.materialize(batch(random))) {
                                sink += batch.x().get(0);
                            }
                        }
                        double perSecond = batches / ((System.nanoTime() - t) / 1e9);
                        if (round > 0) {
                            rates.get(w).add(perSecond);
                        }
                    }
                }
            }
        } finally {
            helper.shutdownNow();
        }
        double base = median(rates.get(0));
        for (int w = 0; w < names.length; w++) {
            double m = median(rates.get(w));
            System.out.printf("%-24s %6.1f batches/s  %.2fx%n", names[w], m, m / base);
        }
        System.out.printf("(medians of %d alternating rounds of %d batches of 32 x 8 x %d; sink %.1f)%n",
                rounds, batches, WINDOW, sink);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
