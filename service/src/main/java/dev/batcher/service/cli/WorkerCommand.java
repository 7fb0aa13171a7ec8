package dev.batcher.service.cli;

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
                "Exits with status 3 when the connection to the daemon closes; run it under a process manager to rejoin."})
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

    @Mixin
    TokenOptions token;

    @picocli.CommandLine.Mixin
    CacheOptions cache;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        cache.apply();
        PrintWriter out = new PrintWriter(spec.commandLine().getOut(), true);
        InetSocketAddress address = manager;
        String n = name != null ? name : java.net.InetAddress.getLocalHost().getHostName() + "-" + ProcessHandle.current().pid();
        int s = slots != null ? slots : Runtime.getRuntime().availableProcessors();
        try (WorkerNode node = WorkerNode.connect(new WorkerNode.Options(address, token.token(), n, s, datasetRoots, null),
                connectTimeout * 1000L)) {
            out.printf("worker %s joined %s:%d with %d slots%n", n, manager.getHostString(), manager.getPort(), s);
            // SIGTERM (a process manager stopping the worker, or the daemon stopping its own) says goodbye.
            Thread hook = new Thread(node::close, "batcher-worker-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            node.closeFuture().join();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException shuttingDown) {
                // SIGTERM raced the closed connection: the hook is running; the node's close is idempotent.
            }
            out.printf("worker %s: the connection to %s:%d closed%n", n, manager.getHostString(), manager.getPort());
            return 3;
        }
    }
}
