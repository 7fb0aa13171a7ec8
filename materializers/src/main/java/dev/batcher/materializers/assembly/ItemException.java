package dev.batcher.materializers.assembly;

import dev.batcher.materializers.MaterializerException;
import dev.batcher.api.ItemSpec;

/**
 * An item could not be materialised. The message names the item's position in the batch, its
 * recording, file, dataset and window, and the cause.
 */
public class ItemException extends MaterializerException {
    private static final long serialVersionUID = 1L;
    private final transient ItemSpec item;
    private final int index;

    /**
     * Creates the exception.
     *
     * @param index the item's position in its batch
     * @param item the item
     * @param problem what went wrong
     * @param cause the underlying failure, or null
     */
    public ItemException(int index, ItemSpec item, String problem, Throwable cause) {
        super("item " + index + " (" + item.describe() + "): " + problem, cause);
        this.item = item;
        this.index = index;
    }

    /** Returns the item that failed. */
    public ItemSpec item() {
        return item;
    }

    /** Returns the item's position in its batch. */
    public int index() {
        return index;
    }

    /**
     * Returns true if the item itself is at fault (no cause, or an invalid argument such as a bad
     * selection) or its cause is deterministic; false for a transient cause such as an I/O error.
     */
    @Override
    public boolean isDeterministic() {
        Throwable cause = getCause();
        return cause == null || cause instanceof IllegalArgumentException || isDeterministic(cause);
    }
}
