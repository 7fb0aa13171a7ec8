package dev.batcher.service.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.batcher.client.TokenFile;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code serve} without a token generates one into the user's runtime directory, where {@code status}
 * of the same user finds it; another user (here: another runtime directory) is refused; stopping the
 * daemon deletes the file; {@code --no-token} opts out. Real processes, each with its own
 * {@code XDG_RUNTIME_DIR}.
 */
@Timeout(120)
class ServeTokenTest {
    private static final Pattern LISTENING = Pattern.compile("listening on 127\\.0\\.0\\.1:(\\d+) \\((.*)\\)");

    @TempDir
    Path tmp;

    private ProcessBuilder batcher(Path runtime, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), "dev.batcher.service.cli.Main"));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().remove("BATCHER_TOKEN");
        return pb;
    }

    /** Starts serve and returns its process and the matcher of its listening line. */
    private Object[] serve(Path runtime, String... extra) throws Exception {
        List<String> args = new ArrayList<>(List.of("serve", "--port", "0", "--metrics-port", "-1", "--manager-slots", "0"));
        args.addAll(List.of(extra));
        Process p = batcher(runtime, args.toArray(String[]::new)).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        String line;
        while ((line = out.readLine()) != null) {
            seen.append(line).append('\n');
            Matcher m = LISTENING.matcher(line);
            if (m.find()) {
                Thread drain = new Thread(() -> out.lines().forEach(l -> { }));
                drain.setDaemon(true);
                drain.start();
                return new Object[] {p, m, seen};
            }
        }
        throw new AssertionError("serve exited without listening:\n" + seen);
    }

    private int status(Path runtime, int port) throws Exception {
        Process p = batcher(runtime, "status", "--manager", "127.0.0.1:" + port).start();
        p.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return p.exitValue();
    }

    @Test
    void serve_noTokenConfigured_generatesOwnerOnlyFileThatStatusFinds() throws Exception {
        Path mine = Files.createDirectory(tmp.resolve("mine"));
        Object[] s = serve(mine);
        Process daemon = (Process) s[0];
        Matcher m = (Matcher) s[1];
        try {
            int port = Integer.parseInt(m.group(1));
            Path file = TokenFile.path(mine.resolve("batcher"), port);
            assertEquals("token in " + file, m.group(2));
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));

            assertEquals(0, status(mine, port), "the same user's status finds the token");
            Path other = Files.createDirectory(tmp.resolve("other"));
            assertNotEquals(0, status(other, port), "without the file: refused");

            daemon.destroy(); // SIGTERM: the shutdown hook stops the daemon and deletes its file
            assertTrue(daemon.waitFor(30, TimeUnit.SECONDS));
            await().atMost(Duration.ofSeconds(10)).until(() -> !Files.exists(file));
        } finally {
            daemon.destroyForcibly();
        }
    }

    @Test
    void serve_noTokenFlag_requiresNoTokenAndWritesNoFile() throws Exception {
        Path mine = Files.createDirectory(tmp.resolve("mine"));
        Object[] s = serve(mine, "--no-token");
        Process daemon = (Process) s[0];
        Matcher m = (Matcher) s[1];
        try {
            assertEquals("no token", m.group(2));
            assertTrue(s[2].toString().contains("--no-token"), "warned: " + s[2]);
            assertFalse(Files.exists(mine.resolve("batcher")));
            assertEquals(0, status(Files.createDirectory(tmp.resolve("other")), Integer.parseInt(m.group(1))));
        } finally {
            daemon.destroy();
            daemon.waitFor(30, TimeUnit.SECONDS);
            daemon.destroyForcibly();
        }
    }
}
