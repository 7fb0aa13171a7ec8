/**
 * Onda datasets, the format of the reference design (OndaBatches.jl), read in place:
 * {@link dev.batcher.materializers.onda.OndaDataset} reads the Arrow tables ({@code onda.signal@2} or
 * {@code @1}, {@code onda.annotation@1}) with Apache Arrow Java and windows of the interleaved
 * {@code lpcm} / {@code lpcm.zst} sample files by byte range, locally or from S3 through the
 * {@code storage} package. {@link dev.batcher.materializers.onda.OndaSignal} and
 * {@link dev.batcher.materializers.onda.OndaAnnotation} are the checked rows;
 * {@link dev.batcher.materializers.onda.LpcmType} says how each Onda {@code sample_type} is handed on.
 *
 * <p>Arrow needs no JVM flag here: message bodies are copied into Arrow buffers by this package
 * ({@code ArrowIpcReader}), not read through {@code java.nio} views that need
 * {@code --add-opens=java.base/java.nio=ALL-UNNAMED}. See {@code docs/dataset-format.md}, "Onda datasets".
 */
package dev.batcher.materializers.onda;
