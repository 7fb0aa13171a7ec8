package dev.batcher.client.protocol;

import static dev.batcher.client.protocol.WireTestSupport.MAX_FRAME;
import static dev.batcher.client.protocol.WireTestSupport.MAX_HEADER;
import static dev.batcher.client.protocol.WireTestSupport.bytes;
import static dev.batcher.client.protocol.WireTestSupport.channel;
import static dev.batcher.client.protocol.WireTestSupport.decodeOutbound;
import static dev.batcher.client.protocol.WireTestSupport.encode;
import static dev.batcher.client.protocol.WireTestSupport.raw;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(LeakCheck.class)
@Timeout(30)
class FrameCodecTest {
    private final TrackingAllocator allocator = new TrackingAllocator();
    private final Recorder recorder = new Recorder();

    private EmbeddedChannel codec() throws Exception {
        return channel(allocator, new FrameEncoder(MAX_FRAME, MAX_HEADER),
                new FrameDecoder(MAX_FRAME, MAX_HEADER), recorder);
    }

    private void finish(EmbeddedChannel channel) {
        recorder.releaseAll();
        channel.finishAndReleaseAll();
        allocator.assertAllReleased();
    }

    @Test
    void roundTrip_emptyHeaderAndPayload_yieldsEqualFrame() throws Exception {
        EmbeddedChannel channel = codec();
        assertTrue(channel.writeOutbound(Frame.of(MessageType.PING, 42)));
        ByteBuf encoded = channel.readOutbound();
        assertEquals(Frame.LENGTH_FIELD_LENGTH + Frame.FIXED_FIELDS_LENGTH, encoded.readableBytes());

        channel.writeInbound(encoded);

        Frame frame = recorder.frames.poll();
        assertEquals(MessageType.PING, frame.type());
        assertEquals(42, frame.id());
        assertEquals(0, frame.flags());
        assertTrue(frame.header().isObject() && frame.header().isEmpty());
        assertEquals(0, frame.payload().readableBytes());
        assertTrue(frame.release());
        assertEquals(0, encoded.refCnt());
        finish(channel);
    }

    @Test
    void roundTrip_headerAndPayload_preservesEveryField() throws Exception {
        EmbeddedChannel channel = codec();
        ObjectNode header = Frame.newHeader().put("op", "take").put("count", 3).put("name", "Zürich ✓");
        byte[] payload = bytes(1000, 1);
        channel.writeOutbound(Frame.of(MessageType.REQUEST, -7, header, Unpooled.wrappedBuffer(payload)));
        channel.writeInbound((Object) channel.readOutbound());

        Frame frame = recorder.frames.poll();
        assertEquals(MessageType.REQUEST, frame.type());
        assertEquals(-7, frame.id());
        assertEquals(header, frame.header());
        assertArrayEquals(payload, ByteBufUtil.getBytes(frame.payload()));
        frame.release();
        assertEquals(0, frame.refCnt());
        assertEquals(0, frame.payload().refCnt());
        finish(channel);
    }

    @Test
    void decode_largePayloadSplitAcrossManyReads_receivedIntoOnePreSizedBuffer() throws Exception {
        EmbeddedChannel channel = codec();
        byte[] payload = bytes(8 << 20, 2);
        ByteBuf wire = encode(Frame.of(MessageType.BATCH, 9,
                Frame.newHeader().put("index", 0), Unpooled.wrappedBuffer(payload)));
        List<ByteBuf> reads = new ArrayList<>();
        while (wire.isReadable()) {
            reads.add(Unpooled.copiedBuffer(wire.readSlice(Math.min(8192, wire.readableBytes()))));
        }
        wire.release();

        for (int i = 0; i < reads.size(); i++) {
            channel.writeInbound(reads.get(i));
            assertEquals(i == reads.size() - 1 ? 1 : 0, recorder.frames.size(), "frames after read " + i);
        }

        Frame frame = recorder.frames.poll();
        assertEquals(MessageType.BATCH, frame.type());
        assertEquals(payload.length, frame.payload().readableBytes());
        assertArrayEquals(payload, ByteBufUtil.getBytes(frame.payload()));
        // One buffer of exactly the frame's size (after the length field), allocated when the length
        // arrived: the payload is contiguous, each byte copied once.
        assertEquals(payload.length + Frame.FIXED_FIELDS_LENGTH + "{\"index\":0}".length(), allocator.largestRequest());
        assertEquals(1, frame.payload().nioBufferCount());
        frame.release();
        finish(channel);
        assertTrue(reads.stream().allMatch(b -> b.refCnt() == 0), "every read buffer released");
    }

