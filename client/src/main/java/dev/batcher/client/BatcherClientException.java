package dev.batcher.client;

/**
 * The root of the Java client's exceptions: failures reported by the other end of a connection,
 * timeouts of a request and closed connections. A violation of the wire protocol noticed by this
 * side reaches the caller as the protocol's own {@link dev.batcher.client.protocol.ProtocolException}
 * (a {@link dev.batcher.client.protocol.WireException}, which the daemon throws too).
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
