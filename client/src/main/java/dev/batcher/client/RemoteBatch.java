package dev.batcher.client;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.client.wire.Frame;
import dev.batcher.client.wire.ProtocolException;
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
     * @param requested the state the {@code take} passed; the header's {@code previous}, if present,
     *     must equal it
     * @return the batch, which the caller must close
     * @throws ProtocolException if the header is malformed, names another dtype or byte order, or the
     *     payload size does not match the shapes
     */
    static RemoteBatch decode(Frame frame, BatchState requested) {
        try {
            JsonNode header = frame.header();
            BatchState state = Requests.state(header.get("state"), "batch.state");
            JsonNode previousField = header.get("previous");
            BatchState previous = requested;
            if (previousField != null) {
                previous = Requests.state(previousField, "batch.previous");
                if (!previous.equals(requested)) {
                    throw new ProtocolException("batch.previous", previous,
                            requested + ", the state the take asked for");
                }
            }
            JsonNode byteOrder = header.get("byteOrder");
            if (byteOrder != null && !"little".equals(byteOrder.asText(null))) {
                throw new ProtocolException("batch.byteOrder", Requests.shown(byteOrder),
                        "\"little\"");
            }
            int[] xShape = shape(header, "x", "float32");
            int[] yShape = shape(header, "y", "int32");
            long xElements = elements(xShape, "batch.x.shape");
            long yElements = elements(yShape, "batch.y.shape");
            long expected = (xElements + yElements) * 4;
            int size = frame.payload().readableBytes();
            if (expected != size) {
                throw new ProtocolException("batch.payload", size + " bytes", "4 × (" + xElements
                        + " elements of x.shape " + Arrays.toString(xShape) + " + " + yElements
                        + " elements of y.shape " + Arrays.toString(yShape) + ") = " + expected
                        + " bytes");
            }
            return new RemoteBatch(xShape, yShape, xElements, yElements, state, previous,
                    frame.retainedPayload());
        } finally {
            frame.release();
        }
    }

    private static int[] shape(JsonNode header, String tensor, String dtype) {
        JsonNode description = header.get(tensor);
        String field = "batch." + tensor;
        if (description == null || !description.isObject()) {
            throw new ProtocolException(field, Requests.shown(description),
                    "{\"dtype\": \"" + dtype + "\", \"shape\": [...]}");
        }
        JsonNode type = description.get("dtype");
        if (type == null || !dtype.equals(type.asText(null))) {
            throw new ProtocolException(field + ".dtype", Requests.shown(type), "\"" + dtype + "\"");
        }
        JsonNode dims = description.get("shape");
        if (dims == null || !dims.isArray() || dims.isEmpty()) {
            throw new ProtocolException(field + ".shape", Requests.shown(dims),
                    "a non-empty array of dimensions, batch first");
        }
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            JsonNode dim = dims.get(i);
            if (!dim.isIntegralNumber() || !dim.canConvertToInt() || dim.asInt() < 0) {
                throw new ProtocolException(field + ".shape[" + i + "]", Requests.shown(dim),
                        "an integer in [0, " + Integer.MAX_VALUE + "]");
            }
            shape[i] = dim.asInt();
        }
        return shape;
    }

    private static long elements(int[] shape, String field) {
        long n = 1;
        for (int d : shape) {
            n *= d;
            if (n > Integer.MAX_VALUE) {
                throw new ProtocolException(field, Arrays.toString(shape),
                        "at most " + Integer.MAX_VALUE + " elements");
            }
        }
        return n;
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
