package dev.batcher.client;

import dev.batcher.api.BatchShapes;
import dev.batcher.client.protocol.BatchMessage;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.ProtocolException;
import dev.batcher.api.BatchState;
import dev.batcher.api.Batch;
import dev.batcher.client.arena.ArenaViews;
import dev.batcher.client.protocol.ArenaRef;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.function.LongConsumer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A batch received in a {@code BATCH} frame (section 12.1 of {@code docs/protocol.md}): x as
 * little-endian float32 followed by y as little-endian int32, in the frame's payload. The batch
 * holds one reference to the payload bytes and views them in place: {@link #x()} and {@link #y()}
 * are read-only NIO views of the receive buffers, not copies.
 *
 * <p><b>One copy, from the socket.</b> The frame decoder lends each socket read the free space of the
 * frame being received ({@code FrameReadAllocator}), so a large payload normally lands in one
 * contiguous buffer as it is read. Where it still arrives as a composite of receive buffers
 * ({@code nioBufferCount() != 1}), it is copied once, here, into one direct buffer of the same
 * allocator, and the receive buffers are released at once: an NIO view needs one contiguous region,
 * and without that copy every call of {@code x()} would gather the components again.
 *
 * <p><b>No copy at all, in shared memory.</b> When the daemon runs on this host and put the batch in
 * a slot of its shared-memory arena, the views read the slot in place. The slot stays this batch's
 * until it is closed (then the client sends {@code RELEASE}) or the connection closes; a batch is
 * valid until then and no longer, so close batches you are done with: the daemon holds only a few
 * slots for batches clients keep (more travel over TCP instead).
 *
 * <p>{@link #close()} releases the bytes exactly once; the views must not be used afterwards.
 */
final class RemoteBatch implements Batch {
    private final int[] xShape;
    private final int[] yShape;
    private final int xBytes;
    private final int yBytes;
    private final BatchState state;
    private final BatchState previous;
    private final ByteBuf payload;
    private final boolean consolidated;
    /** Run once when the batch closes: tells the daemon a shared-memory slot is free; null for TCP. */
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RemoteBatch(int[] xShape, int[] yShape, long xElements, long yElements,
            BatchState state, BatchState previous, ByteBuf received, Runnable onClose) {
        this.onClose = onClose;
        this.xShape = xShape;
        this.yShape = yShape;
        this.xBytes = Math.toIntExact(xElements * Float.BYTES);
        this.yBytes = Math.toIntExact(yElements * Integer.BYTES);
        this.state = state;
        this.previous = previous;
        if (received.nioBufferCount() == 1) {
            this.payload = received;
            this.consolidated = false;
        } else {
            this.payload = consolidate(received);
            this.consolidated = true;
        }
    }

    /** Copies a fragmented payload into one direct buffer and releases the fragments. */
    private static ByteBuf consolidate(ByteBuf fragmented) {
        try {
            int length = fragmented.readableBytes();
            ByteBuf single = fragmented.alloc().directBuffer(length, length);
            try {
                single.writeBytes(fragmented, fragmented.readerIndex(), length);
            } catch (RuntimeException | Error e) {
                single.release();
                throw e;
            }
            return single;
        } finally {
            fragmented.release();
        }
    }

    /**
     * Reads a {@code BATCH} frame into a batch and releases the frame; the batch keeps its own
     * reference to the payload or, for a batch in shared memory, views the daemon's slot in place.
     *
     * @param frame the {@code BATCH} frame answering a {@code take}
     * @param requested the state the {@code take} passed; the header's {@code previous} must equal it
     * @param arenas the mapped arenas, for a batch in shared memory
     * @param release told the take's id when a batch in shared memory closes (or cannot be read)
     * @return the batch, which the caller must close
     * @throws ProtocolException if the header is malformed, names another dtype or byte order, or the
     *     payload size does not match the shapes
     * @throws dev.batcher.client.arena.ArenaException if the arena of a batch in shared memory cannot be mapped
     *     (use {@code ClientOptions.withSharedMemory(false)} where the client cannot reach the
     *     daemon's runtime directory)
     */
    static RemoteBatch decode(Frame frame, BatchState requested) {
        return decode(frame, requested, null, id -> { });
    }

    static RemoteBatch decode(Frame frame, BatchState requested, ArenaViews arenas, LongConsumer release) {
        ArenaRef ref = null;
        try {
            ref = ArenaRef.read(frame.header(), "batch");
            BatchMessage message = BatchMessage.decode(frame);
            if (!message.previous().equals(requested)) {
                throw new ProtocolException("batch.previous", message.previous(),
                        requested + ", the state the take asked for");
            }
            BatchShapes t = message.tensors();
            if (ref == null) {
                return new RemoteBatch(t.xShape(), t.yShape(), t.xElements(), t.yElements(), message.state(),
                        message.previous(), frame.retainedPayload(), null);
            }
            if (arenas == null) {
                throw new ProtocolException("batch.arena", ref, "absent: this connection does not use shared memory");
            }
            ByteBuffer slot = arenas.get(Path.of(ref.file())).slice(ref.offset(), ref.bytes());
            long id = frame.id();
            RemoteBatch batch = new RemoteBatch(t.xShape(), t.yShape(), t.xElements(), t.yElements(), message.state(),
                    message.previous(), Unpooled.wrappedBuffer(slot), () -> release.accept(id));
            ref = null;
            return batch;
        } finally {
            if (ref != null) {
                release.accept(frame.id());
            }
            frame.release();
        }
    }

    /** Tells whether the batch lies in the daemon's shared memory, read in place. */
    boolean sharedMemory() {
        return onClose != null;
    }

    /** Returns the state after this batch: the one to pass to the next {@code take}. */
    BatchState state() {
        return state;
    }

    /** Returns the state before this batch: the one the {@code take} asked for. */
    BatchState previous() {
        return previous;
    }

    /** Tells whether the payload was fragmented and had to be copied into one buffer. */
    boolean consolidated() {
        return consolidated;
    }

    /** Returns the payload buffer itself, for tests of reference counts. */
    ByteBuf payload() {
        return payload;
    }

    @Override
    public int[] xShape() {
        return xShape.clone();
    }

    @Override
    public int[] yShape() {
        return yShape.clone();
    }

    /**
     * Returns a read-only little-endian view of x over the received bytes, positioned at 0.
     *
     * @throws IllegalStateException if the batch is closed
     */
    @Override
    public FloatBuffer x() {
        checkOpen();
        return payload.nioBuffer(payload.readerIndex(), xBytes).order(ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer().asReadOnlyBuffer();
    }

    /**
     * Returns a read-only little-endian view of y over the received bytes, positioned at 0.
     *
     * @throws IllegalStateException if the batch is closed
     */
    @Override
    public IntBuffer y() {
        checkOpen();
        return payload.nioBuffer(payload.readerIndex() + xBytes, yBytes)
                .order(ByteOrder.LITTLE_ENDIAN).asIntBuffer().asReadOnlyBuffer();
    }

    private void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("batch at " + previous + " is closed");
        }
    }

    /** Releases the payload; only the first call has an effect. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            payload.release();
            if (onClose != null) {
                onClose.run();
            }
        }
    }

    @Override
    public String toString() {
        return "RemoteBatch[x=" + Arrays.toString(xShape) + ", y=" + Arrays.toString(yShape)
                + ", previous=" + previous + ", state=" + state + (closed.get() ? ", closed]" : "]");
    }
}
