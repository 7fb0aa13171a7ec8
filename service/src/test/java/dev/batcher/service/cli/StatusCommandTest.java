package dev.batcher.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherSpec;
import dev.batcher.api.SourceConfig;
import dev.batcher.service.BatcherDaemon;
import dev.batcher.service.TestData;
import java.io.BufferedWriter;
import java.io.ByteArrayOutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import dev.batcher.client.BatcherStatus;
import dev.batcher.client.Failure;
import dev.batcher.client.Status;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code bin/batcher status}: the table and the JSON reach standard output, as docs/operations.md shows them. */
@Timeout(60)
class StatusCommandTest {

    /** Runs the command with a buffered standard output, like picocli's default, and returns what reached it. */
    static String run(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        // Deliberately not flushed here: what the command does not flush is lost, as at the JVM's exit.
        PrintWriter out = new PrintWriter(new BufferedWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8)));
        int status = Main.commandLine().setOut(out).execute(args);
        assertEquals(0, status, String.join(" ", args));
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void status_tableAndJson_printed() throws Exception {
        try (BatcherDaemon d = BatcherDaemon.start(BatcherDaemon.Options.defaults()
                        .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withManagerSlots(1));
                BatcherClient c = BatcherClient.connect(d.address())) {
            c.batcher("train").create(BatcherSpec.of(TestData.dataset().toString(),
                    new SourceConfig.Random(2, 30, null, null, null, null)));
            String manager = "127.0.0.1:" + d.address().getPort();

            String table = run("status", "--manager", manager);
            assertTrue(table.startsWith("BATCHER STATUS  STATE TAKEN"), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("train   STOPPED -")), table);

            String json = run("status", "--manager", manager, "--json");
            assertTrue(json.contains("\"name\" : \"train\""), json);
            assertTrue(json.contains("\"status\" : \"STOPPED\""), json);
        }
    }

    private static BatcherStatus status(String name, Status status, String state, long taken, Failure failure) {
        return new BatcherStatus(name, status, failure, state, taken, taken, 2, 2, 5, 0, 0, 0, 2, 2, false, 126.0, 8.5,
                0, 0, 0, 0, 0, 0);
    }

    @Test
    void table_longNamesAndStates_columnsAligned() {
        String table = StatusCommand.table(List.of(
                status("sleep-cnn-0-of-2", Status.RUNNING, "seed=123456789,batch=1104", 1504, null),
                status("v", Status.CLOSED, null, 1, null),
                status("sleep-cnn-1-of-2-with-a-much-longer-name", Status.FAILED, "seed=1,batch=12345678901", 12,
                        new Failure("dev.batcher.materializers.iteration.IterationException", "batchDuration: 45.0 s",
                                "at x", "manager", "seed=1,batch=3", "recording r1", 5))));
        List<String> lines = table.lines().toList();
        List<String> rows = lines.subList(0, 4);
        // Every column ends (figures) or starts (name, status, state) at the same offset on every row.
        for (String header : List.of("STATUS", "STATE")) {
            int at = rows.get(0).indexOf(header);
            for (String row : rows) {
                assertEquals(' ', row.charAt(at - 1), row);
                assertTrue(row.charAt(at) != ' ', row);
            }
        }
        for (String header : List.of("TAKEN", "BATCHES/S", "HEDGED")) {
            int end = rows.get(0).indexOf(header) + header.length();
            for (String row : rows) {
                assertTrue(row.charAt(end - 1) != ' ' && (row.length() == end || row.charAt(end) == ' '), header + ": " + row);
            }
        }
        assertTrue(rows.get(1).startsWith("sleep-cnn-0-of-2                         RUNNING seed=123456789,batch=1104  1504"),
                rows.get(1));
        assertTrue(rows.get(2).startsWith("v                                        CLOSED  -                             1"),
                rows.get(2));
        String failed = lines.stream().filter(l -> l.contains("FAILED:")).findFirst().orElseThrow();
        assertEquals("sleep-cnn-1-of-2-with-a-much-longer-name FAILED: batchDuration: 45.0 s [code=failed, worker=manager, "
                + "state=seed=1,batch=3, batch=recording r1, attempts=5]", failed);
        assertTrue(!table.contains("IterationException"), table);
    }
}
