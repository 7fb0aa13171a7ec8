package dev.batcher.client;

import java.time.Duration;
import java.util.Objects;

/**
 * A request got no answer within its timeout. The client has given up on it and sent the daemon a
 * {@code CANCEL} for it; an answer that still arrives is dropped (and its buffers released). The
 * connection stays up, so the next call can be made at once: for a {@code take}, call it again
 * with the same state.
 */
public class BatcherTimeoutException extends BatcherClientException {
    private static final long serialVersionUID = 1L;

    private final String op;
    private final String batcher;
    private final Duration timeout;

    /**
     * Creates the exception.
     *
     * @param op the operation, such as {@code "take"}
     * @param batcher the batcher it addressed, or null for an operation on the daemon ({@code list})
     * @param timeout how long the client waited
     * @param requestId the id of the request that was cancelled
     * @throws NullPointerException if {@code op} or {@code timeout} is null
     */
    public BatcherTimeoutException(String op, String batcher, Duration timeout, long requestId) {
        super((batcher == null ? Objects.requireNonNull(op, "op") : op + " on batcher '" + batcher + "'") + " got no answer within "
                + Objects.requireNonNull(timeout, "timeout").toMillis() + " ms; request " + requestId
                + " was cancelled");
        this.op = op;
        this.batcher = batcher;
        this.timeout = timeout;
    }

    /** Returns the operation that timed out, such as {@code "take"}. */
    public String op() {
        return op;
    }

    /** Returns the batcher the request addressed, or null for {@code list}. */
    public String batcher() {
        return batcher;
    }

    /** Returns how long the client waited for the answer. */
    public Duration timeout() {
        return timeout;
    }
}
