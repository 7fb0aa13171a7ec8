/**
 * The recording-format seam: how Batcher reads recordings whatever file format they are stored in
 * (HDF5, EDF/BDF, Onda LPCM...), locally or in object storage.
 *
 * <p><b>The seam (stable; other formats plug in here).</b>
 * <ul>
 *   <li>{@link dev.batcher.materializers.format.RecordingFormat}: a format's {@code name()} (what
 *       {@code recordings.json} records, e.g. {@code hdf5}, {@code edf}), which file names it
 *       {@code claims()} (by extension; the reader checks the signature when it opens a file), its
 *       {@code defaultRecording()} id, and {@code open(FileAccess, maxOpenFiles)} returning its reader.
 *   <li>{@link dev.batcher.materializers.format.RecordingReader}: one per format per
 *       {@link dev.batcher.materializers.format.RecordingFiles}, thread-safe: {@code recording(file)},
 *       {@code signalDatasets(file)} (signal dataset to its label dataset in the same file, or to null),
 *       {@code signalInfo}/{@code labelInfo} ({@link dev.batcher.materializers.metadata.SignalInfo},
 *       {@link dev.batcher.materializers.metadata.LabelInfo}), {@code layout} (a
 *       {@link dev.batcher.materializers.metadata.StorageLayout} where plain byte ranges read it, else
 *       null), {@code readSignal(file, dataset, Window)} returning the window as stored
 *       ({@link dev.batcher.materializers.format.RawWindow}: int16 or float32, decoded later by the
 *       kernels as {@code value = raw * resolution + offset} in float32), {@code readLabels}, and
 *       optional {@code register(...)} of what index time recorded.
 *   <li>{@link dev.batcher.materializers.format.FileAccess}: what a reader gets to reach files: checked
 *       name resolution ({@code id(file)}: a real local path or {@code s3://bucket/key}), sizes, ETags,
 *       and for objects {@code source(file)}, ranged reads checked against the recorded ETag. Local
 *       readers open {@code id(file)} as a path; remote ones read byte ranges, never the whole file
 *       unless their format requires it.
 *   <li>{@link dev.batcher.materializers.format.RecordingFormats}: the ordered list a
 *       {@code RecordingFiles} reads ({@code defaults()}, {@code with(format)}).
 *   <li>{@link dev.batcher.materializers.format.LabelGrid}: a dense label grid built at index time from
 *       an annotation file (see {@code dataset.LabelSource}), stored in {@code recordings.json} and
 *       served by {@code RecordingFiles.readLabels} as a label dataset of the signal file.
 *   <li>Every failure is a {@link dev.batcher.materializers.format.RecordingReadException} naming the
 *       file, the dataset, the window and the fault ({@code name: value (expected: rule)}), with a
 *       {@link dev.batcher.materializers.format.RecordingReadException.Reason}.
 * </ul>
 *
 * <p>{@link dev.batcher.materializers.format.RecordingFiles} is the facade every caller uses (the
 * dataset loader, the indexer, the materializer, {@code peek}): it picks each file's format (recorded
 * in {@code recordings.json}, else the first that claims its name), caches descriptions, serves
 * registered label grids and checks every label value against its encoding, for all formats.
 */
package dev.batcher.materializers.format;
