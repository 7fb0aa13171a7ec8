package dev.batcher.service.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code generate}, which the samples module adds to the command line (it needs the test-data
 * module's generator), run through the same {@link Main#commandLine()} as {@code bin/batcher}.
 */
@Timeout(120)
class GenerateCommandTest {
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
    void generate_table_isWrittenWithThePermissionsOfTheRecordings() throws Exception {
        Path dir = tmp.resolve("gen");
        Run r = run("generate", dir.toString(), "--recordings", "2", "--min-hours", "0.05", "--max-hours", "0.05",
                "--sample-rate", "64", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        Path table = dir.resolve("labeled_signals.csv");
        Path recording;
        try (var files = Files.list(dir)) {
            recording = files.filter(p -> p.toString().endsWith(".h5")).findFirst().orElseThrow();
        }
        // Not owner-only (0600) whatever the umask: a daemon running as another user must read both.
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(recording)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(table)));
        Run again = run("index", dir.toString());
        assertEquals(0, again.code(), again.err());
        assertEquals(PosixFilePermissions.toString(Files.getPosixFilePermissions(recording)),
                PosixFilePermissions.toString(Files.getPosixFilePermissions(table)));
    }
}
