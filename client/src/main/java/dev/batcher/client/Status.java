package dev.batcher.client;

/** The life-cycle state of a batcher. */
public enum Status {
    /** Created, never started. */
    STOPPED,
    /** Iterating and materialising. */
    RUNNING,
    /** Stopped by a client: its channel is closed and its buffers released. */
    CLOSED,
    /** A finite source ended and its end marker was taken. */
    DONE,
    /** A batch failed after every retry; the failure says why. */
    FAILED
}
