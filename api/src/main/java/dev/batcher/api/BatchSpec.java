package dev.batcher.api;

import java.util.List;

/**
 * What one batch holds, before it is read: its items, in order.
 *
 * @param items the items; a batch's x is {@code [items.size(), channels, samples]}
 */
public record BatchSpec(List<ItemSpec> items) {
    /**
     * Checks and copies the items.
     *
     * @throws IllegalArgumentException if there are no items
     */
    public BatchSpec {
        items = List.copyOf(items);
        if (items.isEmpty()) {
            throw new IllegalArgumentException("items: [] (expected: at least one item)");
        }
    }
}
