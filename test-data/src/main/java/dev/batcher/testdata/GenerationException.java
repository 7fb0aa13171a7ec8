package dev.batcher.testdata;

import dev.batcher.materializers.MaterializerException;

/** Thrown when a synthetic dataset cannot be written: the directory, the disk, jhdf, or an interrupt. */
public class GenerationException extends MaterializerException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, naming the file or directory and what was expected
     */
    public GenerationException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and its cause.
     *
     * @param message what went wrong, naming the file or directory and what was expected
     * @param cause the underlying failure
     */
    public GenerationException(String message, Throwable cause) {
        super(message, cause);
    }
}
