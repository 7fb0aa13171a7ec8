package dev.batcher.client;

import dev.batcher.api.BatchState;
import dev.batcher.api.Taken;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.MessageType;
import dev.batcher.client.protocol.Op;
import dev.batcher.client.protocol.ProtocolException;
import dev.batcher.client.protocol.Response;

/**
 * Reads the answers to the client's requests with the types of {@link dev.batcher.client.protocol} and
 * releases the frames: the glue between {@link Connection}'s frames and the handle's results.
 */
final class Requests {
    private Requests() {
    }

    /**
     * Reads the answer to a request that must be a {@code RESPONSE} of a given kind, and releases
     * the frame.
     *
     * @throws RemoteBatcherException if the answer is an {@code ERROR}
     * @throws ProtocolException if it is a frame of another type or malformed
     */
    static <R extends Response> R response(Frame frame, Op op, String batcher, Class<R> kind) {
        try {
            return kind.cast(Response.decode(frame, op, batcher));
        } finally {
            frame.release();
        }
    }

    /**
     * Reads the answer to a {@code take}: a {@code BATCH} (the frame's payload moves to the batch,
     * or the batch reads its shared-memory slot in place and releases it on close), or {@link
     * Response.End}. Releases the frame.
     *
     * @throws RemoteBatcherException if the answer is an {@code ERROR}
     * @throws ProtocolException if the answer is malformed
     */
    static Taken taken(Frame frame, String batcher, BatchState requested, Connection connection,
            dev.batcher.client.arena.ArenaViews arenas) {
        if (frame.type() == MessageType.BATCH) {
            RemoteBatch batch = RemoteBatch.decode(frame, requested, arenas, connection::release);
            return new Taken.Next(batch, batch.state());
        }
        return new Taken.End(response(frame, Op.TAKE, batcher, Response.End.class).last());
    }
}
