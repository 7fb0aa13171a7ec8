package dev.batcher.materializers.metadata;

import java.util.List;

/**
 * What the attributes of a label dataset say: an integer {@code [label channels, n]} array.
 *
 * @param dataset the dataset's path inside its file, for example {@code /labels/stage}
 * @param channels the label channel names, one a row
 * @param sampleRate label samples per second, for example {@code 1/30.0} for 30 s epochs
 * @param startNanos when the first label sample starts within the recording, in nanoseconds
 * @param samples the number of label samples per label channel
 * @param encoding the name of each label value: value {@code i} means {@code encoding.get(i)}
 */
public record LabelInfo(
        String dataset,
        List<String> channels,
        double sampleRate,
        long startNanos,
        long samples,
        List<String> encoding) {

    /** Copies the lists so the record is immutable. */
    public LabelInfo {
        channels = List.copyOf(channels);
        encoding = List.copyOf(encoding);
    }

    /** Returns the length of one label sample (an epoch) in nanoseconds. */
    public long periodNanos() {
        return TimeSpan.nanosOf(1, sampleRate);
    }

    /** Returns the span of the recording the labels cover. */
    public TimeSpan span() {
        return new TimeSpan(startNanos, startNanos + TimeSpan.nanosOf(samples, sampleRate));
    }
}
