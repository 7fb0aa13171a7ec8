/**
 * Benchmarks of the read and materialise paths on generated data, each figure a ratio against a
 * baseline measured in the same run: {@link dev.batcher.service.bench.ReadBench} (window reads per
 * HDF5 layout against raw positional reads and against {@code Inflater}) and {@link
 * dev.batcher.service.bench.MaterializeBench} (batches against raw reads, {@code System.arraycopy}
 * and scalar kernels). They live here rather than beside {@link
 * dev.batcher.materializers.bench.KernelBench} because they generate their data with the test-data
 * module. {@code bin/batcher bench} runs them; {@code docs/benchmarks.md} explains the lines.
 */
package dev.batcher.service.bench;