    @Test
    void decode_readsIntoTheLentTarget_largeFrameAssembledWithoutCopying() throws Exception {
        FrameDecoder decoder = new FrameDecoder(MAX_FRAME, MAX_HEADER);
        EmbeddedChannel channel = channel(allocator, new FrameEncoder(MAX_FRAME, MAX_HEADER), decoder, recorder);
        byte[] payload = bytes(8 << 20, 3);
        ByteBuf wire = encode(Frame.of(MessageType.BATCH, 4,
                Frame.newHeader().put("index", 1), Unpooled.wrappedBuffer(payload)));
        int wireLength = wire.readableBytes();
        assertNull(decoder.readTarget(), "no large frame in progress yet");
        channel.writeInbound(Unpooled.copiedBuffer(wire.readSlice(4096)));
        List<ByteBuf> lent = new ArrayList<>();
        while (wire.isReadable()) {
            // What netty's read loop does with FrameReadAllocator: read into the lent slice, pass it on.
            ByteBuf target = decoder.readTarget();
            assertEquals(0, target.writerIndex());
            target.writeBytes(wire, Math.min(100_000, wire.readableBytes()));
            lent.add(target);
            channel.writeInbound(target);
        }
        wire.release();
        assertNull(decoder.readTarget(), "no large frame in progress after the last byte");

        Frame frame = recorder.frames.poll();
        assertArrayEquals(payload, ByteBufUtil.getBytes(frame.payload()));
        assertEquals(1, frame.payload().nioBufferCount());
        assertEquals(wireLength - 4096, decoder.bytesReadInPlace(), "every byte after the first read landed in place");
        assertEquals(1, allocator.allocations(), "only the frame's own buffer was allocated");
        frame.release();
        finish(channel);
        assertTrue(lent.stream().allMatch(b -> b.refCnt() == 0), "every lent slice released");
    }

    @Test
    void decode_singleRead_payloadIsSliceOfReceivedBuffer() throws Exception {
        EmbeddedChannel channel = codec();
        ByteBuf input = raw(MessageType.JOB_RESULT, 5, "", new byte[] {1, 2, 3, 4});
        input.retain();
        channel.writeInbound(input);
        Frame frame = recorder.frames.poll();

        input.setByte(input.writerIndex() - 1, 99);

        assertEquals(99, frame.payload().getByte(frame.payload().readerIndex() + 3));
        frame.release();
        assertTrue(input.release());
        finish(channel);
    }

    @Test
    void decode_manyFramesInOneRead_yieldsAllInOrder() throws Exception {
        EmbeddedChannel channel = codec();
        ByteBuf all = Unpooled.buffer();
        for (int i = 0; i < 200; i++) {
            ByteBuf one = encode(Frame.of(MessageType.JOB, i, i % 2 == 0 ? Frame.newHeader().put("i", i) : null,
                    Unpooled.wrappedBuffer(bytes(i * 7, i))));
            all.writeBytes(one);
            one.release();
        }
        channel.writeInbound(all);

        assertEquals(200, recorder.frames.size());
        for (int i = 0; i < 200; i++) {
            Frame frame = recorder.frames.poll();
            assertEquals(i, frame.id());
            assertEquals(i % 2 == 0 ? 1 : 0, frame.header().size());
            assertArrayEquals(bytes(i * 7, i), ByteBufUtil.getBytes(frame.payload()));
            frame.release();
        }
        assertEquals(0, all.refCnt());
        finish(channel);
    }

    @Test
    void decode_lengthExactlyAtLimit_accepted() throws Exception {
        TrackingAllocator local = new TrackingAllocator();
        int limit = 64 << 10;
        EmbeddedChannel channel = channel(local, new FrameEncoder(limit, 1024),
                new FrameDecoder(limit, 1024), recorder);
        channel.writeInbound(raw(MessageType.BATCH, 1, "",
                new byte[limit - Frame.FIXED_FIELDS_LENGTH]));
        assertEquals(1, recorder.frames.size());
        assertTrue(recorder.exceptions.isEmpty());
        recorder.releaseAll();
        channel.finishAndReleaseAll();
        local.assertAllReleased();
    }

