/**
 * Benchmarks on generated data, each figure a ratio against a baseline measured in the same run:
 * {@link dev.batcher.service.bench.ReadBench} (window reads per HDF5 layout against raw positional
 * reads and against {@code Inflater}), {@link dev.batcher.service.bench.MaterializeBench} (batches
 * against raw reads, {@code System.arraycopy} and scalar kernels) and {@link
 * dev.batcher.service.bench.ServiceBench} (the daemon end to end against the LocalBatcher, {@code
 * take} against raw netty, restart latency against one materialisation). They live here rather than
 * beside {@link dev.batcher.materializers.bench.KernelBench} because they generate their data with
 * the test-data module. {@code bin/batcher bench} runs them; {@code docs/benchmarks.md} explains the
 * lines.
 */
package dev.batcher.service.bench;
