/**
 * Materialisation: {@link dev.batcher.materializers.materialize.Materializer} turns a batch spec into a
 * {@link dev.batcher.materializers.materialize.Batch} of tensors, with optional resampling,
 * normalisation and user {@link dev.batcher.materializers.materialize.Featurizer}s; {@link
 * dev.batcher.materializers.materialize.Batcher} is the {@code take(state)} contract shared by the
 * local batcher and the service client.
 */
package dev.batcher.materializers.materialize;
