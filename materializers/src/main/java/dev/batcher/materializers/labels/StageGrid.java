package dev.batcher.materializers.labels;

import dev.batcher.materializers.annotations.Annotation;
import dev.batcher.materializers.format.LabelGrid;
import dev.batcher.materializers.metadata.LabelInfo;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A recording's annotations as one label per epoch: the dense label grid batches use.
 *
 * <p>The rule, deterministic and independent of the annotations' order in the file:
 * <ol>
 *   <li>A file none of whose annotations is a sleep stage of the {@link StageMap} (say a BIDS events
 *       file of stimuli, or an EDF+ file whose only annotations are "Recording starts") is not a
 *       hypnogram: there is no grid, whatever other texts it holds.</li>
 *   <li>Otherwise each annotation is classified by the map, and a text it does not know is an error
 *       (unless the map ignores unknown texts). Ignored ones play no part; "no stage" ones (-1) are the
 *       same as no annotation (a gap).</li>
 *   <li>A stage annotation covers {@code [onset, onset + duration)}; one without a duration, or with
 *       duration 0, covers one epoch from its onset (a scorer's mark at the start of an epoch).</li>
 *   <li>Two stage annotations that overlap (share any time) must give the same stage; otherwise it is
 *       a {@link LabelException} naming both. Annotations of one stage may overlap freely.</li>
 *   <li>The grid starts at the earliest stage annotation's onset (moved forward by whole epochs if
 *       that is before the file's start) and has as many epochs as reach the latest stage
 *       annotation's end (the last one may be partial).</li>
 *   <li>An epoch's label is the stage that covers more than half of it (AASM: the stage that
 *       occupies most of the epoch); otherwise, for gaps, "no stage" annotations, or an epoch split
 *       half and half, -1.</li>
 * </ol>
 */
public final class StageGrid {
    /** The default epoch: 30 s. */
    public static final long DEFAULT_EPOCH_NANOS = 30_000_000_000L;
    /** The name of the one label channel of a grid. */
    public static final String CHANNEL = "stage";

    private final long startNanos;
    private final long epochNanos;
    private final int[] values;
    private final List<String> encoding;

    private StageGrid(long startNanos, long epochNanos, int[] values, List<String> encoding) {
        this.startNanos = startNanos;
        this.epochNanos = epochNanos;
        this.values = values;
        this.encoding = List.copyOf(encoding);
    }

    /** One stage annotation as an interval. */
    private record Stage(long start, long stop, int stage, Annotation source) {
    }

    /**
     * Builds the grid of a recording's annotations.
     *
     * @param annotations the annotations, onsets in the recording's time
     * @param map what each text means
     * @param epochNanos the epoch length in nanoseconds
     * @return the grid, or empty if no annotation is a sleep stage (a class of the map's encoding)
     * @throws IllegalArgumentException if {@code epochNanos <= 0}
     * @throws LabelException if the map does not know a text, or two overlapping annotations give
     *     different stages (the message names both: file, place, onset, text)
     */
    public static Optional<StageGrid> build(List<Annotation> annotations, StageMap map, long epochNanos) {
        if (epochNanos <= 0) {
            throw new IllegalArgumentException("epochNanos: " + epochNanos + " (expected: > 0)");
        }
        if (annotations.stream().noneMatch(map::isStage)) {
            return Optional.empty();
        }
        List<Stage> stages = new ArrayList<>();
        for (Annotation a : annotations) {
            OptionalInt c = map.classify(a);
            if (c.isPresent() && c.getAsInt() != StageMap.NO_STAGE) {
                long length = a.durationNanos() > 0 ? a.durationNanos() : epochNanos;
                stages.add(new Stage(a.onsetNanos(), Math.addExact(a.onsetNanos(), length), c.getAsInt(), a));
            }
        }
        if (stages.isEmpty()) {
            return Optional.empty();
        }
        // Sorted by time, then by what they say, so that the file's order never matters.
        stages.sort(Comparator.comparingLong(Stage::start).thenComparingLong(Stage::stop)
                .thenComparingInt(Stage::stage).thenComparing(s -> s.source().text())
                .thenComparing(s -> s.source().locator()));
        List<Stage> merged = merge(stages, map);
        long origin = merged.get(0).start();
        if (origin < 0) {
            origin += ceilDiv(-origin, epochNanos) * epochNanos;
        }
        long end = merged.get(merged.size() - 1).stop();
        long n = end > origin ? ceilDiv(end - origin, epochNanos) : 0;
        if (n == 0) {
            return Optional.empty();
        }
        if (n > Integer.MAX_VALUE - 8) {
            throw new LabelException(merged.get(merged.size() - 1).source().describe() + ": " + n
                    + " epochs of " + epochNanos + " ns (expected: fewer than 2^31; is the epoch length right?)");
        }
        return Optional.of(new StageGrid(origin, epochNanos, fill(merged, origin, epochNanos, (int) n, map.encoding().size()),
                map.encoding()));
    }

