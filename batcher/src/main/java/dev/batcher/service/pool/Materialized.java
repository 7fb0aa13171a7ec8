package dev.batcher.service.pool;

import io.netty.buffer.ByteBuf;
import java.util.Arrays;

/**
 * A materialised batch in wire form: x as little-endian float32 followed by y as little-endian int32,
 * in one buffer that the holder owns (one reference). The manager never decodes it: it keeps it in
 * order and hands it to the client's channel.
 *
 * @param xShape the shape of x
 * @param yShape the shape of y
 * @param payload x's bytes then y's bytes
 */
public record Materialized(int[] xShape, int[] yShape, ByteBuf payload) {

    /**
     * Returns the shapes in the protocol's form.
     *
     * @throws IllegalArgumentException if a shape is empty or negative, or the payload would exceed 2 GiB
     */
    public dev.batcher.protocol.Tensors tensors() {
        return new dev.batcher.protocol.Tensors(xShape, yShape);
    }

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
        return "Materialized[x=" + Arrays.toString(xShape) + ", y=" + Arrays.toString(yShape) + ", " + bytes() + " bytes]";
    }
}
