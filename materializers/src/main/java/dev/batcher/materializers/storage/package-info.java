/**
 * Where datasets live and how their bytes are reached: the storage layer under
 * {@link dev.batcher.materializers.format.RecordingFiles}.
 *
 * <ul>
 *   <li>{@link dev.batcher.materializers.storage.DatasetLocation}: a local directory or
 *       {@code s3://bucket/prefix}.
 *   <li>{@link dev.batcher.materializers.storage.DatasetRoots}: the one place deciding which datasets
 *       and file names may be read (used by the manager, the workers and {@code RecordingFiles}).
 *   <li>{@link dev.batcher.materializers.storage.ByteSource}: bytes at positions, from a local file or
 *       from ranged GETs of an object ({@link dev.batcher.materializers.storage.S3Store}).
 *   <li>{@link dev.batcher.materializers.storage.FileCache}: a bounded, leased on-disk cache of whole
 *       objects for files that need random access (chunked, compressed).
 *   <li>{@link dev.batcher.materializers.storage.Storage}: one store and one cache per process, with
 *       the counters that status and metrics show.
 * </ul>
 *
 * <p>Failures are {@link dev.batcher.materializers.storage.StorageException}s naming the path or
 * {@code s3://bucket/key}; credentials never appear in them.
 */
package dev.batcher.materializers.storage;
