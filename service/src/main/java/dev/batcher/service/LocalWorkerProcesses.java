package dev.batcher.service;

import dev.batcher.materializers.storage.Storage;
import dev.batcher.service.pool.WorkerPool;
import io.netty.util.concurrent.EventExecutor;
import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker processes a daemon starts on its own host ({@code --local-workers}): starts each as
 * {@code batcher worker} in a JVM of its own that connects back to the daemon, has the pool watch
 * it, starts another in place of one that exits (after {@link BatcherDaemon.Options#workerRestart()}'s
 * backoff, longer for each quick exit in a row), and stops them all when the daemon closes.
 */
final class LocalWorkerProcesses {
    private static final Logger log = LoggerFactory.getLogger(LocalWorkerProcesses.class);

    private final BatcherDaemon.Options options;
    private final Supplier<InetSocketAddress> daemon;
    private final WorkerPool pool;
    private final EventExecutor loop;
    private final List<Process> started = new ArrayList<>();
    private final Map<String, Process> running = new LinkedHashMap<>();
    private final AtomicInteger names = new AtomicInteger();
    /** Quick exits in a row, which pick the restart backoff. */
    private int quickExits;
    private boolean closing;

    /**
     * @param options the daemon's settings (worker slots, JVM arguments, dataset roots, token, log, restart backoff)
     * @param daemon where the workers connect, asked for when each starts
     * @param pool the pool that watches each process and counts restarts
     * @param loop schedules restarts
     */
    LocalWorkerProcesses(BatcherDaemon.Options options, Supplier<InetSocketAddress> daemon, WorkerPool pool, EventExecutor loop) {
        this.options = options;
        this.daemon = daemon;
        this.pool = pool;
        this.loop = loop;
    }

    /**
     * Starts one more worker process.
     *
     * @return the process
     * @throws ServiceException if the process cannot be started
     */
    synchronized Process spawn() {
        String name = "local-" + names.incrementAndGet();
        List<String> cmd = command(name);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (options.token() != null) {
            pb.environment().put("BATCHER_TOKEN", options.token());
        }
        if (options.workerLog() != null) {
            File file = options.workerLog().toFile();
            pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(file));
        } else {
            pb.inheritIO();
        }
        Process p;
        try {
            p = pb.start();
        } catch (java.io.IOException e) {
            throw new ServiceException("starting a local worker process failed: " + String.join(" ", cmd) + ": " + e, e);
        }
        started.add(p);
        running.put(name, p);
        pool.superviseProcess(name, p.onExit());
        log.info("started local worker process {} (pid {})", name, p.pid());
        long at = System.nanoTime();
        p.onExit().thenRun(() -> exited(name, p, at));
        return p;
    }

    private List<String> command(String name) {
        InetSocketAddress a = daemon.get();
        String host = a.getAddress().isAnyLocalAddress() ? "127.0.0.1" : a.getAddress().getHostAddress();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(options.workerJvmArgs());
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add("dev.batcher.service.cli.Main");
        cmd.add("worker");
        cmd.add("--manager=" + host + ":" + a.getPort());
        cmd.add("--slots=" + options.workerSlots());
        cmd.add("--name=" + name);
        // The daemon replaces a local worker that exits; one that rejoined a later daemon on the port would
        // collide with that daemon's own local-N.
        cmd.add("--rejoin-for=0");
        for (String root : options.datasetRoots()) {
            cmd.add("--dataset-root=" + root);
        }
        // Each local worker gets its own object-storage file cache, sized as the daemon's.
        String cacheDir = System.getProperty(Storage.CACHE_DIR_PROPERTY);
        // Never a worker's default (keyed by its name): two daemons on one host both have a local-1.
        cmd.add("--cache-dir=" + (cacheDir != null ? Path.of(cacheDir, name)
                : Path.of(System.getProperty("java.io.tmpdir"), "batcher-cache-" + ProcessHandle.current().pid(), name)));
        // A fresh worker JVM runs the kernels interpreted until the JIT compiles them: it warms up as serve says (none unset).
        cmd.add("--warm-up-ms=" + Long.getLong(dev.batcher.materializers.kernels.Warmup.BUDGET_PROPERTY, 0));
        String cacheBytes = System.getProperty(Storage.CACHE_BYTES_PROPERTY);
        if (cacheBytes != null) {
            cmd.add("--cache-bytes=" + cacheBytes);
        }
        return cmd;
    }

    private void exited(String name, Process p, long startedAt) {
        long delay;
        synchronized (this) {
            started.remove(p);
            running.values().remove(p);
            if (closing || options.workerRestart() == null) {
                return;
            }
            // A worker that ran a while is restarted quickly; one that keeps dying waits longer each time.
            quickExits = System.nanoTime() - startedAt > TimeUnit.MINUTES.toNanos(1) ? 1 : quickExits + 1;
            delay = options.workerRestart().delayNanos(quickExits);
        }
        log.warn("local worker process {} (pid {}) exited with status {}; starting another in {} ms", name, p.pid(),
                p.exitValue(), delay / 1_000_000);
        scheduleRestart(delay);
    }

    private void scheduleRestart(long delayNanos) {
        try {
            loop.schedule(this::restart, delayNanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            // The daemon is closing.
        }
    }

    private void restart() {
        synchronized (this) {
            if (closing) {
                return;
            }
        }
        pool.workerRestarted();
        try {
            spawn();
        } catch (ServiceException e) {
            long delay;
            synchronized (this) {
                delay = options.workerRestart().delayNanos(++quickExits);
            }
            log.warn("restarting a local worker failed, trying again in {} ms: {}", delay / 1_000_000, e.getMessage());
            scheduleRestart(delay);
        }
    }

    /** Returns the running processes by name ({@code local-N}). */
    synchronized Map<String, Process> running() {
        return Map.copyOf(running);
    }

    /** Returns the processes started and not yet seen to exit. */
    synchronized List<Process> started() {
        return List.copyOf(started);
    }

    /** Stops restarting, asks every process to stop and kills those still running after 5 s. */
    void close() {
        List<Process> all;
        synchronized (this) {
            closing = true;
            all = List.copyOf(started);
        }
        for (Process p : all) {
            p.destroy();
        }
        for (Process p : all) {
            try {
                if (!p.waitFor(5, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
            }
        }
    }
}
