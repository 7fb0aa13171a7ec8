package dev.batcher.client;

import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.api.Batch;
import dev.batcher.api.Taken;
import dev.batcher.client.protocol.Frame;
import dev.batcher.client.protocol.FrameDecoder;
import dev.batcher.client.protocol.FrameEncoder;
import dev.batcher.client.protocol.MessageType;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;

/**
 * Not a test: a TCP take loop for profiling the client's receive path with JFR. A minimal server on
 * loopback answers every take with the same prebuilt 32 x 8 x 7680 float32 batch (7.9 MB, sent from
 * one buffer, so the server costs next to nothing); a client with prefetch takes them and reads one
 * float of each. Prints MB/s. Args: batches.
 */
public final class TakeLoopProfile {
    static final class Server extends SimpleChannelInboundHandler<Frame> {
        final ByteBuf payload;

        Server(ByteBuf payload) {
            this.payload = payload;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Frame f) {
            switch (f.type()) {
                case HELLO -> ctx.writeAndFlush(Frame.of(MessageType.WELCOME, f.id(), Frame.newHeader().put("protocol", f.header().get("protocol").asInt())
                        .put("server", "profile").put("heartbeatMillis", 5000).put("maxFrameLength", 256 << 20)));
                case REQUEST -> {
                    String op = f.header().get("op").asText();
                    var h = Frame.newHeader();
                    switch (op) {
                        case "create" -> ctx.writeAndFlush(Frame.of(MessageType.RESPONSE, f.id(), h.put("created", true)));
                        case "start" -> ctx.writeAndFlush(Frame.of(MessageType.RESPONSE, f.id(), h.put("started", true)));
                        case "take" -> {
                            BatchState s = BatchState.parse(f.header().get("state").asText());
                            h.put("state", s.next().toString()).put("previous", s.toString()).put("byteOrder", "little");
                            h.putObject("x").put("dtype", "float32").putArray("shape").add(32).add(8).add(7680);
                            h.putObject("y").put("dtype", "int32").putArray("shape").add(32).add(1).add(1);
                            ctx.writeAndFlush(Frame.of(MessageType.BATCH, f.id(), h, payload.retainedDuplicate()));
                        }
                        default -> ctx.writeAndFlush(Frame.of(MessageType.RESPONSE, f.id(), h));
                    }
                }
                default -> { }
            }
        }
    }

    public static void main(String[] args) throws Exception {
        int n = Integer.parseInt(args[0]);
        int bytes1 = 4 * (32 * 8 * 7680 + 32);
        ByteBuf payload = Unpooled.directBuffer(bytes1);
        for (int i = 0; i < bytes1 / 4; i++) {
            payload.writeFloatLE(i);
        }
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        Channel server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(8 << 20, 16 << 20))
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new FrameEncoder(), new FrameDecoder(), new Server(payload));
                    }
                }).bind(new InetSocketAddress("127.0.0.1", 0)).sync().channel();
        try (BatcherClient c = BatcherClient.connect((InetSocketAddress) server.localAddress(),
                ClientOptions.defaults().withPrefetch(true))) {
            BatcherHandle h = c.batcher("train");
            h.create(BatcherSpec.of("/data", new SourceConfig.Sequential(32, 60, null)));
            BatchState s = BatchState.initial(1);
            h.start(s);
            long bytes = 0;
            long t0 = 0;
            for (int i = 0; i < n + 20; i++) {
                if (i == 20) {
                    t0 = System.nanoTime();
                    bytes = 0;
                }
                Taken.Next next = (Taken.Next) h.take(s);
                try (Batch b = next.batch()) {
                    bytes += 4L * (b.x().remaining() + b.y().remaining());
                    if (b.x().get(7) != 7f) {
                        throw new AssertionError("batch " + s);
                    }
                }
                s = next.state();
            }
            double secs = (System.nanoTime() - t0) / 1e9;
            System.out.printf("take loop: %d batches of %.1f MB in %.2f s: %.0f MB/s%n", n, bytes / 1e6 / n, secs,
                    bytes / 1e6 / secs);
        } finally {
            server.close().sync();
            group.shutdownGracefully().sync();
        }
    }
}
