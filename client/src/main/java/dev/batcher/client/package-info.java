/**
 * The Java client of the batcher service and what it shares with the daemon: the exception root
 * {@link dev.batcher.client.BatcherClientException}, the {@link dev.batcher.client.RemoteBatcherException}
 * that carries a failure from the other end of a connection, and the wire protocol in
 * {@code dev.batcher.client.wire}.
 */
package dev.batcher.client;
