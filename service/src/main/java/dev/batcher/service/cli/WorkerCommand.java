package dev.batcher.service.cli;

import dev.batcher.service.worker.Rejoin;
import dev.batcher.service.worker.WorkerNode;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code batcher worker}: a worker process that joins a daemon's pool. */
@Command(name = "worker", mixinStandardHelpOptions = true,
        description = {"Connect to a batcher daemon, announce --slots and materialise the batches it sends.",
                "When its connection closes it rejoins under the same name, with backoff, for --rejoin-for seconds;",
                "then it exits with status 3 (run it under a process manager to start it again)."})
final class WorkerCommand implements Callable<Integer> {
    @Option(names = "--manager", required = true, paramLabel = "HOST:PORT", converter = HostPort.class,
            description = "The daemon's address.")
    InetSocketAddress manager;

    @Option(names = "--slots", paramLabel = "S", description = "Jobs to run at once (default: the number of cores).")
    Integer slots;

    @Option(names = "--name", paramLabel = "NAME", description = "The worker's name in status and errors (default: host-pid).")
    String name;

    @Option(names = "--dataset-root", paramLabel = "DIR|S3",
            description = "Only read datasets under this directory or s3://bucket/prefix (repeatable).")
    List<String> datasetRoots = List.of();

    @Option(names = "--connect-timeout", defaultValue = "30", description = "Seconds to wait for the daemon (default: ${DEFAULT-VALUE}).")
    int connectTimeout;

    @Option(names = "--rejoin-for", defaultValue = "300", paramLabel = "SECONDS",
            description = "After a lost connection, how long to keep trying to rejoin, waiting 0.25 s, then twice as long"
                    + " each time up to 5 s (default: ${DEFAULT-VALUE}; 0: exit with status 3 at once).")
    int rejoinFor;

    @Mixin
    TokenOptions token;

    @picocli.CommandLine.Mixin
    CacheOptions cache;

    @Mixin
    WarmupOptions warmup;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        cache.apply();
        warmup.apply(true);
        PrintWriter out = new PrintWriter(spec.commandLine().getOut(), true);
        InetSocketAddress address = manager;
        String n = name != null ? name : java.net.InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        int s = slots != null ? slots : Runtime.getRuntime().availableProcessors();
        if (System.getProperty(dev.batcher.materializers.storage.Storage.CACHE_DIR_PROPERTY) == null
                && System.getenv("BATCHER_CACHE_DIR") == null) {
            // Keyed by the worker's name, not its process: a worker restarted under the same --name finds its cache.
            System.setProperty(dev.batcher.materializers.storage.Storage.CACHE_DIR_PROPERTY, java.nio.file.Path.of(
                    System.getProperty("java.io.tmpdir"), "batcher-cache-" + n.replaceAll("[^A-Za-z0-9._-]", "_")).toString());
        }
        if (rejoinFor < 0) {
            throw new IllegalArgumentException("--rejoin-for: " + rejoinFor + " (expected: >= 0 seconds)");
        }
        // The token is read again at every connection: a restarted daemon may have a new one.
        java.util.concurrent.Callable<WorkerNode.Options> options =
                () -> new WorkerNode.Options(address, token.token(), n, s, datasetRoots, null);
        WorkerNode node = WorkerNode.connect(options.call(), connectTimeout * 1000L);
        out.printf("worker %s joined %s:%d with %d slots%n", n, manager.getHostString(), manager.getPort(), s);
        // SIGTERM (a process manager stopping the worker, or the daemon stopping its own) says goodbye.
        Rejoin.Session session = new Rejoin.Session();
        Thread hook = new Thread(session::stop, "batcher-worker-shutdown");
        Runtime.getRuntime().addShutdownHook(hook);
        Rejoin.Outcome outcome = Rejoin.within(java.time.Duration.ofSeconds(rejoinFor))
                .run(node, options, connectTimeout * 1000L, session);
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // SIGTERM raced the closed connection: the hook is running; stopping is idempotent.
        }
        if (outcome == Rejoin.Outcome.STOPPED) {
            return 0;
        }
        out.printf("worker %s: the connection to %s:%d closed%s%n", n, manager.getHostString(), manager.getPort(),
                rejoinFor > 0 ? " and it could not rejoin within " + rejoinFor + " s" : "");
        return 3;
    }
}
