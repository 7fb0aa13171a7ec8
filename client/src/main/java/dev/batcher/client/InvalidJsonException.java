package dev.batcher.client;

import java.util.Objects;

/**
 * JSON that does not describe the expected value, reported in the usual form
 * {@code field: value (expected: ...)}: the field as a path such as
 * {@code source.specs[0].items[1].sampleCount}, the value as it was written, and what was expected.
 * No parser internals (source locations, Java types, reference chains) appear in the message, nor
 * in a cause: the parser's exception is kept as a suppressed exception (stack traces show it), so
 * that code which prints a chain of causes for users prints none of it.
 */
public final class InvalidJsonException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String context;
    private final String field;
    private final String value;
    private final String expected;

    /**
     * Creates the exception.
     *
     * @param context what was read, such as a file name, or null
     * @param field the path of the offending field ({@code json} for the document itself)
     * @param value the value as written, or a short description such as {@code missing}
     * @param expected what was expected there
     * @param parserError the parser's exception, or null
     */
    public InvalidJsonException(String context, String field, String value, String expected, Throwable parserError) {
        super((context == null ? "" : context + ": ") + Objects.requireNonNull(field, "field") + ": " + value
                + " (expected: " + expected + ")");
        if (parserError != null) {
            addSuppressed(parserError);
        }
        this.context = context;
        this.field = field;
        this.value = value;
        this.expected = expected;
    }

    /** Returns what was read (such as a file name), or null. */
    public String context() {
        return context;
    }

    /** Returns the path of the offending field, such as {@code source.batchSize}. */
    public String field() {
        return field;
    }

    /** Returns the value as written, or a short description such as {@code missing}. */
    public String value() {
        return value;
    }

    /** Returns what was expected. */
    public String expected() {
        return expected;
    }

    /**
     * Returns a copy whose field lies under {@code parent}, for JSON read from inside a larger
     * document.
     *
     * @param parent the path of the enclosing field, such as {@code batchers.train}
     * @return the copy
     */
    public InvalidJsonException under(String parent) {
        return new InvalidJsonException(context, field.equals("json") ? parent : parent + "." + field, value, expected,
                parserError());
    }

    /**
     * Returns a copy that names what was read.
     *
     * @param what such as {@code --config batchers.json}
     * @return the copy
     */
    public InvalidJsonException in(String what) {
        return new InvalidJsonException(what, field, value, expected, parserError());
    }

    private Throwable parserError() {
        Throwable[] s = getSuppressed();
        return s.length == 0 ? null : s[0];
    }
}
