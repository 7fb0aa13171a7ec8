package dev.batcher.protocol;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import java.util.Objects;

/**
 * A {@code JOB_RESULT} frame (worker to daemon): the tensors materialised for the {@code JOB} with the
 * same id. Header {@code {"x": {...}, "y": {...}, "byteOrder": "little"}} and payload x then y, as
 * {@link Tensors} describes. The daemon checks the shapes against what the job's spec implies
 * before it accepts the result.
 *
 * @param tensors the shapes of x and y
 */
public record JobResult(Tensors tensors) {
    /** @throws NullPointerException if {@code tensors} is null */
    public JobResult {
        Objects.requireNonNull(tensors, "tensors");
    }

    /** Returns the header fields. */
    public ObjectNode toHeader() {
        return tensors.writeTo(Frame.newHeader());
    }

    /**
     * Encodes the result as a {@code JOB_RESULT} frame that takes over one reference to the payload.
     *
     * @param jobId the id of the {@code JOB}
     * @param payload x then y, {@link Tensors#payloadBytes()} readable bytes
     * @return a frame with a reference count of 1
     * @throws IllegalArgumentException if the payload size differs from the shapes' (the payload is
     *     then released)
     */
    public Frame toFrame(long jobId, ByteBuf payload) {
        if (payload.readableBytes() != tensors.payloadBytes()) {
            int size = payload.readableBytes();
            payload.release();
            throw new IllegalArgumentException("payload: " + size + " bytes (expected: " + tensors.payloadBytes()
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
        if (payload.readableBytes() != tensors.payloadBytes()) {
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
        Tensors tensors = Tensors.read(frame.header(), "jobResult");
        tensors.checkPayload(frame.payload().readableBytes(), "jobResult");
        return new JobResult(tensors);
    }
}