    @Test
    void decode_oversizedLength_rejectedFromPrefixAloneWithoutAllocation() throws Exception {
        EmbeddedChannel channel = codec();
        ByteBuf firstHalf = Unpooled.buffer().writeShort(0xFFFF);
        channel.writeInbound(firstHalf);
        assertTrue(channel.isOpen(), "two bytes of the length decide nothing");

        ByteBuf rest = Unpooled.buffer().writeShort(0xFFFF).writeBytes(new byte[64 << 10]);
        channel.writeInbound(rest);

        assertFalse(channel.isOpen());
        ProtocolException e = assertInstanceOf(ProtocolException.class, recorder.exceptions.get(0));
        assertEquals("length", e.field());
        assertEquals("4294967295", e.value());
        assertTrue(e.getMessage().contains("<= " + HandshakeHandler.HANDSHAKE_MAX_FRAME_LENGTH)
                || e.getMessage().contains("<= " + MAX_FRAME), e.getMessage());
        assertEquals(1, recorder.exceptions.size());
        assertTrue(recorder.frames.isEmpty());
        assertEquals(0, firstHalf.refCnt());
        assertEquals(0, rest.refCnt());
        // Only the ERROR frame was allocated: a few hundred bytes, not 4 GiB.
        assertTrue(allocator.requestedBytes() < 4096, "allocated " + allocator.requestedBytes());
        List<Frame> sent = decodeOutbound(channel);
        assertEquals(1, sent.size());
        assertEquals(MessageType.ERROR, sent.get(0).type());
        assertEquals(ErrorFrames.CODE_PROTOCOL, sent.get(0).header().get("code").asText());
        assertTrue(sent.get(0).header().get("message").asText().startsWith("length: 4294967295"));
        assertFalse(sent.get(0).header().has("stack"));
        sent.forEach(Frame::release);
        finish(channel);
    }

    @Test
    void decode_lengthOneAboveLimit_messageNamesFieldValueAndLimit() throws Exception {
        EmbeddedChannel channel = codec();
        channel.writeInbound(Unpooled.buffer().writeInt(MAX_FRAME + 1));
        ProtocolException e = assertInstanceOf(ProtocolException.class, recorder.exceptions.get(0));
        assertEquals("length: " + (MAX_FRAME + 1) + " (expected: <= " + MAX_FRAME
                + ", the maximum frame length)", e.getMessage());
        assertEquals(ErrorFrames.CODE_PROTOCOL, e.code());
        assertFalse(channel.isOpen());
        decodeOutbound(channel).forEach(Frame::release);
        finish(channel);
    }

    static Stream<Arguments> malformedFrames() {
        byte[] none = new byte[0];
        byte[] obj = "{\"a\":1}".getBytes(StandardCharsets.UTF_8);
        return Stream.of(
                Arguments.of("length below the fixed fields", "length",
                        raw(14, Frame.MAGIC, 1, 0, 0, 0, none, new byte[14 - 15 + 1])),
                Arguments.of("wrong magic", "magic", raw(15, 0x42, 1, 0, 0, 0, none, none)),
                Arguments.of("unknown type", "type", raw(15, Frame.MAGIC, 0x7F, 0, 0, 0, none, none)),
                Arguments.of("type zero", "type", raw(15, Frame.MAGIC, 0, 0, 0, 0, none, none)),
                Arguments.of("flags set", "flags", raw(15, Frame.MAGIC, 1, 0x80, 0, 0, none, none)),
                Arguments.of("header longer than frame", "headerLength",
                        raw(15 + obj.length, Frame.MAGIC, 1, 0, 0, obj.length + 1, obj, none)),
                Arguments.of("header above limit", "headerLength",
                        raw(15 + 4, Frame.MAGIC, 1, 0, 0, MAX_HEADER + 1L, new byte[4], none)),
                Arguments.of("header length 2^32-1", "headerLength",
                        raw(15 + 4, Frame.MAGIC, 1, 0, 0, 0xFFFFFFFFL, new byte[4], none)),
                Arguments.of("truncated JSON", "header", headerFrame("{\"a\":")),
                Arguments.of("not JSON", "header", headerFrame("hello")),
                Arguments.of("JSON array", "header", headerFrame("[1,2]")),
                Arguments.of("JSON null", "header", headerFrame("null")),
                Arguments.of("duplicate key", "header", headerFrame("{\"a\":1,\"a\":2}")),
                Arguments.of("trailing content", "header", headerFrame("{\"a\":1} {}")),
                Arguments.of("invalid UTF-8", "header", headerFrame(new byte[] {'{', '"', (byte) 0xFF, '"',
                        ':', '1', '}'})),
                Arguments.of("UTF-16 JSON", "header", headerFrame("{\"a\":1}".getBytes(
                        StandardCharsets.UTF_16LE))));
    }

