/**
 * Deterministic batch iteration. A {@link dev.batcher.materializers.iteration.BatchSource} maps a
 * {@link dev.batcher.api.BatchState} (a seed and a batch index) to the next
 * {@link dev.batcher.api.BatchSpec} and state, or to the end of the data. Sources draw
 * from a counter-based random stream keyed by seed and batch index, so iteration is a pure function
 * and restarting at any state costs O(1).
 */
package dev.batcher.materializers.iteration;
