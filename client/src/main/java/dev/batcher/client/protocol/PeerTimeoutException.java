package dev.batcher.client.protocol;

import java.time.Duration;
import java.util.Objects;

/**
 * The peer stayed silent for too long: no {@code HELLO} or {@code WELCOME} within the handshake
 * timeout, or nothing at all (not even a {@code PONG}) for the configured number of heartbeat
 * intervals. The handler that detects it fires this exception down the pipeline, where the daemon
 * or client sees it in {@code exceptionCaught}, and closes the channel; {@code channelInactive}
 * follows.
 */
public class PeerTimeoutException extends WireException {
    private static final long serialVersionUID = 1L;

    private final String phase;
    private final Duration timeout;

    /**
     * Creates the exception.
     *
     * @param phase what was awaited: {@code "handshake"} or {@code "heartbeat"}
     * @param timeout how long the peer was given
     * @param message a description naming the peer and what it failed to send
     * @throws NullPointerException if any argument is null
     */
    public PeerTimeoutException(String phase, Duration timeout, String message) {
        super(Objects.requireNonNull(message, "message"));
        this.phase = Objects.requireNonNull(phase, "phase");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** Returns what was awaited: {@code "handshake"} or {@code "heartbeat"}. */
    public String phase() {
        return phase;
    }

    /** Returns how long the peer was given. */
    public Duration timeout() {
        return timeout;
    }
}
