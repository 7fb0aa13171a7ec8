package dev.batcher.materializers.dataset;

import dev.batcher.materializers.MaterializerException;

/**
 * A dataset directory is not valid: its labeled-signals table is missing or malformed, or a file,
 * dataset, attribute or span it refers to is wrong. The message names the table line (where there is
 * one), the file, the field or attribute, the bad value and what was expected, for example
 * {@code /data/psg/labeled_signals.csv line 3: label_stop_ns: 9000 (expected: <= signal_stop_ns 8000)}.
 */
public final class DatasetException extends MaterializerException {
    private static final long serialVersionUID = 1L;

    /**
     * Creates an exception with a message.
     *
     * @param message what is wrong, as {@code where: name: value (expected: rule)}
     */
    public DatasetException(String message) {
        super(message);
    }

    /**
     * Creates an exception with a message and the failure it was worked out from.
     *
     * @param message what is wrong, as {@code where: name: value (expected: rule)}
     * @param cause the underlying failure, usually a
     *     {@link dev.batcher.materializers.format.RecordingReadException}
     */
    public DatasetException(String message, Throwable cause) {
        super(message, cause);
    }
}
