/**
 * The daemon's network side: {@link dev.batcher.service.transport.BatcherServer} accepts clients and
 * worker processes over the wire protocol of {@code docs/protocol.md}; worker connections become
 * pool members, client connections are served the batcher operations.
 */
package dev.batcher.service.transport;
