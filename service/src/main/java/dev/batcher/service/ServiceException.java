package dev.batcher.service;

/** The root of every exception the batcher service throws. */
public class ServiceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what went wrong, naming the value and what was expected
     */
    public ServiceException(String message) {
        super(message);
    }

    /**
     * Creates the exception with its cause.
     *
     * @param message what went wrong
     * @param cause the underlying failure
     */
    public ServiceException(String message, Throwable cause) {
        super(message, cause);
    }
}
