package dev.batcher.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.materializers.iteration.BatchState;
import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A {@code BATCH} frame (daemon to client): one batch answering a {@code take}, with the request's
 * id. Header and payload:
 *
 * <pre>
 * {"state": "seed=1,batch=8", "previous": "seed=1,batch=7", "byteOrder": "little",
 *  "x": {"dtype": "float32", "shape": [32, 8, 7680]}, "y": {"dtype": "int32", "shape": [32, 1, 1]}}
 * payload: x then y, as {@link Tensors} describes
 * </pre>
 *
 * {@code state} is the state after the batch (pass it to the next {@code take}), {@code previous} the
 * state the {@code take} asked for.
 *
 * @param state the state after the batch
 * @param previous the state before it
 * @param tensors the shapes of x and y
 */
public record BatchMessage(BatchState state, BatchState previous, Tensors tensors) {
    /** @throws NullPointerException if an argument is null */
    public BatchMessage {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(previous, "previous");
        Objects.requireNonNull(tensors, "tensors");
    }

    /** Returns the header fields. */
    public ObjectNode toHeader() {
        ObjectNode h = tensors.writeTo(Frame.newHeader());
        h.put("state", state.toString());
        h.put("previous", previous.toString());
        return h;
    }

    /**
     * Encodes the batch as a {@code BATCH} frame that takes over one reference to the payload.
     *
     * @param takeId the id of the {@code take} it answers
     * @param payload x then y, {@link Tensors#payloadBytes()} readable bytes
     * @return a frame with a reference count of 1
     * @throws IllegalArgumentException if the payload size differs from the shapes' (the payload is
     *     then released)
     */
    public Frame toFrame(long takeId, ByteBuf payload) {
        if (payload.readableBytes() != tensors.payloadBytes()) {
            int size = payload.readableBytes();
            payload.release();
            throw new IllegalArgumentException("payload: " + size + " bytes (expected: " + tensors.payloadBytes()
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
        Tensors tensors = Tensors.read(frame.header(), "batch");
        tensors.checkPayload(frame.payload().readableBytes(), "batch");
        return new BatchMessage(state, previous, tensors);
    }
}
