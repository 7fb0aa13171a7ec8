package dev.batcher.materializers.hdf5;

import dev.batcher.materializers.format.RawWindow;
import dev.batcher.materializers.format.RecordingFiles;
import io.jhdf.filter.DeflatePipelineFilter;
import io.jhdf.filter.FilterManager;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A main, not a test: window reads of a shuffle+gzip dataset written by {@code client/python/bench/peer.py}
 * (6 recordings x 4 h x 8 channels, chunks (8, 8192)) through {@link InflateFilter} against jhdf's own deflate
 * filter, in alternating rounds, each round on a fresh {@link RecordingFiles} (jhdf resolves a dataset's filters
 * when it opens it). Prints the medians and their ratio.
 *
 * <pre>java -cp materializers/target/test-classes:materializers/target/classes:... \
 *     dev.batcher.materializers.hdf5.InflateFilterBench bench-data/gzip 200 5</pre>
 */
public final class InflateFilterBench {
    private static final int SAMPLES = 3_686_400;
    private static final int WINDOW = 7680;

    private InflateFilterBench() {
    }

    /**
     * Runs the comparison.
     *
     * @param args {@code DIR WINDOWS ROUNDS}
     * @throws Exception if a read fails
     */
    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        int windows = Integer.parseInt(args[1]);
        int rounds = Integer.parseInt(args[2]);
        String[] files = {"rec0.h5", "rec1.h5", "rec2.h5", "rec3.h5", "rec4.h5", "rec5.h5"};
        Random random = new Random(1);
        long[] starts = new long[windows];
        int[] fileIndex = new int[windows];
        for (int i = 0; i < windows; i++) {
            fileIndex[i] = random.nextInt(files.length);
            starts[i] = random.nextInt(SAMPLES - WINDOW);
        }
        List<Double> ours = new ArrayList<>();
        List<Double> jhdf = new ArrayList<>();
        long sink = 0;
        for (int round = 0; round < 2 * rounds + 2; round++) {
            boolean mine = round % 2 == 0;
            FilterManager.addFilter(mine ? new InflateFilter() : new DeflatePipelineFilter());
            try (RecordingFiles recordings = new RecordingFiles(List.of(dir), 16)) {
                long t = System.nanoTime();
                for (int i = 0; i < windows; i++) {
                    RawWindow w = recordings.readSignal(files[fileIndex[i]], "signals/eeg", 0, 8, starts[i], WINDOW);
                    sink += w.shorts()[7][WINDOW - 1];
                }
                double mbPerSecond = windows * 8.0 * WINDOW * 2 / ((System.nanoTime() - t) / 1e3);
                if (round >= 2) {
                    (mine ? ours : jhdf).add(mbPerSecond);
                }
            }
        }
        Collections.sort(ours);
        Collections.sort(jhdf);
        double o = ours.get(ours.size() / 2);
        double j = jhdf.get(jhdf.size() / 2);
        System.out.printf("windows 8x%d int16 from shuffle+gzip-4 chunks (8, 8192): InflateFilter %.1f MB/s, "
                + "jhdf's deflate %.1f MB/s: %.2fx (medians of %d alternating rounds of %d windows; sink %d)%n",
                WINDOW, o, j, o / j, rounds, windows, sink);
    }
}
