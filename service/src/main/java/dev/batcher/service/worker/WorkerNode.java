package dev.batcher.service.worker;

import dev.batcher.client.protocol.HandshakeHandler;
import dev.batcher.client.protocol.Hello;
import dev.batcher.client.protocol.WireConfig;
import dev.batcher.client.protocol.WireInitializer;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.service.ServiceException;
import dev.batcher.service.pool.MaterializerCache;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker process's connection to its manager: it announces its slots, materialises the jobs it is
 * sent on that many threads, and sends the tensors back. It only reads datasets under its dataset
 * roots. When the connection closes, {@link #closeFuture()} completes; {@link Rejoin} then connects
 * again under the same name (or a process manager restarts the worker), and it rejoins the pool.
 * Without a token of its own it reads the token file of a daemon on this host at every connection.
 */
public final class WorkerNode implements AutoCloseable {
    private final EventLoopGroup group;
    private final ExecutorService executor;
    private final MaterializerCache materializers;
    private final Channel channel;
    private final CompletableFuture<Void> closed = new CompletableFuture<>();
    private final java.util.concurrent.atomic.AtomicBoolean closing = new java.util.concurrent.atomic.AtomicBoolean();
    private final Options options;

    private WorkerNode(Options options, EventLoopGroup group, ExecutorService executor, MaterializerCache materializers,
            Channel channel) {
        this.options = options;
        this.group = group;
        this.executor = executor;
        this.materializers = materializers;
        this.channel = channel;
        channel.closeFuture().addListener(f -> closed.complete(null));
    }

    /**
     * The settings of a worker.
     *
     * @param manager the manager's address
     * @param token the shared token, or null
     * @param name the worker's name in status and errors
     * @param slots how many jobs it runs at once
     * @param datasetRoots the directories and {@code s3://bucket/prefix}es it may read datasets under (empty: any)
     * @param wire frame limits and heartbeats
     */
    public record Options(InetSocketAddress manager, String token, String name, int slots, List<String> datasetRoots,
            WireConfig wire) {
        /**
         * Checks the settings.
         *
         * @throws IllegalArgumentException if {@code slots <= 0}
         */
        public Options {
            Objects.requireNonNull(manager, "manager");
            Objects.requireNonNull(name, "name");
            if (slots <= 0) {
                throw new IllegalArgumentException("slots: " + slots + " (expected: > 0)");
            }
            datasetRoots = List.copyOf(datasetRoots);
            wire = wire == null ? WireConfig.defaults() : wire;
        }
    }

    /**
     * Connects to the manager and completes the handshake.
     *
     * @param options the settings
     * @param timeoutMillis how long to wait for the connection and the handshake
     * @return the connected worker
     * @throws ServiceException if the manager cannot be reached or refuses the worker (for example a
     *     wrong token); the message names the address and the reason
     * @throws InterruptedException if interrupted while connecting
     */
    public static WorkerNode connect(Options options, long timeoutMillis) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        AtomicInteger n = new AtomicInteger();
        ExecutorService executor = Executors.newFixedThreadPool(options.slots(), r -> {
            Thread t = new Thread(r, "batcher-worker-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        MaterializerCache materializers = new MaterializerCache(options.datasetRoots(), 64, Kernels.defaults());
        materializers.lendIdleSlots(options.slots());
        try {
            Bootstrap b = new Bootstrap().group(group).channel(NioSocketChannel.class)
                    .handler(WireInitializer.client(options.wire(), Hello.worker(options.name(),
                            options.token() != null ? options.token()
                                    : dev.batcher.client.TokenFile.find(dev.batcher.client.TokenFile.directory(), options.manager()),
                            options.slots()).withHost(dev.batcher.client.arena.Arena.hostId()).withHeld(materializers.cachedFiles()),
                            () -> new JobHandler(options.name(), executor, materializers)));
            WireInitializer.applyOptions(b, options.wire());
            var connect = b.connect(options.manager());
            if (!connect.await(timeoutMillis, TimeUnit.MILLISECONDS) || !connect.isSuccess()) {
                throw new ServiceException("manager: " + options.manager() + " (expected: a batcher daemon listening there): "
                        + (connect.cause() == null ? "no answer in " + timeoutMillis + " ms" : connect.cause().toString()));
            }
            Channel ch = connect.channel();
            HandshakeHandler.handshakeFuture(ch).get(timeoutMillis, TimeUnit.MILLISECONDS);
            return new WorkerNode(options, group, executor, materializers, ch);
        } catch (ExecutionException | TimeoutException e) {
            shutdown(group, executor, materializers);
            Throwable c = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
            throw new ServiceException("manager " + options.manager() + " refused worker " + options.name() + ": " + c.getMessage(), c);
        } catch (RuntimeException | InterruptedException e) {
            shutdown(group, executor, materializers);
            throw e;
        }
    }

    /** Returns the worker's name, the same on every connection ({@link Rejoin}). */
    public String name() {
        return options.name();
    }

    /** Returns the manager's address. */
    public InetSocketAddress manager() {
        return options.manager();
    }

    /** Completes when the connection to the manager has closed. */
    public CompletableFuture<Void> closeFuture() {
        return closed;
    }

    private static void shutdown(EventLoopGroup group, ExecutorService executor, MaterializerCache materializers) {
        executor.shutdownNow();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        materializers.close();
    }

    /**
     * Says goodbye to the manager (so it knows the worker left on purpose), then disconnects.
     * Idempotent: only the first call closes (a shutdown hook may call it after the main thread has;
     * a second close would hit the terminated event loop).
     */
    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        if (channel.isActive()) {
            channel.writeAndFlush(new dev.batcher.client.protocol.Goodbye("worker closing").toFrame())
                    .awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        channel.close().syncUninterruptibly();
        shutdown(group, executor, materializers);
    }
}
