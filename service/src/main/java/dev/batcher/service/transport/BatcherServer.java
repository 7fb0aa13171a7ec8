package dev.batcher.service.transport;

import dev.batcher.client.arena.Arena;
import dev.batcher.client.protocol.MemoryBudget;
import dev.batcher.client.protocol.WireConfig;
import dev.batcher.client.protocol.WireInitializer;
import dev.batcher.service.manager.Manager;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.function.Function;
import dev.batcher.api.BatchShapes;
import dev.batcher.service.pool.Job;

/**
 * The daemon's listening socket: training clients and worker processes connect here, say who they
 * are in the handshake, and are served by {@link ClientRequestHandler} or joined to the pool as
 * {@link RemoteWorker}s.
 */
public final class BatcherServer implements AutoCloseable {
    /** The version the daemon sends in {@code WELCOME}. */
    public static final String VERSION = "batcher 0.1.0";

    private final Channel channel;
    private final ResultShapes shapes;

    private final MemoryBudget budget;

    private BatcherServer(Channel channel, ResultShapes shapes, MemoryBudget budget) {
        this.budget = budget;
        this.channel = channel;
        this.shapes = shapes;
    }

    /**
     * Binds the server.
     *
     * @param group the event loops for connections (not closed by the server)
     * @param address where to listen
     * @param config frame limits and heartbeats
     * @param token the token every peer must present, or null for none
     * @param manager the batchers and the worker pool
     * @param blocking where slow requests (creating a batcher loads its dataset) run
     * @param layout the shapes a job's batch must have (reads its first item), to check remote
     *     workers' results against; null to accept them as described
     * @return the bound server
     * @throws InterruptedException if interrupted while binding
     */
    public static BatcherServer bind(EventLoopGroup group, InetSocketAddress address, WireConfig config, String token,
            Manager manager, Executor blocking, Function<Job, BatchShapes> layout) throws InterruptedException {
        return bind(group, address, config, token, manager, blocking, layout, false);
    }

    /**
     * Binds the server.
     *
     * @param group the event loops for connections (not closed by the server)
     * @param address where to listen
     * @param config frame limits and heartbeats
     * @param token the token every peer must present, or null for none
     * @param manager the batchers and the worker pool
     * @param blocking where slow requests (creating a batcher loads its dataset) run
     * @param layout the shapes a job's batch must have (reads its first item), to check remote
     *     workers' results against; null to accept them as described
     * @param sharedMemory whether workers and clients on this host (their {@code HELLO} names this
     *     host's id) get batches through the batchers' shared-memory arenas
     * @return the bound server
     * @throws InterruptedException if interrupted while binding
     */
    public static BatcherServer bind(EventLoopGroup group, InetSocketAddress address, WireConfig config, String token,
            Manager manager, Executor blocking, Function<Job, BatchShapes> layout, boolean sharedMemory)
            throws InterruptedException {
        String host = sharedMemory ? Arena.hostId() : null;
        ResultShapes shapes = layout == null ? ResultShapes.none() : new ResultShapes(layout, blocking);
        MemoryBudget budget = new MemoryBudget(config.memoryBudget());
        ServerBootstrap b = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(WireInitializer.of(config, budget, () -> ServerHandshakeHandler.create(config, VERSION, token),
                        () -> new ConnectionHandler(manager, blocking, shapes, host)));
        WireInitializer.applyOptions(b, config);
        return new BatcherServer(b.bind(address).sync().channel(), shapes, budget);
    }

    /** Returns the budget of the frames still arriving on all connections ({@code WireConfig.memoryBudget}). */
    public MemoryBudget frameBudget() {
        return budget;
    }

    /** Returns how many results of remote workers were rejected (shapes other than their job implies). */
    public long rejectedResults() {
        return shapes.rejected();
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
