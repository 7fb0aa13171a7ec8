package dev.batcher.service.pool;

import dev.batcher.service.ServiceException;

/**
 * A worker went away (exited, dropped its connection or missed its heartbeats) while it held a job.
 * The manager sends the job to another worker; this never counts as a materialisation failure.
 */
public class WorkerLostException extends ServiceException {
    private static final long serialVersionUID = 1L;
    private final String worker;

    /**
     * Creates the exception.
     *
     * @param worker the worker's name
     * @param why what happened to it
     */
    public WorkerLostException(String worker, String why) {
        super("worker " + worker + " lost: " + why);
        this.worker = worker;
    }

    /** Returns the worker's name. */
    public String worker() {
        return worker;
    }
}