    private static ByteBuf headerFrame(String header) {
        return headerFrame(header.getBytes(StandardCharsets.UTF_8));
    }

    private static ByteBuf headerFrame(byte[] header) {
        return raw(15 + header.length, Frame.MAGIC, MessageType.REQUEST.code(), 0, 3, header.length,
                header, new byte[0]);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedFrames")
    void decode_malformedFrame_failsNamingFieldAndClosesWithoutDelivering(String name, String field,
            ByteBuf bad) throws Exception {
        EmbeddedChannel channel = codec();
        ByteBuf input = Unpooled.buffer().writeBytes(bad)
                .writeBytes(raw(MessageType.PING, 1, "", new byte[0]));
        bad.release();

        channel.writeInbound(input);

        assertAll(
                () -> assertEquals(1, recorder.exceptions.size(), "exceptions"),
                () -> assertEquals(field,
                        assertInstanceOf(ProtocolException.class, recorder.exceptions.get(0)).field()),
                () -> assertTrue(recorder.frames.isEmpty(), "the valid frame behind is dropped too"),
                () -> assertFalse(channel.isOpen(), "closed"),
                () -> assertEquals(0, input.refCnt(), "input released"));
        List<Frame> sent = decodeOutbound(channel);
        assertEquals(MessageType.ERROR, sent.get(0).type());
        assertTrue(sent.get(0).header().get("message").asText().startsWith(field + ": "));
        sent.forEach(Frame::release);
        finish(channel);
    }

    @Test
    void encode_largePayload_writesCompositeWithoutCopying() throws Exception {
        EmbeddedChannel channel = codec();
        ByteBuf payload = Unpooled.directBuffer(8 << 20).writeBytes(bytes(8 << 20, 3));
        channel.writeOutbound(Frame.of(MessageType.BATCH, 1, Frame.newHeader().put("i", 1), payload));
        CompositeByteBuf out = assertInstanceOf(CompositeByteBuf.class, channel.readOutbound());

        payload.setByte(0, payload.getByte(0) + 1);

        int payloadOffset = out.readableBytes() - (8 << 20);
        assertEquals(payload.getByte(0), out.getByte(payloadOffset));
        assertTrue(allocator.largestRequest() < 1024, "largest allocation " + allocator.largestRequest());
        assertEquals(1, payload.refCnt(), "the composite holds the only reference");
        out.release();
        assertEquals(0, payload.refCnt());
        finish(channel);
    }

    @Test
    void encode_frameAboveLimit_failsWriteWithProtocolExceptionAndReleases() throws Exception {
        TrackingAllocator local = new TrackingAllocator();
        int limit = 64 << 10;
        EmbeddedChannel channel = channel(local, new FrameEncoder(limit, 1024));
        ByteBuf payload = Unpooled.buffer().writeBytes(new byte[limit]);

        ChannelFuture write = channel.writeOneOutbound(Frame.of(MessageType.BATCH, 1, null, payload));
        channel.flushOutbound();

        ProtocolException e = assertInstanceOf(ProtocolException.class, write.cause());
        assertEquals("length", e.field());
        assertEquals(String.valueOf(limit + Frame.FIXED_FIELDS_LENGTH), e.value());
        assertNull(channel.readOutbound());
        assertEquals(0, payload.refCnt());
        assertFalse(channel.finishAndReleaseAll());
        local.assertAllReleased();
    }

    @Test
    void encode_headerAboveLimit_failsWriteWithProtocolException() throws Exception {
        TrackingAllocator local = new TrackingAllocator();
        EmbeddedChannel channel = channel(local, new FrameEncoder(64 << 10, 1024));
        ChannelFuture write = channel.writeOneOutbound(
                Frame.of(MessageType.JOB, 1, Frame.newHeader().put("spec", "x".repeat(2000))));
        channel.flushOutbound();
        assertEquals("headerLength",
                assertInstanceOf(ProtocolException.class, write.cause()).field());
        assertFalse(channel.finishAndReleaseAll());
        local.assertAllReleased();
    }

    @Test
    void encode_otherMessage_passesThrough() {
        EmbeddedChannel channel = new EmbeddedChannel(new FrameEncoder());
        ByteBuf raw = Unpooled.wrappedBuffer(new byte[] {1, 2});
        channel.writeOutbound(raw);
        assertEquals(raw, channel.readOutbound());
        raw.release();
        assertFalse(channel.finish());
    }

    @Test
    void constructor_limitsOutOfRange_throwIllegalArgument() {
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(14, 0));
        assertThrows(IllegalArgumentException.class,
                () -> new FrameDecoder(WireConfig.MAX_FRAME_LENGTH_CEILING + 1, 0));
        assertThrows(IllegalArgumentException.class, () -> new FrameDecoder(100, 86));
        assertThrows(IllegalArgumentException.class, () -> new FrameEncoder(100, -1));
    }

