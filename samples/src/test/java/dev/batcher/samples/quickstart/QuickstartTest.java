package dev.batcher.samples.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The main job on tiny data: one worker process, a crash after step 15, a resume from step 10. */
@Timeout(300)
class QuickstartTest {
    @TempDir
    Path dir;

    @Test
    void run_tinyData_crashesResumesAndReportsHeldOutAccuracy() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Quickstart.Result r;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            r = Quickstart.run(new Quickstart.Options(dir, 3, 0.1, 30, 15, 10, 1, 1, 0, true), out);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(15, r.crashedAt());
        assertEquals(10, r.resumedFrom());
        assertEquals(30, r.result().steps());
        assertTrue(r.result().validEpochs() > 0, text);
        assertTrue(text.contains("!! simulated crash after step 15"), text);
        assertTrue(text.contains("resumed from"), text);
        assertTrue(text.contains("held-out accuracy"), text);
        assertTrue(Files.exists(dir.resolve("checkpoints").resolve("checkpoint.bin")));
        assertTrue(Files.readString(dir.resolve("workers.log")).contains("joined"), "the worker process ran");
    }
}
