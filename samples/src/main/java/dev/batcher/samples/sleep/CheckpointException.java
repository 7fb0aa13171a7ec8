package dev.batcher.samples.sleep;

/** A checkpoint cannot be read, does not fit the run, or cannot be written; the message names the file. */
public final class CheckpointException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, starting with the file
     * @param cause the underlying failure, or null
     */
    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