    /** The first bytes of a frame of {@code length} (after the length field): the length and 1 KiB of it. */
    private static ByteBuf partialFrame(int length) {
        ByteBuf start = Unpooled.buffer();
        start.writeInt(length).writeByte(Frame.MAGIC).writeByte(MessageType.JOB_RESULT.code()).writeByte(0)
                .writeLong(1).writeInt(0).writeZero(1024);
        return start;
    }

    @Test
    void decode_partialLargeFrames_reserveTheBudgetAndGiveItBackOnClose() throws Exception {
        MemoryBudget budget = new MemoryBudget(10 << 20);
        List<EmbeddedChannel> channels = new ArrayList<>();
        List<Recorder> recorders = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Recorder r = new Recorder();
            recorders.add(r);
            EmbeddedChannel c = channel(allocator, new FrameEncoder(MAX_FRAME, MAX_HEADER),
                    new FrameDecoder(MAX_FRAME, MAX_HEADER, budget), r);
            c.writeInbound(partialFrame(4 << 20));
            channels.add(c);
        }

        // Two 4 MiB frames fit in 10 MiB; the third is refused, its connection rejected.
        assertEquals(8 << 20, budget.used());
        assertEquals(1, budget.refused());
        assertTrue(channels.get(0).isOpen() && channels.get(1).isOpen());
        assertFalse(channels.get(2).isOpen());
        ProtocolException refused = (ProtocolException) recorders.get(2).exceptions.get(0);
        assertEquals(ErrorFrames.CODE_OVERLOADED, refused.code());
        assertTrue(refused.getMessage().startsWith("length: 4194304 (expected: <= 2097152, what is left of the memory budget"),
                refused.getMessage());

        channels.get(0).close();
        assertEquals(4 << 20, budget.used(), "a closed connection gives its partial frame back");
        for (int i = 0; i < channels.size(); i++) {
            recorders.get(i).releaseAll();
            channels.get(i).finishAndReleaseAll();
        }
        assertEquals(0, budget.used());
        allocator.assertAllReleased();
    }

    @Test
    void decode_largeFrameCompleted_givesTheReservationBack() throws Exception {
        MemoryBudget budget = new MemoryBudget(1 << 20);
        EmbeddedChannel channel = channel(allocator, new FrameEncoder(MAX_FRAME, MAX_HEADER),
                new FrameDecoder(MAX_FRAME, MAX_HEADER, budget), recorder);
        byte[] payload = bytes(300 << 10, 4);
        ByteBuf wire = encode(Frame.of(MessageType.JOB_RESULT, 3, null, Unpooled.wrappedBuffer(payload)));
        for (int i = 0; i < 3; i++) {
            while (wire.isReadable()) {
                channel.writeInbound(Unpooled.copiedBuffer(wire.readSlice(Math.min(65536, wire.readableBytes()))));
            }
            wire.readerIndex(0);
            assertEquals(0, budget.used(), "frame " + i + " complete: nothing reserved");
        }
        wire.release();
        assertEquals(3, recorder.frames.size());
        assertEquals(0, budget.refused());
        finish(channel);
    }
}
