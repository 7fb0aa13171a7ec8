package dev.batcher.materializers.channels;

import dev.batcher.api.ChannelSelection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds channels by exact (case-sensitive) name in a signal's channel list, with errors that name
 * the selection and the available channels.
 */
final class ChannelIndex {
    private final ChannelSelection selection;
    private final List<String> available;
    private final Map<String, Integer> first = new HashMap<>();
    private final Set<String> duplicated = new HashSet<>();

    ChannelIndex(ChannelSelection selection, List<String> available) {
        this.selection = selection;
        this.available = available;
        for (int i = 0; i < available.size(); i++) {
            if (first.putIfAbsent(available.get(i), i) != null) {
                duplicated.add(available.get(i));
            }
        }
    }

    /**
     * Returns the index of a channel.
     *
     * @param context where the name came from, for the message (may be empty)
     * @throws ChannelSelectionException if there is no such channel, or more than one
     */
    int find(String name, String context) {
        int index = findOrMissing(name, context);
        if (index < 0) {
            throw new ChannelSelectionException("channel '" + name + "'" + suffix(context) + " not found",
                    selection, name, available);
        }
        return index;
    }

    /**
     * Returns the index of a channel, or -1 if there is none.
     *
     * @throws ChannelSelectionException if there is more than one
     */
    int findOrMissing(String name, String context) {
        if (duplicated.contains(name)) {
            throw new ChannelSelectionException("channel '" + name + "'" + suffix(context)
                    + " is ambiguous: the signal has more than one channel of that name", selection, name, available);
        }
        Integer index = first.get(name);
        return index == null ? -1 : index;
    }

    private static String suffix(String context) {
        return context.isEmpty() ? "" : " " + context;
    }
}
