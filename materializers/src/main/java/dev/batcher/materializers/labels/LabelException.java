package dev.batcher.materializers.labels;

import dev.batcher.materializers.MaterializerException;

/**
 * Annotations cannot become labels: a text the stage map does not know, two annotations giving
 * different stages to the same time, or a malformed stage map file. The message names the
 * annotations (file, place, onset, text), the map and what was expected. Deterministic.
 */
public final class LabelException extends MaterializerException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what is wrong and what was expected
     */
    public LabelException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the failure it was worked out from.
     *
     * @param message what is wrong and what was expected
     * @param cause the underlying failure
     */
    public LabelException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isDeterministic() {
        return true;
    }
}
