package dev.batcher.service.transport;

import dev.batcher.client.protocol.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

/**
 * The full pipeline over real TCP on 127.0.0.1: a client sends 8 MiB REQUEST frames, the server
 * relays each payload back in a RESPONSE without copying it, the client checks every byte by CRC,
 * then says GOODBYE and both ends close. A tracking allocator on both ends proves every buffer was
 * released.
 */
@ExtendWith(LeakCheck.class)
@Timeout(120)
class LoopbackTest {
    private static final int FRAMES = 6;
    private static final int PAYLOAD = 8 << 20;
    private static final String TOKEN = "loopback-token";

    /** Server business: echoes REQUEST payloads as RESPONSEs; closes on GOODBYE. */
    private static final class EchoServer extends ChannelInboundHandlerAdapter {
        final List<Throwable> exceptions;
        final AtomicInteger echoed;

        EchoServer(List<Throwable> exceptions, AtomicInteger echoed) {
            this.exceptions = exceptions;
            this.echoed = echoed;
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame frame = (Frame) msg;
            try {
                if (frame.type() == MessageType.GOODBYE) {
                    ctx.close();
                } else if (frame.type() == MessageType.REQUEST) {
                    echoed.incrementAndGet();
                    ctx.writeAndFlush(frame.relay(MessageType.RESPONSE, frame.id(),
                            Frame.newHeader().put("crc", frame.header().get("crc").asLong())));
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            exceptions.add(cause);
            ctx.close();
        }
    }

    /** Client business: sends frame i+1 when response i arrived intact, then GOODBYE. */
    private static final class Sender extends ChannelInboundHandlerAdapter {
        final Queue<String> problems = new ConcurrentLinkedQueue<>();
        final CompletableFuture<Integer> done = new CompletableFuture<>();
        int received;

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof HandshakeCompleted) {
                send(ctx, 0);
            }
        }

        private void send(ChannelHandlerContext ctx, int i) {
            // One bulk write: paranoid leak detection records every access to a buffer.
            ByteBuf payload = ctx.alloc().ioBuffer(PAYLOAD).writeBytes(WireTestSupport.bytes(PAYLOAD, i));
            long crc = crc(payload);
            ctx.writeAndFlush(Frame.of(MessageType.REQUEST, i, Frame.newHeader().put("crc", crc), payload))
                    .addListener(ChannelFutureListener.FIRE_EXCEPTION_ON_FAILURE);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            Frame frame = (Frame) msg;
            try {
                if (frame.type() != MessageType.RESPONSE || frame.id() != received
                        || frame.payload().readableBytes() != PAYLOAD
                        || crc(frame.payload()) != frame.header().get("crc").asLong()) {
                    problems.add("bad frame " + frame);
                }
                received++;
                if (received < FRAMES) {
                    send(ctx, received);
                } else {
                    ctx.writeAndFlush(Frame.of(MessageType.GOODBYE, 0));
                    done.complete(received);
                }
            } finally {
                frame.release();
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            done.completeExceptionally(cause);
            ctx.close();
        }
    }

    static long crc(ByteBuf buf) {
        CRC32 crc = new CRC32();
        for (ByteBuffer part : buf.nioBuffers()) {
            crc.update(part);
        }
        return crc.getValue();
    }

    @Test
    void loopback_eightMebibyteFramesBothWays_arriveIntactAndCloseCleanly() throws Exception {
        TrackingAllocator serverAllocator = new TrackingAllocator();
        TrackingAllocator clientAllocator = new TrackingAllocator();
        // The wire both ways, not the daemon's rules: this peer may send the large frames a daemon takes from workers only.
        WireConfig config = WireConfig.defaults().withClientMaxFrameLength(WireConfig.DEFAULT_MAX_FRAME_LENGTH);
        List<Throwable> serverExceptions = new CopyOnWriteArrayList<>();
        AtomicInteger echoed = new AtomicInteger();
        Sender sender = new Sender();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
        try {
            ServerBootstrap serverBootstrap = new ServerBootstrap().group(group)
                    .channel(NioServerSocketChannel.class)
                    .childOption(ChannelOption.ALLOCATOR, serverAllocator)
                    .childHandler(WireInitializer.of(config, () -> ServerHandshakeHandler.create(config, "test", TOKEN),
                            () -> new EchoServer(serverExceptions, echoed)));
            WireInitializer.applyOptions(serverBootstrap, config);
            Channel listener = serverBootstrap.bind(WireInitializer.loopback(0)).sync().channel();
            InetSocketAddress address = (InetSocketAddress) listener.localAddress();
            assertTrue(address.getAddress().isLoopbackAddress());

            Bootstrap clientBootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .option(ChannelOption.ALLOCATOR, clientAllocator)
                    .handler(WireInitializer.client(config, Hello.client("loopback", TOKEN), () -> sender));
            WireInitializer.applyOptions(clientBootstrap, config);
            Channel client = clientBootstrap.connect(address).sync().channel();

            HandshakeCompleted handshake = HandshakeHandler.handshakeFuture(client).get(30, TimeUnit.SECONDS);
            assertEquals("test", handshake.welcome().serverVersion());
            assertEquals(FRAMES, sender.done.get(60, TimeUnit.SECONDS));
            assertTrue(client.closeFuture().await(30, TimeUnit.SECONDS), "server closed after GOODBYE");
            listener.close().sync();

            assertTrue(sender.problems.isEmpty(), sender.problems.toString());
            assertEquals(FRAMES, echoed.get());
            assertTrue(serverExceptions.isEmpty(), serverExceptions.toString());
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).sync();
        }
        serverAllocator.assertAllReleased();
        clientAllocator.assertAllReleased();
        // Each frame is received into one buffer of its size (one copy); it is relayed back without another.
        assertTrue(serverAllocator.largestRequest() >= PAYLOAD && serverAllocator.largestRequest() < PAYLOAD + 1024,
                "the server's largest buffer is one frame: " + serverAllocator.largestRequest());
    }
}
