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
            assertTrue(table.startsWith("BATCHER      STATUS   STATE"), table);
            assertTrue(table.lines().anyMatch(l -> l.startsWith("train        STOPPED")), table);

            String json = run("status", "--manager", manager, "--json");
            assertTrue(json.contains("\"name\" : \"train\""), json);
            assertTrue(json.contains("\"status\" : \"STOPPED\""), json);
        }
    }
}
