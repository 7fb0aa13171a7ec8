package dev.batcher.service.pool;

import dev.batcher.api.BatchShapes;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.BatchSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/** Materialises a batch in wire form: x as little-endian float32, then y as little-endian int32. */
public final class Payloads {
    private Payloads() {}

    /**
     * Materialises a batch straight into a new buffer in wire form (no batch-sized arrays on the way).
     * The caller owns the result.
     *
     * @param materializer the materializer
     * @param spec the batch
     * @param allocator where the buffer comes from (sized once the first item fixes the shapes)
     * @return the batch in wire form
     * @throws dev.batcher.materializers.assembly.ItemException if an item cannot be materialised
     */
    public static Materialized materialize(Materializer materializer, BatchSpec spec, ByteBufAllocator allocator) {
        return materialize(materializer, spec, allocator, null);
    }

    /**
     * Materialises a batch straight into a shared-memory slot, or, if the batch is bigger than the
     * slot or there is none, into a new buffer. The result's payload owns the slot in the first case
     * ({@link ArenaSlotBuf}); in the second the caller still owns the target.
     *
     * @param materializer the materializer
     * @param spec the batch
     * @param allocator where a buffer comes from if the slot is not used
     * @param target the slot, or null
     * @return the batch in wire form
     * @throws dev.batcher.materializers.assembly.ItemException if an item cannot be materialised
     */
    public static Materialized materialize(Materializer materializer, BatchSpec spec, ByteBufAllocator allocator,
            ArenaTarget target) {
        ByteBuf[] holder = new ByteBuf[1];
        try {
            BatchShapes layout = materializer.materializeInto(spec, l -> {
                int bytes = Math.toIntExact(l.bytes());
                if (target != null && bytes <= target.bytes()) {
                    return target.buffer();
                }
                holder[0] = allocator.directBuffer(bytes, bytes);
                return holder[0].nioBuffer(0, bytes);
            });
            if (holder[0] == null) {
                return new Materialized(layout, target.written(Math.toIntExact(layout.bytes())));
            }
            holder[0].writerIndex(Math.toIntExact(layout.bytes()));
            return new Materialized(layout, holder[0]);
        } catch (RuntimeException | Error e) {
            if (holder[0] != null) {
                holder[0].release();
            }
            throw e;
        }
    }
}
