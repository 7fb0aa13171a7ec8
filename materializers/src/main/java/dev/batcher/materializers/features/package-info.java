/**
 * Featurisers: the {@link dev.batcher.materializers.features.Featurizer} extension point (found with
 * ServiceLoader) and the built-in ones, registered in this module's
 * {@code META-INF/services} so that every worker can run them:
 * {@link dev.batcher.materializers.features.BandPowerFeaturizer} ({@code bandpower}), per-channel
 * log band powers from a Welch estimate.
 */
package dev.batcher.materializers.features;
