package dev.batcher.service.manager;

import dev.batcher.client.Status;
import dev.batcher.service.ServiceException;

/** {@code take} was called on a batcher that is not running and has nothing buffered. */
public class NotRunningException extends ServiceException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param batcher the batcher's name
     * @param status its status
     */
    public NotRunningException(String batcher, Status status) {
        super("batcher '" + batcher + "' is " + status + " and has no batches buffered (expected: RUNNING); call start(state)"
                + " to start it at the state you hold");
    }
}
