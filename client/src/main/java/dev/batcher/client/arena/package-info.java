/**
 * Shared-memory arenas: the same-host data path of the batcher service. The daemon creates one
 * memory-mapped file per running batcher ({@link Arena}), divided into fixed-size slots; a worker on
 * the same host materialises a batch straight into the slot its job names, and a client on the same
 * host reads the batch in place ({@link ArenaView}). Only slot references cross the sockets. The file
 * layout is in {@link ArenaLayout} and {@code docs/protocol.md} ("Shared-memory arenas").
 */
package dev.batcher.client.arena;
