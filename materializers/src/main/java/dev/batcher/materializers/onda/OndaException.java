package dev.batcher.materializers.onda;

import dev.batcher.materializers.MaterializerException;

/**
 * An Onda dataset could not be read: a table is malformed or breaks the schema, a sample file is
 * missing, truncated or corrupt, or a window leaves its signal. The message names the file (table or
 * sample file), the field or row, the bad value and what was expected.
 *
 * <p>Deterministic unless caused by an I/O failure: the same tables and files fail the same way.
 */
public class OndaException extends MaterializerException {
    private static final long serialVersionUID = 1L;

    private final String file;
    private final boolean deterministic;

    /**
     * Creates the exception.
     *
     * @param file the table or sample file, as the user names it (a path or {@code s3://bucket/key})
     * @param detail the fault, as {@code field: value (expected: rule)}
     * @param cause the underlying failure, or null
     */
    public OndaException(String file, String detail, Throwable cause) {
        this(file, detail, cause, true);
    }

    OndaException(String file, String detail, Throwable cause, boolean deterministic) {
        super(file + ": " + detail, cause);
        this.file = file;
        this.deterministic = deterministic;
    }

    /** Returns the table or sample file the failure is about. */
    public String file() {
        return file;
    }

    @Override
    public boolean isDeterministic() {
        return deterministic && (getCause() == null || !(getCause() instanceof java.io.IOException)
                || getCause() instanceof java.io.EOFException);
    }
}
