package dev.batcher.materializers;

/**
 * The root of every exception the materializers module throws. Subclasses live beside the code
 * that throws them and carry their context (the file, the dataset, the window).
 *
 * <p>Each says whether it is {@linkplain #isDeterministic() deterministic}: a function of the spec
 * and the data alone (a bad spec, a missing channel, corrupt data), so that trying again, on any
 * worker, gives the same failure. Retry policies retry only the others (an I/O error, an interrupt).
 */
public class MaterializerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what went wrong, naming the value and what was expected
     */
    public MaterializerException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the cause it was worked out from.
     *
     * @param message what went wrong, naming the value and what was expected
     * @param cause the underlying failure
     */
    public MaterializerException(String message, Throwable cause) {
        super(message, cause);
    }

    /**
     * Tells whether this failure is a function of the spec and the data alone, so that materialising
     * the same batch again (on any worker) fails the same way. By default, whatever the cause says
     * (see {@link #isDeterministic(Throwable)}); subclasses that know decide for themselves.
     *
     * @return true if retrying cannot help
     */
    public boolean isDeterministic() {
        return getCause() != null && isDeterministic(getCause());
    }

    /**
     * Tells whether a failure is deterministic: the first {@link MaterializerException} in its cause
     * chain (itself included) says so. A failure without one (an I/O error, a bug) is not.
     *
     * @param failure any throwable, or null
     * @return true if retrying cannot help
     */
    public static boolean isDeterministic(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof MaterializerException m) {
                return m.isDeterministic();
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
