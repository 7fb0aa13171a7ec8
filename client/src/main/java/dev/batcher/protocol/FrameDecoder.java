package dev.batcher.protocol;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

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
 * <h2>No copies</h2>
 * The decoder extends {@link LengthFieldBasedFrameDecoder} with the {@link #COMPOSITE_CUMULATOR}: a
 * frame that arrives in many reads is assembled as a composite of the receive buffers, and the
 * decoded frame's payload is a retained slice of them. Only the header is read (and parsed into a
 * JSON tree); the payload bytes are never touched.
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
public final class FrameDecoder extends LengthFieldBasedFrameDecoder {
    private final int maxFrameLength;
    private final int maxHeaderLength;
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    private int frameLengthLimit;
    private String limitName = "the maximum frame length";
    private boolean failed;

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
        super(checkLimits(maxFrameLength, maxHeaderLength) + Frame.LENGTH_FIELD_LENGTH,
                0, Frame.LENGTH_FIELD_LENGTH, 0, Frame.LENGTH_FIELD_LENGTH);
        this.maxFrameLength = maxFrameLength;
        this.maxHeaderLength = maxHeaderLength;
        this.frameLengthLimit = maxFrameLength;
        setCumulator(COMPOSITE_CUMULATOR);
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
     * Decodes one frame, or rejects the stream.
     *
     * @param ctx the context of this handler
     * @param in the cumulated bytes
     * @return a {@link Frame}, or null if more bytes are needed or the stream was rejected
     * @throws Exception never for protocol violations (they are handled as described above); only
     *     what {@link LengthFieldBasedFrameDecoder} itself throws
     */
    @Override
    protected Object decode(ChannelHandlerContext ctx, ByteBuf in) throws Exception {
        if (failed) {
            in.skipBytes(in.readableBytes());
            return null;
        }
        if (in.readableBytes() >= Frame.LENGTH_FIELD_LENGTH) {
            long length = in.getUnsignedInt(in.readerIndex());
            if (length > frameLengthLimit) {
                return reject(ctx, in, new ProtocolException("length", length,
                        "<= " + frameLengthLimit + ", " + limitName));
            }
            if (length < Frame.FIXED_FIELDS_LENGTH) {
                return reject(ctx, in, new ProtocolException("length", length,
                        ">= " + Frame.FIXED_FIELDS_LENGTH + ", the size of the fixed fields"));
            }
        }
        ByteBuf bytes = (ByteBuf) super.decode(ctx, in);
        if (bytes == null) {
            return null;
        }
        try {
            return parse(bytes);
        } catch (ProtocolException e) {
            return reject(ctx, in, e);
        } finally {
            bytes.release();
        }
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

    private Object reject(ChannelHandlerContext ctx, ByteBuf in, ProtocolException violation) {
        failed = true;
        in.skipBytes(in.readableBytes());
        ctx.writeAndFlush(ErrorFrames.rejection(violation));
        ctx.fireExceptionCaught(violation);
        ctx.close();
        return null;
    }

    private static String hex(int value) {
        return String.format("0x%02X", value);
    }
}
