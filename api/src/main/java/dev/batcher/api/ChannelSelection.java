package dev.batcher.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Objects;

/**
 * Which channels an item's x holds, as a selector name and its arguments. Built-in selectors:
 * <ul>
 *   <li>{@code all}: every channel of the signal, in stored order (no arguments);
 *   <li>{@code names}: the named channels, in the given order; a missing one is an error;
 *   <li>{@code fill}: the named channels, in the given order; a missing one is all zeros;
 *   <li>{@code montage}: derived channels such as {@code C3-M2} or {@code Cz-(M1+M2)/2};
 *   <li>{@code kind}: every channel of the given kinds, in stored order: {@code kind:EEG,EOG} takes the
 *       channels whose name's first word is {@code EEG} or {@code EOG}, as EDF labels such as
 *       {@code EEG Fpz-Cz} say (see {@link ChannelKind}); none is an error.
 * </ul>
 * Any other name is looked up among the {@code ChannelSelectorProvider}s found by ServiceLoader.
 *
 * @param selector the selector's name
 * @param arguments its arguments, usually channel names or derivations
 */
public record ChannelSelection(String selector, List<String> arguments) {
    /**
     * Checks and copies the arguments. In JSON this is the object form
     * {@code {"selector": "names", "arguments": ["C3", "C4"]}}; the text form {@code "names:C3,C4"}
     * is read too (see {@link #fromText}).
     *
     * @throws IllegalArgumentException if {@code selector} is blank
     */
    @JsonCreator(mode = JsonCreator.Mode.PROPERTIES)
    public ChannelSelection(@JsonProperty("selector") String selector, @JsonProperty("arguments") List<String> arguments) {
        Objects.requireNonNull(selector, "selector");
        if (selector.isBlank()) {
            throw new IllegalArgumentException("selector: '' (expected: a selector name such as all, names, fill, montage)");
        }
        this.selector = selector;
        this.arguments = arguments == null ? List.of() : List.copyOf(arguments);
    }

    /**
     * Reads the text form in JSON, as everywhere else a selection is written ({@code "fill:C3"}).
     *
     * @param text the text form
     * @return the selection
     * @throws IllegalArgumentException if the text has no selector name
     */
    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static ChannelSelection fromText(String text) {
        return parse(text);
    }

    /** Returns the selection of every channel, in stored order. */
    public static ChannelSelection all() {
        return new ChannelSelection("all", List.of());
    }

    /**
     * Returns the selection of the named channels, in order.
     *
     * @param names channel names
     * @return the selection
     */
    public static ChannelSelection names(List<String> names) {
        return new ChannelSelection("names", names);
    }

    /**
     * Parses the text form {@code selector} or {@code selector:arg1,arg2}.
     *
     * @param text the text form
     * @return the selection
     * @throws IllegalArgumentException if the text has no selector name
     */
    public static ChannelSelection parse(String text) {
        int colon = text.indexOf(':');
        if (colon < 0) {
            return new ChannelSelection(text.trim(), List.of());
        }
        String args = text.substring(colon + 1).trim();
        return new ChannelSelection(text.substring(0, colon).trim(),
                args.isEmpty() ? List.of() : List.of(args.split("\\s*,\\s*")));
    }

    /** Returns the text form that {@link #parse} reads back. */
    @Override
    public String toString() {
        return arguments.isEmpty() ? selector : selector + ":" + String.join(",", arguments);
    }
}
