package dev.batcher.client;

/**
 * The root of every exception the client module throws: protocol violations, timeouts of the peer,
 * failures reported by the other end of a connection and closed connections.
 */
public class BatcherClientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, naming the value and what was expected
     */
    public BatcherClientException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the cause it was worked out from.
     *
     * @param message what went wrong, naming the value and what was expected
     * @param cause the underlying failure
     */
    public BatcherClientException(String message, Throwable cause) {
        super(message, cause);
    }
}
