/**
 * Labeled-signal datasets: what a dataset directory holds and how it is checked.
 *
 * <p>A dataset is a directory of HDF5 files, one per recording, plus a table,
 * {@code labeled_signals.csv}, whose rows pair a signal dataset (int16 or float32,
 * {@code [channels, samples]}) with a label dataset (integers, {@code [label channels, n]}) in the same
 * file and say which spans of them may be used. The attributes of the datasets (channel names, sample
 * rates, scaling, start times, label encoding) are read into the value types
 * {@link dev.batcher.materializers.metadata.SignalInfo} and
 * {@link dev.batcher.materializers.metadata.LabelInfo}; a row of the table becomes a
 * {@link dev.batcher.materializers.dataset.LabeledSignal}, with spans as
 * {@link dev.batcher.materializers.metadata.TimeSpan}s in nanoseconds within the recording.
 *
 * <p>{@link dev.batcher.materializers.dataset.DatasetIndexer} writes the table from the files'
 * attributes; {@link dev.batcher.materializers.dataset.Dataset#load} reads it back and validates
 * everything, failing with a {@link dev.batcher.materializers.dataset.DatasetException} that names the
 * line, the file, the field and the expected value. Reading the files themselves is the job of
 * {@link dev.batcher.materializers.format.RecordingFiles}.
 *
 * <p>Recordings stored without label datasets (EDF, BDF) get their labels from a
 * {@link dev.batcher.materializers.dataset.LabelSource}. The default one,
 * {@link dev.batcher.materializers.dataset.AnnotationLabelSource}, pairs signal files with annotation
 * files by {@link dev.batcher.materializers.dataset.Discovery} (Sleep-EDF, NSRR, BIDS, the
 * {@code recordings.csv} manifest, or a file's own EDF+ annotations), reads them with the
 * {@code annotations} package and turns them into label grids with the {@code labels} package.
 *
 * <p>The format, with a worked h5py example, is described in {@code docs/dataset-format.md}.
 */
package dev.batcher.materializers.dataset;
