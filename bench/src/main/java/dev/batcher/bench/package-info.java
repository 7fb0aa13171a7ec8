/**
 * The benchmarks, outside the product's jars. Every figure is a ratio against a baseline measured in
 * the same run: {@link dev.batcher.bench.KernelBench} (the numeric kernels), {@link
 * dev.batcher.bench.ReadBench} (window reads per HDF5 layout against raw positional reads and against
 * {@code Inflater}), {@link dev.batcher.bench.MaterializeBench} (batches against raw reads, {@code
 * System.arraycopy} and scalar kernels), {@link dev.batcher.bench.ServiceBench} (the daemon end to end
 * against the LocalBatcher, {@code take} against raw netty, restart latency against one
 * materialisation) and {@link dev.batcher.bench.S3Bench} (an S3 store against local files). {@link
 * dev.batcher.bench.Harness} times a candidate against a baseline in alternating rounds on one or more
 * threads; {@link dev.batcher.bench.Figure} is the one-line form every benchmark prints ({@code name
 * value unit  ratio x  baseline}). The data-generating benchmarks use the test-data module.
 * {@code bin/batcher bench} ({@link dev.batcher.bench.BenchCommand}, added to the command line through
 * {@code CommandPlugin}) runs them; {@code docs/benchmarks.md} explains the lines.
 */
package dev.batcher.bench;
