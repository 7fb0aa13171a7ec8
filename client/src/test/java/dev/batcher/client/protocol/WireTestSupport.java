package dev.batcher.client.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Builders of raw frames and channels for the wire tests. */
public final class WireTestSupport {
    public static final int MAX_FRAME = 16 << 20;
    public static final int MAX_HEADER = 64 << 10;

    private WireTestSupport() {
    }

    /** An embedded channel whose allocator is {@code allocator}, registered after it was set. */
    public static EmbeddedChannel channel(TrackingAllocator allocator, ChannelHandler... handlers)
            throws Exception {
        EmbeddedChannel channel = EmbeddedChannel.builder().register(false).handlers(handlers).build();
        channel.config().setAllocator(allocator);
        channel.register();
        return channel;
    }

    /** Writes a frame by hand, field by field, so that any field can be wrong. */
    public static ByteBuf raw(long length, int magic, int type, int flags, long id, long headerLength,
            byte[] header, byte[] payload) {
        ByteBuf buf = Unpooled.buffer();
        buf.writeInt((int) length).writeByte(magic).writeByte(type).writeByte(flags).writeLong(id)
                .writeInt((int) headerLength).writeBytes(header).writeBytes(payload);
        return buf;
    }

    /** A well-formed frame built by hand. */
    public static ByteBuf raw(MessageType type, long id, String header, byte[] payload) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        return raw(Frame.FIXED_FIELDS_LENGTH + h.length + payload.length, Frame.MAGIC, type.code(), 0,
                id, h.length, h, payload);
    }

    /** Encodes a frame with a throwaway channel and returns the bytes as one heap buffer. */
    public static ByteBuf encode(Frame frame) {
        EmbeddedChannel encoder = new EmbeddedChannel(new FrameEncoder(MAX_FRAME, MAX_HEADER));
        encoder.writeOutbound(frame);
        ByteBuf encoded = encoder.readOutbound();
        ByteBuf copy = Unpooled.copiedBuffer(encoded);
        encoded.release();
        encoder.finishAndReleaseAll();
        return copy;
    }

    /** Decodes every outbound buffer of {@code channel} into frames (the caller releases them). */
    public static List<Frame> decodeOutbound(EmbeddedChannel channel) {
        EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(MAX_FRAME, MAX_HEADER));
        Object msg;
        while ((msg = channel.readOutbound()) != null) {
            decoder.writeInbound(msg);
        }
        List<Frame> frames = new ArrayList<>();
        Frame frame;
        while ((frame = decoder.readInbound()) != null) {
            frames.add(frame);
        }
        decoder.finishAndReleaseAll();
        return frames;
    }

    public static byte[] bytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new java.util.Random(seed).nextBytes(bytes);
        return bytes;
    }
}
