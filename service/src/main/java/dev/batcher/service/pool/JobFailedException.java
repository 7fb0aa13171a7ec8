package dev.batcher.service.pool;

import dev.batcher.materializers.MaterializerException;
import dev.batcher.service.ServiceException;

/**
 * A worker could not materialise a job. It carries what the worker reported: the exception's class,
 * message and stack trace (remote, as text), the worker's name, and whether the failure is
 * {@linkplain #deterministic() deterministic} (retrying cannot help).
 */
public class JobFailedException extends ServiceException {
    private static final long serialVersionUID = 1L;
    /**
     * The key of a {@code JOB_FAILURE} frame's context that says the failure is deterministic (value
     * {@code "true"}): set by the worker that ran the job, read by the manager's side of the connection.
     */
    public static final String CONTEXT_DETERMINISTIC = "deterministic";
    private final String worker;
    private final boolean deterministic;
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
        this(worker, remoteClass, remoteMessage, remoteStack, false);
    }

    /**
     * Creates the exception.
     *
     * @param worker the worker that ran the job
     * @param remoteClass the class of the exception on the worker
     * @param remoteMessage its message
     * @param remoteStack its stack trace as text (with causes)
     * @param deterministic whether the failure is a function of the job alone (a bad spec, a missing
     *     channel, corrupt data), so that running it again cannot succeed
     */
    public JobFailedException(String worker, String remoteClass, String remoteMessage, String remoteStack,
            boolean deterministic) {
        super(remoteClass + ": " + remoteMessage + " (on worker " + worker + ")");
        this.deterministic = deterministic;
        this.worker = worker;
        this.remoteClass = remoteClass;
        this.remoteMessage = remoteMessage;
        this.remoteStack = remoteStack;
    }

    /**
     * Describes a local throwable the same way a remote worker would, deterministic as
     * {@link MaterializerException#isDeterministic(Throwable)} says.
     *
     * @param worker the worker that ran the job
     * @param t what it threw
     * @return the exception
     */
    public static JobFailedException of(String worker, Throwable t) {
        java.io.StringWriter w = new java.io.StringWriter();
        t.printStackTrace(new java.io.PrintWriter(w));
        return new JobFailedException(worker, t.getClass().getName(), String.valueOf(t.getMessage()), w.toString(),
                MaterializerException.isDeterministic(t));
    }

    /**
     * Tells whether the failure is a function of the job alone (a bad spec, a missing channel, corrupt
     * data): running it again, on any worker, fails the same way.
     */
    public boolean deterministic() {
        return deterministic;
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
