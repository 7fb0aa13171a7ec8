package dev.batcher.materializers.iteration;

import dev.batcher.materializers.MaterializerException;

/** A batch source was configured with bad values, or asked to iterate from a state it cannot be at. */
public class IterationException extends MaterializerException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message names the value, the field and what was expected
     */
    public IterationException(String message) {
        super(message);
    }

    /** Returns true: a bad configuration stays bad. */
    @Override
    public boolean isDeterministic() {
        return true;
    }
}
