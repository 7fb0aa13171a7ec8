package dev.batcher.materializers.iteration;

import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.materializers.metadata.SampleType;
import dev.batcher.materializers.metadata.SignalInfo;
import java.util.List;

/** In-memory labeled signals for iteration tests: no files needed. */
final class Signals {
    static final long EPOCH = 30_000_000_000L;

    private Signals() {}

    /**
     * A signal of {@code channels} channels at 256 Hz starting at {@code signalStartEpochs}, with labels
     * covering {@code labelEpochs} epochs starting {@code labelOffsetEpochs} after the signal.
     */
    static LabeledSignal signal(String id, List<String> channels, long labelOffsetEpochs, long labelEpochs) {
        long signalStart = 5 * EPOCH;
        long signalEpochs = labelOffsetEpochs + labelEpochs + 3;
        SignalInfo s = new SignalInfo("/signals/eeg", SampleType.INT16, channels, 256.0, 0.1, -3.0, "microvolt",
                signalStart, signalEpochs * 30 * 256);
        LabelInfo l = new LabelInfo("/labels/stage", List.of("stage"), 1 / 30.0, signalStart + labelOffsetEpochs * EPOCH,
                labelEpochs, List.of("wake", "n1", "n2", "n3", "rem"));
        return new LabeledSignal(id, id + ".h5", s, l, s.span(), l.span());
    }

    static List<LabeledSignal> three() {
        return List.of(
                signal("a", List.of("C3", "C4", "O1", "O2", "M1", "M2"), 0, 40),
                signal("b", List.of("F3", "F4", "C3", "C4"), 2, 17),
                signal("c", List.of("C3", "C4", "EMG"), 1, 123));
    }
}
