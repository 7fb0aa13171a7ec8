package dev.batcher.samples.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.batcher.samples.docs.Docs.Block;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Follows docs/getting-started.md as a user would: in a fresh directory holding the recording of the
 * worked example ({@code my_dataset/night1.h5}, which test-data/fixtures/make_fixtures.py writes
 * with the h5py code of docs/dataset-format.md), it runs every {@code bin/batcher} command of the
 * page's shell blocks in order, as separate processes of {@code bin/batcher}'s main class, and its
 * Python blocks (with the interpreter client/python/tools/python-env.sh finds, the client on
 * PYTHONPATH and the daemon's address rewritten as for the commands). {@code serve} runs in the background for the
 * commands after it, on a free port instead of 7070 (the only change made to the commands). Where
 * the page shows a command's output and that output is deterministic (index, peek, the Python
 * block), it must be what the command prints. Blocks after an HTML comment containing
 * "GettingStartedTest: skip" are not run.
 */
@Timeout(300)
class GettingStartedTest {
    static final Path PAGE = Docs.root().resolve("docs/getting-started.md");
    static final long COMMAND_SECONDS = 120;

    @TempDir
    Path dir;

    @Test
    void gettingStarted_everyCommandRunsAndPrintsWhatThePageShows() throws Exception {
        Path dataset = Files.createDirectories(dir.resolve("my_dataset"));
        Files.copy(Docs.root().resolve("test-data/fixtures/doc_example/night1.h5"), dataset.resolve("night1.h5"));
        int port = freePortPair();
        List<Block> blocks = Docs.blocks(PAGE);
        Process serve = null;
        int commands = 0;
        try {
            for (int b = 0; b < blocks.size(); b++) {
                Block block = blocks.get(b);
                if (block.marker() != null && block.marker().contains("GettingStartedTest: skip")) {
                    continue;
                }
                Block shown = b + 1 < blocks.size() && blocks.get(b + 1).language().equals("text") ? blocks.get(b + 1) : null;
                if (block.language().equals("python")) {
                    python(block, shown, port);
                    continue;
                }
                if (!block.language().equals("sh")) {
                    continue;
                }
                for (Docs.Command c : Docs.commands(PAGE, "```sh\n" + block.text() + "```\n")) {
                    List<String> args = rewrite(c.args(), port);
                    commands++;
                    if (args.get(0).equals("serve")) {
                        serve = start(args, dir.resolve("serve.log"));
                        awaitLine(serve, dir.resolve("serve.log"), "batchers:");
                        continue;
                    }
                    String out = run(block, args);
                    if (shown != null && (args.get(0).equals("index") || args.get(0).equals("peek"))) {
                        // The page shows its own directory on peek's first line.
                        String expected = shown.text().replaceFirst("(?m)^(dataset  )/home/you/batcher/", "$1" + dir + "/");
                        assertEquals(expected, out, block.where() + ": " + c.text() + " prints what the page shows");
                    }
                    if (args.get(0).equals("train")) {
                        assertTrue(out.contains("done: step "), block.where() + ": " + out);
                        if (args.contains("--resume")) {
                            assertTrue(out.contains(shown.text().strip()), block.where() + ": " + out);
                        }
                    }
                    if (args.get(0).equals("status")) {
                        assertTrue(out.startsWith("BATCHER "), block.where() + ": " + out);
                    }
                }
            }
        } finally {
            if (serve != null) {
                serve.destroy(); // SIGTERM: the daemon stops its local workers
                if (!serve.waitFor(30, TimeUnit.SECONDS)) {
                    serve.destroyForcibly();
                }
            }
        }
        assertTrue(commands >= 6, "bin/batcher commands run: " + commands);
        assertTrue(Files.exists(dir.resolve("my_dataset/labeled_signals.csv")));
        assertTrue(Files.exists(dir.resolve("out/x.npy")) && Files.exists(dir.resolve("out/y.npy")));
        assertTrue(Files.exists(dir.resolve("checkpoints/checkpoint.bin")));
    }

