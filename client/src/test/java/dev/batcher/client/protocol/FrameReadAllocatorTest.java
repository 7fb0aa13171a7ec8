package dev.batcher.client.protocol;

import static dev.batcher.client.protocol.WireTestSupport.MAX_FRAME;
import static dev.batcher.client.protocol.WireTestSupport.MAX_HEADER;
import static dev.batcher.client.protocol.WireTestSupport.bytes;
import static dev.batcher.client.protocol.WireTestSupport.encode;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** Over real loopback sockets: netty's read loop reads a large frame into the decoder's buffer. */
@ExtendWith(LeakCheck.class)
@Timeout(30)
class FrameReadAllocatorTest {

    @Test
    void read_largeFrameOverLoopback_bytesLandInTheFramesBufferInPlace() throws Exception {
        byte[] payload = bytes(8 << 20, 5);
        ByteBuf wire = encode(Frame.of(MessageType.BATCH, 3,
                Frame.newHeader().put("index", 2), Unpooled.wrappedBuffer(payload)));
        int wireLength = wire.readableBytes();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        CompletableFuture<Frame> received = new CompletableFuture<>();
        FrameDecoder decoder = new FrameDecoder(MAX_FRAME, MAX_HEADER);
        try {
            Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.writeAndFlush(wire);
                        }
                    })
                    .bind(WireInitializer.loopback(0)).sync().channel();
            Channel client = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.config().setRecvByteBufAllocator(
                                    new FrameReadAllocator(ch.config().getRecvByteBufAllocator(), decoder));
                            ch.pipeline().addLast(decoder, new SimpleChannelInboundHandler<Frame>(false) {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, Frame frame) {
                                    received.complete(frame);
                                }
                            });
                        }
                    })
                    .connect(server.localAddress()).sync().channel();
            Frame frame = received.get(20, TimeUnit.SECONDS);
            try {
                assertEquals(MessageType.BATCH, frame.type());
                assertArrayEquals(payload, ByteBufUtil.getBytes(frame.payload()));
                assertEquals(1, frame.payload().nioBufferCount());
                // The first read carries the length field and more; after it, every read may go in place.
                long inPlace = client.eventLoop().submit(decoder::bytesReadInPlace).get(10, TimeUnit.SECONDS);
                assertTrue(inPlace > wireLength / 2, "bytes read in place: " + inPlace + " of " + wireLength);
            } finally {
                frame.release();
            }
            client.close().sync();
            server.close().sync();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
    @Test
    void continueReading_intoALargeFrame_readsOnWhileTheSocketHasBytes() {
        FrameDecoder decoder = new FrameDecoder(MAX_FRAME, MAX_HEADER);
        EmbeddedChannel channel = new EmbeddedChannel(decoder);
        ByteBuf wire = encode(Frame.of(MessageType.BATCH, 4, Frame.newHeader().put("index", 1),
                Unpooled.wrappedBuffer(bytes(8 << 20, 3))));
        try {
            channel.writeInbound(Unpooled.copiedBuffer(wire.readSlice(4096)));
            RecvByteBufAllocator.Handle handle = new FrameReadAllocator(new AdaptiveRecvByteBufAllocator(), decoder).newHandle();
            handle.reset(channel.config());
            int bursts = 0;
            for (int read = 1; read <= FrameReadAllocator.MAX_IN_PLACE_READS; read++) {
                ByteBuf target = handle.allocate(channel.alloc());
                assertTrue(target.writableBytes() > 100_000, "the frame's remaining space is lent: " + target.writableBytes());
                handle.attemptedBytesRead(target.writableBytes());
                handle.lastBytesRead(65536); // a read far shorter than the space: the socket had that much
                handle.incMessagesRead(1);
                target.release();
                if (!handle.continueReading()) {
                    bursts++;
                    assertEquals(FrameReadAllocator.MAX_IN_PLACE_READS, read, "the burst ends only at the cap");
                }
            }
            assertEquals(1, bursts);
            handle.reset(channel.config());
            ByteBuf target = handle.allocate(channel.alloc());
            handle.attemptedBytesRead(target.writableBytes());
            handle.lastBytesRead(0); // the socket is drained
            target.release();
            assertFalse(handle.continueReading(), "an empty read ends the burst");
        } finally {
            wire.release();
            channel.finishAndReleaseAll();
        }
    }
}
