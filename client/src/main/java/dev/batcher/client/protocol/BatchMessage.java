package dev.batcher.client.protocol;

import dev.batcher.api.BatchShapes;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.api.BatchState;
import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A {@code BATCH} frame (daemon to client): one batch answering a {@code take}, with the request's
 * id. Header and payload:
 *
 * <pre>
 * {"state": "seed=1,batch=8", "previous": "seed=1,batch=7", "byteOrder": "little",
 *  "x": {"dtype": "float32", "shape": [32, 8, 7680]}, "y": {"dtype": "int32", "shape": [32, 1, 1]}}
 * payload: x then y, as {@link TensorHeader} describes
 * </pre>
 *
 * {@code state} is the state after the batch (pass it to the next {@code take}), {@code previous} the
 * state the {@code take} asked for.
 *
 * @param state the state after the batch
 * @param previous the state before it
 * <p>To a client on the daemon's host that offered shared memory in its {@code HELLO}, the batch may
 * instead lie in a shared-memory slot: the header then has {@code arena} ({@link ArenaRef},
 * {@code bytes} the batch's size) and the frame no payload. The slot is the client's until it sends
 * {@code RELEASE} with this frame's id (or its connection closes).
 *
 * @param state the state after the batch
 * @param previous the state before it
 * @param tensors the shapes of x and y
 * @param arena where the batch lies in shared memory, or null if it is the payload
 */
public record BatchMessage(BatchState state, BatchState previous, BatchShapes tensors, ArenaRef arena) {
    /**
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if the batch would exceed the wire's limits ({@link TensorHeader#payloadBytes})
     */
    public BatchMessage {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(tensors, "tensors");
        TensorHeader.payloadBytes(tensors); // the wire's limit, checked when the message is made
    }

    /** Creates the description of a batch sent as the payload. */
    public BatchMessage(BatchState state, BatchState previous, BatchShapes tensors) {
        this(state, previous, tensors, null);
    }

    /** Returns the header fields. */
    public ObjectNode toHeader() {
        ObjectNode h = TensorHeader.write(Frame.newHeader(), tensors);
        h.put("state", state.toString());
        h.put("previous", previous.toString());
        if (arena != null) {
            arena.writeTo(h);
        }
        return h;
    }

    /**
     * Encodes a batch that lies in shared memory as a {@code BATCH} frame without payload.
     *
     * @param takeId the id of the {@code take} it answers
     * @return a frame with a reference count of 1
     * @throws IllegalStateException if there is no arena reference, or its byte count differs from the
     *     shapes'
     */
    public Frame toFrame(long takeId) {
        if (arena == null || arena.bytes() != TensorHeader.payloadBytes(tensors)) {
            throw new IllegalStateException("arena: " + arena + " (expected: a reference to " + TensorHeader.payloadBytes(tensors)
                    + " bytes for " + tensors + ")");
        }
        return Frame.of(MessageType.BATCH, takeId, toHeader());
    }

    /**
     * Encodes the batch as a {@code BATCH} frame that takes over one reference to the payload.
     *
     * @param takeId the id of the {@code take} it answers
     * @param payload x then y, {@link TensorHeader#payloadBytes} readable bytes
     * @return a frame with a reference count of 1
     * @throws IllegalArgumentException if the payload size differs from the shapes' (the payload is
     *     then released)
     */
    public Frame toFrame(long takeId, ByteBuf payload) {
        if (payload.readableBytes() != TensorHeader.payloadBytes(tensors)) {
            int size = payload.readableBytes();
            payload.release();
            throw new IllegalArgumentException("payload: " + size + " bytes (expected: " + TensorHeader.payloadBytes(tensors)
                    + " for " + tensors + ")");
        }
        return Frame.of(MessageType.BATCH, takeId, toHeader(), payload);
    }

    /**
     * Decodes the header of a {@code BATCH} frame and checks the payload size; the frame is not
     * released and keeps its payload.
     *
     * @param frame a {@code BATCH} frame
     * @return the description
     * @throws ProtocolException naming the first bad field, or the payload size
     */
    public static BatchMessage decode(Frame frame) {
        if (frame.type() != MessageType.BATCH) {
            throw new ProtocolException("type", frame.type(), "BATCH");
        }
        BatchState state = Headers.state(frame.header(), "batch.state", "state", ErrorFrames.CODE_PROTOCOL);
        BatchState previous = Headers.state(frame.header(), "batch.previous", "previous", ErrorFrames.CODE_PROTOCOL);
        BatchShapes tensors = TensorHeader.read(frame.header(), "batch");
        ArenaRef arena = ArenaRef.read(frame.header(), "batch");
        if (arena == null) {
            TensorHeader.checkPayload(tensors, frame.payload().readableBytes(), "batch");
        } else {
            JobResult.checkInArena(arena, tensors, frame, "batch");
        }
        return new BatchMessage(state, previous, tensors, arena);
    }
}
