package dev.batcher.client.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;

/**
 * Encodes each outbound {@link Frame} into the layout documented on {@link FrameDecoder}, without
 * copying the payload: the length, fixed fields and JSON header go into a small buffer from the
 * channel's allocator, and the frame is written as a {@link io.netty.buffer.CompositeByteBuf} of
 * that buffer and a retained slice of the payload (or the small buffer alone when the payload is
 * empty). Other messages pass through unchanged.
 *
 * <p>The encoder checks the frame against the same limits as the peer's decoder, so that an
 * oversized frame fails locally with a clear message instead of the peer closing the connection:
 * the write's future then fails with a {@link ProtocolException} naming the field and limit, the
 * frame is released and nothing is written. The encoder is stateless and {@linkplain
 * ChannelHandler.Sharable sharable}.
 *
 * <p>On the NIO transport, a heap payload is copied into a direct buffer by the transport itself;
 * build large payloads in {@code ctx.alloc().ioBuffer(...)} (or relay received ones) to avoid that.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends ChannelOutboundHandlerAdapter {
    private static final byte[] NO_HEADER = new byte[0];

    private final int maxFrameLength;
    private final int maxHeaderLength;

    /**
     * Creates an encoder with the limits of {@link WireConfig#defaults()}.
     */
    public FrameEncoder() {
        this(WireConfig.DEFAULT_MAX_FRAME_LENGTH, WireConfig.DEFAULT_MAX_HEADER_LENGTH);
    }

    /**
     * Creates an encoder.
     *
     * @param maxFrameLength the largest value of the length field it will write (bytes after the
     *     length field), in {@code [}{@link Frame#FIXED_FIELDS_LENGTH}{@code ,}
     *     {@link WireConfig#MAX_FRAME_LENGTH_CEILING}{@code ]}
     * @param maxHeaderLength the largest JSON header in bytes, in {@code [0, maxFrameLength - }
     *     {@link Frame#FIXED_FIELDS_LENGTH}{@code ]}
     * @throws IllegalArgumentException if a limit is out of range
     */
    public FrameEncoder(int maxFrameLength, int maxHeaderLength) {
        FrameDecoder.checkLimits(maxFrameLength, maxHeaderLength);
        this.maxFrameLength = maxFrameLength;
        this.maxHeaderLength = maxHeaderLength;
    }

    /**
     * Encodes a {@link Frame}; passes anything else on.
     *
     * @param ctx the context of this handler
     * @param msg the message to write
     * @param promise completed when the bytes are written; failed with a {@link ProtocolException}
     *     if the frame exceeds a limit
     */
    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof Frame)) {
            ctx.write(msg, promise);
            return;
        }
        Frame frame = (Frame) msg;
        ByteBuf encoded;
        try {
            encoded = encode(ctx, frame);
        } catch (ProtocolException e) {
            promise.tryFailure(e);
            return;
        } finally {
            frame.release();
        }
        ctx.write(encoded, promise);
    }

    private ByteBuf encode(ChannelHandlerContext ctx, Frame frame) {
        byte[] header = frame.header().isEmpty() ? NO_HEADER : Json.bytes(frame.header());
        if (header.length > maxHeaderLength) {
            throw new ProtocolException("headerLength", header.length,
                    "<= " + maxHeaderLength + ", the maximum header length; frame " + frame.type()
                            + " id " + frame.id());
        }
        ByteBuf payload = frame.payload();
        int payloadLength = payload.readableBytes();
        long length = (long) Frame.FIXED_FIELDS_LENGTH + header.length + payloadLength;
        if (length > maxFrameLength) {
            throw new ProtocolException("length", length, "<= " + maxFrameLength
                    + ", the maximum frame length; frame " + frame.type() + " id " + frame.id()
                    + " has a " + payloadLength + "-byte payload");
        }
        ByteBuf prefix = ctx.alloc().ioBuffer(
                Frame.LENGTH_FIELD_LENGTH + Frame.FIXED_FIELDS_LENGTH + header.length);
        prefix.writeInt((int) length)
                .writeByte(Frame.MAGIC)
                .writeByte(frame.type().code())
                .writeByte(frame.flags())
                .writeLong(frame.id())
                .writeInt(header.length)
                .writeBytes(header);
        if (payloadLength == 0) {
            return prefix;
        }
        return ctx.alloc().compositeBuffer(2).addComponents(true, prefix, payload.retainedSlice());
    }
}
