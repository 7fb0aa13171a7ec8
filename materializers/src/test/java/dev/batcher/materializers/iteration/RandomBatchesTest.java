package dev.batcher.materializers.iteration;

import dev.batcher.api.BatchState;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ChannelSelection;
import dev.batcher.api.ItemSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class RandomBatchesTest {
    private final List<LabeledSignal> signals = Signals.three();

    @Test
    void next_manyBatches_windowsLieInsideSpansAndContainTheirEpoch() {
        RandomBatches source = new RandomBatches(signals, RandomBatchesConfig.of(16, 90));
        for (long b = 0; b < 300; b++) {
            for (RandomBatches.Draw d : source.draws(new BatchState(7, b))) {
                LabeledSignal s = signals.get(d.signal());
                ItemSpec item = d.item();
                long labelFirst = s.labelSampleAt(s.labelSpan().startNanos());
                long offset = item.labelStart() - labelFirst;
                assertTrue(offset >= 0 && offset + item.labelCount() <= s.labelEpochs(), "label window inside span: " + item);
                assertTrue(d.epoch() >= offset && d.epoch() < offset + item.labelCount(), "epoch inside window: " + d);
                long signalFirst = s.signalSampleAt(s.signalSpan().startNanos());
                long signalLast = s.signalSampleAt(s.signalSpan().stopNanos());
                assertTrue(item.sampleStart() >= signalFirst && item.sampleStart() + item.sampleCount() <= signalLast);
                assertEquals(3, item.labelCount());
                assertEquals(90 * 256, item.sampleCount());
                // The signal window starts exactly where the label window starts.
                assertEquals(s.signalSampleAt(s.labels().startNanos() + item.labelStart() * Signals.EPOCH), item.sampleStart());
            }
        }
    }

    @Test
    void next_numChannels_drawsWithoutRepeatsFromTheSignalsChannels() {
        RandomBatches source = new RandomBatches(signals, RandomBatchesConfig.of(8, 30).withNumChannels(3));
        for (long b = 0; b < 200; b++) {
            for (RandomBatches.Draw d : source.draws(new BatchState(11, b))) {
                List<String> chosen = d.item().channels().arguments();
                assertEquals("names", d.item().channels().selector());
                assertEquals(3, chosen.size());
                assertEquals(3, new HashSet<>(chosen).size(), "no repeats: " + chosen);
                assertTrue(signals.get(d.signal()).signal().channels().containsAll(chosen));
            }
        }
    }

    @Test
    void next_signalWeights_frequenciesPassChiSquare() {
        double[] weights = {1, 2, 5};
        RandomBatches source = new RandomBatches(signals, RandomBatchesConfig.of(50, 30).withSignalWeights(weights));
        long[] counts = new long[3];
        for (long b = 0; b < 400; b++) {
            for (RandomBatches.Draw d : source.draws(new BatchState(1234, b))) {
                counts[d.signal()]++;
            }
        }
        // 2 degrees of freedom: the 0.999 quantile is 13.82.
        assertTrue(chiSquare(counts, weights) < 13.82, () -> "chi-square too large for counts " + java.util.Arrays.toString(counts));
    }

    @Test
    void next_labelWeights_frequenciesPassChiSquare() {
        LabeledSignal only = Signals.signal("x", List.of("C3"), 0, 6);
        double[] w = {0, 1, 2, 3, 4, 0};
        RandomBatches source = new RandomBatches(List.of(only), RandomBatchesConfig.of(40, 30).withLabelWeights(List.of(w)));
        long[] counts = new long[6];
        for (long b = 0; b < 500; b++) {
            for (RandomBatches.Draw d : source.draws(new BatchState(99, b))) {
                counts[(int) d.epoch()]++;
            }
        }
        assertEquals(0, counts[0]);
        assertEquals(0, counts[5]);
        long[] inner = {counts[1], counts[2], counts[3], counts[4]};
        // 3 degrees of freedom: the 0.999 quantile is 16.27.
        assertTrue(chiSquare(inner, new double[] {1, 2, 3, 4}) < 16.27, () -> java.util.Arrays.toString(counts));
    }

    @Test
    void next_uniformEpochs_placementsAreUniformAmongThoseContainingTheEpoch() {
        LabeledSignal only = Signals.signal("x", List.of("C3"), 0, 10);
        double[] w = new double[10];
        w[5] = 1; // always epoch 5; windows of 3 epochs can start at 3, 4 or 5
        RandomBatches source = new RandomBatches(List.of(only), RandomBatchesConfig.of(30, 90).withLabelWeights(List.of(w)));
        long[] counts = new long[3];
        for (long b = 0; b < 300; b++) {
            for (RandomBatches.Draw d : source.draws(new BatchState(5, b))) {
                counts[(int) (d.item().labelStart() - 3)]++;
            }
        }
        assertTrue(chiSquare(counts, new double[] {1, 1, 1}) < 13.82, () -> java.util.Arrays.toString(counts));
    }

    @Test
    void next_sameState_sameSpecAndNextState() {
        RandomBatches a = new RandomBatches(signals, RandomBatchesConfig.of(8, 60).withNumChannels(2));
        RandomBatches b = new RandomBatches(Signals.three(), RandomBatchesConfig.of(8, 60).withNumChannels(2));
        BatchState s = new BatchState(-42, 1_000_000_007L);
        assertEquals(a.next(s), b.next(s));
        assertNotEquals(a.next(s), a.next(s.next()));
    }

    @Test
    void next_restartAtStateK_givesTheTailOfAnUninterruptedRun() {
        RandomBatches source = new RandomBatches(signals, RandomBatchesConfig.of(4, 30));
        List<Step.Next> run = new ArrayList<>();
        BatchState state = BatchState.initial(3);
        for (int i = 0; i < 50; i++) {
            Step.Next next = assertInstanceOf(Step.Next.class, source.next(state));
            run.add(next);
            state = next.state();
        }
        BatchState resumed = BatchState.parse(run.get(36).state().toString());
        for (int i = 37; i < 50; i++) {
            Step.Next next = (Step.Next) source.next(resumed);
            assertEquals(run.get(i), next);
            resumed = next.state();
        }
    }

    @Test
    void next_fixedSeed_specsAreStableAcrossReleases() {
        // A golden value: the stream is part of the checkpoint contract, so it must never change silently.
        RandomBatches source = new RandomBatches(signals, RandomBatchesConfig.of(3, 30).withNumChannels(2));
        BatchSpec spec = ((Step.Next) source.next(new BatchState(2024, 5))).spec();
        StringBuilder text = new StringBuilder();
        for (ItemSpec item : spec.items()) {
            text.append(item.recording()).append('@').append(item.labelStart()).append(item.channels()).append(';');
        }
        assertEquals(GOLDEN, text.toString());
    }

    /** Recorded when the stream was defined; a change here breaks every stored checkpoint. */
    static final String GOLDEN = "a@35names:C3,C4;a@22names:M1,C4;c@85names:C4,C3;";

    @Test
    void constructor_durationNotWholeEpochs_namesTheValues() {
        IterationException e = assertThrows(IterationException.class,
                () -> new RandomBatches(signals, RandomBatchesConfig.of(4, 45)));
        assertTrue(e.getMessage().contains("45.0 s is not a whole number of label periods (30.0"), e.getMessage());
    }

    @Test
    void constructor_windowLongerThanLabelSpan_namesTheRecordingAndSpan() {
        IterationException e = assertThrows(IterationException.class,
                () -> new RandomBatches(signals, RandomBatchesConfig.of(4, 30 * 18)));
        assertTrue(e.getMessage().contains("longer than the label span of recording b"), e.getMessage());
        assertTrue(e.getMessage().contains("17 epochs"), e.getMessage());
    }

    @Test
    void constructor_signalWeightsOfWrongLength_namesBothLengths() {
        IterationException e = assertThrows(IterationException.class,
                () -> new RandomBatches(signals, RandomBatchesConfig.of(4, 30).withSignalWeights(new double[] {1, 2})));
        assertEquals("signalWeights: 2 weights (expected: one per labeled signal, 3)", e.getMessage());
    }

    @Test
    void constructor_labelWeightsOfWrongLength_namesTheSignalAndEpochs() {
        List<double[]> w = List.of(ones(40), ones(16), ones(123));
        IterationException e = assertThrows(IterationException.class,
                () -> new RandomBatches(signals, RandomBatchesConfig.of(4, 30).withLabelWeights(w)));
        assertEquals("labelWeights[1]: 16 weights (expected: one per label epoch of b, 17)", e.getMessage());
    }

    @Test
    void constructor_negativeOrZeroWeights_rejected() {
        assertThrows(IterationException.class,
                () -> new RandomBatches(signals, RandomBatchesConfig.of(4, 30).withSignalWeights(new double[] {1, -1, 1})));
        IterationException e = assertThrows(IterationException.class,
                () -> new RandomBatches(signals, RandomBatchesConfig.of(4, 30).withSignalWeights(new double[] {0, 0, 0})));
        assertTrue(e.getMessage().contains("all 3 weights are 0"), e.getMessage());
    }

    @Test
    void constructor_selectionARecordingLacks_failsAtOnceNamingIt() {
        IterationException e = assertThrows(IterationException.class,
                () -> new RandomBatches(signals, RandomBatchesConfig.of(4, 30).withChannels(ChannelSelection.parse("names:C3,EMG"))));
        assertTrue(e.getMessage().startsWith("channels: names:C3,EMG does not fit 2 of 3 labeled signals"), e.getMessage());
        assertTrue(e.getMessage().contains("; recording a (a.h5, /signals/eeg): channel 'EMG' not found"), e.getMessage());
        assertTrue(e.getMessage().contains("; recording b (b.h5, /signals/eeg): channel 'EMG' not found"), e.getMessage());
    }

    @Test
    void constructor_tooManyChannels_namesTheRecording() {
        IterationException e = assertThrows(IterationException.class,
                () -> new RandomBatches(signals, RandomBatchesConfig.of(4, 30).withNumChannels(5)));
        assertTrue(e.getMessage().contains("numChannels: 5 (expected: <= the channels of every labeled signal"), e.getMessage());
        assertTrue(e.getMessage().contains("4 in recording b"), e.getMessage());
    }

    @Test
    void config_nonPositiveBatchSize_rejectedWithTheRule() {
        IterationException e = assertThrows(IterationException.class, () -> RandomBatchesConfig.of(0, 30));
        assertEquals("batchSize: 0 (expected: > 0)", e.getMessage());
    }

    static double[] ones(int n) {
        double[] w = new double[n];
        java.util.Arrays.fill(w, 1);
        return w;
    }

    static double chiSquare(long[] counts, double[] weights) {
        long n = 0;
        double total = 0;
        for (int i = 0; i < counts.length; i++) {
            n += counts[i];
            total += weights[i];
        }
        double chi = 0;
        for (int i = 0; i < counts.length; i++) {
            double expected = n * weights[i] / total;
            chi += (counts[i] - expected) * (counts[i] - expected) / expected;
        }
        return chi;
    }
}
