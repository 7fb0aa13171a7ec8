/**
 * The HDF5 recording format ({@link dev.batcher.materializers.hdf5.Hdf5Format}, files {@code .h5} and
 * {@code .hdf5}), read through jhdf for many concurrent materialisations behind the
 * {@code format.RecordingReader} seam.
 *
 * <p>The package-private reader keeps a bounded LRU cache of open files whose handles are leased so
 * that none is closed under a reader ({@code HandleCache}, {@code Hdf5Opener}: local files in place,
 * objects as whole copies in the file cache), parses and checks the attributes of signal and label
 * datasets into {@link dev.batcher.materializers.metadata.SignalInfo} and
 * {@link dev.batcher.materializers.metadata.LabelInfo}, and reads windows. Only the requested window is
 * read, so recordings of any length work. Signal windows of contiguous datasets are read with
 * positional reads (or ranged GETs) of their storage, bypassing jhdf's slicing ({@code ContiguousStorage});
 * chunked and filtered datasets are read by jhdf.
 *
 * <p>Every failure is a {@link dev.batcher.materializers.format.RecordingReadException} naming the file,
 * the dataset and the window, with a {@link dev.batcher.materializers.format.RecordingReadException.Reason}.
 * Datasets compressed with a filter jhdf cannot decode (scaleoffset, szip, nbit, blosc, zstd) fail with
 * a message telling the user how to repack the file with {@code h5repack}. Chunks are checked as libhdf5
 * checks them: a verifying Fletcher32 filter (package-private {@code Fletcher32Filter}) replaces jhdf's,
 * which does not verify, and a chunk that fails its filters (a checksum mismatch, a damaged or truncated
 * deflate stream, an LZF overrun) is {@code Reason.CORRUPT}, naming the chunk (package-private
 * {@code ChunkCheck}), never an unsupported filter. Label values must index the encoding or be -1.
 *
 * <p>The on-disk format is described in {@code docs/dataset-format.md}.
 */
package dev.batcher.materializers.hdf5;
