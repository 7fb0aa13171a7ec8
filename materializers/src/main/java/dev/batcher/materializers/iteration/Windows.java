package dev.batcher.materializers.iteration;

import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.materializers.metadata.TimeSpan;
import dev.batcher.api.ChannelSelection;
import dev.batcher.materializers.channels.ChannelSelectionException;
import dev.batcher.materializers.channels.ChannelSelectors;
import dev.batcher.api.BatchSpec;
import dev.batcher.api.ItemSpec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The window arithmetic shared by the sources: from label epochs to sample and label windows. */
final class Windows {
    private Windows() {}

    /**
     * Returns how many label epochs a window of {@code durationNanos} spans in {@code signal}, checking
     * that it is a whole number and that it fits in the label span.
     */
    static int epochsPerWindow(LabeledSignal signal, long durationNanos) {
        double rate = signal.labels().sampleRate();
        if (!TimeSpan.onGrid(durationNanos, rate)) {
            throw new IterationException("batchDuration: " + durationNanos / 1e9 + " s is not a whole number of label periods ("
                    + 1 / rate + " s) of recording " + signal.recording() + " (" + signal.file() + ", " + signal.labels().dataset()
                    + ")");
        }
        long epochs = TimeSpan.samples(durationNanos, rate);
        if (epochs > signal.labelEpochs()) {
            throw new IterationException("batchDuration: " + durationNanos / 1e9 + " s is longer than the label span of recording "
                    + signal.recording() + " (" + signal.file() + "): " + signal.labelSpan().durationNanos() / 1e9 + " s, "
                    + signal.labelEpochs() + " epochs (expected: a window inside every label span)");
        }
        if (!TimeSpan.onGrid(durationNanos, signal.signal().sampleRate())) {
            throw new IterationException("batchDuration: " + durationNanos / 1e9 + " s is not a whole number of samples at "
                    + signal.signal().sampleRate() + " Hz in recording " + signal.recording() + " (" + signal.file() + ")");
        }
        return Math.toIntExact(epochs);
    }

    /**
     * Builds the item whose window starts at label epoch {@code firstEpoch} of the label span and spans
     * {@code epochs} epochs.
     */
    static ItemSpec item(LabeledSignal signal, long firstEpoch, int epochs, int labelSkip, ChannelSelection channels) {
        double labelRate = signal.labels().sampleRate();
        long startNanos = signal.labelSpan().startNanos() + TimeSpan.nanosOf(firstEpoch, labelRate);
        long durationNanos = TimeSpan.nanosOf(epochs, labelRate);
        long sampleStart = signal.signalSampleAt(startNanos);
        int sampleCount = Math.toIntExact(TimeSpan.samples(durationNanos, signal.signal().sampleRate()));
        long labelStart = signal.labelSampleAt(signal.labelSpan().startNanos()) + firstEpoch;
        return new ItemSpec(signal.recording(), signal.file(), signal.signal().dataset(), sampleStart, sampleCount,
                channels, signal.labels().dataset(), labelStart, epochs, labelSkip);
    }

    /**
     * Checks that {@code selection} can be planned on every labeled signal (names, montage terms and
     * selectors from the {@code ChannelSelectorProvider} SPI alike), so that a selection some
     * recording cannot satisfy fails when the source is built, not hours later when that recording is
     * first drawn. Every offending signal is listed, grouped by what is wrong; signals with the same
     * channels are planned once.
     *
     * @throws IterationException naming every offending recording, its file and dataset, and the problem
     */
    static void requireSelectionFits(List<LabeledSignal> signals, ChannelSelection selection) {
        Map<List<String>, String> problemByChannels = new HashMap<>();
        Map<String, List<String>> offendersByProblem = new LinkedHashMap<>();
        int offenders = 0;
        for (LabeledSignal s : signals) {
            List<String> channels = s.signal().channels();
            String problem = problemByChannels.computeIfAbsent(channels, c -> {
                try {
                    ChannelSelectors.plan(selection, c);
                    return "";
                } catch (ChannelSelectionException e) {
                    return e.getMessage();
                }
            });
            if (!problem.isEmpty()) {
                offenders++;
                offendersByProblem.computeIfAbsent(problem, p -> new ArrayList<>())
                        .add(s.recording() + " (" + s.file() + ", " + s.signal().dataset() + ")");
            }
        }
        if (offenders == 0) {
            return;
        }
        StringBuilder b = new StringBuilder("channels: ").append(selection).append(" does not fit ").append(offenders)
                .append(" of ").append(signals.size()).append(" labeled signals (expected: a selection every labeled "
                        + "signal satisfies; use fill: to pad missing channels, or leave those recordings out of the table)");
        offendersByProblem.forEach((problem, recordings) -> b.append("; recording").append(recordings.size() > 1 ? "s " : " ")
                .append(String.join(", ", recordings)).append(": ").append(problem));
        throw new IterationException(b.toString());
    }

    /**
     * Checks the channel selection of every item of {@code specs} that reads a labeled signal of
     * {@code signals} (same file and signal dataset) against that signal's channels, as
     * {@link #requireSelectionFits} does for a source's one selection. Each distinct pair of
     * selection and channel list is planned once.
     *
     * @throws IterationException naming every offending batch and item, its recording, file and dataset
     */
    static void requireItemSelectionsFit(List<LabeledSignal> signals, List<BatchSpec> specs) {
        Map<String, LabeledSignal> byDataset = new HashMap<>();
        for (LabeledSignal s : signals) {
            byDataset.putIfAbsent(s.file() + "\n" + absolute(s.signal().dataset()), s);
        }
        Map<List<Object>, String> problems = new HashMap<>();
        List<String> offenders = new ArrayList<>();
        int checked = 0;
        for (int b = 0; b < specs.size(); b++) {
            List<ItemSpec> items = specs.get(b).items();
            for (int i = 0; i < items.size(); i++) {
                ItemSpec item = items.get(i);
                LabeledSignal s = byDataset.get(item.file() + "\n" + absolute(item.signal()));
                if (s == null) {
                    continue;
                }
                checked++;
                List<String> channels = s.signal().channels();
                String problem = problems.computeIfAbsent(List.of(item.channels(), channels), k -> {
                    try {
                        ChannelSelectors.plan(item.channels(), channels);
                        return "";
                    } catch (ChannelSelectionException e) {
                        return e.getMessage();
                    }
                });
                if (!problem.isEmpty()) {
                    offenders.add("batch " + b + " item " + i + ", recording " + item.recording() + " (" + item.file() + ", "
                            + item.signal() + "): " + problem);
                }
            }
        }
        if (!offenders.isEmpty()) {
            throw new IterationException("channels: " + offenders.size() + " of " + checked + " items reading labeled "
                    + "signals select channels their signal lacks (expected: selections every item's signal satisfies); "
                    + String.join("; ", offenders));
        }
    }

    private static String absolute(String dataset) {
        return dataset.startsWith("/") ? dataset : "/" + dataset;
    }

    static void requireSignals(List<LabeledSignal> signals) {
        if (signals.isEmpty()) {
            throw new IterationException("signals: [] (expected: at least one labeled signal)");
        }
    }

    static void requirePositive(String field, long value) {
        if (value <= 0) {
            throw new IterationException(field + ": " + value + " (expected: > 0)");
        }
    }
}
