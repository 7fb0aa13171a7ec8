package dev.batcher.client.protocol;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.util.AbstractReferenceCounted;
import java.util.Objects;

/**
 * One message of the batcher wire protocol: a {@link MessageType}, flags, a correlation id, a small
 * JSON header and a binary payload. {@code docs/protocol.md} and {@link FrameDecoder} show the
 * layout on the wire.
 *
 * <h2>Header</h2>
 * The header is always a JSON object, parsed eagerly by the decoder (that is where a malformed
 * header must be rejected) and held as a Jackson tree. Headers are small: specs, shapes, error
 * descriptions. The tree is shared, not copied: do not modify it once the frame is built or
 * received. An empty object costs no bytes on the wire (header length 0).
 *
 * <h2>Payload and reference counting</h2>
 * A frame owns one reference to its payload and is itself reference counted: it starts with a count
 * of 1 and releases its payload when the count reaches 0. A decoded frame's payload is a retained
 * slice of the bytes received, never a copy; writing a frame to a channel transfers the reference to
 * the channel. Whoever reads a frame from the pipeline must release it (or pass it on), exactly as
 * with a {@link ByteBuf}. To forward a payload to another connection without copying it, use
 * {@link #relay(MessageType, long, JsonNode)} and then release the received frame.
 */
public final class Frame extends AbstractReferenceCounted {
    /** The byte after the length field: identifies layout 1 of batcher frames. */
    public static final int MAGIC = 0xBA;
    /** Bytes of the length field. */
    public static final int LENGTH_FIELD_LENGTH = 4;
    /**
     * Bytes of the fixed fields after the length field: magic, type, flags (one byte each), id (8)
     * and header length (4). This is the smallest valid value of the length field.
     */
    public static final int FIXED_FIELDS_LENGTH = 15;
    /** The only flags value of layout 1: no flag is defined yet. */
    public static final int NO_FLAGS = 0;

    private final MessageType type;
    private final int flags;
    private final long id;
    private final JsonNode header;
    private final ByteBuf payload;

    Frame(MessageType type, int flags, long id, JsonNode header, ByteBuf payload) {
        this.type = Objects.requireNonNull(type, "type");
        this.flags = flags;
        this.id = id;
        this.header = header;
        this.payload = payload;
    }

    /**
     * Creates a frame that takes over one reference to {@code payload}: releasing the frame releases
     * it. If this method throws, the payload is released.
     *
     * @param type the message type
     * @param id the correlation id (request or job id; 0 when the message answers nothing)
     * @param header a JSON object, or null for an empty header
     * @param payload the binary payload, possibly empty; its readable bytes are sent
     * @return a frame with a reference count of 1
     * @throws NullPointerException if {@code type} or {@code payload} is null
     * @throws IllegalArgumentException if {@code header} is not null and not a JSON object
     */
    public static Frame of(MessageType type, long id, JsonNode header, ByteBuf payload) {
        Objects.requireNonNull(payload, "payload");
        try {
            Objects.requireNonNull(type, "type");
            return new Frame(type, NO_FLAGS, id, checkHeader(header), payload);
        } catch (RuntimeException e) {
            payload.release();
            throw e;
        }
    }

    /**
     * Creates a frame with an empty payload.
     *
     * @param type the message type
     * @param id the correlation id (0 when the message answers nothing)
     * @param header a JSON object, or null for an empty header
     * @return a frame with a reference count of 1
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalArgumentException if {@code header} is not null and not a JSON object
     */
    public static Frame of(MessageType type, long id, JsonNode header) {
        return of(type, id, header, Unpooled.EMPTY_BUFFER);
    }

    /**
     * Creates a frame with an empty header and an empty payload.
     *
     * @param type the message type
     * @param id the correlation id (0 when the message answers nothing)
     * @return a frame with a reference count of 1
     * @throws NullPointerException if {@code type} is null
     */
    public static Frame of(MessageType type, long id) {
        return of(type, id, null, Unpooled.EMPTY_BUFFER);
    }

    /** Returns a new, empty JSON object to fill in as a header. */
    public static ObjectNode newHeader() {
        return Json.object();
    }

    private static JsonNode checkHeader(JsonNode header) {
        if (header == null) {
            return Json.object();
        }
        if (!header.isObject()) {
            throw new IllegalArgumentException(
                    "header: " + header.getNodeType() + " (expected: a JSON object)");
        }
        return header;
    }

    /** Returns the message type. */
    public MessageType type() {
        return type;
    }

    /** Returns the flags byte, in {@code [0, 255]}; always {@link #NO_FLAGS} in layout 1. */
    public int flags() {
        return flags;
    }

    /** Returns the correlation id: the request or job this frame belongs to, 0 for none. */
    public long id() {
        return id;
    }

    /** Returns the header, a JSON object (empty when the frame carried no header). Do not modify it. */
    public JsonNode header() {
        return header;
    }

    /**
     * Returns the payload, owned by this frame: valid while the frame's reference count is positive.
     * Read it with absolute or relative reads; do not release it directly.
     */
    public ByteBuf payload() {
        return payload;
    }

    /**
     * Returns a new reference to the readable bytes of the payload (a retained slice, no copy), for
     * the caller to release or hand to another frame.
     *
     * @return a slice with its own indexes that shares the payload's memory
     * @throws io.netty.util.IllegalReferenceCountException if this frame was already released
     */
    public ByteBuf retainedPayload() {
        return payload.retainedSlice();
    }

    /**
     * Creates a frame of another type, id and header that carries this frame's payload without
     * copying it: the way the daemon forwards a worker's tensor to a client. This frame keeps its own
     * reference and must still be released.
     *
     * @param type the type of the new frame
     * @param id the correlation id of the new frame
     * @param header a JSON object, or null for an empty header
     * @return a frame with a reference count of 1, sharing this frame's payload bytes
     * @throws NullPointerException if {@code type} is null
     * @throws IllegalArgumentException if {@code header} is not null and not a JSON object
     * @throws io.netty.util.IllegalReferenceCountException if this frame was already released
     */
    public Frame relay(MessageType type, long id, JsonNode header) {
        return of(type, id, header, retainedPayload());
    }

    @Override
    public Frame retain() {
        super.retain();
        return this;
    }

    @Override
    public Frame retain(int increment) {
        super.retain(increment);
        return this;
    }

    @Override
    public Frame touch() {
        super.touch();
        return this;
    }

    /**
     * Records {@code hint} on the payload for the leak detector.
     *
     * @param hint an object describing where the frame is
     * @return this frame
     */
    @Override
    public Frame touch(Object hint) {
        payload.touch(hint);
        return this;
    }

    @Override
    protected void deallocate() {
        payload.release();
    }

    /**
     * Returns the type, id, flags, header (cut to 200 characters, token redacted) and payload size.
     * Safe to call after the frame was released, except that the payload size then reads as
     * {@code released}.
     */
    @Override
    public String toString() {
        String size = refCnt() > 0 ? payload.readableBytes() + " bytes" : "released";
        return "Frame[" + type + ", id=" + id + (flags != NO_FLAGS ? ", flags=" + flags : "")
                + ", header=" + Json.describe(header, 200) + ", payload=" + size + "]";
    }
}
