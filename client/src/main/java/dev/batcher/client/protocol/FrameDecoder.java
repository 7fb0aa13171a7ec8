package dev.batcher.client.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Splits the inbound byte stream into {@link Frame}s. All integers are big-endian:
 *
 * <pre>
 * +--------+-------+------+-------+--------+--------------+--------------+-----------+
 * | length | magic | type | flags |   id   | headerLength |    header    |  payload  |
 * |  u32   |  u8   |  u8  |  u8   |  i64   |     u32      |  UTF-8 JSON  |   bytes   |
 * +--------+-------+------+-------+--------+--------------+--------------+-----------+
 *    4 B      1 B     1 B    1 B      8 B        4 B        headerLength    the rest
 *          |&lt;------------------------------ length -------------------------------&gt;|
 *
 * length       bytes after the length field: 15 + headerLength + payload size
 * magic        0xBA, layout 1 of batcher frames
 * type         the code of a MessageType
 * flags        0; layout 1 defines no flag
 * id           request or job correlation id, 0 for none
 * headerLength bytes of the header, 0 for none (an empty object)
 * header       one JSON object in UTF-8
 * payload      everything after the header, often empty, megabytes for tensors
 *
 * BEFORE DECODE (38 bytes)                                            AFTER DECODE
 * +----------+----+----+----+--------+----------+-------------+---------+
 * | 00000022 | BA | 12 | 00 |    7   | 0000000B | {"index":3} | 8 bytes | ---> Frame(BATCH, id 7,
 * +----------+----+----+----+--------+----------+-------------+---------+      header {"index":3},
 *     34                                 11                                     8-byte payload)
 * </pre>
 *
 * <h2>At most one copy, in bounded memory</h2>
 * A frame that arrives whole in one read is decoded in place: its payload is a retained slice of the
 * receive buffer. A large frame (at least {@value #PRESIZE_THRESHOLD} bytes) that is still arriving
 * is received into one buffer of its full size, allocated when its length field arrives: every
 * byte is copied once, and the payload ends up contiguous
 * (one NIO buffer, so the client views it in place and the daemon relays it as is). Before it
 * allocates, the decoder reserves the frame's size from a {@link MemoryBudget} shared by all the
 * connections of a daemon; if the budget cannot take it, the connection is rejected (code
 * {@value ErrorFrames#CODE_OVERLOADED}). The reservation is given back when the frame is complete
 * or the connection closes, and the partial buffer is released then. Smaller partial frames are
 * cumulated, so a connection holds at most one partial frame: below the threshold, or reserved.
 * With {@link FrameReadAllocator} as the channel's receive allocator (as {@link WireInitializer}
 * installs it), the socket reads the rest of such a frame straight into its buffer, so the one copy
 * is the kernel's; without it, the bytes are copied from the receive buffers.
 *
 * <h2>Validation</h2>
 * The length field is checked as soon as its 4 bytes arrive, before any of the frame is buffered:
 * a length above the limit (or below {@link Frame#FIXED_FIELDS_LENGTH}) is rejected at once, so a
 * hostile or corrupt length can never make the decoder allocate. Then the magic byte, the type code
 * (must be a known {@link MessageType}), the flags (must be 0), the header length (at most the
 * header limit and the bytes left in the frame) and the header (strict UTF-8, one JSON object, no
 * duplicate keys, nothing after it).
 *
 * <p>Any violation is final, since the stream can no longer be trusted to be in step: the decoder
 * discards everything it has and will receive, writes an {@code ERROR} frame (code
 * {@code protocol}, no stack trace) towards the peer, fires a {@link ProtocolException} naming
 * the field, value and limit through {@code exceptionCaught}, and closes the channel. For that {@code ERROR} frame to be encoded, the {@link FrameEncoder} must
 * sit between this decoder and the head of the pipeline, as {@link WireInitializer} puts it.
 *
 * <p>Frames read from this decoder must be released by whoever consumes them. The decoder is not
 * sharable: each channel needs its own.
 */
public final class FrameDecoder extends ByteToMessageDecoder {
    /** Frames at least this long that arrive in pieces are received into one pre-sized buffer. */
    public static final int PRESIZE_THRESHOLD = 64 << 10;

    private final int maxFrameLength;
    private final int maxHeaderLength;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private int frameLengthLimit;
    private String limitName = "the maximum frame length";
    /** Frames longer than this are refused unless of {@link #largeType}; set by the peer's role. */
    private int smallFrameLimit = Integer.MAX_VALUE;
    private MessageType largeType;
    private String smallLimitName;
    private boolean failed;
    private final MemoryBudget budget;
    /** The large frame being received, after its length field, or null. */
    private ByteBuf pending;
    private long reserved;
    /** The slice of {@link #pending}'s free space last lent to the socket read, or null. */
    private ByteBuf lent;
    /** Bytes the socket read straight into large frames' buffers, for tests. */
    private long bytesReadInPlace;

    /** Creates a decoder with the limits of {@link WireConfig#defaults()}. */
    public FrameDecoder() {
        this(WireConfig.DEFAULT_MAX_FRAME_LENGTH, WireConfig.DEFAULT_MAX_HEADER_LENGTH);
    }

    /**
     * Creates a decoder.
     *
     * @param maxFrameLength the largest accepted value of the length field (bytes after the length
     *     field), in {@code [}{@link Frame#FIXED_FIELDS_LENGTH}{@code ,}
     *     {@link WireConfig#MAX_FRAME_LENGTH_CEILING}{@code ]}
     * @param maxHeaderLength the largest accepted JSON header in bytes, in {@code [0, maxFrameLength
     *     - }{@link Frame#FIXED_FIELDS_LENGTH}{@code ]}
     * @throws IllegalArgumentException if a limit is out of range
     */
    public FrameDecoder(int maxFrameLength, int maxHeaderLength) {
        this(maxFrameLength, maxHeaderLength, MemoryBudget.unlimited());
    }

    /**
     * Creates a decoder whose partial large frames count against a shared budget.
     *
     * @param maxFrameLength as in {@link #FrameDecoder(int, int)}
     * @param maxHeaderLength as in {@link #FrameDecoder(int, int)}
     * @param budget the bytes all decoders sharing it may hold for frames still arriving
     * @throws IllegalArgumentException if a limit is out of range
     * @throws NullPointerException if {@code budget} is null
     */
    public FrameDecoder(int maxFrameLength, int maxHeaderLength, MemoryBudget budget) {
        checkLimits(maxFrameLength, maxHeaderLength);
        this.maxFrameLength = maxFrameLength;
        this.maxHeaderLength = maxHeaderLength;
        this.frameLengthLimit = maxFrameLength;
        this.budget = java.util.Objects.requireNonNull(budget, "budget");
    }

    static int checkLimits(int maxFrameLength, int maxHeaderLength) {
        if (maxFrameLength < Frame.FIXED_FIELDS_LENGTH
                || maxFrameLength > WireConfig.MAX_FRAME_LENGTH_CEILING) {
            throw new IllegalArgumentException("maxFrameLength: " + maxFrameLength + " (expected: in ["
                    + Frame.FIXED_FIELDS_LENGTH + ", " + WireConfig.MAX_FRAME_LENGTH_CEILING + "])");
        }
        if (maxHeaderLength < 0 || maxHeaderLength > maxFrameLength - Frame.FIXED_FIELDS_LENGTH) {
            throw new IllegalArgumentException("maxHeaderLength: " + maxHeaderLength
                    + " (expected: in [0, " + (maxFrameLength - Frame.FIXED_FIELDS_LENGTH) + "])");
        }
        return maxFrameLength;
    }

    /** Returns the largest accepted value of the length field once the handshake is done. */
    public int maxFrameLength() {
        return maxFrameLength;
    }

    /** Returns the largest accepted JSON header in bytes. */
    public int maxHeaderLength() {
        return maxHeaderLength;
    }

    /** Returns the limit in force now: lower than {@link #maxFrameLength()} during the handshake. */
    public int frameLengthLimit() {
        return frameLengthLimit;
    }

    /** Lowers the limit until {@link #liftFrameLengthRestriction()}; event loop only. */
    void restrictFrameLength(int limit, String name) {
        frameLengthLimit = Math.min(limit, maxFrameLength);
        limitName = name;
    }

    /** Restores {@link #maxFrameLength()}; event loop only. */
    void liftFrameLengthRestriction() {
        frameLengthLimit = maxFrameLength;
        limitName = "the maximum frame length";
    }

    /**
     * Limits frames by the peer's role: a frame longer than {@code limit} is refused unless its type is
     * {@code largeType} (which may be as long as {@link #frameLengthLimit()}). With no large type the
     * frame is refused as soon as its length field arrives; otherwise as soon as its type byte does,
     * before any of it is buffered. Event loop only.
     *
     * @param limit the longest frame of any other type (the length field's value)
     * @param largeType the one type that may be longer, or null for none
     * @param name what the limit is, for the message, such as {@code "the maximum length of a client's frames"}
     * @throws IllegalArgumentException if {@code limit} is below {@link Frame#FIXED_FIELDS_LENGTH}
     */
    public void limitByType(int limit, MessageType largeType, String name) {
        if (limit < Frame.FIXED_FIELDS_LENGTH) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= " + Frame.FIXED_FIELDS_LENGTH + ")");
        }
        this.smallFrameLimit = limit;
        this.largeType = largeType;
        this.smallLimitName = java.util.Objects.requireNonNull(name, "name");
    }

    /**
     * Decodes the frames the bytes complete, or rejects the stream.
     *
     * @param ctx the context of this handler
     * @param in the cumulated bytes
     * @param out where decoded {@link Frame}s go
     */
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return;
        }
        if (pending != null) {
            ByteBuf read = lent;
            lent = null;
            if (in == read && in.readerIndex() == 0 && in.readableBytes() <= pending.writableBytes()) {
                // The socket read these bytes into pending's free space itself: nothing to copy.
                bytesReadInPlace += in.readableBytes();
                pending.writerIndex(pending.writerIndex() + in.readableBytes());
                in.skipBytes(in.readableBytes());
            } else {
                pending.writeBytes(in, Math.min(in.readableBytes(), pending.writableBytes()));
            }
            if (pending.isWritable()) {
                return;
            }
            ByteBuf full = pending;
            pending = null;
            giveBack();
            emit(ctx, in, full, out);
            return;
        }
        if (in.readableBytes() < Frame.LENGTH_FIELD_LENGTH) {
            return;
        }
        long length = in.getUnsignedInt(in.readerIndex());
        if (length > frameLengthLimit) {
            reject(ctx, in, new ProtocolException("length", length, "<= " + frameLengthLimit + ", " + limitName));
            return;
        }
        if (length < Frame.FIXED_FIELDS_LENGTH) {
            reject(ctx, in, new ProtocolException("length", length,
                    ">= " + Frame.FIXED_FIELDS_LENGTH + ", the size of the fixed fields"));
            return;
        }
        if (length > smallFrameLimit) {
            if (largeType == null) {
                reject(ctx, in, new ProtocolException("length", length, "<= " + smallFrameLimit + ", " + smallLimitName));
                return;
            }
            if (in.readableBytes() < Frame.LENGTH_FIELD_LENGTH + 2) {
                return; // wait for the magic and type bytes
            }
            int code = in.getUnsignedByte(in.readerIndex() + Frame.LENGTH_FIELD_LENGTH + 1);
            if (code != largeType.code()) {
                reject(ctx, in, new ProtocolException("length", length, "<= " + smallFrameLimit + ", " + smallLimitName
                        + "; only " + largeType + " may be longer, this frame's type is " + String.format("0x%02X", code)));
                return;
            }
        }
        if (in.readableBytes() - Frame.LENGTH_FIELD_LENGTH >= length) {
            ByteBuf frame = in.retainedSlice(in.readerIndex() + Frame.LENGTH_FIELD_LENGTH, (int) length);
            in.skipBytes(Frame.LENGTH_FIELD_LENGTH + (int) length);
            emit(ctx, in, frame, out);
            return;
        }
        if (length >= PRESIZE_THRESHOLD) {
            if (!budget.tryReserve(length)) {
                reject(ctx, in, new ProtocolException(ErrorFrames.CODE_OVERLOADED, "length", length,
                        "<= " + Math.max(0, budget.limit() - budget.used()) + ", what is left of the memory budget for "
                                + "frames in flight (" + budget.limit() + " bytes); try again later"));
                return;
            }
            reserved = length;
            try {
                pending = ctx.alloc().directBuffer((int) length, (int) length);
            } catch (OutOfMemoryError e) {
                giveBack();
                throw e;
            }
            in.skipBytes(Frame.LENGTH_FIELD_LENGTH);
            pending.writeBytes(in, Math.min(in.readableBytes(), pending.writableBytes()));
        }
        // Otherwise a small frame still arriving: wait for its bytes in the cumulation.
    }

    /**
     * Returns where the next socket read should go, for {@link FrameReadAllocator}: a retained slice
     * of the free space of the large frame being received (empty, its capacity that space), or null
     * when no large frame is in progress. Whenever a large frame is in progress the decoder holds no
     * other bytes (it moved them all into the frame), so bytes read there are the frame's next bytes.
     * Event loop only.
     */
    ByteBuf readTarget() {
        if (pending == null || failed || !pending.isWritable()) {
            return null;
        }
        ByteBuf target = pending.retainedSlice(pending.writerIndex(), pending.writableBytes()).clear();
        lent = target;
        return target;
    }

    /** Returns the bytes the socket read straight into large frames' buffers so far (no copy). */
    long bytesReadInPlace() {
        return bytesReadInPlace;
    }

    /** Parses a complete frame (after its length field) and releases {@code bytes}. */
    private void emit(ChannelHandlerContext ctx, ByteBuf in, ByteBuf bytes, List<Object> out) {
        try {
            out.add(parse(bytes));
        } catch (ProtocolException e) {
            reject(ctx, in, e);
        } finally {
            bytes.release();
        }
    }

    private void giveBack() {
        if (reserved > 0) {
            budget.release(reserved);
            reserved = 0;
        }
    }

    /** Frees the partial frame and its reservation: the connection is gone. */
    private void discardPending() {
        lent = null;
        if (pending != null) {
            pending.release();
            pending = null;
        }
        giveBack();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        discardPending();
        super.channelInactive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        discardPending();
    }

    private Frame parse(ByteBuf bytes) {
        int magic = bytes.readUnsignedByte();
        if (magic != Frame.MAGIC) {
            throw new ProtocolException("magic", hex(magic),
                    hex(Frame.MAGIC) + ", layout 1 of batcher frames");
        }
        MessageType type = MessageType.fromCode(bytes.readUnsignedByte());
        int flags = bytes.readUnsignedByte();
        if (flags != Frame.NO_FLAGS) {
            throw new ProtocolException("flags", hex(flags), "0x00, layout 1 defines no flags");
        }
        long id = bytes.readLong();
        long headerLength = bytes.readUnsignedInt();
        if (headerLength > maxHeaderLength) {
            throw new ProtocolException("headerLength", headerLength,
                    "<= " + maxHeaderLength + ", the maximum header length");
        }
        if (headerLength > bytes.readableBytes()) {
            throw new ProtocolException("headerLength", headerLength,
                    "<= " + bytes.readableBytes() + ", the bytes left in the " + type + " frame");
        }
        JsonNode header = headerLength == 0 ? Json.object() : parseHeader(bytes, (int) headerLength);
        bytes.skipBytes((int) headerLength);
        ByteBuf payload = bytes.isReadable()
                ? bytes.readRetainedSlice(bytes.readableBytes())
                : Unpooled.EMPTY_BUFFER;
        return new Frame(type, flags, id, header, payload);
    }

    private JsonNode parseHeader(ByteBuf bytes, int length) {
        String text;
        try {
            text = utf8.reset().decode(bytes.nioBuffer(bytes.readerIndex(), length)).toString();
        } catch (CharacterCodingException e) {
            throw new ProtocolException("header", "malformed UTF-8 (" + e.getMessage() + ")",
                    "a UTF-8 JSON object");
        }
        JsonNode header;
        try {
            header = Json.MAPPER.readTree(text);
        } catch (JsonProcessingException e) {
            String problem = e.getOriginalMessage();
            if (problem.length() > 200) {
                problem = problem.substring(0, 200) + "...";
            }
            throw new ProtocolException("header", "malformed JSON at character "
                    + e.getLocation().getCharOffset() + " (" + problem + ")", "a UTF-8 JSON object");
        }
        if (header == null || !header.isObject()) {
            throw new ProtocolException("header",
                    header == null ? "no JSON value" : "a JSON " + header.getNodeType(),
                    "a UTF-8 JSON object");
        }
        return header;
    }

    private void reject(ChannelHandlerContext ctx, ByteBuf in, ProtocolException violation) {
        failed = true;
        discardPending();
        in.skipBytes(in.readableBytes());
        ctx.writeAndFlush(ErrorFrames.rejection(violation));
        ctx.fireExceptionCaught(violation);
        ctx.close();
    }

    private static String hex(int value) {
        return String.format("0x%02X", value);
    }
}
