/**
 * The values a batcher's user handles, shared by the local batcher (materializers module), the Java
 * client and the daemon: {@link dev.batcher.api.BatchState} (where an iteration is, for resuming),
 * {@link dev.batcher.api.Batcher} (the {@code take(state)} contract) with {@link dev.batcher.api.Taken}
 * and {@link dev.batcher.api.Batch}, {@link dev.batcher.api.BatchShapes} (a batch's tensor shapes and
 * flat layout), {@link dev.batcher.api.SourceConfig} (a batch source described as data),
 * {@link dev.batcher.api.BatchSpec} with {@link dev.batcher.api.ItemSpec} and
 * {@link dev.batcher.api.ChannelSelection} (what one batch holds), and
 * {@link dev.batcher.api.MaterializeOptions}. This module depends on nothing but Jackson's annotations.
 */
package dev.batcher.api;
