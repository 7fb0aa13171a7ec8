package dev.batcher.client;

import dev.batcher.protocol.BatchMessage;
import dev.batcher.protocol.Frame;
import dev.batcher.protocol.ProtocolException;
import dev.batcher.protocol.Tensors;
import dev.batcher.materializers.iteration.BatchState;
import dev.batcher.materializers.materialize.Batch;
import io.netty.buffer.ByteBuf;
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
 * <p><b>One copy, when the payload is fragmented.</b> The frame decoder assembles a frame that
 * arrived in several socket reads as a composite of the receive buffers, and an NIO view needs one
 * contiguous region. When the payload is not a single region ({@code nioBufferCount() != 1}, in
 * practice every batch bigger than one socket read), it is copied once, here, into one direct
 * buffer of the same allocator, and the receive buffers are released at once. Without that, every
 * call of {@code x()} would gather (copy) the components again. A payload that arrived in one read
 * is never copied.
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
    private final AtomicBoolean closed = new AtomicBoolean();

    private RemoteBatch(int[] xShape, int[] yShape, long xElements, long yElements,
            BatchState state, BatchState previous, ByteBuf received) {
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
     * reference to the payload.
     *
     * @param frame the {@code BATCH} frame answering a {@code take}
     * @param requested the state the {@code take} passed; the header's {@code previous} must equal it
     * @return the batch, which the caller must close
     * @throws ProtocolException if the header is malformed, names another dtype or byte order, or the
     *     payload size does not match the shapes
     */
    static RemoteBatch decode(Frame frame, BatchState requested) {
        try {
            BatchMessage message = BatchMessage.decode(frame);
            if (!message.previous().equals(requested)) {
                throw new ProtocolException("batch.previous", message.previous(),
                        requested + ", the state the take asked for");
            }
            Tensors t = message.tensors();
            return new RemoteBatch(t.xShape(), t.yShape(), t.xElements(), t.yElements(), message.state(),
                    message.previous(), frame.retainedPayload());
        } finally {
            frame.release();
        }
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
        }
    }

    @Override
    public String toString() {
        return "RemoteBatch[x=" + Arrays.toString(xShape) + ", y=" + Arrays.toString(yShape)
                + ", previous=" + previous + ", state=" + state + (closed.get() ? ", closed]" : "]");
    }
}
