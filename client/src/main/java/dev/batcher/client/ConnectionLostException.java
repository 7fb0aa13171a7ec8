package dev.batcher.client;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The connection to the daemon failed: it could not be established (refused, unreachable, no
 * {@code WELCOME} in time), or it broke while requests were waiting (the daemon closed it or
 * restarted, the network failed, heartbeats stopped). Every request waiting on a broken connection
 * fails with this exception; the next call on the client or one of its handles connects again.
 *
 * <p>The message names the daemon's address, what was under way and the cause.
 */
public class ConnectionLostException extends BatcherClientException {
    private static final long serialVersionUID = 1L;

    private final InetSocketAddress address;

    /**
     * Creates the exception.
     *
     * @param address the daemon's address
     * @param message what failed, naming the address and what was under way
     * @param cause the underlying failure, or null if there is none (the peer closed the connection)
     * @throws NullPointerException if {@code address} or {@code message} is null
     */
    public ConnectionLostException(InetSocketAddress address, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.address = Objects.requireNonNull(address, "address");
    }

    /** Returns the address of the daemon the connection was to. */
    public InetSocketAddress address() {
        return address;
    }
}
