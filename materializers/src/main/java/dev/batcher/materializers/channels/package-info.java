/**
 * Channel selection for one item: {@link dev.batcher.materializers.channels.ChannelSelectors} turns
 * a {@link dev.batcher.api.ChannelSelection} ({@code all}, {@code names}, {@code
 * fill}, {@code montage}, or a user-defined selector) and a signal's channel list into a cached
 * {@link dev.batcher.materializers.channels.ChannelPlan}: which stored channels to read and how to
 * compute the output rows from them. User-defined selectors implement {@link
 * dev.batcher.materializers.channels.ChannelSelectorProvider} and are found with {@link
 * java.util.ServiceLoader}.
 */
package dev.batcher.materializers.channels;
