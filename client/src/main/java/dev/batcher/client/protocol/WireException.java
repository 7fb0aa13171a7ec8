package dev.batcher.client.protocol;

/**
 * The root of the exceptions of the wire protocol, which both ends of a connection throw (the daemon
 * and its workers as much as the client): {@link ProtocolException} (a peer broke the protocol) and
 * {@link PeerTimeoutException} (a peer stayed silent). The Java client lets them through as they are,
 * beside its own {@link dev.batcher.client.BatcherClientException}s.
 */
public class WireException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, naming the field or peer and what was expected
     */
    public WireException(String message) {
        super(message);
    }
}
