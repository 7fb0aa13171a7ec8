package dev.batcher.service;

import dev.batcher.client.BatcherSpec;
import dev.batcher.client.BatcherStatus;
import dev.batcher.client.arena.Arena;
import dev.batcher.client.protocol.WireConfig;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.service.manager.ManagedBatcher;
import dev.batcher.service.manager.Manager;
import dev.batcher.service.manager.RetryPolicy;
import dev.batcher.service.metrics.MetricsServer;
import dev.batcher.service.pool.LocalWorker;
import dev.batcher.service.pool.MaterializerCache;
import dev.batcher.service.pool.WorkerPool;
import dev.batcher.service.transport.BatcherServer;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The batcher daemon: the manager with its named batchers, its worker pool and the server that
 * clients and worker processes connect to. It can start worker processes of its own ({@code
 * localWorkers}) and stops them when it stops; with no workers at all it materialises batches itself
 * ({@code managerSlots}). A training program can also run one inside its own JVM and connect to it
 * over loopback with the same client API.
 */
public final class BatcherDaemon implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BatcherDaemon.class);

    private final Options options;
    private final EventLoopGroup group;
    private final DefaultEventExecutor loop;
    private final ExecutorService blocking;
    private final ExecutorService inProcess;
    private final MaterializerCache materializers;
    private final Manager manager;
    private final BatcherServer server;
    private final MetricsServer metrics;
    private final LocalWorkerProcesses localWorkers;

    /**
     * The daemon's settings; build them with {@link #defaults()} and the {@code with} methods.
     *
     * @param bind where to listen (default 127.0.0.1:7070)
     * @param token the token clients and workers must present, or null
     * @param localWorkers worker processes the daemon starts itself
     * @param workerSlots jobs each local worker process runs at once
     * @param managerSlots jobs the daemon materialises in its own JVM (0 for none)
     * @param datasetRoots the directories and {@code s3://bucket/prefix}es datasets may live under (empty: any)
     * @param metricsPort the Prometheus endpoint's port (0: any free port), or null for none
     * @param wire frame limits and heartbeats
     * @param retry the backoff between retries
     * @param batchers batchers to create at start, by name
     * @param workerJvmArgs extra JVM arguments for local worker processes
     * @param workerLog where local workers' output goes, or null to share the daemon's
     * @param workerRestart the backoff before a local worker process that exited is started again
     *     (the count of quick exits in a row picks the wait; a worker that ran a minute resets it), or
     *     null to never restart one
     * @param sharedMemory the runtime directory of the shared-memory arenas through which batches
     *     reach workers and clients on this host ({@code /dev/shm} by default), or null to send every
     *     batch over TCP
     * @param closedRetention how long a batcher stopped by a client ({@code CLOSED}) stays listed
     *     after its stop before it leaves the daemon ({@link Manager#DEFAULT_CLOSED_RETENTION} by default)
     */
    public record Options(InetSocketAddress bind, String token, int localWorkers, int workerSlots, int managerSlots,
            List<String> datasetRoots, Integer metricsPort, WireConfig wire, RetryPolicy retry, Map<String, BatcherSpec> batchers,
            List<String> workerJvmArgs, Path workerLog, RetryPolicy workerRestart, Path sharedMemory,
            Duration closedRetention) {
        /**
         * Checks the settings.
         *
         * @throws IllegalArgumentException if a count is negative, {@code workerSlots <= 0} or
         *     {@code closedRetention} is negative
         */
        public Options {
            Objects.requireNonNull(bind, "bind");
            if (localWorkers < 0) {
                throw new IllegalArgumentException("localWorkers: " + localWorkers + " (expected: >= 0)");
            }
            if (workerSlots <= 0) {
                throw new IllegalArgumentException("workerSlots: " + workerSlots + " (expected: > 0)");
            }
            if (managerSlots < 0) {
                throw new IllegalArgumentException("managerSlots: " + managerSlots + " (expected: >= 0)");
            }
            datasetRoots = List.copyOf(datasetRoots);
            batchers = Map.copyOf(new LinkedHashMap<>(batchers));
            workerJvmArgs = List.copyOf(workerJvmArgs);
            wire = wire == null ? WireConfig.defaults() : wire;
            retry = retry == null ? RetryPolicy.defaults() : retry;
            closedRetention = closedRetention == null ? Manager.DEFAULT_CLOSED_RETENTION : closedRetention;
            if (closedRetention.isNegative()) { // named here, before the daemon starts anything
                throw new IllegalArgumentException("closedRetention: " + closedRetention + " (expected: >= 0)");
            }
        }

        /** Returns the defaults: 127.0.0.1:7070, no token, no worker processes, one manager slot per core. */
        public static Options defaults() {
            return new Options(new InetSocketAddress(InetAddress.getLoopbackAddress(), 7070), null, 0, 1,
                    Runtime.getRuntime().availableProcessors(), List.of(), null, null, null, Map.of(), List.of(), null,
                    new RetryPolicy(Duration.ofMillis(250), Duration.ofSeconds(30)), Arena.defaultDirectory(), null);
        }

        /** Returns a copy listening on {@code address}. */
        public Options withBind(InetSocketAddress address) {
            return copy(b -> b.bind = address);
        }

        /** Returns a copy requiring {@code t} from clients and workers. */
        public Options withToken(String t) {
            return copy(b -> b.token = t);
        }

        /** Returns a copy that starts {@code n} worker processes of {@code slots} slots, and materialises nothing itself. */
        public Options withLocalWorkers(int n, int slots) {
            return copy(b -> {
                b.localWorkers = n;
                b.workerSlots = slots;
                b.managerSlots = n > 0 ? 0 : b.managerSlots;
            });
        }

        /** Returns a copy that materialises in its own JVM on {@code n} threads. */
        public Options withManagerSlots(int n) {
            return copy(b -> b.managerSlots = n);
        }

        /** Returns a copy that only reads datasets under {@code roots}. */
        public Options withDatasetRoots(List<String> roots) {
            return copy(b -> b.datasetRoots = roots);
        }

        /** Returns a copy serving Prometheus metrics on {@code port}. */
        public Options withMetricsPort(Integer port) {
            return copy(b -> b.metricsPort = port);
        }

        /** Returns a copy with these wire settings. */
        public Options withWire(WireConfig w) {
            return copy(b -> b.wire = w);
        }

        /** Returns a copy with this retry backoff. */
        public Options withRetry(RetryPolicy r) {
            return copy(b -> b.retry = r);
        }

        /** Returns a copy that creates these batchers at start. */
        public Options withBatchers(Map<String, BatcherSpec> batchers) {
            return copy(b -> b.batchers = batchers);
        }

        /** Returns a copy passing these JVM arguments to local worker processes. */
        public Options withWorkerJvmArgs(List<String> args) {
            return copy(b -> b.workerJvmArgs = args);
        }

        /** Returns a copy restarting exited local workers with this backoff, or never if {@code r} is null. */
        public Options withWorkerRestart(RetryPolicy r) {
            return copy(b -> b.workerRestart = r);
        }

        /**
         * Returns a copy whose arenas live in {@code dir}, or that sends every batch over TCP if
         * {@code dir} is null.
         */
        public Options withSharedMemory(Path dir) {
            return copy(b -> b.sharedMemory = dir);
        }

        /** Returns a copy dropping a CLOSED batcher {@code d} after its stop. */
        public Options withClosedRetention(Duration d) {
            return copy(b -> b.closedRetention = d);
        }

        /** Returns a copy sending local workers' output to {@code file}. */
        public Options withWorkerLog(Path file) {
            return copy(b -> b.workerLog = file);
        }

        /** Returns a copy with the changes {@code change} makes to a builder holding these settings. */
        private Options copy(Consumer<Builder> change) {
            Builder b = new Builder(this);
            change.accept(b);
            return new Options(b.bind, b.token, b.localWorkers, b.workerSlots, b.managerSlots, b.datasetRoots, b.metricsPort,
                    b.wire, b.retry, b.batchers, b.workerJvmArgs, b.workerLog, b.workerRestart, b.sharedMemory,
                    b.closedRetention);
        }

        /** The fields of a copy being made: every {@code with} method changes some, the constructor checks them all. */
        private static final class Builder {
            InetSocketAddress bind;
            String token;
            int localWorkers;
            int workerSlots;
            int managerSlots;
            List<String> datasetRoots;
            Integer metricsPort;
            WireConfig wire;
            RetryPolicy retry;
            Map<String, BatcherSpec> batchers;
            List<String> workerJvmArgs;
            Path workerLog;
            RetryPolicy workerRestart;
            Path sharedMemory;
            Duration closedRetention;

            Builder(Options o) {
                bind = o.bind;
                token = o.token;
                localWorkers = o.localWorkers;
                workerSlots = o.workerSlots;
                managerSlots = o.managerSlots;
                datasetRoots = o.datasetRoots;
                metricsPort = o.metricsPort;
                wire = o.wire;
                retry = o.retry;
                batchers = o.batchers;
                workerJvmArgs = o.workerJvmArgs;
                workerLog = o.workerLog;
                workerRestart = o.workerRestart;
                sharedMemory = o.sharedMemory;
                closedRetention = o.closedRetention;
            }
        }
    }

    private BatcherDaemon(Options options) throws InterruptedException {
        this.options = options;
        SharedMemoryArenas.checkDirectory(options.sharedMemory());
        boolean ok = false;
        group = new MultiThreadIoEventLoopGroup(Math.max(2, Runtime.getRuntime().availableProcessors()), NioIoHandler.newFactory());
        loop = new DefaultEventExecutor((java.util.concurrent.ThreadFactory) r -> daemonThread(r, "batcher-manager"));
        blocking = Executors.newCachedThreadPool(r -> daemonThread(r, "batcher-control"));
        AtomicInteger n = new AtomicInteger();
        inProcess = options.managerSlots() > 0
                ? Executors.newFixedThreadPool(options.managerSlots(), r -> daemonThread(r, "batcher-materialize-" + n.incrementAndGet()))
                : null;
        materializers = new MaterializerCache(options.datasetRoots(), 64, Kernels.defaults());
        WorkerPool pool = new WorkerPool(loop);
        if (options.sharedMemory() != null) {
            for (Path stale : Arena.sweep(options.sharedMemory())) {
                log.info("deleted the stale arena {} of a daemon that is gone", stale);
            }
        }
        manager = new Manager(pool, options.retry(), System::nanoTime, options.datasetRoots(), new SharedMemoryArenas(options.sharedMemory(), materializers),
                options.closedRetention());
        localWorkers = new LocalWorkerProcesses(options, this::address, pool, loop);
        BatcherServer s = null;
        MetricsServer m = null;
        try {
            if (inProcess != null) {
                pool.join(new LocalWorker("manager", options.managerSlots(), inProcess, materializers, PooledByteBufAllocator.DEFAULT));
            }
            for (Map.Entry<String, BatcherSpec> b : new java.util.TreeMap<>(options.batchers()).entrySet()) {
                manager.create(b.getKey(), b.getValue());
            }
            s = BatcherServer.bind(group, options.bind(), options.wire(), options.token(), manager, blocking,
                    job -> materializers.get(job.dataset(), job.options()).layout(job.spec()), options.sharedMemory() != null);
            if (options.metricsPort() != null) {
                m = MetricsServer.bind(group, new InetSocketAddress(options.bind().getAddress(), options.metricsPort()), this::statuses);
            }
            ok = true;
        } finally {
            server = s;
            metrics = m;
            if (!ok) {
                close();
            }
        }
        for (int i = 0; i < options.localWorkers(); i++) {
            localWorkers.spawn();
        }
    }

    private static Thread daemonThread(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
    }

    /**
     * Starts a daemon.
     *
     * @param options its settings
     * @return the running daemon
     * @throws InterruptedException if interrupted while binding
     * @throws ServiceException if the shared-memory directory is not an existing writable directory
     * @throws dev.batcher.materializers.MaterializerException if a configured batcher's dataset or
     *     source is invalid
     */
    public static BatcherDaemon start(Options options) throws InterruptedException {
        return new BatcherDaemon(options);
    }

    /** Returns the daemon-wide budget of frames still arriving ({@code --memory-budget}). */
    public dev.batcher.client.protocol.MemoryBudget frameBudget() {
        return server.frameBudget();
    }

    /** Returns how many results of remote workers were rejected for shapes their job's spec does not imply. */
    public long rejectedResults() {
        return server.rejectedResults();
    }

    /** Returns where clients and workers connect. */
    public InetSocketAddress address() {
        return server.address();
    }

    /** Returns where Prometheus scrapes {@code /metrics}, or null if it is off. */
    public InetSocketAddress metricsAddress() {
        return metrics == null ? null : metrics.address();
    }

    /** Returns the manager. */
    public Manager manager() {
        return manager;
    }

    /** Returns the status of every batcher, sorted by name. */
    public CompletableFuture<List<BatcherStatus>> statuses() {
        List<CompletableFuture<BatcherStatus>> all = new ArrayList<>();
        for (ManagedBatcher b : manager.batchers()) {
            all.add(b.status());
        }
        return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                .thenApply(v -> all.stream().map(CompletableFuture::join).toList());
    }

    /**
     * Starts one more local worker process, which connects back to this daemon. If it exits while the
     * daemon runs, the daemon starts another in its place after the restart backoff ({@link
     * Options#workerRestart()}), counted in {@link WorkerPool#workerRestarts()}.
     *
     * @return the process
     * @throws ServiceException if the process cannot be started
     */
    public Process spawnWorker() {
        return localWorkers.spawn();
    }

    /** Returns the running local worker processes by name ({@code local-N}, the name in the pool before {@code #}). */
    public Map<String, Process> localWorkers() {
        return localWorkers.running();
    }

    /** Returns the local worker processes started so far and not yet seen to exit. */
    public List<Process> workerProcesses() {
        return localWorkers.started();
    }

    /** Stops every batcher, the local worker processes and the servers. */
    @Override
    public void close() {
        try {
            manager.close();
        } finally {
            if (localWorkers != null) {
                localWorkers.close();
            }
            if (server != null) {
                server.close();
            }
            if (metrics != null) {
                metrics.close();
            }
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            loop.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
            blocking.shutdownNow();
            if (inProcess != null) {
                inProcess.shutdownNow();
            }
            materializers.close();
        }
    }
}
