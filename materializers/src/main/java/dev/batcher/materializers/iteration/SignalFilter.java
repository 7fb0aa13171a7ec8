package dev.batcher.materializers.iteration;

import dev.batcher.materializers.dataset.LabeledSignal;
import dev.batcher.api.ChannelKind;

import java.util.ArrayList;
import java.util.List;

/**
 * Which labeled signals (rows of the table) a source draws from, so that every item of a batch has the
 * same shape when recordings hold several signal groups (an EDF file gives one per sample rate):
 * <ul>
 *   <li>{@code null} or {@code all}: every row;
 *   <li>{@code name:/100Hz,/eeg}: the rows whose signal dataset is one of these (a leading slash is optional);
 *   <li>{@code kind:EEG,EOG}: the rows whose signal has at least one channel of one of these kinds (as
 *       a BIDS {@code *_channels.tsv} gives it, else the channel name's first word, see {@link ChannelKind}
 *       and {@link dev.batcher.materializers.metadata.SignalInfo#kindOf}).
 * </ul>
 * The rows kept stay in table order; per-signal weights of a source still index the whole table (the
 * weights of the rows left out are dropped with them). Keeping none is an error.
 */
public final class SignalFilter {
    private SignalFilter() {
    }

    /**
     * Applies a filter's text form.
     *
     * @param text the filter, or null
     * @param signals the table's rows
     * @return the rows kept, in order
     * @throws IterationException if the text is not one of the forms above or keeps no row
     */
    public static List<LabeledSignal> apply(String text, List<LabeledSignal> signals) {
        List<LabeledSignal> kept = new ArrayList<>();
        for (int i : kept(text, signals)) {
            kept.add(signals.get(i));
        }
        return kept;
    }

    /**
     * Returns the indices of the rows a filter keeps, ascending.
     *
     * @param text the filter, or null
     * @param signals the table's rows
     * @return the indices kept
     * @throws IterationException as {@link #apply}
     */
    public static int[] kept(String text, List<LabeledSignal> signals) {
        if (text == null || text.isBlank() || text.trim().equals("all")) {
            return java.util.stream.IntStream.range(0, signals.size()).toArray();
        }
        int colon = text.indexOf(':');
        String how = colon < 0 ? text.trim() : text.substring(0, colon).trim();
        List<String> args = new ArrayList<>();
        if (colon >= 0) {
            for (String a : text.substring(colon + 1).split(",")) {
                if (!a.isBlank()) {
                    args.add(a.trim());
                }
            }
        }
        if (!(how.equals("name") || how.equals("kind")) || args.isEmpty()) {
            throw new IterationException("signals: '" + text + "' (expected: all, name:/100Hz,... or kind:EEG,...)");
        }
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < signals.size(); i++) {
            LabeledSignal s = signals.get(i);
            boolean keep = false;
            if (how.equals("name")) {
                String dataset = s.signal().dataset();
                for (String a : args) {
                    keep |= dataset.equals(a.startsWith("/") ? a : "/" + a);
                }
            } else {
                for (int c = 0; c < s.signal().channels().size(); c++) {
                    String kind = s.signal().kindOf(c);
                    for (String a : args) {
                        keep |= !kind.isEmpty() && kind.equalsIgnoreCase(a);
                    }
                }
            }
            if (keep) {
                kept.add(i);
            }
        }
        if (kept.isEmpty()) {
            throw new IterationException("signals: '" + text + "' keeps none of the " + signals.size()
                    + " labeled signals (expected: at least one; their signals are "
                    + signals.stream().map(s -> s.signal().dataset() + " " + s.signal().channels()).distinct().limit(8).toList() + ")");
        }
        return kept.stream().mapToInt(Integer::intValue).toArray();
    }
}
