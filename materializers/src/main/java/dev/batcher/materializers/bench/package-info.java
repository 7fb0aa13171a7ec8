/**
 * Small, dependency-free benchmarks whose every figure is a ratio against a baseline measured in the
 * same run: {@link dev.batcher.materializers.bench.KernelBench} (the numeric kernels), the {@link
 * dev.batcher.materializers.bench.Harness} that times a candidate against a baseline in alternating
 * rounds on one or more threads, and {@link dev.batcher.materializers.bench.Figure}, the one-line
 * form every benchmark prints ({@code name  value unit  ratio x  baseline}). The read and materialise
 * benchmarks, which generate their data, are in {@code dev.batcher.service.bench}.
 */
package dev.batcher.materializers.bench;
