package dev.batcher.deploy;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Four "hosts" in network namespaces on one bridge: the daemon, two workers and a training client,
 * each with a private {@code /dev/shm} (as containers on one node have). A worker is cut off the
 * network until the daemon drops it, and is started again as a supervisor would (or rejoins by
 * itself); then the client is cut off for a few seconds. Every batch the client takes is checked,
 * bit for bit, against a {@code LocalBatcher} in the client's process; the longest {@code take}
 * around each partition is reported.
 */
@Timeout(300)
class MultiHostIT {
    /** How long the client is cut off: the experiment's parameter (below the 15 s heartbeat timeout). */
    static final Duration CLIENT_OUTAGE = Duration.ofSeconds(6);
    static final int PORT = 7070;
    
    @TempDir
    Path tmp;

    List<String> batcher(String... args) {
        return Takes.java(tmp, "384m", "dev.batcher.service.cli.Main", args);
    }

    @Test
    void take_workerThenClientPartitioned_everyBatchIdenticalToLocalBatcher() throws Exception {
        Path dataset = Takes.dataset(tmp.resolve("ds"), 7);
        Path token = Files.createFile(tmp.resolve("token"), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.writeString(token, "multi-host-" + Long.toHexString(new java.security.SecureRandom().nextLong()));
        Path stop = tmp.resolve("stop-client");

        List<HostProcess> processes = new ArrayList<>();
        try (NetnsLab lab = NetnsLab.open()) {
            try {
                String daemonHost = lab.addHost("d");
                for (String h : List.of("w1", "w2", "c")) {
                    lab.addHost(h);
                }
                String manager = daemonHost + ":" + PORT;
                HostProcess daemon = HostProcess.start(lab.on("d", batcher("serve", "--bind", daemonHost, "--port", "" + PORT,
                        "--manager-slots", "0", "--token-file", token.toString(), "--dataset-root", tmp.toString())),
                        tmp.resolve("daemon.log"));
                processes.add(daemon);
                awaitLog(daemon, Duration.ofSeconds(60), "batcher daemon listening on " + daemonHost);
                HostProcess w1 = HostProcess.supervise(lab.on("w1", worker(manager, "w1", token)), tmp.resolve("w1.log"));
                processes.add(w1);
                HostProcess w2 = HostProcess.supervise(lab.on("w2", worker(manager, "w2", token)), tmp.resolve("w2.log"));
                processes.add(w2);
                for (HostProcess w : List.of(w1, w2)) {
                    awaitLog(w, Duration.ofSeconds(60), "joined " + manager);
                }
                HostProcess client = HostProcess.start(lab.on("c", Takes.java(tmp, "512m", CheckingClientMain.class.getName(), "--manager", manager,
                        "--token-file", token.toString(), "--dataset", dataset.toString(), "--seed", "42", "--stop-file", stop.toString(),
                        "--name", "multihost")), tmp.resolve("client.log"));
                processes.add(client);
                await().atMost(Duration.ofSeconds(90)).until(() -> takes(client) >= 20 || !client.process().isAlive());
                assertTrue(client.process().isAlive(), "the client failed before any partition:\n" + client.log());

                // A worker cut off: the daemon drops it after its heartbeat timeout and sends its job elsewhere; the
                // stream goes on through the other worker. Then it comes back (restarted, or rejoining by itself).
                long workerCut = System.currentTimeMillis();
                lab.partition("w1");
                await().atMost(Duration.ofSeconds(60)).until(() -> Pattern.compile("worker w1\\S* left the pool").matcher(daemon.log()).find());
                int afterDrop = takes(client);
                await().atMost(Duration.ofSeconds(60)).until(() -> takes(client) >= afterDrop + 3 || !client.process().isAlive());
                lab.heal("w1");
                long workerHealed = System.currentTimeMillis();
                await().atMost(Duration.ofSeconds(90)).until(() -> workersInPool(lab, daemonHost) == 2);
                long workerBack = System.currentTimeMillis();
                int beforeClientCut = takes(client);
                await().atMost(Duration.ofSeconds(60)).until(() -> takes(client) >= beforeClientCut + 5 || !client.process().isAlive());

                // The client cut off for a few seconds, less than the heartbeat timeout: its connection survives.
                long clientCut = System.currentTimeMillis();
                lab.partition("c");
                int atClientCut = takes(client);
                Thread.sleep(CLIENT_OUTAGE.toMillis()); // the outage's length (the experiment's parameter), not a wait for an event
                int duringClientCut = takes(client) - atClientCut;
                lab.heal("c");
                long clientHealed = System.currentTimeMillis();
                int afterClientCut = takes(client);
                await().atMost(Duration.ofSeconds(90)).until(() -> takes(client) >= afterClientCut + 10 || !client.process().isAlive());
                Files.createFile(stop);
                assertTrue(client.process().waitFor(60, TimeUnit.SECONDS), "the client stops at the stop file");

                String out = client.log();
                assertEquals(0, client.process().exitValue(), "the client found a batch that differs, or failed:\n" + out);
                List<long[]> t = client.lines("TAKE ").stream().map(Takes::parse).toList();
                String done = client.lines("DONE ").stream().findFirst().orElseThrow(() -> new AssertionError("no DONE line:\n" + out));
                assertTrue(done.startsWith("DONE " + t.size() + " batches, 0 in shared memory"), done
                        + " (a client on another host never maps the daemon's shared memory)");
                assertTrue(duringClientCut <= 2, "the client took " + duringClientCut + " batches while cut off: the partition did not hold");
                for (HostProcess w : List.of(w1, w2)) {
                    assertTrue(w.log().contains("cannot write into the daemon's shared memory, sending batches over TCP"),
                            "a worker on another host falls back to TCP:\n" + w.log());
                }
                String daemonLog = daemon.log();
                long redispatched = daemonLog.lines().filter(l -> l.contains("sending batch") && l.contains("to another worker")).count();
                long normal = Takes.median(t.stream().filter(x -> x[0] + x[1] < workerCut).mapToLong(x -> x[1]).toArray());
                System.out.printf(Locale.ROOT, "MultiHostIT: %d batches identical to LocalBatcher (over TCP; 0 in shared memory); median take "
                        + "%d ms before the partitions%n", t.size(), normal);
                System.out.printf(Locale.ROOT, "MultiHostIT: worker w1 cut off %.1f s (dropped by the daemon, back in the pool %.1f s after "
                        + "the heal; %d starts, exits %s; %d batches re-dispatched): longest take %.1f s%n",
                        (workerHealed - workerCut) / 1e3, (workerBack - workerHealed) / 1e3, w1.starts(), w1.exits(), redispatched,
                        Takes.longest(t, workerCut, workerBack) / 1e3);
                System.out.printf(Locale.ROOT, "MultiHostIT: client cut off %.1f s (%d batches taken meanwhile): longest take %.1f s%n",
                        (clientHealed - clientCut) / 1e3, duringClientCut, Takes.longest(t, clientCut, clientHealed) / 1e3);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(e.getMessage() + "\n" + logs(processes), e);
            } finally {
                for (int i = processes.size() - 1; i >= 0; i--) {
                    processes.get(i).close();
                }
            }
        }
    }

    List<String> worker(String manager, String name, Path token) {
        return batcher("worker", "--manager", manager, "--name", name, "--slots", "1", "--token-file", token.toString(),
                "--connect-timeout", "10", "--dataset-root", token.getParent().toString());
    }

    static void awaitLog(HostProcess p, Duration atMost, String text) {
        try {
            await().atMost(atMost).until(() -> p.log().contains(text) || !p.process().isAlive());
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("no '" + text + "' within " + atMost.toSeconds() + " s:\n" + p.log(), e);
        }
        assertTrue(p.log().contains(text), "the process exited before '" + text + "':\n" + p.log());
    }

    static int takes(HostProcess client) {
        return client.lines("TAKE ").size();
    }

    /** The number of workers the daemon's metrics report (read from the daemon's own namespace). */
    static int workersInPool(NetnsLab lab, String daemonHost) {
        // bash's /dev/tcp, so that no HTTP client needs installing.
        String metrics = Commands.output(lab.on("d", List.of("timeout", "10", "bash", "-c", "exec 3<>/dev/tcp/" + daemonHost + "/" + (PORT + 1)
                + " && printf 'GET /metrics HTTP/1.0\\r\\nConnection: close\\r\\n\\r\\n' >&3 && cat <&3")));
        return metrics.lines().filter(l -> l.startsWith("batcher_workers{")).map(l -> (int) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1).strip()))
                .findFirst().orElse(-1);
    }

    static String logs(List<HostProcess> processes) {
        StringBuilder b = new StringBuilder();
        for (HostProcess p : processes) {
            List<String> lines = p.log().lines().toList();
            b.append("---- ").append(p.name()).append(" (last 40 lines)\n");
            lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> b.append(l).append('\n'));
        }
        return b.toString();
    }
}
