/**
 * Numeric kernels: decoding stored samples to float, linear combinations of rows (montages and FIR
 * filters), per-channel z-scoring ({@link dev.batcher.materializers.kernels.Kernels}) and rational
 * resampling ({@link dev.batcher.materializers.kernels.Resampler}).
 *
 * <p>Every kernel has a Vector API path and a scalar path that give bit-identical results on any
 * CPU, at any vector width, on JDK 17 and later. The rules that make that so: the same separately
 * rounded IEEE operations in the same order on both paths (never a fused multiply-add); vector
 * lanes that hold independent outputs; reductions with a fixed logical lane count rather than the
 * hardware's; and filter design with {@link java.lang.StrictMath} only. The vector path needs the
 * JVM option {@code --add-modules jdk.incubator.vector}.
 */
package dev.batcher.materializers.kernels;
