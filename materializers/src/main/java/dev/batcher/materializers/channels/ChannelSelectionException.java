package dev.batcher.materializers.channels;

import dev.batcher.materializers.MaterializerException;
import dev.batcher.api.ChannelSelection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A channel selection that cannot be applied to a signal: an unknown selector, a missing channel, a
 * malformed derivation. The message names the problem, the selection and the available channels,
 * for example {@code channel 'C9' not found (selection names:C3,C9; available channels: [C3, C4,
 * M1, M2])}.
 */
public class ChannelSelectionException extends MaterializerException {
    private static final long serialVersionUID = 1L;

    /** The selection; not serialised (the message names it). */
    private final transient ChannelSelection selection;
    /** The channel at fault, or null. */
    private final String channel;
    /** The signal's channels. */
    private final List<String> availableChannels;

    /**
     * Creates the exception.
     *
     * @param problem what is wrong, naming the channel or argument at fault
     * @param selection the selection being planned
     * @param channel the channel at fault, or null if the problem is not about one channel
     * @param availableChannels the signal's channels
     * @throws NullPointerException if {@code problem}, {@code selection} or {@code availableChannels}
     *     is null
     */
    public ChannelSelectionException(String problem, ChannelSelection selection, String channel,
            List<String> availableChannels) {
        this(problem, selection, channel, availableChannels, null);
    }

    /**
     * Creates the exception with the failure it was worked out from.
     *
     * @param problem what is wrong, naming the channel or argument at fault
     * @param selection the selection being planned
     * @param channel the channel at fault, or null if the problem is not about one channel
     * @param availableChannels the signal's channels
     * @param cause the underlying failure, or null
     * @throws NullPointerException if {@code problem}, {@code selection} or {@code availableChannels}
     *     is null
     */
    public ChannelSelectionException(String problem, ChannelSelection selection, String channel,
            List<String> availableChannels, Throwable cause) {
        super(Objects.requireNonNull(problem, "problem") + " (selection "
                + Objects.requireNonNull(selection, "selection") + "; available channels: "
                + Objects.requireNonNull(availableChannels, "availableChannels") + ")", cause);
        this.selection = selection;
        this.channel = channel;
        this.availableChannels = List.copyOf(availableChannels);
    }

    /**
     * Returns the selection that could not be planned.
     *
     * @return the selection (null only after deserialisation)
     */
    public ChannelSelection selection() {
        return selection;
    }

    /**
     * Returns the channel at fault, if the problem is about one channel.
     *
     * @return the channel name, or empty
     */
    public Optional<String> channel() {
        return Optional.ofNullable(channel);
    }

    /**
     * Returns the signal's channels.
     *
     * @return the available channel names, in stored order
     */
    public List<String> availableChannels() {
        return availableChannels;
    }

    /** Returns true: the same selection on the same channels fails the same way. */
    @Override
    public boolean isDeterministic() {
        return true;
    }
}
