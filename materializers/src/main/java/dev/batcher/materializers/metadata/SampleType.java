package dev.batcher.materializers.metadata;

/** The element type of a signal dataset on disk. */
public enum SampleType {
    /** Signed 16-bit integers, decoded as {@code sample * resolution + offset}. */
    INT16,
    /** 32-bit floats, decoded the same way (usually with resolution 1 and offset 0). */
    FLOAT32
}
