package dev.batcher.service;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.batcher.client.TokenFile;
import dev.batcher.materializers.dataset.Dataset;
import dev.batcher.materializers.format.RecordingFiles;
import dev.batcher.api.BatchState;
import dev.batcher.materializers.kernels.Kernels;
import dev.batcher.materializers.local.LocalBatcher;
import dev.batcher.api.Batch;
import dev.batcher.api.MaterializeOptions;
import dev.batcher.materializers.assembly.Materializer;
import dev.batcher.api.Taken;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A daemon restarted on its port keeps its clients and workers, with default settings (the token the
 * daemon generates, found in the user's token file): a Java client, a Python client and an external worker,
 * each a real process, go on through a SIGKILL and restart of the daemon (which reuses the dead daemon's
 * token) and then through a clean restart (SIGTERM; the new daemon has a new token, which the clients and
 * the worker read again when they reconnect). Every batch equals {@link LocalBatcher}'s.
 */
@Timeout(300)
class DaemonRestartTest {
    private static final int PHASE = 8;

    @TempDir
    Path tmp;

    /** A child process and the lines it printed. */
    private record Child(String what, Process process, List<String> lines) {
        static Child start(String what, ProcessBuilder pb) throws Exception {
            Process p = pb.redirectErrorStream(true).start();
            List<String> lines = new CopyOnWriteArrayList<>();
            Thread t = new Thread(() -> {
                try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                    String l;
                    while ((l = r.readLine()) != null) {
                        lines.add(l);
                    }
                } catch (java.io.IOException ignored) {
                    // the process ended
                }
            }, "out-" + what);
            t.setDaemon(true);
            t.start();
            return new Child(what, p, lines);
        }

        void awaitLine(String prefix) {
            try {
                await().atMost(Duration.ofSeconds(120)).until(() -> {
                    if (!process.isAlive() && lines.stream().noneMatch(l -> l.startsWith(prefix))) {
                        fail(what + " exited with " + process.exitValue() + " before printing '" + prefix + "':\n"
                                + String.join("\n", lines));
                    }
                    return lines.stream().anyMatch(l -> l.startsWith(prefix));
                });
            } catch (org.awaitility.core.ConditionTimeoutException e) {
                fail(what + " did not print '" + prefix + "':\n" + String.join("\n", lines), e);
            }
        }

        void send(String line) throws Exception {
            OutputStream in = process.getOutputStream();
            in.write((line + "\n").getBytes(StandardCharsets.UTF_8));
            in.flush();
        }

        List<String> batches() {
            return lines.stream().filter(l -> l.startsWith("BATCH ")).map(l -> l.split(" ")[2]).toList();
        }
    }

    private ProcessBuilder java(Path runtime, String main, String... args) {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector", "-Xmx256m", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), main));
        cmd.addAll(List.of(args));
        return env(new ProcessBuilder(cmd), runtime);
    }

    private static ProcessBuilder env(ProcessBuilder pb, Path runtime) {
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        pb.environment().remove("BATCHER_TOKEN");
        return pb;
    }

    private Child serve(Path runtime, int port) throws Exception {
        Child d = Child.start("daemon", java(runtime, "dev.batcher.service.cli.Main", "serve", "--port", Integer.toString(port),
                "--metrics-port", "-1", "--manager-slots", "0"));
        d.awaitLine("batcher daemon listening on 127.0.0.1:" + port + " (token in ");
        return d;
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void take_daemonKilledThenRestartedTwice_javaPythonAndWorkerResumeByteIdentical() throws Exception {
        Path runtime = Files.createDirectory(tmp.resolve("run"));
        int port = freePort();
        Path tokenFile = TokenFile.path(runtime.resolve("batcher"), port);
        String dataset = TestData.dataset().toString();
        List<Child> children = new ArrayList<>();
        try {
            Child daemon = serve(runtime, port);
            children.add(daemon);
            String token1 = Files.readString(tokenFile).strip();
            Child worker = Child.start("worker", java(runtime, "dev.batcher.service.cli.Main", "worker",
                    "--manager", "127.0.0.1:" + port, "--slots", "2", "--name", "w1"));
            children.add(worker);
            worker.awaitLine("worker w1 joined");
            Child javaClient = Child.start("java client", java(runtime, RestartClientMain.class.getName(), "127.0.0.1",
                    Integer.toString(port), "java-train", dataset, "11"));
            children.add(javaClient);
            ProcessBuilder py = env(new ProcessBuilder(python(), script(), "127.0.0.1", Integer.toString(port), "python-train",
                    dataset, "12"), runtime);
            py.environment().put("PYTHONPATH", root().resolve("client/python").toString());
            Child pyClient = Child.start("python client", py);
            children.add(pyClient);
            List<Child> clients = List.of(javaClient, pyClient);

            phase(clients, PHASE);

            // SIGKILL: the daemon cannot delete its token file; the next one on the port reuses the token.
            daemon.process().destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            daemon = serve(runtime, port);
            children.add(daemon);
            assertEquals(token1, Files.readString(tokenFile).strip(), "a daemon restarted on the port keeps the token");
            assertTrue(daemon.lines().stream().anyMatch(l -> l.contains("reusing the token")), daemon.lines().toString());
            phase(clients, 2 * PHASE);

            // SIGTERM: the daemon deletes its file; the next one generates a new token, which every peer reads again.
            daemon.process().destroy();
            assertTrue(daemon.process().waitFor(60, TimeUnit.SECONDS), "daemon stopped on SIGTERM");
            daemon = serve(runtime, port);
            children.add(daemon);
            assertNotEquals(token1, Files.readString(tokenFile).strip(), "a clean restart makes a new token");
            phase(clients, 3 * PHASE);

            for (Child c : clients) {
                c.process().getOutputStream().close();
                assertTrue(c.process().waitFor(60, TimeUnit.SECONDS), c.what() + " finished");
                assertEquals(0, c.process().exitValue(), c.what() + ":\n" + String.join("\n", c.lines()));
            }
            assertEquals(expected(11, 3 * PHASE), javaClient.batches(), "java client: " + javaClient.lines());
            assertEquals(expected(12, 3 * PHASE), pyClient.batches(), "python client: " + pyClient.lines());
            assertTrue(worker.process().isAlive(), "the worker stayed:\n" + String.join("\n", worker.lines()));
            assertTrue(worker.lines().stream().filter(l -> l.contains("worker w1 rejoined")).count() >= 2,
                    "the worker rejoined after each restart:\n" + String.join("\n", worker.lines()));

            worker.process().destroy();
            worker.process().waitFor(30, TimeUnit.SECONDS);
            daemon.process().destroy();
            assertTrue(daemon.process().waitFor(60, TimeUnit.SECONDS));
        } finally {
            for (Child c : children) {
                c.process().destroyForcibly();
                c.process().waitFor(30, TimeUnit.SECONDS);
            }
        }
    }

    private static void phase(List<Child> clients, int n) throws Exception {
        for (Child c : clients) {
            c.send(Integer.toString(n));
        }
        for (Child c : clients) {
            c.awaitLine("AT " + n);
        }
    }

    private static List<String> expected(long seed, int n) throws Exception {
        Dataset ds = Dataset.load(TestData.dataset());
        List<String> out = new ArrayList<>();
        try (RecordingFiles files = new RecordingFiles(List.of(ds.root()), 8);
                LocalBatcher local = new LocalBatcher(dev.batcher.materializers.iteration.BatchSources.build(WorkerNodeIntegrationTest.SOURCE, ds.signals()),
                        new Materializer(files, MaterializeOptions.defaults(), Kernels.vector()))) {
            BatchState s = BatchState.initial(seed);
            for (int i = 0; i < n; i++) {
                Taken.Next next = (Taken.Next) local.take(s);
                try (Batch b = next.batch()) {
                    out.add(RestartClientMain.sha256(b));
                }
                s = next.state();
            }
        }
        return out;
    }

    private static String script() throws Exception {
        return Path.of(DaemonRestartTest.class.getResource("restart_client.py").toURI()).toString();
    }

    private static Path root() {
        Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (root != null && !Files.exists(root.resolve("client/python/tools/python-env.sh"))) {
            root = root.getParent();
        }
        if (root == null) {
            fail("client/python/tools/python-env.sh not found above " + System.getProperty("user.dir"));
        }
        return root;
    }

    /** The interpreter the build found (target/python-interpreter, written by client/python/tools/python-env.sh). */
    static String python() throws Exception {
        Path root = root();
        Path found = root.resolve("target/python-interpreter");
        String python = Files.exists(found) ? Files.readString(found).strip() : "";
        if (python.isEmpty()) {
            Process p = new ProcessBuilder("bash", root.resolve("client/python/tools/python-env.sh").toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            python = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (p.waitFor() != 0 || python.isEmpty()) {
                fail("no Python interpreter with numpy for the Python client (see client/python/tools/python-env.sh)");
            }
        }
        return python;
    }

}
