package dev.batcher.materializers.features;

import java.util.List;

/**
 * A user-defined step that turns one item's {@code [channels, samples]} signal into features, run on
 * the workers after channel selection, resampling and normalisation. Implementations are found by
 * {@link java.util.ServiceLoader}: list the class in {@code
 * META-INF/services/dev.batcher.materializers.features.Featurizer} of a jar on the worker's
 * classpath and name it in {@link MaterializeOptions#featurizer()}. See {@code docs/extending.md}.
 */
public interface Featurizer {

    /** Returns the name that {@link MaterializeOptions#featurizer()} refers to. */
    String name();

    /**
     * Prepares the featuriser for items of one shape; the plan is reused for every item of that shape.
     *
     * @param channels the channels of an item
     * @param samples the samples per channel of an item
     * @param sampleRateHz the items' sample rate
     * @param arguments the featuriser's arguments from the options
     * @return the plan
     * @throws IllegalArgumentException if the arguments or the shape do not suit the featuriser
     */
    Plan plan(int channels, int samples, double sampleRateHz, List<String> arguments);

    /** A featuriser prepared for one item shape. Must be safe to use from several threads at once. */
    interface Plan {
        /** Returns the shape of one item's features (without the batch dimension). */
        int[] shape();

        /**
         * Computes one item's features.
         *
         * @param item the item, {@code [channels, samples]} row-major
         * @param out the batch's x
         * @param outOffset where this item's features start in {@code out}
         */
        void apply(float[] item, float[] out, int outOffset);
    }
}
