package dev.batcher.materializers.kernels;

/** Which implementation a {@link Kernels} instance runs. Both give bit-identical results. */
public enum KernelPath {
    /** The Vector API ({@code jdk.incubator.vector}) implementation. */
    VECTOR,
    /** The plain Java loops, which need nothing beyond the JDK. */
    SCALAR
}
