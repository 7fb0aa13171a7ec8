package dev.batcher.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.BatcherClient;
import dev.batcher.client.BatcherSpec;
import dev.batcher.api.BatchState;
import dev.batcher.api.SourceConfig;
import dev.batcher.service.BatcherDaemon;
import dev.batcher.service.TestData;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line: help texts, peek with numpy output, status, and messages instead of stack traces. */
@Timeout(120)
class CommandLineTest {
    @TempDir
    Path tmp;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void help_everySubcommand_printsUsage() {
        for (String sub : new String[] {"index", "peek", "serve", "worker", "status"}) {
            Run r = run(sub, "--help");
            assertEquals(0, r.code(), sub);
            assertTrue(r.out().startsWith("Usage: batcher " + sub), r.out());
        }
        assertTrue(run("--help").out().contains("peek"));
    }

    @Test
    void peek_selectionARecordingLacks_failsListingTheRecording() {
        // rec-0000 has no O1: the selection is refused before any batch is drawn, whichever is drawn first.
        Run r = run("peek", TestData.dataset().toString(), "--batch-size", "1", "--seconds", "30", "--channels", "names:C3,O1",
                "--state", "seed=1,batch=0");
        assertEquals(2, r.code(), r.out() + r.err());
        assertTrue(r.err().contains("channels: names:C3,O1 does not fit 1 of 3 labeled signals"), r.err());
        assertTrue(r.err().contains("recording rec-0000 (rec-0000.h5, /signals/eeg): channel 'O1' not found"), r.err());
    }

