package dev.batcher.client.protocol;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Bytes that the frame decoders of many connections may hold for frames still arriving, shared by
 * all of them: a daemon-wide bound on partial frames, whatever peers send. A decoder reserves a
 * large frame's full size when its length field arrives, before allocating its buffer, and gives the
 * reservation back when the frame is complete or the connection closes. A reservation that does not
 * fit is refused, and the decoder then rejects that connection.
 *
 * <p>Thread-safe.
 */
public final class MemoryBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();

    /**
     * @param limit the bytes available, {@code > 0}
     * @throws IllegalArgumentException if {@code limit <= 0}
     */
    public MemoryBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: > 0 bytes)");
        }
        this.limit = limit;
    }

    /** Returns a budget no peer can exhaust in practice: {@link Long#MAX_VALUE} bytes. */
    public static MemoryBudget unlimited() {
        return new MemoryBudget(Long.MAX_VALUE);
    }

    /**
     * Reserves bytes if they fit.
     *
     * @param bytes how many, {@code >= 0}
     * @return true if reserved (give them back with {@link #release}), false if they do not fit
     */
    public boolean tryReserve(long bytes) {
        long now;
        do {
            now = used.get();
            if (bytes > limit - now) {
                refused.incrementAndGet();
                return false;
            }
        } while (!used.compareAndSet(now, now + bytes));
        return true;
    }

    /**
     * Gives back bytes reserved before.
     *
     * @param bytes how many
     */
    public void release(long bytes) {
        used.addAndGet(-bytes);
    }

    /** Returns the bytes reserved now. */
    public long used() {
        return used.get();
    }

    /** Returns the bytes available in all. */
    public long limit() {
        return limit;
    }

    /** Returns how many reservations were refused. */
    public long refused() {
        return refused.get();
    }

    @Override
    public String toString() {
        return "MemoryBudget[used " + used.get() + " of " + limit + " bytes, " + refused.get() + " refused]";
    }
}