    /** Checks for conflicts and merges overlapping intervals of one stage; the result is disjoint and sorted. */
    private static List<Stage> merge(List<Stage> sorted, StageMap map) {
        List<Stage> merged = new ArrayList<>();
        Stage open = null; // the interval reaching furthest among those seen; all overlapping ones agree with it
        for (Stage s : sorted) {
            if (open != null && s.start() < open.stop()) {
                if (s.stage() != open.stage()) {
                    List<String> e = map.encoding();
                    throw new LabelException("conflicting stages: " + open.source().describe() + " means "
                            + e.get(open.stage()) + " and " + s.source().describe() + " means " + e.get(s.stage())
                            + ", and they overlap over [" + seconds(s.start()) + " s, "
                            + seconds(Math.min(s.stop(), open.stop())) + " s) (expected: annotations that overlap "
                            + "to give the same stage; fix or remove one of them)");
                }
                Stage last = merged.get(merged.size() - 1);
                if (s.stop() > last.stop()) {
                    merged.set(merged.size() - 1, new Stage(last.start(), s.stop(), last.stage(), last.source()));
                    open = s;
                }
            } else {
                merged.add(s);
                open = s;
            }
        }
        return merged;
    }

    private static int[] fill(List<Stage> merged, long origin, long epoch, int n, int classes) {
        int[] out = new int[n];
        long[] covered = new long[classes];
        int first = 0;
        for (int k = 0; k < n; k++) {
            long lo = origin + k * epoch;
            long hi = lo + epoch;
            Arrays.fill(covered, 0);
            while (first < merged.size() && merged.get(first).stop() <= lo) {
                first++;
            }
            for (int i = first; i < merged.size() && merged.get(i).start() < hi; i++) {
                Stage s = merged.get(i);
                covered[s.stage()] += Math.min(hi, s.stop()) - Math.max(lo, s.start());
            }
            out[k] = StageMap.NO_STAGE;
            for (int c = 0; c < classes; c++) {
                if (covered[c] > epoch - covered[c]) { // more than half
                    out[k] = c;
                }
            }
        }
        return out;
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }

    private static String seconds(long nanos) {
        return java.math.BigDecimal.valueOf(nanos, 9).stripTrailingZeros().toPlainString();
    }

    /** Returns when the first epoch starts, in nanoseconds in the recording's time. */
    public long startNanos() {
        return startNanos;
    }

    /** Returns the epoch length in nanoseconds. */
    public long epochNanos() {
        return epochNanos;
    }

    /** Returns the number of epochs. */
    public int epochs() {
        return values.length;
    }

    /** Returns a copy of the labels, one per epoch: an index into {@link #encoding()} or -1. */
    public int[] values() {
        return values.clone();
    }

    /** Returns the class names. */
    public List<String> encoding() {
        return encoding;
    }

    /**
     * Returns the grid as the label grid that index time records and batches read: one label channel,
     * {@value #CHANNEL}.
     *
     * @param dataset the label dataset's name, for example {@code /labels/stage}
     * @return the grid
     */
    public LabelGrid toLabelGrid(String dataset) {
        return new LabelGrid(info(dataset), new int[][] {values.clone()});
    }

    /**
     * Describes the grid as a one-channel label dataset.
     *
     * @param dataset what to call the label dataset (for annotation files, the file)
     * @return the label metadata: channel {@value #CHANNEL}, rate {@code 1e9 / epochNanos}
     */
    public LabelInfo info(String dataset) {
        return new LabelInfo(dataset, List.of(CHANNEL), 1e9 / epochNanos, startNanos, values.length, encoding);
    }
}
