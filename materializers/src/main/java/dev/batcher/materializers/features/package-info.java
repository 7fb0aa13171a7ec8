/**
 * Built-in {@link dev.batcher.materializers.materialize.Featurizer}s, registered in this module's
 * {@code META-INF/services} so that every worker can run them:
 * {@link dev.batcher.materializers.features.BandPowerFeaturizer} ({@code bandpower}), per-channel
 * log band powers from a Welch estimate.
 */
package dev.batcher.materializers.features;
