package dev.batcher.client.protocol;

import java.util.Objects;

/**
 * The user event a {@link HandshakeHandler} fires down the pipeline when the handshake succeeds,
 * just before it removes itself; also the value of its {@linkplain
 * HandshakeHandler#handshakeFuture() future}. On the daemon, {@link #hello()} is what the peer
 * said; on a client or worker, it is what this end said. The token is never included.
 *
 * @param hello the connecting end's role, name and slots, without token
 * @param welcome the daemon's version, heartbeat interval and frame limit
 */
public record HandshakeCompleted(Hello hello, Welcome welcome) {
    /**
     * Checks the fields.
     *
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if {@code hello} carries a token
     */
    public HandshakeCompleted {
        Objects.requireNonNull(hello, "hello");
        Objects.requireNonNull(welcome, "welcome");
        if (hello.token() != null) {
            throw new IllegalArgumentException("hello.token: <redacted> (expected: null; use "
                    + "Hello.withoutToken())");
        }
    }

    /** Returns the role of the connecting end. */
    public Role role() {
        return hello.role();
    }

    /** Returns the name of the connecting end. */
    public String name() {
        return hello.name();
    }

    /** Returns the slots of the connecting worker, 0 for a client. */
    public int slots() {
        return hello.slots();
    }
}
