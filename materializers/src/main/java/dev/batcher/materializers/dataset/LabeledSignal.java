package dev.batcher.materializers.dataset;

import dev.batcher.materializers.metadata.TimeSpan;
import dev.batcher.materializers.metadata.LabelInfo;
import dev.batcher.materializers.metadata.SignalInfo;
/**
 * One row of a dataset's labeled-signals table, joined with what its file's attributes say. Batches
 * are drawn from these.
 *
 * @param recording the recording id
 * @param file the HDF5 file, relative to the dataset directory
 * @param signal the signal dataset and its attributes
 * @param labels the label dataset and its attributes
 * @param signalSpan the part of the signal that may be read
 * @param labelSpan the part of the labels batches are drawn from; lies inside {@code signalSpan}
 */
public record LabeledSignal(
        String recording,
        String file,
        SignalInfo signal,
        LabelInfo labels,
        TimeSpan signalSpan,
        TimeSpan labelSpan) {

    /**
     * Returns the index, in the signal dataset, of the sample at {@code nanos} within the recording.
     *
     * @param nanos an instant within the recording
     * @return the sample index, rounded to the nearest sample
     */
    public long signalSampleAt(long nanos) {
        return TimeSpan.samples(nanos - signal.startNanos(), signal.sampleRate());
    }

    /**
     * Returns the index, in the label dataset, of the label sample at {@code nanos} within the recording.
     *
     * @param nanos an instant within the recording
     * @return the label sample index, rounded to the nearest label sample
     */
    public long labelSampleAt(long nanos) {
        return TimeSpan.samples(nanos - labels.startNanos(), labels.sampleRate());
    }

    /** Returns the number of whole label epochs in {@code labelSpan}. */
    public long labelEpochs() {
        return TimeSpan.samples(labelSpan.durationNanos(), labels.sampleRate());
    }
}
