package dev.batcher.materializers.metadata;

import java.util.List;

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
        long samples) {

    /** Copies the channel list so the record is immutable. */
    public SignalInfo {
        channels = List.copyOf(channels);
    }

    /** Returns the span of the recording this signal covers. */
    public TimeSpan span() {
        return new TimeSpan(startNanos, startNanos + TimeSpan.nanosOf(samples, sampleRate));
    }
}
