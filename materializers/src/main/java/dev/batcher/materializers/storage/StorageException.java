package dev.batcher.materializers.storage;

import dev.batcher.materializers.MaterializerException;

/**
 * A dataset location, a file name or an object could not be used or read. The message names the
 * location (for objects, {@code s3://bucket/key}) and the fault, never credentials.
 */
public class StorageException extends MaterializerException {
    private static final long serialVersionUID = 1L;

    /** Why storage failed, for callers that react differently (retry, report). */
    public enum Reason {
        /** A file name or dataset location is refused: absolute, with {@code ..}, outside the roots. */
        PATH_REFUSED,
        /** The object or file does not exist. Not retried. */
        NOT_FOUND,
        /** The credentials may not read the object or bucket (HTTP 403). Not retried. */
        FORBIDDEN,
        /** The object changed since its layout was recorded (its ETag differs). Not retried. */
        CHANGED,
        /** The cache cannot hold what a read needs (too small, or full of files being read). */
        CACHE_TOO_SMALL,
        /** Transient failures (throttling, resets, timeouts, short bodies) outlasted the retries. */
        UNAVAILABLE,
        /** Anything else the store or the file system reported. */
        FAILED
    }

    private final Reason reason;
    private final String location;

    /**
     * Creates the exception.
     *
     * @param reason why
     * @param location what failed, for example {@code s3://bucket/key} or a path
     * @param detail the fault, as {@code name: value (expected: rule)}
     * @param cause the underlying failure, or null
     */
    public StorageException(Reason reason, String location, String detail, Throwable cause) {
        super(location + ": " + detail, cause);
        this.reason = reason;
        this.location = location;
    }

    /** Returns why storage failed. */
    public Reason getReason() {
        return reason;
    }

    /** Returns what failed, for example {@code s3://bucket/key}. */
    public String getLocation() {
        return location;
    }
}
