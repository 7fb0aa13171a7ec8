package dev.batcher.service.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.batcher.client.BatcherJson;
import dev.batcher.client.BatcherSpec;
import dev.batcher.client.InvalidJsonException;
import dev.batcher.service.BatcherDaemon;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import dev.batcher.client.TokenFile;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code batcher serve}: run the daemon until it is stopped (SIGTERM or Ctrl-C). */
@Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Run the batcher daemon: named batchers, a worker pool, and the port clients and workers connect to.",
                "With --local-workers it starts worker processes itself; with none, it materialises batches itself."})
final class ServeCommand implements Callable<Integer> {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ServeCommand.class);
    @Option(names = "--port", defaultValue = "7070", description = "Port for clients and workers (default: ${DEFAULT-VALUE}; 0: any free port).")
    int port;

    @Option(names = "--bind", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}; use 0.0.0.0 for remote workers, with a token).")
    String bind;

    @Option(names = "--local-workers", defaultValue = "0", description = "Worker processes to start and stop with the daemon (default: ${DEFAULT-VALUE}).")
    int localWorkers;

    @Option(names = "--worker-slots", defaultValue = "1", description = "Jobs each local worker runs at once (default: ${DEFAULT-VALUE}).")
    int workerSlots;

    @Option(names = "--manager-slots", paramLabel = "N",
            description = "Jobs the daemon materialises itself (default: one per core without local workers, else 0).")
    Integer managerSlots;

    @Option(names = "--dataset-root", paramLabel = "DIR|S3",
            description = "Only serve datasets under this directory or s3://bucket/prefix (repeatable).")
    List<String> datasetRoots = List.of();

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Port of the Prometheus endpoint GET /metrics (default: --port + 1; -1: off).")
    Integer metricsPort;

    @Option(names = "--config", paramLabel = "FILE",
            description = "A JSON file declaring batchers: {\"batchers\": {\"train\": {\"dataset\": ..., \"source\": {...}}}}.")
    Path config;

    @Option(names = "--shm-dir", paramLabel = "DIR",
            description = "Runtime directory of the shared-memory arenas that carry batches to workers and clients on this host"
                    + " (default: /dev/shm, else the temp directory); it must exist.")
    Path shmDir;

    @Option(names = "--no-shm", description = "Send every batch over TCP, even to workers and clients on this host.")
    boolean noShm;

    @Option(names = "--memory-budget", paramLabel = "MIB", defaultValue = "512",
            description = "MiB the daemon may hold, over all connections, for large frames still arriving; a frame beyond it"
                    + " is refused and its connection closed (default: ${DEFAULT-VALUE}).")
    long memoryBudgetMib;

    @Option(names = "--client-max-frame", paramLabel = "MIB", defaultValue = "4",
            description = "The longest frame, in MiB, the daemon accepts from a client, and from a worker in any message but"
                    + " a job's result; a longer one is refused as its length arrives (default: ${DEFAULT-VALUE}).")
    int clientMaxFrameMib;

    @Option(names = "--closed-retention", paramLabel = "SECONDS", defaultValue = "600",
            description = "Seconds a batcher stopped by a client (CLOSED) stays listed after its stop; then it leaves the"
                    + " daemon, and a client creates it again before starting it (default: ${DEFAULT-VALUE}).")
    long closedRetentionSeconds;

    @Mixin
    TokenOptions token;

    @Option(names = "--no-token", description = "Require no token (any local process may then use the daemon). Without"
            + " this flag and without --token-file or BATCHER_TOKEN, the daemon generates a token and writes it owner-only"
            + " to $XDG_RUNTIME_DIR/batcher/daemon-<port>.token (else ~/.batcher/), where this user's clients find it.")
    boolean noToken;

    @picocli.CommandLine.Mixin
    CacheOptions cache;

    @Mixin
    WarmupOptions warmup;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        cache.apply();
        PrintWriter out = new PrintWriter(spec.commandLine().getOut(), true);
        BatcherDaemon.Options o = options();
        warmup.apply(o.managerSlots() > 0);
        String generated = null;
        Path tokenDir = TokenFile.directory();
        Path tokenFile = null;
        boolean wroteEarly = false;
        if (o.token() == null) {
            if (noToken) {
                log.warn("--no-token: the daemon requires no token; any process that can reach {} may use it", o.bind());
            } else if (port != 0) {
                // A daemon that died on this port (killed: it could not delete its file) left its token: reuse it, so
                // its clients and workers stay authorised. Written before listening, so no client that connects
                // finds the file missing or stale.
                generated = TokenFile.reuse(tokenDir, port);
                if (generated != null) {
                    tokenFile = TokenFile.path(tokenDir, port);
                    log.info("reusing the token in {} (left by an earlier daemon on port {})", tokenFile, port);
                } else {
                    generated = TokenFile.generate();
                    tokenFile = TokenFile.write(tokenDir, port, generated);
                    wroteEarly = true;
                }
                o = o.withToken(generated);
            } else {
                generated = TokenFile.generate();
                o = o.withToken(generated);
            }
        }
        BatcherDaemon daemon;
        try {
            daemon = BatcherDaemon.start(o);
        } catch (RuntimeException | Error e) {
            if (wroteEarly) {
                TokenFile.delete(tokenDir, port, generated); // ours alone: nobody could connect yet
            }
            throw e;
        }
        int boundPort = daemon.address().getPort();
        if (generated != null && tokenFile == null) {
            try {
                tokenFile = TokenFile.write(tokenDir, boundPort, generated);
            } catch (java.io.UncheckedIOException e) {
                daemon.close();
                throw e;
            }
        }
        String written = generated;
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            daemon.close();
            if (written != null) {
                TokenFile.delete(tokenDir, boundPort, written);
            }
            stopped.countDown();
        }, "batcher-shutdown"));
        out.printf("batcher daemon listening on %s:%d (%s)%n", daemon.address().getHostString(), daemon.address().getPort(),
                tokenFile != null ? "token in " + tokenFile : o.token() == null ? "no token" : "token required");
        if (daemon.metricsAddress() != null) {
            out.printf("metrics at http://%s:%d/metrics%n", daemon.metricsAddress().getHostString(), daemon.metricsAddress().getPort());
        }
        out.printf("batchers: %s; local worker processes: %d; daemon materialises on %d threads%n", daemon.manager().names(),
                o.localWorkers(), o.managerSlots());
        stopped.await();
        return 0;
    }

    BatcherDaemon.Options options() throws Exception {
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getByName(bind), port))
                .withToken(token.token())
                .withLocalWorkers(localWorkers, workerSlots)
                .withDatasetRoots(datasetRoots)
                .withMetricsPort(metricsPort == null ? (port == 0 ? Integer.valueOf(0) : Integer.valueOf(port + 1))
                        : metricsPort < 0 ? null : metricsPort);
        if (managerSlots != null) {
            o = o.withManagerSlots(managerSlots);
        }
        if (memoryBudgetMib < 1) {
            throw new IllegalArgumentException("--memory-budget: " + memoryBudgetMib + " (expected: >= 1 MiB)");
        }
        o = o.withWire(o.wire().withMemoryBudget(memoryBudgetMib << 20));
        if (closedRetentionSeconds < 0) {
            throw new IllegalArgumentException("--closed-retention: " + closedRetentionSeconds + " (expected: >= 0 seconds)");
        }
        o = o.withClosedRetention(java.time.Duration.ofSeconds(closedRetentionSeconds));
        if (clientMaxFrameMib < 1 || clientMaxFrameMib > o.wire().maxFrameLength() >> 20) {
            throw new IllegalArgumentException("--client-max-frame: " + clientMaxFrameMib + " (expected: in [1, "
                    + (o.wire().maxFrameLength() >> 20) + "] MiB, the maximum frame length)");
        }
        o = o.withWire(o.wire().withClientMaxFrameLength(clientMaxFrameMib << 20));
        if (noShm) {
            o = o.withSharedMemory(null);
        } else if (shmDir != null) {
            o = o.withSharedMemory(shmDir);
        }
        if (config != null) {
            JsonNode root;
            try {
                root = BatcherJson.readTree(config);
            } catch (InvalidJsonException e) {
                throw e.in("--config " + config);
            }
            JsonNode batchers = root.path("batchers");
            if (!batchers.isObject()) {
                throw new IllegalArgumentException("--config " + config + ": batchers: " + batchers
                        + " (expected: an object of batcher specs by name)");
            }
            Map<String, BatcherSpec> specs = new java.util.LinkedHashMap<>();
            for (var e : batchers.properties()) {
                try {
                    specs.put(e.getKey(), BatcherJson.fromTreeStrict(e.getValue(), BatcherSpec.class));
                } catch (InvalidJsonException bad) {
                    throw bad.under("batchers." + e.getKey()).in("--config " + config);
                }
            }
            o = o.withBatchers(specs);
        }
        return o;
    }
}
