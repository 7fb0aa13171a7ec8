package dev.batcher.service.pool;

import dev.batcher.api.BatchShapes;
import io.netty.buffer.ByteBuf;

/**
 * A materialised batch in wire form: x as little-endian float32 followed by y as little-endian int32,
 * in one buffer that the holder owns (one reference). The manager never decodes it: it keeps it in
 * order and hands it to the client's channel.
 *
 * @param tensors the shapes of x and y
 * @param payload x's bytes then y's bytes
 */
public record Materialized(BatchShapes tensors, ByteBuf payload) {

    /** Returns the payload's size in bytes. */
    public int bytes() {
        return payload.readableBytes();
    }

    /** Releases the payload. */
    public void release() {
        if (payload.refCnt() > 0) {
            payload.release();
        }
    }

    @Override
    public String toString() {
        return "Materialized[" + tensors + ", " + bytes() + " bytes]";
    }
}
