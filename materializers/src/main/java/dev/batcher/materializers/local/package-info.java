/** The same-process batcher, the ground truth for the batcher service's {@code take} semantics. */
package dev.batcher.materializers.local;
