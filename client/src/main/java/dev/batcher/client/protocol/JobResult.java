package dev.batcher.client.protocol;

import dev.batcher.api.BatchShapes;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A {@code JOB_RESULT} frame (worker to daemon): the tensors materialised for the {@code JOB} with the
 * same id. Header {@code {"x": {...}, "y": {...}, "byteOrder": "little"}} and payload x then y, as
 * {@link TensorHeader} describes. The daemon checks the shapes against what the job's spec implies
 * before it accepts the result.
 *
 * <p>A worker that wrote the batch into the shared-memory slot its job named says so with the header
 * field {@code arena} ({@link ArenaRef}, {@code bytes} the batch's size) and sends no payload.
 *
 * @param tensors the shapes of x and y
 * @param arena where the batch lies in shared memory, or null if it is the payload
 */
public record JobResult(BatchShapes tensors, ArenaRef arena) {
    /**
     * @throws NullPointerException if {@code tensors} is null
     * @throws IllegalArgumentException if the batch would exceed the wire's limits ({@link TensorHeader#payloadBytes})
     */
    public JobResult {
        Objects.requireNonNull(tensors, "tensors");
        TensorHeader.payloadBytes(tensors); // the wire's limit, checked when the message is made
    }

    /** Creates a result whose batch is the payload. */
    public JobResult(BatchShapes tensors) {
        this(tensors, null);
    }

    /** Returns the header fields. */
    public ObjectNode toHeader() {
        ObjectNode h = TensorHeader.write(Frame.newHeader(), tensors);
        if (arena != null) {
            arena.writeTo(h);
        }
        return h;
    }

    /**
     * Encodes a result that lies in shared memory as a {@code JOB_RESULT} frame without payload.
     *
     * @param jobId the id of the {@code JOB}
     * @return a frame with a reference count of 1
     * @throws IllegalStateException if the result has no arena reference, or its byte count differs
     *     from the shapes'
     */
    public Frame toFrame(long jobId) {
        return toFrame(jobId, (java.util.function.Consumer<ObjectNode>) null);
    }

    /**
     * Encodes a result that lies in shared memory, with extra header fields (see
     * {@link #toFrame(long, ByteBuf, java.util.function.Consumer)}).
     *
     * @param jobId the id of the {@code JOB}
     * @param extra fields to add to the header, or null
     * @return a frame with a reference count of 1
     * @throws IllegalStateException as {@link #toFrame(long)}
     */
    public Frame toFrame(long jobId, java.util.function.Consumer<ObjectNode> extra) {
        if (arena == null || arena.bytes() != TensorHeader.payloadBytes(tensors)) {
            throw new IllegalStateException("arena: " + arena + " (expected: a reference to " + TensorHeader.payloadBytes(tensors)
                    + " bytes for " + tensors + ")");
        }
        ObjectNode header = toHeader();
        if (extra != null) {
            extra.accept(header);
        }
        return Frame.of(MessageType.JOB_RESULT, jobId, header);
    }

    /**
     * Encodes the result as a {@code JOB_RESULT} frame that takes over one reference to the payload.
     *
     * @param jobId the id of the {@code JOB}
     * @param payload x then y, {@link TensorHeader#payloadBytes} readable bytes
     * @return a frame with a reference count of 1
     * @throws IllegalArgumentException if the payload size differs from the shapes' (the payload is
     *     then released)
     */
    public Frame toFrame(long jobId, ByteBuf payload) {
        if (payload.readableBytes() != TensorHeader.payloadBytes(tensors)) {
            int size = payload.readableBytes();
            payload.release();
            throw new IllegalArgumentException("payload: " + size + " bytes (expected: " + TensorHeader.payloadBytes(tensors)
                    + " for " + tensors + ")");
        }
        return Frame.of(MessageType.JOB_RESULT, jobId, toHeader(), payload);
    }

    /**
     * Encodes the result with extra header fields (for example a worker's {@code storage} report,
     * which the service module defines), taking over one reference to the payload.
     *
     * @param jobId the id of the {@code JOB}
     * @param payload x then y
     * @param extra fields to add to the header, or null
     * @return a frame with a reference count of 1
     * @throws IllegalArgumentException as {@link #toFrame(long, ByteBuf)}
     */
    public Frame toFrame(long jobId, ByteBuf payload, java.util.function.Consumer<ObjectNode> extra) {
        if (payload.readableBytes() != TensorHeader.payloadBytes(tensors)) {
            return toFrame(jobId, payload);
        }
        ObjectNode header = toHeader();
        if (extra != null) {
            extra.accept(header);
        }
        return Frame.of(MessageType.JOB_RESULT, jobId, header, payload);
    }

    /**
     * Decodes a {@code JOB_RESULT} frame and checks the payload size; the frame is not released.
     *
     * @param frame a {@code JOB_RESULT} frame
     * @return the result's description
     * @throws ProtocolException naming the first bad field, or the payload size
     */
    public static JobResult decode(Frame frame) {
        if (frame.type() != MessageType.JOB_RESULT) {
            throw new ProtocolException("type", frame.type(), "JOB_RESULT");
        }
        BatchShapes tensors = TensorHeader.read(frame.header(), "jobResult");
        ArenaRef arena = ArenaRef.read(frame.header(), "jobResult");
        if (arena == null) {
            TensorHeader.checkPayload(tensors, frame.payload().readableBytes(), "jobResult");
        } else {
            checkInArena(arena, tensors, frame, "jobResult");
        }
        return new JobResult(tensors, arena);
    }

    /** Checks a batch said to lie in shared memory: no payload, and the byte count the shapes imply. */
    static void checkInArena(ArenaRef arena, BatchShapes tensors, Frame frame, String message) {
        if (frame.payload().readableBytes() != 0) {
            throw new ProtocolException(message + ".payload", frame.payload().readableBytes() + " bytes",
                    "0 bytes: the batch lies in shared memory");
        }
        if (arena.bytes() != TensorHeader.payloadBytes(tensors)) {
            throw new ProtocolException(message + ".arena.bytes", String.valueOf(arena.bytes()),
                    TensorHeader.payloadBytes(tensors) + " for " + tensors);
        }
    }
}