    @Test
    void peek_randomBatch_printsShapesStatsLabelsAndWritesNpy() throws Exception {
        Run r = run("peek", TestData.dataset().toString(), "--batch-size", "4", "--seconds", "30", "--channels", "names:C3,C4",
                "--state", "seed=5,batch=2", "--npy", tmp.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("x        float32 [4, 2, 3840]"), r.out());
        assertTrue(r.out().contains("y        int32   [4, 1, 1]"), r.out());
        assertTrue(r.out().contains("C3 "), r.out());
        assertTrue(r.out().contains("next     seed=5,batch=3"), r.out());
        byte[] x = Files.readAllBytes(tmp.resolve("x.npy"));
        assertEquals((byte) 0x93, x[0]);
        assertEquals("NUMPY", new String(x, 1, 5, java.nio.charset.StandardCharsets.US_ASCII));
        int headerLength = ByteBuffer.wrap(x, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
        String header = new String(x, 10, headerLength, java.nio.charset.StandardCharsets.US_ASCII);
        assertTrue(header.contains("'descr': '<f4'") && header.contains("'shape': (4, 2, 3840)"), header);
        assertEquals(0, (10 + headerLength) % 64, "numpy aligns the data to 64 bytes");
        assertEquals(10 + headerLength + 4 * 2 * 3840 * 4, x.length);
    }

    @Test
    void peek_missingDataset_saysWhichFileWithoutAStackTrace() {
        Run r = run("peek", tmp.resolve("nope").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().startsWith("batcher peek: "), r.err());
        assertTrue(r.err().contains("nope"), r.err());
        assertTrue(!r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    @Test
    void serve_configFile_declaresBatchersAndBadConfigNamesTheField() throws Exception {
        Path config = tmp.resolve("batchers.json");
        Files.writeString(config, "{\"batchers\": {"
                + "\"train\": {\"dataset\": \"" + TestData.dataset() + "\", \"source\": {\"type\": \"random\", \"batchSize\": 8,"
                + " \"batchSeconds\": 30, \"channels\": \"fill:C3,C4\"}, \"options\": {\"normalize\": true}},"
                + "\"valid\": {\"dataset\": \"" + TestData.dataset() + "\", \"source\": {\"type\": \"sequential\", \"batchSize\": 16,"
                + " \"batchSeconds\": 30}, \"capacity\": 3}}}");
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--port", "0", "--config", config.toString(), "--local-workers", "2");
        BatcherDaemon.Options o = serve.options();
        assertEquals(java.util.Set.of("train", "valid"), o.batchers().keySet());
        assertEquals(new SourceConfig.Random(8, 30, null, "fill:C3,C4", null, null), o.batchers().get("train").source());
        assertTrue(o.batchers().get("train").options().normalize());
        assertEquals(3, o.batchers().get("valid").capacity());
        assertEquals(2, o.localWorkers());
        assertEquals(0, o.managerSlots(), "with local workers the daemon materialises nothing itself");
        try (BatcherDaemon d = BatcherDaemon.start(o.withLocalWorkers(0, 1).withManagerSlots(1).withMetricsPort(null))) {
            assertEquals(java.util.List.of("train", "valid"), d.manager().names());
        }
        Files.writeString(config, "{\"batcher\": {}}");
        ServeCommand bad = new ServeCommand();
        new CommandLine(bad).parseArgs("--config", config.toString());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, bad::options);
        assertTrue(e.getMessage().contains("batchers: ") && e.getMessage().contains("expected: an object of batcher specs by name"),
                e.getMessage());
    }

    @Test
    void sourceJsonAndConfig_badValues_reportFieldValueAndExpectationWithoutParserInternals() throws Exception {
        Path source = tmp.resolve("source.json");
        Files.writeString(source, "{\"type\": \"random\", \"batchSize\": \"eight\", \"batchSeconds\": 30}");
        Run r = run("peek", TestData.dataset().toString(), "--source-json", source.toString());
        assertEquals(2, r.code(), r.out());
        assertEquals("batcher peek: " + source + ": batchSize: \"eight\" (expected: an integer)", r.err().strip());
        Files.writeString(source, "{\"type\": \"random\",\n \"batchSize\": 8,, \"batchSeconds\": 30}");
        r = run("peek", TestData.dataset().toString(), "--source-json", source.toString());
        assertTrue(r.err().startsWith("batcher peek: " + source + ": json: malformed at line 2, column 17 (expected: well-formed JSON: "),
                r.err());

        Path config = tmp.resolve("batchers.json");
        Files.writeString(config, "{\"batchers\": {\"train\": {\"dataset\": \"/d\", \"source\": {\"type\": \"random\","
                + " \"batchSize\": 8, \"batchSeconds\": 30}, \"capasity\": 3}}}");
        ServeCommand serve = new ServeCommand();
        new CommandLine(serve).parseArgs("--config", config.toString());
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, serve::options);
        assertEquals("--config " + config + ": batchers.train.capasity: 3 (expected: one of the fields dataset, source, options,"
                + " capacity, retries)", e.getMessage());
        for (String msg : new String[] {r.err(), e.getMessage()}) {
            assertTrue(!msg.contains("Source") && !msg.contains("REDACTED") && !msg.contains("dev.batcher."), msg);
        }
    }

    @Test
    void status_runningDaemon_tableAndJson() throws Exception {
        BatcherDaemon.Options o = BatcherDaemon.Options.defaults()
                .withBind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withManagerSlots(1);
        try (BatcherDaemon d = BatcherDaemon.start(o); BatcherClient c = BatcherClient.connect(d.address())) {
            var h = c.batcher("train");
            h.create(BatcherSpec.of(TestData.dataset().toString(), new SourceConfig.Random(2, 30, null, "fill:C3,C4", null, null)));
            h.start(BatchState.initial(4));
            ((dev.batcher.api.Taken.Next) h.take(BatchState.initial(4))).batch().close();
            String manager = "127.0.0.1:" + d.address().getPort();
            Run table = run("status", "--manager", manager);
            assertEquals(0, table.code(), table.err());
            assertTrue(table.out().startsWith("BATCHER"), table.out());
            assertTrue(table.out().contains("train") && table.out().contains("RUNNING") && table.out().contains("seed=4,batch=1"),
                    table.out());
            Run json = run("status", "--manager", manager, "--json");
            assertEquals(0, json.code(), json.err());
            assertTrue(json.out().contains("\"status\" : \"RUNNING\""), json.out());
            assertTrue(json.out().contains("\"taken\" : 1"), json.out());
            h.stop();
        }
    }
}
