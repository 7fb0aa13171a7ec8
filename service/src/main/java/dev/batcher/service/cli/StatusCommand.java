package dev.batcher.service.cli;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherJson;
import dev.batcher.client.BatcherStatus;
import dev.batcher.client.ClientOptions;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code batcher status}: the daemon's batchers as a table or JSON. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show every batcher of a daemon: status, state, batches taken, buffered and in flight, retries, "
                + "restarts, workers, batches/s, the time clients waited in take and local worker processes restarted. Columns"
                + " are as wide as their widest cell. A batcher stopped by a client (CLOSED) is listed until serve's"
                + " --closed-retention (10 minutes by default) has passed since its stop.")
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

    /** The columns; the first three (name, status, state) are left-aligned, the figures right-aligned. */
    private static final List<String> HEADERS = List.of("BATCHER", "STATUS", "STATE", "TAKEN", "BUFFERED", "IN-FLIGHT",
            "RETRIES", "RESTARTS", "WORKERS", "SLOTS", "BATCHES/S", "TAKE-WAIT", "W-RESTARTS", "OBJ-REQ/S", "OBJ-MB",
            "HIT-RATIO", "HEDGED");
    private static final int LEFT_ALIGNED = 3;

    /**
     * Returns the table: each column as wide as its widest cell (header included), one space apart, so
     * long names such as {@code sleep-cnn-0-of-2} and long states keep the columns aligned.
     */
    static String table(List<BatcherStatus> all) {
        List<List<String>> rows = new ArrayList<>();
        rows.add(HEADERS);
        for (BatcherStatus b : all) {
            rows.add(List.of(b.name(), String.valueOf(b.status()), b.state() == null ? "-" : b.state(),
                    Long.toString(b.taken()), Integer.toString(b.buffered()), Integer.toString(b.inFlight()),
                    Long.toString(b.retries()), Long.toString(b.restarts()), b.workers() + (b.waitingForWorkers() ? "!" : ""),
                    Integer.toString(b.slots()), String.format(Locale.ROOT, "%.1f", b.batchesPerSecond()),
                    String.format(Locale.ROOT, "%.1fs", b.takeWaitSeconds()), Long.toString(b.workerRestarts()),
                    String.format(Locale.ROOT, "%.1f", b.objectRequestsPerSecond()),
                    String.format(Locale.ROOT, "%.1f", b.objectBytesFetched() / 1e6),
                    String.format(Locale.ROOT, "%.2f", b.cacheHitRatio()), Long.toString(b.hedged())));
        }
        int[] widths = new int[HEADERS.size()];
        for (List<String> row : rows) {
            for (int i = 0; i < widths.length; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder s = new StringBuilder();
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < widths.length; i++) {
                if (i > 0) {
                    line.append(' ');
                }
                String cell = row.get(i);
                String pad = " ".repeat(widths[i] - cell.length());
                line.append(i < LEFT_ALIGNED ? cell + pad : pad + cell);
            }
            s.append(line.toString().stripTrailing()).append(System.lineSeparator());
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
