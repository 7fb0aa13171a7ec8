package dev.batcher.materializers;

/**
 * The root of every exception the materializers module throws. Subclasses live beside the code
 * that throws them and carry their context (the file, the dataset, the window).
 */
public class MaterializerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, naming the value and what was expected
     */
    public MaterializerException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the cause it was worked out from.
     *
     * @param message what went wrong, naming the value and what was expected
     * @param cause the underlying failure
     */
    public MaterializerException(String message, Throwable cause) {
        super(message, cause);
    }
}
