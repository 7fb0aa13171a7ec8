package dev.batcher.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.batcher.client.BatcherJson;
import dev.batcher.client.InvalidJsonException;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.api.BatchSpec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.util.Objects;

/**
 * A {@code JOB} frame (daemon to worker): one batch to materialise, with a job id chosen by the
 * daemon. Header, then the spec in binary as the payload ({@link SpecPayload}):
 *
 * <pre>
 * {"batcher": "train", "dataset": "/data/sleep", "options": MaterializeOptions}
 * </pre>
 *
 * The spec is binary because a worker reads one per batch: as JSON, decoding it took a quarter of a
 * worker's network thread and most of the daemon's JIT work (docs/benchmarks.md). The worker answers
 * with a {@code JOB_RESULT} ({@link JobResult}) or a {@code JOB_FAILURE} ({@link ErrorFrames#jobFailure})
 * carrying the same id. Adding a field: add the component, write it in {@link #toHeader()} (or the
 * payload, with a new {@link SpecPayload#VERSION}) and read it in {@link #decode(Frame)}.
 *
 * @param batcher the batcher the job belongs to, for logs and errors
 * @param dataset the dataset directory, as the daemon knows it
 * @param options the batcher's materialiser options
 * @param spec the batch
 * @param arena the shared-memory slot to write the batch into ({@code bytes}: the slot's size), or
 *     null to send it as a payload; header field {@code arena} ({@link ArenaRef}), absent when null
 */
public record JobMessage(String batcher, String dataset, MaterializeOptions options, BatchSpec spec, ArenaRef arena) {
    /** @throws NullPointerException if an argument is null */
    public JobMessage {
        Objects.requireNonNull(batcher, "batcher");
        Objects.requireNonNull(dataset, "dataset");
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(spec, "spec");
    }

    /** Creates a job without a shared-memory slot. */
    public JobMessage(String batcher, String dataset, MaterializeOptions options, BatchSpec spec) {
        this(batcher, dataset, options, spec, null);
    }

    /** Returns the header fields. */
    public ObjectNode toHeader() {
        ObjectNode h = Frame.newHeader();
        h.put("batcher", batcher);
        h.put("dataset", dataset);
        h.set("options", BatcherJson.toTree(options));
        if (arena != null) {
            arena.writeTo(h);
        }
        return h;
    }

    /**
     * Encodes the job as a {@code JOB} frame.
     *
     * @param jobId the job's id, unique on the connection
     * @param alloc the allocator of the spec's payload
     * @return a frame with a reference count of 1
     */
    public Frame toFrame(long jobId, ByteBufAllocator alloc) {
        ObjectNode header = toHeader();
        ByteBuf payload = alloc.buffer(64 + 64 * spec.items().size());
        try {
            SpecPayload.write(spec, payload);
        } catch (RuntimeException | Error e) {
            payload.release();
            throw e;
        }
        return Frame.of(MessageType.JOB, jobId, header, payload);
    }

    /**
     * Decodes a {@code JOB} frame; the frame is not released.
     *
     * @param frame a {@code JOB} frame
     * @return the job
     * @throws ProtocolException naming the first bad field
     */
    public static JobMessage decode(Frame frame) {
        if (frame.type() != MessageType.JOB) {
            throw new ProtocolException("type", frame.type(), "JOB");
        }
        JsonNode h = frame.header();
        return new JobMessage(Headers.text(h, "job.batcher", "batcher"), Headers.text(h, "job.dataset", "dataset"),
                value(h, "options", MaterializeOptions.class), SpecPayload.read(frame.payload()), ArenaRef.read(h, "job"));
    }

    private static <T> T value(JsonNode h, String field, Class<T> type) {
        JsonNode v = h.get(field);
        if (v == null || !v.isObject()) {
            throw new ProtocolException("job." + field, Headers.shown(v), "a " + type.getSimpleName() + " object");
        }
        try {
            return BatcherJson.fromTree(v, type);
        } catch (InvalidJsonException e) {
            throw new ProtocolException(e.under("job." + field).field(), e.value(), e.expected());
        }
    }
}
