package dev.batcher.service.manager;

import dev.batcher.client.Failure;
import dev.batcher.service.ServiceException;

/** A batcher failed; {@link #failure()} carries the remote cause, the worker and the batch. */
public class BatcherFailedException extends ServiceException {
    private static final long serialVersionUID = 1L;
    private final transient Failure failure;
    private final String batcher;

    /**
     * Creates the exception.
     *
     * @param batcher the batcher's name
     * @param failure why it failed
     */
    public BatcherFailedException(String batcher, Failure failure) {
        super("batcher '" + batcher + "' failed: " + failure.describe());
        this.failure = failure;
        this.batcher = batcher;
    }

    /** Returns the name of the batcher that failed. */
    public String batcher() {
        return batcher;
    }

    /** Returns why the batcher failed. */
    public Failure failure() {
        return failure;
    }
}
