/**
 * Batch assembly: {@link dev.batcher.materializers.assembly.Materializer} reads the windows of a
 * batch spec's items and assembles them into one {@link dev.batcher.api.Batch} of tensors (or writes
 * them straight into a caller's buffer, the batch's flat form of {@link dev.batcher.api.BatchShapes}),
 * with optional resampling, normalisation and user {@link dev.batcher.materializers.features.Featurizer}s.
 * An item that cannot be materialised fails with an {@link
 * dev.batcher.materializers.assembly.ItemException} naming it.
 */
package dev.batcher.materializers.assembly;
