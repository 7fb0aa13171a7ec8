package dev.batcher.api;

import java.util.List;

/**
 * How specs become tensors, beyond what the spec says.
 *
 * @param targetRateHz resample every item to this rate (anti-aliased), or null to keep the
 *     signal's rate
 * @param normalize z-score each channel of each item
 * @param featurizer the name of a featuriser (the materializers' {@code Featurizer} extension point) to apply to each item, or null
 * @param featurizerArguments its arguments
 */
public record MaterializeOptions(Double targetRateHz, boolean normalize, String featurizer, List<String> featurizerArguments) {
    /**
     * Checks and copies.
     *
     * @throws IllegalArgumentException if {@code targetRateHz} is not finite and positive
     */
    public MaterializeOptions {
        if (targetRateHz != null && (!(targetRateHz > 0) || targetRateHz.isInfinite())) {
            throw new IllegalArgumentException("targetRateHz: " + targetRateHz + " (expected: finite and > 0)");
        }
        featurizerArguments = featurizerArguments == null ? List.of() : List.copyOf(featurizerArguments);
    }

    /** Returns the options that decode and select channels only. */
    public static MaterializeOptions defaults() {
        return new MaterializeOptions(null, false, null, List.of());
    }

    /** Returns a copy that resamples to {@code hz}. */
    public MaterializeOptions withTargetRate(Double hz) {
        return new MaterializeOptions(hz, normalize, featurizer, featurizerArguments);
    }

    /** Returns a copy that z-scores each channel, or not. */
    public MaterializeOptions withNormalize(boolean on) {
        return new MaterializeOptions(targetRateHz, on, featurizer, featurizerArguments);
    }

    /** Returns a copy that applies the named featuriser with these arguments. */
    public MaterializeOptions withFeaturizer(String name, List<String> arguments) {
        return new MaterializeOptions(targetRateHz, normalize, name, arguments);
    }
}
