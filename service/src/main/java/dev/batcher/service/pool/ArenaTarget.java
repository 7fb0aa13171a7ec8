package dev.batcher.service.pool;

import dev.batcher.client.arena.Arena;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * The shared-memory slot a job should materialise into. The job owns the slot until its future
 * completes; a result written there ({@link ArenaSlotBuf}) takes the slot over, and otherwise the
 * batcher that dispatched the job returns it.
 *
 * @param arena the batcher's arena
 * @param slot the slot's index
 */
public record ArenaTarget(Arena arena, int slot) {
    /** Checks the arguments. */
    public ArenaTarget {
        Objects.requireNonNull(arena, "arena");
        Objects.checkIndex(slot, arena.slots());
    }

    /** Returns where the slot starts in the arena file. */
    public long offset() {
        return arena.offset(slot);
    }

    /** Returns the slot's size in bytes. */
    public long bytes() {
        return arena.slotBytes();
    }

    /** Returns a writable view of the whole slot. */
    public ByteBuffer buffer() {
        return arena.slot(slot);
    }

    /**
     * Wraps what a worker wrote into the slot as a payload that owns the slot from now on.
     *
     * @param bytes the batch's bytes (x then y)
     * @return the payload
     */
    public ArenaSlotBuf written(int bytes) {
        return new ArenaSlotBuf(this, bytes);
    }

    /** Returns the slot to the arena's free list. */
    public void release() {
        arena.release(slot);
    }
}
