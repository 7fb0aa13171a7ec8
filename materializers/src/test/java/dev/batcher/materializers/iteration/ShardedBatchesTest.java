package dev.batcher.materializers.iteration;

import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ShardedBatchesTest {
    private final RandomBatches random = new RandomBatches(Signals.three(),
            new RandomBatchesConfig(4, 2 * Signals.EPOCH, null, ChannelSelection.all(), null, null));
    /** 46 windows in batches of 5: 10 global batches. */
    private final SequentialBatches sequential =
            new SequentialBatches(Signals.three(), 5, 4 * Signals.EPOCH, ChannelSelection.all());

    private static BatchSpec global(BatchSource source, long seed, long batch) {
        return ((Step.Next) source.next(new BatchState(seed, batch))).spec();
    }

    /** Takes up to {@code steps} batches from {@code state}; returns the specs and leaves the last state in {@code last}. */
    private static List<BatchSpec> take(BatchSource source, BatchState state, int steps, BatchState[] last) {
        List<BatchSpec> specs = new ArrayList<>();
        for (int i = 0; i < steps && source.next(state) instanceof Step.Next next; i++) {
            specs.add(next.spec());
            state = next.state();
        }
        last[0] = state;
        return specs;
    }

    @Test
    void next_twoRanks_takeDisjointInterleavedGlobalBatchesWithTheSameStates() {
        ShardedBatches r0 = new ShardedBatches(random, 0, 2, ShardedBatches.Uneven.PAD);
        ShardedBatches r1 = new ShardedBatches(random, 1, 2, ShardedBatches.Uneven.PAD);
        BatchState s0 = BatchState.initial(7);
        BatchState s1 = BatchState.initial(7);
        for (int step = 0; step < 20; step++) {
            Step.Next a = (Step.Next) r0.next(s0);
            Step.Next b = (Step.Next) r1.next(s1);
            assertEquals(global(random, 7, 2L * step), a.spec());
            assertEquals(global(random, 7, 2L * step + 1), b.spec());
            assertEquals(new BatchState(7, 2L * step + 2), a.state());
            assertEquals(a.state(), b.state(), "every rank holds the same state text");
            s0 = a.state();
            s1 = b.state();
        }
    }

    @Test
    void next_resumeWithAnotherWorldSize_continuesTheGlobalSequenceWithoutGapOrRepeat() {
        BatchState[] last = new BatchState[1];
        List<BatchSpec> taken = new ArrayList<>();
        // 3 steps with W = 2: global batches 0..5, state batch=6
        List<BatchSpec> a = take(new ShardedBatches(random, 0, 2, ShardedBatches.Uneven.PAD), BatchState.initial(3), 3, last);
        List<BatchSpec> b = take(new ShardedBatches(random, 1, 2, ShardedBatches.Uneven.PAD), BatchState.initial(3), 3, last);
        assertEquals(new BatchState(3, 6), last[0]);
        for (int i = 0; i < 3; i++) {
            taken.add(a.get(i));
            taken.add(b.get(i));
        }
        // resume at batch=6 with W = 3 for 2 steps: global batches 6..11
        List<List<BatchSpec>> ranks = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
            ranks.add(take(new ShardedBatches(random, r, 3, ShardedBatches.Uneven.PAD), last[0], 2, new BatchState[1]));
        }
        for (int i = 0; i < 2; i++) {
            for (int r = 0; r < 3; r++) {
                taken.add(ranks.get(r).get(i));
            }
        }
        for (int g = 0; g < 12; g++) {
            assertEquals(global(random, 3, g), taken.get(g), "global batch " + g);
        }
    }

    @Test
    void next_finiteSourcePad_everyRankTheSameCountAndEveryGlobalBatchTaken() {
        assertEquals(10, sequential.batches());
        int world = 3; // 10 = 3 + 3 + 3 + 1: four rounds, the last one padded
        Set<BatchSpec> seen = new HashSet<>();
        BatchState end = null;
        for (int r = 0; r < world; r++) {
            BatchState[] last = new BatchState[1];
            List<BatchSpec> specs = take(new ShardedBatches(sequential, r, world, ShardedBatches.Uneven.PAD),
                    BatchState.initial(0), 100, last);
            assertEquals(4, specs.size(), "rank " + r);
            seen.addAll(specs);
            if (r > 0) {
                assertEquals(global(sequential, 0, 9), specs.get(3), "padded with the round's first batch");
            }
            end = end == null ? last[0] : end;
            assertEquals(end, last[0], "every rank ends at the same state");
        }
        assertEquals(new BatchState(0, 12), end);
        assertEquals(10, seen.size());
        Step.End e = assertInstanceOf(Step.End.class,
                new ShardedBatches(sequential, 2, world, ShardedBatches.Uneven.PAD).next(end));
        assertEquals(end, e.last());
    }

    @Test
    void next_finiteSourceDrop_everyRankTheSameCountAndNoIncompleteRound() {
        int world = 3;
        Set<BatchSpec> seen = new HashSet<>();
        for (int r = 0; r < world; r++) {
            BatchState[] last = new BatchState[1];
            List<BatchSpec> specs = take(new ShardedBatches(sequential, r, world, ShardedBatches.Uneven.DROP),
                    BatchState.initial(0), 100, last);
            assertEquals(3, specs.size(), "rank " + r);
            assertEquals(new BatchState(0, 9), last[0]);
            seen.addAll(specs);
        }
        assertEquals(9, seen.size());
        assertTrue(!seen.contains(global(sequential, 0, 9)), "the incomplete round is dropped");
    }

    @Test
    void new_badRankOrWorldSize_namesTheValue() {
        IterationException e = assertThrows(IterationException.class,
                () -> new ShardedBatches(random, 2, 2, ShardedBatches.Uneven.PAD));
        assertEquals("rank: 2 (expected: >= 0 and < worldSize 2)", e.getMessage());
        e = assertThrows(IterationException.class, () -> new ShardedBatches(random, 0, 0, ShardedBatches.Uneven.PAD));
        assertEquals("worldSize: 0 (expected: >= 1)", e.getMessage());
        e = assertThrows(IterationException.class, () -> ShardedBatches.Uneven.parse("wrap"));
        assertEquals("uneven: 'wrap' (expected: pad or drop)", e.getMessage());
    }

    @Test
    void sourceConfig_sharded_buildsTheRanksShare() {
        SourceConfig config = new SourceConfig.Sharded(1, 2, "drop", new SourceConfig.Sequential(5, 120, null));
        BatchSource source = BatchSources.build(config, Signals.three());
        ShardedBatches sharded = assertInstanceOf(ShardedBatches.class, source);
        assertEquals(1, sharded.rank());
        assertEquals(global(sequential, 0, 1), global(source, 0, 0));
        IterationException e = assertThrows(IterationException.class,
                () -> BatchSources.build(new SourceConfig.Sharded(0, 2, null, null), Signals.three()));
        assertTrue(e.getMessage().startsWith("source: null"), e.getMessage());
    }
}
