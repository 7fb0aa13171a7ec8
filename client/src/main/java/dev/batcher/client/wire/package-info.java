/**
 * The wire protocol of the batcher service, spoken between the daemon, its worker processes and
 * training clients over TCP.
 *
 * <p>A connection carries {@link dev.batcher.client.wire.Frame}s: a type, a correlation id, a small
 * JSON header and a binary payload, length-prefixed (layout in {@link
 * dev.batcher.client.wire.FrameDecoder} and {@code docs/protocol.md}). Tensor payloads travel as
 * retained slices of the receive buffers, so the daemon relays a worker's batch to a client without
 * copying it. Every connection starts with a handshake ({@link
 * dev.batcher.client.wire.HandshakeHandler}) and is watched by heartbeats ({@link
 * dev.batcher.client.wire.HeartbeatHandler}); {@link dev.batcher.client.wire.WireInitializer} puts
 * the pieces together. Failures cross the wire as {@code ERROR} frames ({@link
 * dev.batcher.client.wire.ErrorFrames}).
 *
 * <p>Handlers run on a channel's event loop and are not thread-safe unless marked sharable; frames
 * are reference counted and must be released by whoever consumes them.
 */
package dev.batcher.client.wire;
