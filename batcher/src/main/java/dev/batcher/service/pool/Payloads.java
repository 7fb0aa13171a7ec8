package dev.batcher.service.pool;

import dev.batcher.materializers.materialize.Batch;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Writes a batch in wire form: x as little-endian float32, then y as little-endian int32. */
public final class Payloads {
    private Payloads() {}

    /**
     * Encodes a batch into a new buffer. The caller owns the result.
     *
     * @param batch the batch (not closed by this method)
     * @param allocator where the buffer comes from
     * @return the batch in wire form
     */
    public static Materialized encode(Batch batch, ByteBufAllocator allocator) {
        java.nio.FloatBuffer x = batch.x();
        java.nio.IntBuffer y = batch.y();
        int bytes = Math.addExact(Math.multiplyExact(x.remaining(), 4), Math.multiplyExact(y.remaining(), 4));
        ByteBuf buf = allocator.directBuffer(bytes, bytes);
        try {
            ByteBuffer nio = buf.nioBuffer(0, bytes).order(ByteOrder.LITTLE_ENDIAN);
            nio.asFloatBuffer().put(x);
            nio.position(x.capacity() * 4);
            nio.slice().order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().put(y);
            buf.writerIndex(bytes);
            return new Materialized(batch.xShape(), batch.yShape(), buf);
        } catch (RuntimeException e) {
            buf.release();
            throw e;
        }
    }
}
