/**
 * A small, dependency-free benchmark of the numeric kernels ({@link
 * dev.batcher.materializers.bench.KernelBench}), each figure against a baseline measured in the same
 * run.
 */
package dev.batcher.materializers.bench;
