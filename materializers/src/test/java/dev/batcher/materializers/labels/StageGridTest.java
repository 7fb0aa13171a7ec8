package dev.batcher.materializers.labels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.annotations.Annotation;
import dev.batcher.materializers.metadata.LabelInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class StageGridTest {
    private static final long S = 1_000_000_000L;
    private static final long EPOCH = StageGrid.DEFAULT_EPOCH_NANOS;

    static Annotation a(double onset, double duration, String text) {
        return new Annotation(Math.round(onset * S), duration < 0 ? Annotation.NO_DURATION : Math.round(duration * S), text,
                "h.edf", "data record 0");
    }

    static StageGrid grid(Annotation... a) {
        return StageGrid.build(List.of(a), StageMap.aasm(), EPOCH).orElseThrow();
    }

    @Test
    void build_sleepEdfHypnogram_oneLabelPerEpoch() {
        StageGrid g = grid(a(0, 60, "Sleep stage W"), a(60, 30, "Sleep stage 1"), a(90, 90, "Sleep stage 2"),
                a(180, 30, "Sleep stage 3"), a(210, 30, "Sleep stage 4"), a(240, 30, "Movement time"),
                a(270, 30, "Sleep stage R"), a(300, 900, "Sleep stage ?"));
        assertEquals(0, g.startNanos());
        assertArrayEquals(new int[] {0, 0, 1, 2, 2, 2, 3, 3, -1, 4}, g.values(), "trailing '?' is not part of the grid");
        LabelInfo info = g.info("SC4001EC-Hypnogram.edf");
        assertEquals(EPOCH, info.periodNanos());
        assertEquals(10, info.samples());
        assertEquals(List.of("stage"), info.channels());
        assertEquals(List.of("W", "N1", "N2", "N3", "R"), info.encoding());
        assertEquals(0, info.startNanos());
    }

    @Test
    void build_partialEpochs_takeTheStageCoveringMoreThanHalf() {
        // Grid from 0: epoch 0 is 20 s W + 10 s N2 -> W; epoch 1 is 15 s N2 + 15 s gap -> -1 (not more
        // than half); epoch 2 is 16 s N2 -> N2; the last epoch is partial (ends at 75 s): 15 s -> -1.
        StageGrid g = grid(a(0, 20, "W"), a(20, 25, "N2"), a(74, 1, "N2"), a(60, 15, "N2"));
        assertArrayEquals(new int[] {0, -1, -1}, g.values());
        StageGrid h = grid(a(0, 20, "W"), a(20, 25, "N2"), a(60, 16, "N2"));
        assertArrayEquals(new int[] {0, -1, 2}, h.values());
    }

    @Test
    void build_gapsAndNoStageTexts_areMinusOne() {
        StageGrid g = grid(a(0, 30, "W"), a(60, 30, "?"), a(120, 30, "N3"));
        assertArrayEquals(new int[] {0, -1, -1, -1, 3}, g.values());
    }

    @Test
    void build_gridStartsAtFirstStageOnset() {
        StageGrid g = grid(a(0, 12.5, "?"), a(12.5, 60, "W"), a(72.5, 30, "N1"));
        assertEquals(12_500_000_000L, g.startNanos());
        assertArrayEquals(new int[] {0, 0, 1}, g.values());
    }

    @Test
    void build_onsetBeforeTheFile_movesTheGridForwardByWholeEpochs() {
        StageGrid g = grid(a(-45, 75, "W"), a(30, 60, "N2"));
        assertEquals(15 * S, g.startNanos(), "the grid keeps the first annotation's phase");
        assertArrayEquals(new int[] {-1, 2, -1}, g.values(), "[15,45): 15 s W + 15 s N2, a tie; [45,75): N2; [75,105): 15 s N2");
    }

    @Test
    void build_noDurationOrZero_coversOneEpoch() {
        StageGrid g = grid(a(0, -1, "W"), a(30, 0, "N2"), a(90, -1, "R"));
        assertArrayEquals(new int[] {0, 2, -1, 4}, g.values());
    }

    @Test
    void build_otherEpochLength_isHonoured() {
        StageGrid g = StageGrid.build(List.of(a(0, 30, "W"), a(30, 30, "N1")), StageMap.aasm(), 10 * S).orElseThrow();
        assertArrayEquals(new int[] {0, 0, 0, 1, 1, 1}, g.values());
        assertEquals(0.1, g.info("x").sampleRate(), 1e-15);
    }

    @Test
    void build_overlapOfTheSameStage_isMerged() {
        StageGrid g = grid(a(0, 60, "Sleep stage 2"), a(30, 60, "N2"), a(40, 10, "Stage 2 sleep|2"));
        assertArrayEquals(new int[] {2, 2, 2}, g.values());
    }

    @Test
    void build_overlapOfDifferentStages_failsNamingBoth() {
        LabelException e = assertThrows(LabelException.class,
                () -> grid(a(0, 60, "Sleep stage W"), a(90, 30, "N2"), a(45, 30, "Sleep stage 3")));
        assertEquals("conflicting stages: h.edf, data record 0: onset 0 s, 'Sleep stage W' means W and h.edf, data record 0: "
                + "onset 45 s, 'Sleep stage 3' means N3, and they overlap over [45 s, 60 s) (expected: annotations that "
                + "overlap to give the same stage; fix or remove one of them)", e.getMessage());
    }

    @Test
    void build_noStageOverlappingAStage_isNoConflict() {
        assertArrayEquals(new int[] {2, 2}, grid(a(0, 60, "N2"), a(10, 30, "Movement time")).values());
    }

    @Test
    void build_orderOfAnnotations_doesNotMatter() {
        List<Annotation> list = new ArrayList<>();
        String[] stages = {"W", "N1", "N2", "N3", "R", "?"};
        Random random = new Random(7);
        long t = 0;
        for (int i = 0; i < 200; i++) {
            long d = (1 + random.nextInt(6)) * 15L;
            list.add(a(t, d, stages[random.nextInt(stages.length)]));
            t += d + (random.nextInt(4) == 0 ? 7 : 0);
        }
        int[] expected = StageGrid.build(list, StageMap.aasm(), EPOCH).orElseThrow().values();
        Collections.shuffle(list, new Random(11));
        assertArrayEquals(expected, StageGrid.build(list, StageMap.aasm(), EPOCH).orElseThrow().values());
    }

    @Test
    void build_noStageAnnotation_isEmptyWhateverElseTheFileHolds() {
        assertEquals(Optional.empty(), StageGrid.build(List.of(a(0, 30, "?"), a(30, 30, "Lights off")), StageMap.aasm(), EPOCH),
                "not a hypnogram: 'Lights off' is no error here");
        assertEquals(Optional.empty(), StageGrid.build(List.of(), StageMap.aasm(), EPOCH));
    }

    @Test
    void toLabelGrid_isOneChannelOfTheValues() {
        dev.batcher.materializers.format.LabelGrid g = grid(a(0, 30, "W"), a(30, 30, "N2")).toLabelGrid("/labels/stage");
        assertEquals("/labels/stage", g.info().dataset());
        assertArrayEquals(new int[][] {{0, 2}}, g.values());
    }

    @Test
    void build_unknownText_failsEvenAmongStages() {
        LabelException e = assertThrows(LabelException.class, () -> grid(a(0, 30, "W"), a(30, 30, "Lights off")));
        assertTrue(e.getMessage().startsWith("h.edf, data record 0: onset 30 s, 'Lights off': text 'Lights off' is not in"),
                e.getMessage());
    }

    @Test
    void build_badEpoch_isRefused() {
        assertThrows(IllegalArgumentException.class, () -> StageGrid.build(List.of(), StageMap.aasm(), 0));
    }
}
