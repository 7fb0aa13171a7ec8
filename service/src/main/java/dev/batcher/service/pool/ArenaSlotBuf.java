package dev.batcher.service.pool;

import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.buffer.UnpooledDirectByteBuf;

/**
 * A batch payload that lies in a shared-memory slot: a buffer over the slot's mapping that returns
 * the slot to its arena when its last reference is released, instead of freeing memory. Everything
 * that keeps, relays or drops payloads by reference count (the batcher's window, a TCP client's
 * frame, a shared-memory client's held batches) thereby frees the slot at the right moment.
 */
public final class ArenaSlotBuf extends UnpooledDirectByteBuf {
    private final ArenaTarget target;

    ArenaSlotBuf(ArenaTarget target, int bytes) {
        super(UnpooledByteBufAllocator.DEFAULT, target.buffer().limit(bytes).slice(), bytes);
        this.target = target;
    }

    /** Returns the slot. */
    public ArenaTarget target() {
        return target;
    }

    @Override
    protected void deallocate() {
        // The memory is the arena's mapping (unmapped with the arena); only the slot is given back.
        target.release();
    }
}
