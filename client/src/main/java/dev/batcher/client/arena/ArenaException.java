package dev.batcher.client.arena;

import dev.batcher.client.BatcherClientException;
import java.nio.file.Path;

/** A shared-memory arena could not be created, opened or used; the message names the file. */
public class ArenaException extends BatcherClientException {
    private static final long serialVersionUID = 1L;
    private final transient Path file;

    /**
     * Creates the exception.
     *
     * @param file the arena file
     * @param message what went wrong, naming the value and what was expected
     * @param cause the underlying failure, or null
     */
    public ArenaException(Path file, String message, Throwable cause) {
        super("arena " + file + ": " + message, cause);
        this.file = file;
    }

    /** Returns the arena file. */
    public Path file() {
        return file;
    }
}