    /** The page's commands, with the daemon on {@code port} rather than 7070. */
    static List<String> rewrite(List<String> args, int port) {
        List<String> out = new ArrayList<>();
        for (String a : args) {
            out.add(a.replace("127.0.0.1:7070", "127.0.0.1:" + port));
        }
        String sub = out.get(0);
        if (sub.equals("serve") && out.stream().noneMatch(a -> a.startsWith("--port"))) {
            out.add("--port=" + port);
        }
        if (sub.equals("status") && out.stream().noneMatch(a -> a.startsWith("--manager"))) {
            out.add("--manager=127.0.0.1:" + port);
        }
        if (sub.equals("train") || sub.equals("status")) {
            assertTrue(out.stream().anyMatch(a -> a.contains("127.0.0.1:" + port)), "not pointed at the test daemon: " + args);
        }
        return out;
    }

    /** A port P with P + 1 free too (the metrics port); another process may still take them, rarely. */
    static int freePortPair() throws IOException {
        for (int attempt = 0; attempt < 50; attempt++) {
            int p;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                p = s.getLocalPort();
            }
            if (p < 65535) {
                try (ServerSocket s = new ServerSocket(p + 1, 1, InetAddress.getLoopbackAddress())) {
                    return p;
                } catch (IOException taken) {
                    // try another
                }
            }
        }
        throw new IOException("no two adjacent free ports");
    }

    Process start(List<String> args, Path log) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "dev.batcher.service.cli.Main"));
        cmd.addAll(args);
        return new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).start();
    }

    /** Runs a command to its end; returns its standard output. */
    String run(Block block, List<String> args) throws Exception {
        Path log = Files.createTempFile(dir, "command", ".out");
        Path err = Files.createTempFile(dir, "command", ".err");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
                "dev.batcher.service.cli.Main"));
        cmd.addAll(args);
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(log.toFile()).redirectError(err.toFile())
                .start();
        if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(block.where() + ": bin/batcher " + String.join(" ", args) + " did not finish in " + COMMAND_SECONDS + " s");
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), block.where() + ": bin/batcher " + String.join(" ", args) + "\n" + out
                + Files.readString(err));
        return out;
    }

    static void awaitLine(Process p, Path log, String text) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(COMMAND_SECONDS);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log).contains(text)) {
                return;
            }
            if (!p.isAlive()) {
                fail("serve exited with status " + p.exitValue() + ":\n" + Files.readString(log));
            }
            try {
                p.onExit().get(100, TimeUnit.MILLISECONDS); // a bounded wait for output, or for the exit
            } catch (java.util.concurrent.TimeoutException stillRunning) {
                // look at the output again
            }
        }
        fail("serve printed no '" + text + "' within " + COMMAND_SECONDS + " s:\n" + Files.readString(log));
    }

    void python(Block block, Block shown, int port) throws Exception {
        String text = block.text().replace("127.0.0.1:7070", "127.0.0.1:" + port);
        Path script = Files.writeString(dir.resolve("block" + block.where().hashCode() + ".py"), text);
        Path out = dir.resolve("python.out");
        ProcessBuilder pb = new ProcessBuilder(python(), script.toString()).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(out.toFile());
        pb.environment().put("PYTHONPATH", Docs.root().resolve("client/python").toString());
        Process p = pb.start();
        if (!p.waitFor(COMMAND_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(block.where() + ": python did not finish");
        }
        String printed = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), block.where() + ": " + printed);
        if (shown != null) {
            assertEquals(shown.text(), printed, block.where() + ": the Python block prints what the page shows");
        }
    }

    /**
     * The interpreter the build found (samples/target/python-interpreter, written by
     * client/python/tools/python-env.sh before the tests), or the one that script finds now.
     */
    static String python() throws Exception {
        Path found = Docs.root().resolve("samples/target/python-interpreter");
        if (Files.exists(found) && !Files.readString(found).isBlank()) {
            return Files.readString(found).strip();
        }
        Process p = new ProcessBuilder("bash", Docs.root().resolve("client/python/tools/python-env.sh").toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String path = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        if (!p.waitFor(600, TimeUnit.SECONDS) || p.exitValue() != 0 || path.isEmpty()) {
            fail("no Python interpreter with numpy, torch and pytest (see client/python/tools/python-env.sh)");
        }
        return path;
    }
}
