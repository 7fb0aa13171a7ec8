package dev.batcher.service.metrics;

import dev.batcher.client.BatcherStatus;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** An HTTP server for Prometheus: {@code GET /metrics}. */
public final class MetricsServer implements AutoCloseable {
    private final Channel channel;

    private MetricsServer(Channel channel) {
        this.channel = channel;
    }

    /**
     * Binds the server.
     *
     * @param group the event loops to run on (not closed by this server)
     * @param address where to listen
     * @param statuses the statuses of every batcher
     * @return the bound server
     * @throws InterruptedException if interrupted while binding
     */
    public static MetricsServer bind(EventLoopGroup group, InetSocketAddress address,
            Supplier<CompletableFuture<List<BatcherStatus>>> statuses) throws InterruptedException {
        Channel ch = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel c) {
                        c.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8192), new MetricsHandler(statuses));
                    }
                })
                .bind(address).sync().channel();
        return new MetricsServer(ch);
    }

    /** Returns where the server listens. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
