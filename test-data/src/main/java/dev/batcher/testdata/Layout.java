package dev.batcher.testdata;

/**
 * How the signal dataset is stored. These are the layouts jhdf 0.13.0 can write; the label dataset
 * is always small and contiguous.
 */
public enum Layout {
    /** One contiguous block: the fastest to write and to read. */
    CONTIGUOUS,
    /** Chunked, no filters. */
    CHUNKED,
    /** Chunked, each chunk deflated (gzip). */
    CHUNKED_DEFLATE,
    /** Chunked, each chunk byte-shuffled and then deflated; smaller and faster to read than deflate alone. */
    SHUFFLE_DEFLATE;

    /** Tells whether the layout stores chunks. */
    boolean chunked() {
        return this != CONTIGUOUS;
    }

    /** Tells whether the layout deflates its chunks. */
    boolean deflated() {
        return this == CHUNKED_DEFLATE || this == SHUFFLE_DEFLATE;
    }
}
