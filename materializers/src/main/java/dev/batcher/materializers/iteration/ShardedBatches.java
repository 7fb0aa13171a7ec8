package dev.batcher.materializers.iteration;

import dev.batcher.api.BatchState;
import java.util.Locale;
import java.util.Objects;

/**
 * One rank's share of another source, for data-parallel training: rank {@code r} of {@code W} takes
 * the global batches {@code r, r + W, r + 2W, ...} of the wrapped source, so the W ranks together
 * take every global batch exactly once, each from a disjoint, deterministic stream.
 *
 * <p><b>The state is global.</b> Its {@code batch} is the global index of the first batch of the
 * current <em>round</em> (the W batches the ranks take together), and it advances by W each step.
 * Every rank therefore holds the same state text after each step: {@code seed=42,batch=0} before
 * the first round, {@code seed=42,batch=W} after it, and so on. One rank's checkpoint resumes all of
 * them exactly. Resuming with another world size {@code W'} from a state {@code seed=s,batch=b}
 * continues the global sequence at global batch {@code b}: rank {@code r} takes {@code b + r},
 * {@code b + W' + r}, ..., so no global batch is skipped or taken twice across the change.
 *
 * <pre>
 *   global batches   0   1   2   3   4   5   6   7 ...
 *   W = 2:  rank 0   0       2       4       6          states 0, 2, 4, 6, 8 ...
 *           rank 1       1       3       5       7
 *   checkpoint at state batch=4, resume with W' = 3:
 *           rank 0                   4           7      states 4, 7, 10 ...
 *           rank 1                       5          8
 *           rank 2                           6          9
 * </pre>
 *
 * <p><b>Finite sources</b> (such as {@link SequentialBatches}) give every rank the same number of
 * batches, as data-parallel training needs (a rank that stops early leaves the others waiting for
 * it in a collective). With {@link Uneven#DROP} the ranks stop before the first round that is not
 * complete, so up to {@code W - 1} trailing global batches are not taken. With {@link Uneven#PAD}
 * the ranks stop after the last round that holds any batch; in that round the ranks past the end
 * take the round's first global batch again (a repeat, as {@code DistributedSampler} repeats
 * samples; weigh it out of evaluation metrics or use {@code DROP}). The end's state is the same on
 * every rank. The wrapped source must end at a fixed count: once a global batch gives the end, every
 * later one does.
 */
public final class ShardedBatches implements BatchSource {
    /** What the ranks do with a last round that the wrapped source cannot fill. */
    public enum Uneven {
        /** Ranks past the end repeat the round's first batch; every global batch is taken. */
        PAD,
        /** The incomplete last round is not taken by any rank. */
        DROP;

        /**
         * Parses {@code pad} or {@code drop} (any case).
         *
         * @param text the option's text; null means {@code pad}
         * @return the option
         * @throws IterationException if the text is neither; the message quotes it
         */
        public static Uneven parse(String text) {
            if (text == null) {
                return PAD;
            }
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "pad" -> PAD;
                case "drop" -> DROP;
                default -> throw new IterationException("uneven: '" + text + "' (expected: pad or drop)");
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final BatchSource global;
    private final int rank;
    private final int worldSize;
    private final Uneven uneven;

    /**
     * Creates rank {@code rank}'s share of {@code global}.
     *
     * @param global the source of the global sequence
     * @param rank this rank, {@code 0 <= rank < worldSize}
     * @param worldSize the number of ranks, {@code >= 1}
     * @param uneven what to do with an incomplete last round of a finite source
     * @throws IterationException if {@code worldSize < 1} or {@code rank} is outside {@code [0, worldSize)}
     * @throws NullPointerException if {@code global} or {@code uneven} is null
     */
    public ShardedBatches(BatchSource global, int rank, int worldSize, Uneven uneven) {
        this.global = Objects.requireNonNull(global, "global");
        this.uneven = Objects.requireNonNull(uneven, "uneven");
        if (worldSize < 1) {
            throw new IterationException("worldSize: " + worldSize + " (expected: >= 1)");
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IterationException("rank: " + rank + " (expected: >= 0 and < worldSize " + worldSize + ")");
        }
        this.rank = rank;
        this.worldSize = worldSize;
    }

    /** Returns this rank. */
    public int rank() {
        return rank;
    }

    /** Returns the number of ranks. */
    public int worldSize() {
        return worldSize;
    }

    @Override
    public Step next(BatchState state) {
        long round = state.batch();
        BatchState after = new BatchState(state.seed(), Math.addExact(round, worldSize));
        if (uneven == Uneven.DROP) {
            // The round is taken only if its last batch exists (ends are monotone).
            if (global.next(at(state, round + worldSize - 1)) instanceof Step.End) {
                return new Step.End(state);
            }
            return new Step.Next(((Step.Next) global.next(at(state, round + rank))).spec(), after);
        }
        Step mine = global.next(at(state, round + rank));
        if (mine instanceof Step.Next next) {
            return new Step.Next(next.spec(), after);
        }
        Step first = rank == 0 ? mine : global.next(state);
        if (first instanceof Step.Next pad) {
            return new Step.Next(pad.spec(), after);
        }
        return new Step.End(state);
    }

    private static BatchState at(BatchState state, long globalBatch) {
        return new BatchState(state.seed(), globalBatch);
    }

    @Override
    public String toString() {
        return "ShardedBatches[rank " + rank + " of " + worldSize + ", " + uneven + ", " + global + "]";
    }
}
