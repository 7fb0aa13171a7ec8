/**
 * The wire protocol of the batcher service, the one owner of every message that crosses a
 * connection between the daemon, its worker processes and training clients ({@code docs/protocol.md},
 * protocol version {@value dev.batcher.client.protocol.Hello#PROTOCOL_VERSION}).
 *
 * <h2>Layers</h2>
 * <ul>
 *   <li><b>Frames.</b> A connection carries {@link dev.batcher.client.protocol.Frame}s: a
 *       {@link dev.batcher.client.protocol.MessageType}, a correlation id, a small JSON header and a binary
 *       payload, length-prefixed ({@link dev.batcher.client.protocol.FrameDecoder},
 *       {@link dev.batcher.client.protocol.FrameEncoder}). Payloads travel as retained slices of the receive
 *       buffers, so the daemon relays a worker's batch to a client without copying it.</li>
 *   <li><b>Messages.</b> Every frame kind has one type here that holds its encoding
 *       ({@code toFrame}) beside its decoding ({@code decode}): {@link dev.batcher.client.protocol.Hello},
 *       {@link dev.batcher.client.protocol.Welcome}, {@link dev.batcher.client.protocol.ErrorFrames} ({@code ERROR}
 *       and {@code JOB_FAILURE}, with every error code), {@link dev.batcher.client.protocol.Request} (one
 *       record per {@link dev.batcher.client.protocol.Op}), {@link dev.batcher.client.protocol.Response},
 *       {@link dev.batcher.client.protocol.BatchMessage}, {@link dev.batcher.client.protocol.JobMessage},
 *       {@link dev.batcher.client.protocol.JobResult}, {@link dev.batcher.client.protocol.Cancel},
 *       {@link dev.batcher.client.protocol.Goodbye}; {@code PING}/{@code PONG} belong to
 *       {@link dev.batcher.client.protocol.HeartbeatHandler}. The tensor description of {@code BATCH} and
 *       {@code JOB_RESULT} is {@link dev.batcher.client.protocol.TensorHeader}: written and parsed in one place,
 *       with one set of rules.</li>
 *   <li><b>Connection.</b> Every connection starts with a handshake
 *       ({@link dev.batcher.client.protocol.HandshakeHandler}; the connecting end's half is
 *       {@link dev.batcher.client.protocol.ClientHandshakeHandler}, the daemon's half lives with the daemon)
 *       and is watched by heartbeats ({@link dev.batcher.client.protocol.HeartbeatHandler});
 *       {@link dev.batcher.client.protocol.WireInitializer} puts the pieces together.</li>
 * </ul>
 *
 * <h2>Why here, in the client module</h2>
 * Clients, the daemon and workers all need these types, and every one of them already depends on
 * the client module (the daemon serves its API values, {@code BatcherSpec} and {@code BatcherStatus},
 * which requests and responses carry). A separate module would add a jar without changing who sees
 * what. What only the daemon does, accepting connections and checking tokens, is not here: the
 * server's handshake is in the daemon's module.
 *
 * <h2>Errors</h2>
 * {@link dev.batcher.client.protocol.WireException} is the root of this package's exceptions, which
 * either end throws: {@link dev.batcher.client.protocol.ProtocolException} (a peer broke the protocol;
 * its code goes into the {@code ERROR} frame) and {@link dev.batcher.client.protocol.PeerTimeoutException}
 * (a peer stayed silent). They do not extend the client's {@code BatcherClientException}.
 *
 * <h2>Extending</h2>
 * A header field: add it to the message's record, write it in {@code toHeader}/{@code toFrame} and
 * read it in {@code decode}; receivers ignore unknown fields, so an optional field needs no version
 * change; then document it in {@code docs/protocol.md} (a test compares the doc's tables with the
 * code). A new operation: a constant in {@link dev.batcher.client.protocol.Op}, a record in
 * {@link dev.batcher.client.protocol.Request} and, if it answers with a {@code RESPONSE}, one in
 * {@link dev.batcher.client.protocol.Response}. A new message type: a code in
 * {@link dev.batcher.client.protocol.MessageType} and a type here; that needs a protocol version.
 *
 * <p>Handlers run on a channel's event loop and are not thread-safe unless marked sharable; frames
 * are reference counted and must be released by whoever consumes them.
 */
package dev.batcher.client.protocol;
