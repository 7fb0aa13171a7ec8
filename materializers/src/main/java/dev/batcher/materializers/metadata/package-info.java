/**
 * What a recording's datasets hold, as values: {@link dev.batcher.materializers.metadata.SignalInfo}
 * and {@link dev.batcher.materializers.metadata.LabelInfo} (parsed from HDF5 attributes by
 * {@link dev.batcher.materializers.format.RecordingFiles}), the element type
 * {@link dev.batcher.materializers.metadata.SampleType}, spans in nanoseconds
 * ({@link dev.batcher.materializers.metadata.TimeSpan}) and where a contiguous dataset's bytes lie in
 * its file ({@link dev.batcher.materializers.metadata.StorageLayout}).
 *
 * <p>This package depends on nothing else in the module, so that both the dataset table
 * ({@code dataset}) and the file readers ({@code hdf5}) can use it without depending on each other
 * both ways.
 */
package dev.batcher.materializers.metadata;
