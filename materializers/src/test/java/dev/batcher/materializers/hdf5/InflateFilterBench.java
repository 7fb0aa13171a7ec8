package dev.batcher.materializers.hdf5;
import java.nio.file.*; import java.util.*;
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
  private InflateFilterBench() {}

  /** @param a {@code DIR WINDOWS ROUNDS} */
  public static void main(String[] a) throws Exception {
    Path dir = Path.of(a[0]); int windows = Integer.parseInt(a[1]); int rounds = Integer.parseInt(a[2]);
    String[] files = {"rec0.h5","rec1.h5","rec2.h5","rec3.h5","rec4.h5","rec5.h5"};
    Random r = new Random(1); long[] starts = new long[windows]; int[] fi = new int[windows];
    for (int i = 0; i < windows; i++) { fi[i] = r.nextInt(6); starts[i] = r.nextInt(3686400 - 7680); }
    List<Double> ours = new ArrayList<>(), jhdf = new ArrayList<>(); long sink = 0;
    for (int round = 0; round < 2 * rounds + 2; round++) {
      boolean mine = round % 2 == 0;
      io.jhdf.filter.FilterManager.addFilter(mine ? new InflateFilter() : new io.jhdf.filter.DeflatePipelineFilter());
      try (RecordingFiles rf = new RecordingFiles(List.of(dir), 16)) {
        long t = System.nanoTime();
        for (int i = 0; i < windows; i++) { RawWindow w = rf.readSignal(files[fi[i]], "signals/eeg", 0, 8, starts[i], 7680); sink += w.shorts()[7][7679]; }
        double mbs = windows * 8 * 7680 * 2 / ((System.nanoTime() - t) / 1e3);
        if (round >= 2) (mine ? ours : jhdf).add(mbs);
      }
    }
    Collections.sort(ours); Collections.sort(jhdf);
    double o = ours.get(ours.size()/2), j = jhdf.get(jhdf.size()/2);
    System.out.printf("windows 8x7680 int16 from shuffle+gzip-4 chunks (8, 8192): InflateFilter %.1f MB/s, jhdf's deflate %.1f MB/s: %.2fx (medians of %d alternating rounds of %d windows; sink %d)%n", o, j, o / j, rounds, windows, sink);
  }
}
