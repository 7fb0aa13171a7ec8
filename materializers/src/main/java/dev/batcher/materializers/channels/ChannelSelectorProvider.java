package dev.batcher.materializers.channels;

import java.util.List;

/**
 * A user-defined channel selector, found with {@link java.util.ServiceLoader}. A selection whose
 * selector name is not a built-in ({@code all}, {@code names}, {@code fill}, {@code montage}) is
 * planned by the provider whose {@link #name()} matches.
 *
 * <p>To register one, put the implementation (public, with a public no-argument constructor) on
 * the class path of every JVM that materialises batches, and list its binary name in a resource
 * file named after this interface:
 *
 * <pre>{@code
 * # src/main/resources/META-INF/services/dev.batcher.materializers.channels.ChannelSelectorProvider
 * com.example.eeg.CommonAverageProvider
 * }</pre>
 *
 * Providers are loaded once, with the class loader that loaded {@link ChannelSelectors}. See {@code
 * docs/extending.md} for a complete example.
 *
 * <p>Implementations must be thread-safe, and the plans they return immutable and thread-safe:
 * plans are cached per (selection, channel list) and shared.
 */
public interface ChannelSelectorProvider {
    /**
     * Returns the selector name this provider answers to, as written in a selection ({@code
     * name:arg1,arg2}). It must not be a built-in name, which always wins.
     *
     * @return the selector name
     */
    String name();

    /**
     * Plans a selection for a signal's channels.
     *
     * @param available the signal's channel names, in stored order
     * @param arguments the selection's arguments
     * @return the plan; its {@link ChannelPlan#inputs()} must be ascending indices into {@code
     *     available}
     * @throws ChannelSelectionException if the arguments do not fit the channels (any other
     *     exception is wrapped in one by {@link ChannelSelectors#plan})
     */
    ChannelPlan plan(List<String> available, List<String> arguments);
}
