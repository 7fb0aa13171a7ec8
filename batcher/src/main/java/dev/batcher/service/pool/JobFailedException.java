package dev.batcher.service.pool;

import dev.batcher.service.ServiceException;

/**
 * A worker could not materialise a job. It carries what the worker reported: the exception's class,
 * message and stack trace (remote, as text), and the worker's name.
 */
public class JobFailedException extends ServiceException {
    private static final long serialVersionUID = 1L;
    private final String worker;
    private final String remoteClass;
    private final String remoteMessage;
    private final String remoteStack;

    /**
     * Creates the exception.
     *
     * @param worker the worker that ran the job
     * @param remoteClass the class of the exception on the worker
     * @param remoteMessage its message
     * @param remoteStack its stack trace as text (with causes)
     */
    public JobFailedException(String worker, String remoteClass, String remoteMessage, String remoteStack) {
        super(remoteClass + ": " + remoteMessage + " (on worker " + worker + ")");
        this.worker = worker;
        this.remoteClass = remoteClass;
        this.remoteMessage = remoteMessage;
        this.remoteStack = remoteStack;
    }

    /**
     * Describes a local throwable the same way a remote worker would.
     *
     * @param worker the worker that ran the job
     * @param t what it threw
     * @return the exception
     */
    public static JobFailedException of(String worker, Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return new JobFailedException(worker, t.getClass().getName(), String.valueOf(t.getMessage()), w.toString());
    }

    /** Returns the worker's name. */
    public String worker() {
        return worker;
    }

    /** Returns the class name of the exception on the worker. */
    public String remoteClass() {
        return remoteClass;
    }

    /** Returns the message of the exception on the worker. */
    public String remoteMessage() {
        return remoteMessage;
    }

    /** Returns the stack trace on the worker, as text. */
    public String remoteStack() {
        return remoteStack;
    }
}
