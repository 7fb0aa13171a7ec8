/**
 * Batch specifications: the small, serialisable description of a batch (which files, windows,
 * channels and labels) that the manager iterates and workers materialise.
 */
package dev.batcher.materializers.spec;
