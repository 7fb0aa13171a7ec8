package dev.batcher.materializers.annotations;

import dev.batcher.materializers.MaterializerException;

/**
 * An annotation file cannot be read: it is malformed, or a value in it is out of range. The message
 * names the file, the place in it, the field, the value and what was expected, for example
 * {@code night1_events.tsv line 4: onset: 'abc' (expected: a number of seconds)}. Deterministic: the
 * same file fails the same way.
 */
public final class AnnotationException extends MaterializerException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what is wrong, as {@code where: field: value (expected: rule)}
     */
    public AnnotationException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the failure it was worked out from.
     *
     * @param message what is wrong, as {@code where: field: value (expected: rule)}
     * @param cause the underlying failure
     */
    public AnnotationException(String message, Throwable cause) {
        super(message, cause);
    }

    @Override
    public boolean isDeterministic() {
        return !(getCause() instanceof java.io.IOException) || getCause() instanceof java.io.EOFException;
    }
}
