package dev.batcher.api;

import java.util.Objects;

/**
 * One item of a batch: a window of one signal and the labels under it. Small and self-contained, so
 * that it can cross the network to a worker that knows nothing but the dataset roots.
 *
 * @param recording the recording id (for error messages and logs)
 * @param file the HDF5 file, relative to a dataset root
 * @param signal the signal dataset's path inside the file
 * @param sampleStart the first sample of the window, an index into the signal dataset
 * @param sampleCount the number of samples in the window
 * @param channels which channels x holds
 * @param labels the label dataset's path inside the file
 * @param labelStart the first label sample of the window, an index into the label dataset
 * @param labelCount the number of label samples in the window
 * @param labelSkip how many leading label samples an earlier item already covered; the materializer
 *     writes {@code -1} for them, so that evaluation counts every epoch once
 */
public record ItemSpec(
        String recording,
        String file,
        String signal,
        long sampleStart,
        int sampleCount,
        ChannelSelection channels,
        String labels,
        long labelStart,
        int labelCount,
        int labelSkip) {

    /**
     * Checks the item.
     *
     * @throws IllegalArgumentException if a start is negative, a count is not positive, or
     *     {@code labelSkip} is outside {@code [0, labelCount)}
     */
    public ItemSpec {
        Objects.requireNonNull(recording, "recording");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(signal, "signal");
        Objects.requireNonNull(channels, "channels");
        Objects.requireNonNull(labels, "labels");
        if (sampleStart < 0) {
            throw new IllegalArgumentException("sampleStart: " + sampleStart + " (expected: >= 0)");
        }
        if (sampleCount <= 0) {
            throw new IllegalArgumentException("sampleCount: " + sampleCount + " (expected: > 0)");
        }
        if (labelStart < 0) {
            throw new IllegalArgumentException("labelStart: " + labelStart + " (expected: >= 0)");
        }
        if (labelCount <= 0) {
            throw new IllegalArgumentException("labelCount: " + labelCount + " (expected: > 0)");
        }
        if (labelSkip < 0 || labelSkip >= labelCount) {
            throw new IllegalArgumentException(
                    "labelSkip: " + labelSkip + " (expected: >= 0 and < labelCount " + labelCount + ")");
        }
    }

    /** Describes the window for error messages: recording, file, dataset and sample range. */
    public String describe() {
        return "recording " + recording + ", file " + file + ", dataset " + signal + ", samples ["
                + sampleStart + ", " + (sampleStart + sampleCount) + ")";
    }
}
