/**
 * The Java client of the batcher service, and what it shares with the daemon.
 *
 * <h2>The client API</h2>
 * {@link dev.batcher.client.BatcherClient} holds one connection to a daemon (the protocol of
 * {@code docs/protocol.md}, section 12 for the operations); {@link dev.batcher.client.BatcherHandle}
 * names one batcher on it and implements the same
 * {@link dev.batcher.api.Batcher} interface as the in-process
 * {@code LocalBatcher}: {@code take(state)} returns the batch at {@code state} and the state after
 * it. A training loop keeps that state in its checkpoints and resumes exactly where it stopped, in
 * the same process or a new one, whatever happened to the daemon in between.
 *
 * <pre>{@code
 * InetSocketAddress daemon = new InetSocketAddress("127.0.0.1", 4242);
 * try (BatcherClient client = BatcherClient.connect(daemon, System.getenv("BATCHER_TOKEN"));
 *         BatcherHandle train = client.batcher("train")) {
 *     train.create(BatcherSpec.of("/data/sleep",
 *             new SourceConfig.Random(32, 30, null, "names:C3,C4", null, null)));
 *     BatchState state = checkpoint == null ? BatchState.initial(42)
 *             : BatchState.parse(checkpoint.batcherState());
 *     train.start(state);
 *     for (int step = 0; step < steps; step++) {
 *         Taken taken = train.take(state);           // retry with the same state after a
 *         if (taken instanceof Taken.End) {          // ConnectionLostException or timeout
 *             break;
 *         }
 *         Taken.Next next = (Taken.Next) taken;
 *         try (Batch batch = next.batch()) {         // x and y are views of the received bytes
 *             model.step(batch.x(), batch.xShape(), batch.y(), batch.yShape());
 *         }                                          // closing releases them
 *         state = next.state();
 *         if (step % 1000 == 0) {
 *             saveCheckpoint(model, state.toString());  // the state goes with the weights
 *         }
 *     }
 *     train.stop();
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link dev.batcher.client.ClientOptions}: token, timeouts (30 s per request, 60 s per
 *       {@code take} by default), wire settings, client name, an optional shared event loop
 *       group.</li>
 *   <li>Failures: {@link dev.batcher.client.RemoteBatcherException} for errors the daemon reports
 *       (its {@code code()} is {@code bad_request}, {@code not_running}, {@code failed} with the
 *       worker's exception and context, or {@code unauthorized} at connect);
 *       {@link dev.batcher.client.BatcherTimeoutException} when an answer does not come in time (the
 *       request is cancelled on the daemon); {@link dev.batcher.client.ConnectionLostException} when
 *       the connection fails (the next call reconnects, and the handles re-create and re-start their
 *       batchers as needed). These extend
 *       {@link dev.batcher.client.BatcherClientException}; a malformed answer throws the protocol's
 *       {@link dev.batcher.client.protocol.ProtocolException} (a {@link
 *       dev.batcher.client.protocol.WireException}). An interrupted call restores the
 *       interrupt flag and throws a {@code BatcherClientException} naming the operation.</li>
 *   <li>{@link dev.batcher.client.BatcherJson}: the JSON form of
 *       {@link dev.batcher.client.BatcherSpec}, {@link dev.batcher.client.BatcherStatus} and
 *       {@link dev.batcher.client.Failure}, shared with the daemon and config files.</li>
 * </ul>
 *
 * <h2>Memory</h2>
 * A batch's x and y are read-only little-endian views of the bytes received from the daemon, not
 * copies (a batch that arrived in many socket reads is gathered once into one buffer). The caller
 * owns each batch and must close it; its views are invalid afterwards.
 *
 * <h2>The wire protocol</h2>
 * The package {@code dev.batcher.client.protocol} holds the framing, handshake, heartbeats and error
 * frames spoken by the client, the daemon and its workers.
 */
package dev.batcher.client;
