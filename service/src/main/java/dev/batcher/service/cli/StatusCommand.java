package dev.batcher.service.cli;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherJson;
import dev.batcher.client.BatcherStatus;
import dev.batcher.client.ClientOptions;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code batcher status}: the daemon's batchers as a table or JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every batcher of a daemon: status, state, batches taken, buffered and in flight, retries, "
                + "restarts, workers, batches/s, the time clients waited in take and local worker processes restarted.")
final class StatusCommand implements Callable<Integer> {
    @Option(names = "--manager", defaultValue = "127.0.0.1:7070", paramLabel = "HOST:PORT", converter = HostPort.class,
            description = "The daemon's address (default: ${DEFAULT-VALUE}).")
    InetSocketAddress manager;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    @Mixin
    TokenOptions token;

    @Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = new PrintWriter(spec.commandLine().getOut(), true);
        try (BatcherClient client = BatcherClient.connect(manager, ClientOptions.defaults().withToken(token.token()))) {
            List<BatcherStatus> all = client.list();
            if (json) {
                out.println(BatcherJson.mapper().writerWithDefaultPrettyPrinter().writeValueAsString(all));
            } else {
                out.print(table(all));
                out.flush(); // print does not flush, and picocli's writer buffers: without this the table never appears
            }
            return all.stream().anyMatch(s -> s.failure() != null) ? 1 : 0;
        }
    }

    static String table(List<BatcherStatus> all) {
        StringBuilder s = new StringBuilder();
        String format = "%-12s %-8s %-26s %8s %8s %9s %7s %8s %7s %5s %9s %10s %10s %9s %8s %9s %6s%n";
        s.append(String.format(format, "BATCHER", "STATUS", "STATE", "TAKEN", "BUFFERED", "IN-FLIGHT", "RETRIES", "RESTARTS",
                "WORKERS", "SLOTS", "BATCHES/S", "TAKE-WAIT", "W-RESTARTS", "OBJ-REQ/S", "OBJ-MB", "HIT-RATIO", "HEDGED"));
        for (BatcherStatus b : all) {
            s.append(String.format(format, b.name(), b.status(), b.state() == null ? "-" : b.state(), b.taken(), b.buffered(),
                    b.inFlight(), b.retries(), b.restarts(), b.workers() + (b.waitingForWorkers() ? "!" : ""), b.slots(),
                    String.format("%.1f", b.batchesPerSecond()), String.format("%.1fs", b.takeWaitSeconds()), b.workerRestarts(),
                    String.format("%.1f", b.objectRequestsPerSecond()), String.format("%.1f", b.objectBytesFetched() / 1e6),
                    String.format("%.2f", b.cacheHitRatio()), b.hedged()));
        }
        for (BatcherStatus b : all) {
            if (b.failure() != null) {
                s.append(String.format("%n%s FAILED: %s%n", b.name(), b.failure().describe()));
            }
            if (b.waitingForWorkers()) {
                s.append(String.format("%n%s is waiting for workers: start one with bin/batcher worker --manager HOST:PORT%n", b.name()));
            }
        }
        return s.toString();
    }
}
