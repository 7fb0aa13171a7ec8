package dev.batcher.materializers.metadata;

import dev.batcher.api.ChannelKind;
import java.util.List;
import java.util.Map;

/**
 * What the attributes of a signal dataset say: a {@code [channels, samples]} array of int16 or float32.
 *
 * @param dataset the dataset's path inside its file, for example {@code /signals/eeg}
 * @param type the element type on disk
 * @param channels the channel names, one a row, in row order
 * @param sampleRate samples per second (Hz)
 * @param resolution the value of one sample step in {@code unit}
 * @param offset the value added after scaling: {@code value = sample * resolution + offset}
 * @param unit the physical unit of decoded values, for example {@code microvolt}
 * @param startNanos when the signal starts within its recording, in nanoseconds
 * @param samples the number of samples per channel
 * @param kinds each channel's kind ({@code EEG}, {@code EOG}...) where a file beside the recording
 *     gives it (a BIDS {@code *_channels.tsv}), one per channel; empty when the kinds come from the
 *     channel names ({@link ChannelKind})
 */
public record SignalInfo(
        String dataset,
        SampleType type,
        List<String> channels,
        double sampleRate,
        double resolution,
        double offset,
        String unit,
        long startNanos,
        long samples,
        List<String> kinds) {

    /**
     * Copies the lists so the record is immutable.
     *
     * @throws IllegalArgumentException if {@code kinds} is neither empty nor one per channel
     */
    public SignalInfo {
        channels = List.copyOf(channels);
        kinds = List.copyOf(kinds);
        if (!kinds.isEmpty() && kinds.size() != channels.size()) {
            throw new IllegalArgumentException("kinds: " + kinds.size() + " for " + channels.size()
                    + " channels (expected: none, or one per channel)");
        }
    }

    /** A signal whose channels' kinds come from their names. */
    public SignalInfo(String dataset, SampleType type, List<String> channels, double sampleRate, double resolution,
                      double offset, String unit, long startNanos, long samples) {
        this(dataset, type, channels, sampleRate, resolution, offset, unit, startNanos, samples, List.of());
    }

    /**
     * Returns the kind of channel {@code c}: the one given in {@link #kinds()}, else its name's
     * ({@link ChannelKind#of}), upper case; {@code ""} for none.
     *
     * @param c the channel's row
     * @return its kind
     */
    public String kindOf(int c) {
        return kinds.isEmpty() ? ChannelKind.of(channels.get(c)) : kinds.get(c);
    }

    /**
     * Returns this signal with the kinds {@code types} gives (channel name to type, as a BIDS
     * {@code *_channels.tsv} lists them); a channel not listed keeps its name's kind. Unchanged if no
     * channel is listed.
     *
     * @param types channel name to kind
     * @return the signal with {@link #kinds()} filled in
     */
    public SignalInfo withKinds(Map<String, String> types) {
        if (channels.stream().noneMatch(types::containsKey)) {
            return this;
        }
        List<String> k = new java.util.ArrayList<>();
        for (int c = 0; c < channels.size(); c++) {
            String t = types.get(channels.get(c));
            k.add(t != null ? t.strip().toUpperCase(java.util.Locale.ROOT) : ChannelKind.of(channels.get(c)));
        }
        return new SignalInfo(dataset, type, channels, sampleRate, resolution, offset, unit, startNanos, samples, k);
    }

    /** Returns the span of the recording this signal covers. */
    public TimeSpan span() {
        return new TimeSpan(startNanos, startNanos + TimeSpan.nanosOf(samples, sampleRate));
    }
}
